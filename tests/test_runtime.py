"""The runtime between adapters and the core: routing, sent asks, edits,
replies to a round's message, withdrawn choices, mentions."""

from datetime import timedelta

from adapters import marks
from adapters.backoff import Backoff
from adapters.runtime import Runtime
from bot.actions import Acknowledge, Ask, DirectMessage, Edit, Mention, Post
from bot.events import Chat, ChatMoved, ChoiceMade, ChoiceWithdrawn, MessageReceived
from bot.results import Delivery, Result
from storage.outbox import OutboxStore
from tests.transcript import adopt, group, person


class RecordingOutlet:
    """An adapter that writes down what it was asked to do, numbering messages (a press's confirmation,
    which makes no message in a chat, is written down apart)."""

    def __init__(self, platform):
        self.platform = platform
        self.sent, self.edits, self.acknowledged = [], [], []

    async def send(self, action, txn_id):
        if isinstance(action, Acknowledge):
            self.acknowledged.append(action)
            return None
        self.sent.append(action)
        return f"msg-{len(self.sent)}"

    async def edit(self, action, message_ref, txn_id):
        self.edits.append((message_ref, action))


async def wired(core, engine, outlet=None):
    """A started runtime with one recording console outlet; what the outbox held from the test's set-up
    (through the core alone) went out at the start and is forgotten by the outlet."""
    runtime, outlet = Runtime(core, OutboxStore(engine)), outlet or RecordingOutlet("console")
    runtime.add(outlet)
    await runtime.start()
    await runtime.idle()
    if isinstance(outlet, RecordingOutlet):
        outlet.sent.clear(), outlet.edits.clear(), outlet.acknowledged.clear()
    return runtime, outlet


async def test_actions_go_to_their_platform_and_asks_are_remembered_for_edits(core, engine, chat):
    group(chat, "Alice Bob")
    runtime, outlet = await wired(core, engine)
    now = chat.clock.now()
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "u1", now))
    await runtime.idle()
    [ask] = outlet.sent
    assert isinstance(ask, Ask)
    await runtime.handle(MessageReceived(chat.chat, person("Bob"), "/agree", "u2", now))
    await runtime.idle()
    assert [ref for ref, _ in outlet.edits] == ["msg-1"]  # the proposal's own message is edited
    assert isinstance(outlet.edits[0][1], Edit)
    assert [c.id for c in outlet.edits[0][1].choices] == ["agree", "standaside", "object", "block"]


async def test_a_reply_to_a_rounds_message_needs_no_item_number(core, engine, chat):
    group(chat, "Alice Bob")
    runtime, _outlet = await wired(core, engine)
    now = chat.clock.now()
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "u1", now))
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Buy a van", "u2", now))
    await runtime.idle()  # both proposals are out, as the messages msg-1 and msg-2
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


async def test_actions_for_a_platform_without_an_adapter_are_logged_not_fatal(core, engine, chat, caplog):
    group(chat, "Alice")
    runtime = Runtime(core, OutboxStore(engine))  # no outlets at all
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


async def test_a_chat_that_changes_its_id_keeps_its_collective_and_is_asked_its_open_rounds_again(core, engine, chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    chat.say("Alice", "/propose Buy a kettle")
    chat.say("Alice", "/agree 1")
    chat.say("Alice", "/withdraw 2")
    await wired(core, engine)  # their asks went out to the old chat
    # The old chat's messages can no longer be edited: the open round is asked again where the collective is now,
    # with its tally so far and its buttons; the withdrawn one is not.
    [ask] = core.handle(ChatMoved(chat.chat, "group-1-upgraded", "upgrade-1", chat.clock.now()))
    moved = Chat("console", "group-1-upgraded")
    assert isinstance(ask, Ask) and ask.chat == moved
    assert ask.text.startswith("Proposal #1 by Alice: Paint the kitchen")
    assert ask.text.endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded")
    assert [choice.id for choice in ask.choices] == ["agree", "standaside", "object", "block"]
    # Delivered again (a restart before the move was confirmed): applied once, asked once.
    assert core.handle(ChatMoved(chat.chat, "group-1-upgraded", "upgrade-1", chat.clock.now())) == []
    assert chat.say("Bob", "/members", chat=moved) == "Members (2):\n• Alice\n• Bob"
    assert chat.say("Bob", "/agree 1", chat=moved).startswith("Bob agrees with #1 Paint the kitchen")
    assert (
        chat.say("Bob", "/members", chat=chat.chat) == "No members yet. /principles, then /join to be the first."
    )  # the old id is a new chat
    assert core.handle(ChatMoved(Chat("console", "never-seen"), "whatever", "upgrade-2", chat.clock.now())) == []


def test_a_round_whose_ask_has_not_gone_out_yet_is_not_asked_twice_when_its_chat_moves(core, chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")  # its ask still waits in the outbox for the old chat
    assert core.handle(ChatMoved(chat.chat, "group-1-upgraded", "upgrade-1", chat.clock.now())) == []


async def test_a_chat_moved_onto_another_collectives_chat_does_not_ask_that_collectives_rounds(core, engine, chat):
    group(chat, "Alice Bob")
    other = Chat("console", "group-2")
    chat.say("Carol", "/join", chat=other)
    chat.say("Carol", "/propose Carol's own plan", chat=other)
    await wired(core, engine)
    # A tombstone naming another collective's room (an admin's mistake, or worse) asks nothing there.
    assert core.handle(ChatMoved(chat.chat, "group-2", "upgrade-1", chat.clock.now())) == []


async def test_the_console_in_run_mode_shows_live_tallies(core, engine, chat):
    from adapters.console import Console, ConsoleOutlet

    group(chat, "Alice Bob")
    printed = []
    console = Console(chat.clock, printed.append)
    runtime, _ = await wired(core, engine, ConsoleOutlet(console))
    now = chat.clock.now()
    await runtime.handle(MessageReceived(Chat("console", "demo"), person("Alice"), "/join", "c1", now))
    await runtime.handle(
        MessageReceived(Chat("console", "demo"), person("Alice"), "/propose Paint the kitchen", "c2", now)
    )
    await runtime.handle(MessageReceived(Chat("console", "demo"), person("Alice"), "/agree", "c3", now))
    await runtime.idle()
    assert (
        printed[-1]
        == "bot (updates its message above): agree 1 · stand aside 0 · object 0 · block 0 — 1 of 1 responded"
    )
    await runtime.handle(MessageReceived(Chat("console", "demo"), person("Alice"), "/close 1", "c4", now))
    await runtime.idle()
    assert printed[-1] == (
        "bot (updates its message above): Round 1 · closed Mon 2 Mar 2026, 09:00 UTC: adopted (consensus). · "
        "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 1 responded"
    )


async def test_a_vote_is_answered_even_when_editing_its_tally_fails(core, engine, chat, caplog):
    class EditsFail(RecordingOutlet):
        async def edit(self, action, message_ref, txn_id):
            raise RuntimeError("Telegram is having a bad day")

    group(chat, "Alice Bob")
    runtime, outlet = await wired(core, engine, EditsFail("console"))
    runtime.senders["console"]._retry_first = 0.01
    now = chat.clock.now()
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "u1", now))
    await runtime.handle(MessageReceived(chat.chat, person("Bob"), "/agree", "u2", now))
    await runtime.handle(MessageReceived(chat.chat, person("Bob"), "/members", "u3", now))
    await runtime.idle()
    assert [a.text for a in outlet.sent[1:]] == [
        "Bob agrees with #1 Paint the kitchen.",
        "Members (2):\n• Alice\n• Bob",
    ]
    assert "set aside after 4 tries" in caplog.text  # the edit, not the chat


