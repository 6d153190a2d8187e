"""The runtime between adapters and the core: routing, sent asks, edits,
replies to a round's message, withdrawn choices, mentions."""

from datetime import timedelta

from adapters.runtime import Runtime
from bot.actions import Ask, DirectMessage, Edit, Mention, Post
from bot.events import Chat, ChoiceMade, ChoiceWithdrawn, MessageReceived
from tests.transcript import adopt, group, person


class RecordingOutlet:
    """An adapter that writes down what it was asked to do, numbering messages."""

    def __init__(self, platform):
        self.platform = platform
        self.sent, self.edits = [], []

    async def send(self, action):
        self.sent.append(action)
        return f"msg-{len(self.sent)}"

    async def edit(self, action, message_ref):
        self.edits.append((message_ref, action))


def wired(core):
    """A runtime with one recording console outlet."""
    runtime, outlet = Runtime(core), RecordingOutlet("console")
    runtime.add(outlet)
    return runtime, outlet


async def test_actions_go_to_their_platform_and_asks_are_remembered_for_edits(core, chat):
    group(chat, "Alice Bob")
    runtime, outlet = wired(core)
    now = chat.clock.now()
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "u1", now))
    [ask] = outlet.sent
    assert isinstance(ask, Ask)
    await runtime.handle(MessageReceived(chat.chat, person("Bob"), "/agree", "u2", now))
    assert [ref for ref, _ in outlet.edits] == ["msg-1"]  # the proposal's own message is edited
    assert isinstance(outlet.edits[0][1], Edit)
    assert [c.id for c in outlet.edits[0][1].choices] == ["agree", "standaside", "object", "block"]


async def test_a_reply_to_a_rounds_message_needs_no_item_number(core, chat):
    group(chat, "Alice Bob")
    runtime, _outlet = wired(core)
    now = chat.clock.now()
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "u1", now))
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Buy a van", "u2", now))
    actions = await runtime.handle(
        MessageReceived(chat.chat, person("Bob"), "!object too dear", "u3", now, reply_to="msg-2")
    )
    assert actions[0].text == "Bob objects to #2 Buy a van: too dear"


async def test_a_withdrawn_choice_withdraws_that_response(core, chat):
    group(chat, "Alice Bob")
    [ask] = chat.send("Alice", "/propose Paint the kitchen")
    now = chat.clock.now()
    core.handle(ChoiceMade(chat.chat, person("Bob"), ask.key, "agree", "reaction-1", now))
    assert core.handle(ChoiceWithdrawn(chat.chat, person("Bob"), ask.key, "standaside", "redact-0", now)) == []
    withdrawn = core.handle(ChoiceWithdrawn(chat.chat, person("Bob"), ask.key, "agree", "redact-1", now))
    assert withdrawn[0].text == "Bob withdraws their response (agree) to #1 Paint the kitchen."
    assert "Not yet responded: Alice, Bob." in chat.say("Alice", "/show 1")


async def test_actions_for_a_platform_without_an_adapter_are_logged_not_fatal(core, chat, caplog):
    group(chat, "Alice")
    runtime = Runtime(core)  # no outlets at all
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/members", "u1", chat.clock.now()))
    assert "no adapter for console" in caplog.text


def test_reminders_and_handovers_carry_mentions_of_the_members_named(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose 3d Paint the kitchen")
    chat.say("Alice", "/agree 1")
    chat.clock.advance(timedelta(days=2))
    [reminder] = [a for a in chat.core.tick() if isinstance(a, Post)]
    assert reminder.mentions == (Mention("bob", "Bob"), Mention("carol", "Carol"))
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    chat.clock.advance(timedelta(weeks=1))
    handover = [a for a in chat.core.tick() if isinstance(a, Post) and a.text.startswith("Handover")]
    assert handover[0].mentions == (Mention("bob", "Bob"), Mention("carol", "Carol"))


def test_a_direct_message_knows_how_to_mention_its_person_in_the_fallback(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    chat.clock.advance(timedelta(days=6))
    [reminder] = [a for a in chat.core.tick() if isinstance(a, DirectMessage)]
    assert (reminder.user_id, reminder.name, reminder.fallback) == ("bob", "Bob", Chat("console", "group-1"))


def test_a_chat_that_changes_its_id_keeps_its_collective(core, chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    assert core.move_chat("console", "group-1", "group-1-upgraded")
    moved = Chat("console", "group-1-upgraded")
    assert chat.say("Bob", "/members", chat=moved) == "Members (2):\n• Alice\n• Bob"
    assert chat.say("Bob", "/agree 1", chat=moved).startswith("Bob agrees with #1 Paint the kitchen")
    assert not core.move_chat("console", "never-seen", "whatever")


async def test_the_console_in_run_mode_shows_live_tallies(core, chat):
    from adapters.console import Console, ConsoleOutlet

    group(chat, "Alice Bob")
    printed = []
    console = Console(core, chat.clock, printed.append)
    runtime = Runtime(core)
    runtime.add(ConsoleOutlet(console))
    now = chat.clock.now()
    await runtime.handle(MessageReceived(Chat("console", "demo"), person("Alice"), "/join", "c1", now))
    await runtime.handle(
        MessageReceived(Chat("console", "demo"), person("Alice"), "/propose Paint the kitchen", "c2", now)
    )
    await runtime.handle(MessageReceived(Chat("console", "demo"), person("Alice"), "/agree", "c3", now))
    assert (
        printed[-1]
        == "bot (updates its message above): agree 1 · stand aside 0 · object 0 · block 0 — 1 of 1 responded"
    )
    await runtime.handle(MessageReceived(Chat("console", "demo"), person("Alice"), "/close 1", "c4", now))
    assert printed[-1] == (
        "bot (updates its message above): Round 1 · closed Mon 2 Mar 2026, 09:00 UTC: adopted (consensus). · "
        "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 1 responded"
    )


async def test_a_vote_is_answered_even_when_finding_its_tally_message_fails(core, chat, monkeypatch):
    group(chat, "Alice Bob")
    runtime, outlet = wired(core)
    now = chat.clock.now()
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "u1", now))

    def database_busy(asks):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(core, "sent_refs_of", database_busy)
    await runtime.handle(MessageReceived(chat.chat, person("Bob"), "/agree", "u2", now))
    assert outlet.sent[-1].text == "Bob agrees with #1 Paint the kitchen."  # the vote is answered
    assert [ref for ref, _ in outlet.edits] == ["msg-1"]  # and its tally found the one-by-one way


async def test_a_stale_tally_edit_never_brings_back_the_buttons_of_an_ended_round(core, chat):
    runtime, outlet = wired(core)
    group(chat, "Alice")
    [ask] = chat.send("Alice", "/propose Paint the kitchen")
    await runtime.deliver([ask])
    closed = Edit(chat.chat, ask.key, "Proposal #1 …\nRound 1 · closed: adopted", ())
    stale = Edit(chat.chat, ask.key, "Proposal #1 …\nagree 1 — 1 of 1 responded", ask.choices)
    await runtime.deliver([closed])  # the close, handled side by side with a vote,
    await runtime.deliver([stale])  # asked for its edit first
    assert [edit for _, edit in outlet.edits] == [closed]
