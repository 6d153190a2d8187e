"""End-to-end encrypted rooms and direct chats, as Element makes them: members whose clients encrypt (nio with
its own store each), rooms with m.room.encryption in their initial state. The bot reads what they say and
everything it says there is m.room.encrypted on the wire."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from nio import ReactionEvent, RoomMemberEvent, RoomMessageNotice

from adapters.config import ConfigError
from adapters.matrix.crypto import ENCRYPTION_STATE
from tests.matrix_server.conftest import RoomView, collective_room, wait_for_join


def bot_events(member, room_id: str, bot_id: str) -> list:
    """What the bot said in the room (its messages and reactions; not its joining), as the member saw it."""
    return [e for e in member.events(room_id) if e.sender == bot_id and not isinstance(e, RoomMemberEvent)]


async def on_the_wire(member, room_id: str, event_id: str) -> dict:
    """The event as the homeserver holds it."""
    return await member.request("GET", f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/event/{quote(event_id)}")


async def test_three_members_decide_in_an_encrypted_room(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, bob, carol = [await make_member(name, encrypted=True) for name in ("Alice", "Bob", "Carol")]
    room = await collective_room(bot, alice, bob, carol, encrypted=True)
    group = RoomView(bot, room, alice)

    assert (await group.say(alice, "!join")).startswith("Welcome, Alice! You are member 1 of this collective.")
    assert (await group.say(bob, "!join")).startswith("Welcome, Bob! You are member 2 of this collective.")
    assert (await group.say(carol, "!join")).startswith("Welcome, Carol! You are member 3 of this collective.")
    assert await group.say(alice, "!rotation add facilitator 4w") == (
        "The facilitator role rotates every 4 weeks among all members."
    )
    assert (await group.says()).startswith("Alice is facilitator now, until Mon 30 Mar 2026")

    await bob.send_text(room, "!propose Buy a printer\nA laser one, for the flyers.")
    proposal = await group.message()
    assert proposal.body.startswith("Proposal #1 by Bob: Buy a printer\nA laser one, for the flyers.\n")
    seeded = [
        await alice.wait_for_event(
            room, lambda e: e.reacts_to == proposal.event_id, kind=ReactionEvent, sender=bot.user_id
        )
        for _ in range(4)
    ]
    assert [reaction.key for reaction in seeded] == ["👍", "🤷", "✋", "🛑"]

    # Bob agrees by reaction (encrypted, as Element sends it): the tally on the proposal shows it.
    await bob.react(room, proposal.event_id, "👍")
    assert (await group.edit()).body.endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded")
    # Carol objects in a reply to the proposal, Alice agrees by command.
    objection = await carol.send_text(room, "!object too dear for now", reply_to=proposal.event_id)
    answer = await group.message()
    assert answer.body == "Carol objects to #1 Buy a printer: too dear for now"
    assert answer.source["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": objection}}
    assert (await group.edit()).body.endswith("2 of 3 responded")
    assert await group.say(alice, "!agree 1 we print every week") == (
        "Alice agrees with #1 Buy a printer: we print every week"
    )
    await group.edit()

    shown = await group.say(carol, "!show 1")
    assert "• Alice — agree: we print every week" in shown
    assert "• Carol — object: too dear for now" in shown
    closed = await group.say(alice, "!close 1")
    assert closed.startswith("#1 Buy a printer — adopted.")
    assert "Closed by Alice" in closed

    # Everything the bot said there went out encrypted and opened as a notice (or a reaction it seeded).
    said = bot_events(alice, room, bot.user_id)
    assert len(said) >= 14
    assert all(event.decrypted for event in said)
    assert {type(event) for event in said} == {RoomMessageNotice, ReactionEvent}
    assert all(e.source["content"]["msgtype"] == "m.notice" for e in said if isinstance(e, RoomMessageNotice))
    wire = await on_the_wire(alice, room, proposal.event_id)
    assert wire["type"] == "m.room.encrypted"
    assert wire["content"]["algorithm"] == "m.megolm.v1.aes-sha2"
    seed_wire = await on_the_wire(alice, room, seeded[0].event_id)
    assert seed_wire["type"] == "m.room.encrypted"  # nio would send a reaction in the clear
    assert seed_wire["content"]["m.relates_to"]["event_id"] == proposal.event_id  # the relation stays readable


async def test_a_private_need_in_an_encrypted_direct_chat_is_posted_without_the_name(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, carol = await make_member("Alice", encrypted=True), await make_member("Carol", encrypted=True)
    group = RoomView(bot, await collective_room(bot, alice, carol, encrypted=True), alice)
    await group.say(alice, "!join")
    await group.say(carol, "!join")

    # Carol starts a direct chat as Element does: is_direct, encryption on from the start.
    created = await carol.client.room_create(is_direct=True, invite=[bot.user_id], initial_state=[ENCRYPTION_STATE])
    await wait_for_join(carol, created.room_id, bot.user_id)
    private = RoomView(bot, created.room_id, carol)
    confirmation = await private.say(carol, "!need 300 overdue rent #housing")
    assert confirmation == "Your need is posted in the group as #1, without your name."
    posted = await group.message()
    assert posted.body.startswith("Need #1 asked by a member, privately: 300.00 EUR — overdue rent (housing)\n")
    assert "Carol" not in posted.body
    assert posted.decrypted
    assert all(event.decrypted for event in bot_events(carol, created.room_id, bot.user_id))


async def test_a_lost_or_damaged_store_stops_the_bot_with_what_to_do(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice = await make_member("Alice", encrypted=True)
    group = RoomView(bot, await collective_room(bot, alice, encrypted=True), alice)
    await group.say(alice, "!join")
    await bot.stop()
    store = Path(bot.config.store_path)

    shutil.move(store, store.with_name("moved-aside"))
    with pytest.raises(ConfigError, match=r"does not hold the keys of the bot's device \w+ .*restore it from a backup"):
        await bot.start()
    await bot.stop()

    shutil.move(store.with_name("moved-aside"), store)
    for database in store.glob("*.db"):
        database.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigError, match="cannot be opened"):
        await bot.start()
    await bot.stop()