async def test_a_stale_tally_edit_never_brings_back_the_buttons_of_an_ended_round(core, engine, chat):
    runtime, outlet = await wired(core, engine)
    group(chat, "Alice")
    [ask] = chat.send("Alice", "/propose Paint the kitchen")
    await runtime.idle()
    closed = Edit(chat.chat, ask.key, "Proposal #1 …\nRound 1 · closed: adopted", (), refs=("msg-1",))
    stale = Edit(chat.chat, ask.key, "Proposal #1 …\nagree 1 — 1 of 1 responded", ask.choices, refs=("msg-1",))
    await runtime.deliver(Result(deliveries=(Delivery(None, "console", "group-1", closed, "t1"),)))
    await runtime.idle()  # the close, handled side by side with a vote, got its edit out first
    await runtime.deliver(Result(deliveries=(Delivery(None, "console", "group-1", stale, "t2"),)))
    await runtime.idle()
    assert [edit for _, edit in outlet.edits] == [closed]


async def test_a_long_running_bot_remembers_only_the_latest_ended_rounds(core, engine, chat):
    runtime, outlet = await wired(core, engine)
    sender = runtime.senders["console"]
    sender._ended_kept = 2
    group(chat, "Alice")
    asks = [chat.send("Alice", f"/propose Task {n}")[0] for n in range(1, 4)]
    await runtime.idle()
    for n, ask in enumerate(asks, 1):
        closed = Edit(chat.chat, ask.key, f"Proposal #{n} …\nRound 1 · closed", (), refs=(f"msg-{n}",))
        await runtime.deliver(Result(deliveries=(Delivery(None, "console", "group-1", closed, f"c{n}"),)))
        await runtime.idle()
    assert len(sender._ended) == 2  # the memory of ended rounds does not grow with the bot's uptime
    stale = Edit(chat.chat, asks[2].key, "Proposal #3 …\nagree 1", asks[2].choices, refs=("msg-3",))
    await runtime.deliver(Result(deliveries=(Delivery(None, "console", "group-1", stale, "s3"),)))
    await runtime.idle()
    assert [edit.text for _, edit in outlet.edits][-1] == "Proposal #3 …\nRound 1 · closed"  # still honoured


async def test_answers_whose_marking_failed_once_are_marked_on_the_next_try(core, engine, chat, caplog, monkeypatch):
    """A mark that fails for a moment (PostgreSQL gave up a deadlock between two processes marking the same
    deliveries) is written again: unmarked, the answers would stay claimed by this process and go out again
    only after a restart."""

    class MarksFailOnce(OutboxStore):
        failed = False

        def mark(self, sent, now):
            if not MarksFailOnce.failed:
                MarksFailOnce.failed = True
                raise RuntimeError("deadlock detected")
            super().mark(sent, now)

    monkeypatch.setattr(marks, "MARK_BACKOFF", Backoff(0.01, tries=6))
    group(chat, "Alice Bob")
    runtime, outlet = Runtime(core, MarksFailOnce(engine)), RecordingOutlet("console")
    runtime.add(outlet)
    await runtime.start()
    await runtime.idle()
    await runtime.handle(MessageReceived(chat.chat, person("Alice"), "/members", "u1", chat.clock.now()))
    await runtime.idle()
    assert MarksFailOnce.failed and "could not mark" in caplog.text
    assert OutboxStore(engine).claim_unsent("console") == []  # every answer marked sent: none waits for a restart
