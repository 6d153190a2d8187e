"""Matrix threads: a command typed in a thread is answered in it, an item raised in a thread is decided there,
reactions on a threaded proposal count, and a client that knows no threads still reads a sensible reply —
in plain rooms and in end-to-end encrypted ones alike."""

from __future__ import annotations

from urllib.parse import quote

from nio import ReactionEvent

from tests.matrix_server.conftest import RoomView, collective_room
from tests.matrix_server.test_adapter_encryption import on_the_wire


async def say_in_thread(member, room_id: str, root: str, body: str, *, replying_to: str | None = None) -> str:
    """What a threads-aware client (Element) sends in a thread: the m.thread relation, and as its fallback a
    reply to the root (the thread's latest message here) — or, ``replying_to`` a message in the thread, a real
    reply to it."""
    relation = {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": replying_to is None,
        "m.in_reply_to": {"event_id": replying_to or root},
    }
    return await member.send(room_id, "m.room.message", {"msgtype": "m.text", "body": body, "m.relates_to": relation})


def relation(event) -> dict:
    return event.source["content"].get("m.relates_to", {})


def plain_reply_target(event) -> str | None:
    """What a client that knows no threads shows the message as answering: its m.in_reply_to."""
    return relation(event).get("m.in_reply_to", {}).get("event_id")


async def in_thread_on_server(member, room_id: str, root: str) -> set[str]:
    """The events the homeserver counts in the thread (its relations of type m.thread)."""
    path = f"/_matrix/client/v1/rooms/{quote(room_id, safe='')}/relations/{quote(root, safe='')}/m.thread?limit=100"
    return {event["event_id"] for event in (await member.request("GET", path))["chunk"]}


async def a_proposal_decided_in_a_thread(make_matrix_bot, make_member, *, encrypted: bool) -> None:
    bot = await make_matrix_bot()
    alice, bob = await make_member("Alice", encrypted=encrypted), await make_member("Bob", encrypted=encrypted)
    room = await collective_room(bot, alice, bob, encrypted=encrypted)
    group = RoomView(bot, room, alice)
    assert (await group.say(alice, "!join")).startswith("Welcome, Alice!")
    assert (await group.say(bob, "!join")).startswith("Welcome, Bob!")
    root = await alice.send_text(room, "About the kitchen: shall we finally paint it?")

    # Raised in the thread: the proposal is posted in it; a plain client sees it answer the thread's root.
    await say_in_thread(alice, room, root, "!propose 1d Paint the kitchen")
    proposal = await group.message()
    assert proposal.body.startswith("Proposal #1 by Alice: Paint the kitchen")
    assert relation(proposal) == {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": root},
    }
    # Bob agrees by reaction on the threaded proposal: it counts.
    for _ in range(4):
        await alice.wait_for_event(room, lambda e: e.reacts_to == proposal.event_id, kind=ReactionEvent)
    await bob.react(room, proposal.event_id, "👍")
    await group.edit(of=proposal.event_id, ending="agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded")

    # A command in the thread is answered in it, as a real reply to the command.
    asked = await say_in_thread(bob, room, root, "!show 1")
    shown = await group.message()
    assert shown.body.startswith("#1 Paint the kitchen\nProposed by Alice.")
    assert relation(shown) == {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": False,
        "m.in_reply_to": {"event_id": asked},
    }
    # A reply to the proposal inside the thread names it, as a reply in the main timeline does.
    await say_in_thread(alice, room, root, "!agree", replying_to=proposal.event_id)
    agreed = await group.message()
    assert agreed.body == "Alice agrees with #1 Paint the kitchen."
    assert relation(agreed)["event_id"] == root
    await group.edit(of=proposal.event_id, ending="agree 2 · stand aside 0 · object 0 · block 0 — 2 of 2 responded")
    # A command typed in the main timeline is answered there.
    await alice.send_text(room, "!proposals")
    listed = await group.message()
    assert listed.body.startswith("Open items:\n#1 Paint the kitchen")
    assert "rel_type" not in relation(listed)  # a plain reply to the command, in the main timeline

    # Closed from the thread, the outcome is in the thread; a plain client sees it answer the proposal.
    await say_in_thread(alice, room, root, "!close 1")
    outcome = await group.message()
    assert outcome.body.startswith("#1 Paint the kitchen — adopted.")
    assert relation(outcome)["rel_type"] == "m.thread" and relation(outcome)["event_id"] == root
    assert plain_reply_target(outcome) == agreed.event_id  # the bot's own latest message in the thread
    await group.edit(of=proposal.event_id, ending="agree 2 · stand aside 0 · object 0 · block 0 — 2 of 2 responded")
    threaded = await in_thread_on_server(alice, room, root)
    assert {proposal.event_id, shown.event_id, agreed.event_id, outcome.event_id} <= threaded
    assert listed.event_id not in threaded
    if encrypted:  # on the wire: encrypted, the thread relation in the clear for the homeserver to aggregate
        wire = await on_the_wire(alice, room, outcome.event_id)
        assert wire["type"] == "m.room.encrypted"
        assert wire["content"]["m.relates_to"]["rel_type"] == "m.thread"


async def test_a_proposal_raised_in_a_thread_is_answered_and_decided_there(make_matrix_bot, make_member):
    await a_proposal_decided_in_a_thread(make_matrix_bot, make_member, encrypted=False)


async def test_threads_work_the_same_in_an_encrypted_room(make_matrix_bot, make_member):
    await a_proposal_decided_in_a_thread(make_matrix_bot, make_member, encrypted=True)
