"""Forum topics and threads: a command is answered where it was typed, an item's
messages go where it was raised, collective-wide announcements go to
``announce_in`` (chosen with /announce here) or the main chat — and a private
need is never put beside its requester's own words."""

import dataclasses
from datetime import timedelta

from bot.actions import Ask, DirectMessage, Edit, Post
from bot.events import Chat
from tests.transcript import Transcript, group, read

DECISIONS, SHIFTS, NEWS = "11", "22", "33"  # three topics of the group


def topic(chat: Transcript, thread: str | None) -> Chat:
    return dataclasses.replace(chat.chat, thread=thread)


def heard(actions) -> list[tuple[str | None, str]]:
    """What the group sees, and where: (topic, first line) of every message; tally edits and direct messages
    left out."""
    return [
        (a.chat.thread, read(a).splitlines()[0])
        for a in actions
        if not isinstance(a, DirectMessage | Edit) and not a.chat.is_direct
    ]


def test_a_proposal_raised_in_a_topic_lives_there_and_answers_go_where_they_were_typed(chat, clock):
    group(chat, "Alice Bob")
    raised = chat.send("Alice", "/propose 2d Paint the kitchen", chat=topic(chat, DECISIONS))
    assert heard(raised) == [(DECISIONS, "Proposal #1 by Alice: Paint the kitchen")]
    assert isinstance(raised[0], Ask)
    # A response typed in another topic is answered there; the tally is edited on the proposal, in its topic.
    answered = chat.send("Bob", "/agree 1", chat=topic(chat, SHIFTS))
    assert heard(answered) == [(SHIFTS, "Bob agrees with #1 Paint the kitchen.")]
    assert [(a.chat.thread, a.refs) for a in answered if isinstance(a, Edit)] == [(DECISIONS, ())]
    # In the main chat, the same: the reply where it was typed.
    assert heard(chat.send("Bob", "/show 1"))[0] == (None, "#1 Paint the kitchen")
    # The reminder and the outcome go to the proposal's topic, not the main chat.
    reminded = [a for a in chat.core.tick(clock.now() + timedelta(days=1, hours=1)) if isinstance(a, Post)]
    assert [(a.chat.thread, a.text.split(".")[0]) for a in reminded] == [
        (DECISIONS, "Reminder: #1 Paint the kitchen closes Wed 4 Mar 2026, 09:00 UTC")
    ]
    clock.advance(timedelta(days=2))
    closed = chat.core.tick()
    assert heard(closed) == [(DECISIONS, "#1 Paint the kitchen — adopted.")]
    assert {a.chat.thread for a in closed if isinstance(a, Edit)} == {DECISIONS}


def test_a_lone_member_sets_announce_in_at_once_and_handovers_go_there(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/announce there", chat=topic(chat, NEWS)) == (
        "Type /announce here in the topic or thread where announcements should go.\nUsage: /announce here"
    )
    answer = chat.send("Alice", "/announce here", chat=topic(chat, NEWS))
    assert heard(answer) == [
        (
            NEWS,
            "You are the only member, so it applies at once: announce_in is now a topic or thread (id 33) of a "
            "Console chat (where collective-wide announcements go; /announce here sets it).",
        )
    ]
    assert "• announce_in = a topic or thread (id 33) of a Console chat (default the main chat)" in chat.say(
        "Alice", "/settings"
    )
    chat.say("Alice", "/rotation add dishes 1d", chat=topic(chat, SHIFTS))
    chat.say("Alice", "/rotation join dishes", chat=topic(chat, SHIFTS))
    chat.say("Bob", "/join")  # joins the roster too: the next handover is his turn
    chat.say("Bob", "/rotation join dishes")
    handover = [a for a in chat.core.tick(chat.clock.now() + timedelta(days=1)) if isinstance(a, Post)]
    assert [(a.chat.thread, a.text.split(" is on")[0]) for a in handover] == [(NEWS, "Handover: Bob")]
    # An item's own messages still go where it was raised (the main chat here), not to announce_in.
    assert heard(chat.send("Bob", "/propose Buy a kettle"))[0] == (None, "Proposal #1 by Bob: Buy a kettle")
    # Typed in the main chat, /announce here brings announcements back there (by proposal, now there are two).
    back = chat.send("Alice", "/announce here")
    assert heard(back) == [
        (
            None,
            "Settings proposal #2 by Alice: Post collective-wide announcements in the main chat (now a topic or "
            "thread (id 33) of a Console chat)",
        )
    ]


def test_announce_here_is_a_settings_proposal_adopted_like_any_other(chat):
    group(chat, "Alice Bob")
    asked = chat.send("Bob", "/announce here", chat=topic(chat, NEWS))
    assert heard(asked)[0] == (
        NEWS,
        "Settings proposal #1 by Bob: Post collective-wide announcements in this topic or thread (now the main chat)",
    )
    assert chat.say("Alice", "/set announce_in 33").startswith("Choose where announcements go with /announce here")
    chat.say("Alice", "/agree 1")
    chat.say("Bob", "/agree 1")
    closed = chat.send("Bob", "/close 1")  # typed in the main chat: the outcome goes to the item's topic
    assert heard(closed) == [
        (NEWS, "#1 Post collective-wide announcements in this topic or thread (now the main chat) — adopted."),
        (None, "Done; I posted it in the topic or thread where it belongs."),
    ]
    assert "announce_in is now a topic or thread (id 33)" in closed[0].text
    chat.say("Alice", "/away 1d")
    back = [a for a in chat.core.tick(chat.clock.now() + timedelta(days=1, minutes=1)) if isinstance(a, Post)]
    assert [(a.chat.thread, read(a)) for a in back] == [
        (NEWS, "Alice is back from time away; rotations include them again.")
    ]


def test_a_need_raised_in_a_topic_stays_there(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/contribute 50")
    asked = chat.send("Bob", "/need 20 bus fare #transport", chat=topic(chat, SHIFTS))
    assert {thread for thread, _ in heard(asked)} == {SHIFTS}
    assert "Need #1" in heard(asked)[0][1]
    funded = chat.core.tick(chat.clock.now() + timedelta(days=3))  # approved by silence, then funded
    assert heard(funded) and {thread for thread, _ in heard(funded)} == {SHIFTS}
    assert any("is funded" in text for _, text in heard(funded))


def test_a_private_need_goes_to_announce_in_or_the_main_chat_never_beside_its_requester(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 500")
    # Carol speaks in the shifts topic, then asks privately: nothing of her need goes to that topic.
    chat.say("Carol", "/show 1", chat=topic(chat, SHIFTS))
    dm = Chat(chat.chat.platform, "dm-carol", is_direct=True)
    first = chat.send("Carol", "/need 300 rent #housing", chat=dm)
    assert heard(first) == [(None, "Need #1 asked by a member, privately: €300.00 — rent (housing)")]
    with chat.core.unit_of_work() as uow:  # set-up: the collective announces in the news topic
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        uow.settings.put(collective.id, "announce_in", f"{chat.chat.platform} {chat.chat.chat_id} {NEWS}")
        uow.commit()
    second = chat.send("Carol", "/need 40 glasses #health", chat=dm)
    assert [thread for thread, _ in heard(second)] == [NEWS]
    # Its tally edits, reminders and outcome follow it there.
    answered = chat.send("Bob", "/agree 2", chat=topic(chat, SHIFTS))
    assert [a.chat.thread for a in answered if isinstance(a, Edit)] == [NEWS]
    later = chat.core.tick(chat.clock.now() + timedelta(days=3))
    assert heard(later) and SHIFTS not in {thread for thread, _ in heard(later)}
    assert {thread for thread, _ in heard(later) if "#2" in _} == {NEWS}


def test_set_announce_in_main_brings_announcements_back_to_the_main_chat(chat):
    group(chat, "Alice")
    chat.say("Alice", "/announce here", chat=topic(chat, NEWS))
    assert chat.say("Alice", "/announce here", chat=topic(chat, NEWS)) == (
        "announce_in is already a topic or thread (id 33) of a Console chat."
    )
    assert chat.say("Alice", "/set announce_in main") == (
        "You are the only member, so it applies at once: announce_in is now the main chat (where collective-wide "
        "announcements go; /announce here sets it)."
    )
    chat.say("Alice", "/away 1d")
    back = [a for a in chat.core.tick(chat.clock.now() + timedelta(days=1, minutes=1)) if isinstance(a, Post)]
    assert [(a.chat.thread, read(a)) for a in back] == [
        (None, "Alice is back from time away; rotations include them again.")
    ]
