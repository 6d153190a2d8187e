"""End-to-end encrypted rooms and direct chats, as Element makes them: members whose clients encrypt (nio with
its own store each), rooms with m.room.encryption in their initial state. The bot reads what they say and
everything it says there is m.room.encrypted on the wire."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path
from urllib.parse import quote
from uuid import uuid4

import pytest
from nio import ReactionEvent, RoomKeyRequest, RoomMemberEvent, RoomMessageNotice
from nio.api import Api
from vodozemac import Ed25519PublicKey, Ed25519Signature

from adapters.config import ConfigError
from adapters.matrix.crypto import ENCRYPTION_STATE
from tests.matrix_server.conftest import RoomView, adopt, collective_room, wait_for_join
from tests.matrix_server.test_adapter_restart import BotProcess


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
    await adopt(group, alice, "!rotation add facilitator 4w", [alice, bob, carol])  # #1: a role with powers
    assert (await group.says()).startswith("Alice is facilitator now, until Mon 30 Mar 2026")

    await bob.send_text(room, "!propose Buy a printer\nA laser one, for the flyers.")
    proposal = await group.message()
    assert proposal.body.startswith("Proposal #2 by Bob: Buy a printer\n│ A laser one, for the flyers.\n")
    seeded = [
        await alice.wait_for_event(
            room, lambda e: e.reacts_to == proposal.event_id, kind=ReactionEvent, sender=bot.user_id
        )
        for _ in range(4)
    ]
    assert [reaction.key for reaction in seeded] == ["👍", "🤷", "✋", "🛑"]

    # Bob agrees by reaction (encrypted, as Element sends it): the tally on the proposal shows it.
    await bob.react(room, proposal.event_id, "👍")
    await group.edit(of=proposal.event_id, ending="agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded")
    # Carol objects in a reply to the proposal, Alice agrees by command.
    objection = await carol.send_text(room, "!object too dear for now", reply_to=proposal.event_id)
    answer = await group.message()
    assert answer.body == "Carol objects to #2 Buy a printer: too dear for now"
    assert answer.source["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": objection}}
    await group.edit(of=proposal.event_id, ending="2 of 3 responded")
    assert await group.say(alice, "!agree 2 we print every week") == (
        "Alice agrees with #2 Buy a printer: we print every week"
    )
    await group.edit(of=proposal.event_id, ending="3 of 3 responded")

    shown = await group.say(carol, "!show 2")
    assert "• Alice — agree: we print every week" in shown
    assert "• Carol — object: too dear for now" in shown
    closed = await group.say(alice, "!close 2")
    assert closed.startswith("#2 Buy a printer — adopted.")
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
    assert posted.body.startswith("Need #1 asked by a member, privately: €300.00 — overdue rent (housing)\n")
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


async def send_with_key_held_back(member, room_id: str, body: str) -> tuple[str, list[dict]]:
    """`member` sends `body` encrypted with a new group session, and holds back the to-device messages that carry
    its key (as when they are late). What it sends next uses a session shared as usual. Returns the session id
    and the held messages, for `send_held_key`."""
    client, olm = member.client, member.client.olm
    current = olm.outbound_group_sessions.pop(room_id, None)
    missing = client.get_missing_sessions(room_id)
    if missing:
        await client.keys_claim(missing)
    users = list(client.rooms[room_id].users)
    held = [payload for _, payload in olm.share_group_session_parallel(room_id, users, ignore_unverified_devices=True)]
    session = olm.outbound_group_sessions[room_id]
    session.shared = True
    event_type, content = client.encrypt(room_id, "m.room.message", {"msgtype": "m.text", "body": body})
    await member.request(
        "PUT", f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/send/{event_type}/{uuid4()}", content
    )
    if current is not None:
        olm.outbound_group_sessions[room_id] = current
    else:
        olm.outbound_group_sessions.pop(room_id)
    return session.id, held


async def send_held_key(member, held: list[dict]) -> None:
    """The held-back key goes out at last."""
    for payload in held:
        await member.request("PUT", f"/_matrix/client/v3/sendToDevice/m.room.encrypted/{uuid4()}", payload)


async def key_request_from(member, requester: str, session_id: str, timeout: float = 10.0):
    """The m.room_key_request `requester` sent `member` for `session_id`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in member.to_device:
            if isinstance(event, RoomKeyRequest) and event.sender == requester and event.session_id == session_id:
                return event
        await member.sync(int((deadline - time.monotonic()) * 1000))
    raise AssertionError(f"no key request from {requester} for {session_id}")


async def test_a_message_unreadable_at_first_is_handled_once_its_key_arrives(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice = await make_member("Alice", encrypted=True)
    group = RoomView(bot, await collective_room(bot, alice, encrypted=True), alice)
    await group.say(alice, "!join")

    session_id, held = await send_with_key_held_back(alice, group.room_id, "!propose Fix the roof")
    # The bot cannot read it: it asks Alice's device for the key, and goes on with what comes next.
    request = await key_request_from(alice, bot.user_id, session_id)
    assert request.requesting_device_id == bot.adapter.client.device_id
    assert (await group.say(alice, "!proposals")) == "No open items. !propose TITLE starts one."

    await send_held_key(alice, held)
    assert (await group.says()).startswith("Proposal #1 by Alice: Fix the roof\n")
    await group.settled()
    await group.nothing_more()  # handled once


async def test_a_message_whose_key_never_comes_is_told_to_its_sender_privately(make_matrix_bot, make_member):
    bot = await make_matrix_bot(key_wait=1.0)
    alice = await make_member("Alice", encrypted=True)
    group = RoomView(bot, await collective_room(bot, alice, encrypted=True), alice)
    await group.say(alice, "!join")

    await send_with_key_held_back(alice, group.room_id, "!propose Fix the roof")
    direct = await alice.wait_for_invite(timeout=20)
    await alice.join(direct)
    told = await RoomView(bot, direct, alice).message()
    assert told.decrypted  # the direct chat the bot opened is encrypted
    assert told.body.startswith("I could not read your message of ")
    assert told.body.endswith(
        " in Collective: it came encrypted, and its key never reached me (your app may still be sending it). "
        "Please send it again."
    )
    await group.settled()
    await group.nothing_more()


async def bot_devices(member, bot_id: str) -> list[str]:
    """The bot's devices with encryption keys, as any member's client sees them (/keys/query)."""
    answer = await member.request("POST", "/_matrix/client/v3/keys/query", {"device_keys": {bot_id: []}})
    return sorted(answer["device_keys"].get(bot_id, {}))


async def test_a_later_joiner_and_a_second_device_read_what_the_bot_says_after_they_came(
    make_matrix_bot, make_member, synapse, tmp_path
):
    bot = await make_matrix_bot()
    alice, bob, carol = [await make_member(name, encrypted=True) for name in ("Alice", "Bob", "Carol")]
    room = await collective_room(bot, alice, bob, carol, encrypted=True)
    group = RoomView(bot, room, alice)
    for member in (alice, bob, carol):
        await group.say(member, "!join")

    dave = await make_member("Dave", encrypted=True)
    await alice.invite(room, dave.user_id)
    await dave.join(await dave.wait_for_invite(room))
    await wait_for_join(alice, room, dave.user_id)
    welcome = await RoomView(bot, room, dave).say(dave, "!join")
    assert welcome.startswith("Welcome, Dave! You are member 4 of this collective.")
    assert (await group.message()).body == welcome

    (store := tmp_path / "bob-second-device").mkdir()
    second = await type(bob).login(synapse.base_url, bob.user_id, bob.password, "phone", store_path=str(store))
    try:
        assert second.device_id != bob.device_id
        members = await group.say(alice, "!members")
        seen_by_phone = await RoomView(bot, room, second).message()
        assert seen_by_phone.decrypted and seen_by_phone.body == members
    finally:
        await second.close()

    # Carol leaves: the bot's next message is in a new group session, whose key she was never sent.
    before = (await group.say(alice, "!help join"), bot_events(alice, room, bot.user_id)[-1].session_id)[1]
    await carol.client.room_leave(room)
    await alice.wait_for_event(
        room, lambda e: e.state_key == carol.user_id and e.membership == "leave", kind=RoomMemberEvent
    )
    await group.say(alice, "!help join")
    after = bot_events(alice, room, bot.user_id)[-1]
    assert after.decrypted and after.session_id != before


async def test_the_bot_killed_with_sigkill_keeps_its_device_and_answers_once(synapse, make_member, tmp_path):
    password = "bot-password"
    bot_id = await synapse.register(synapse.unique_localpart("collectivebot"), password)
    config = tmp_path / "config.toml"
    config.write_text(  # store_path left out: beside the SQLite file
        f'[storage]\nurl = "sqlite:///{tmp_path / "bot.db"}"\n\n'
        f'[matrix]\nenabled = true\nhomeserver = "{synapse.base_url}"\nuser_id = "{bot_id}"\npassword = "{password}"\n'
    )
    bot = BotProcess(bot_id, config, tmp_path / "bot.log")
    alice, bob = await make_member("Alice", encrypted=True), await make_member("Bob", encrypted=True)
    room = await alice.create_encrypted_room(invite=[bot_id, bob.user_id], name="Collective")
    await bob.join(await bob.wait_for_invite(room))
    seen = RoomView(bot, room, alice)
    try:
        bot.start()
        await wait_for_join(alice, room, bot_id, timeout=30)
        assert (await seen.say(alice, "!join")).startswith("Welcome, Alice! You are member 1")
        assert (await seen.say(bob, "!join")).startswith("Welcome, Bob! You are member 2")
        assert (await seen.say(alice, "!propose Buy a van")).startswith("Proposal #1 by Alice: Buy a van")
        devices = await bot_devices(alice, bot_id)
        assert len(devices) == 1
        assert (tmp_path / "bot.db.matrix-store").is_dir()

        assert bot.kill() == -signal.SIGKILL
        await bob.send_text(room, "!agree 1 we need it")
        bot.start()
        assert await seen.says(timeout=30) == "Bob agrees with #1 Buy a van: we need it"
        assert "• Bob — agree: we need it" in await seen.say(alice, "!show 1")
        assert await bot_devices(alice, bot_id) == devices  # the same device, no new one
        await seen.settled()
        await seen.nothing_more()  # answered once
        said = bot_events(alice, room, bot_id)
        assert said and all(event.decrypted for event in said)
    finally:
        bot.stop()
    assert "Traceback" not in bot.log.read_text()


async def test_the_bot_cross_signs_its_device(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice = await make_member("Alice", encrypted=True)
    answer = await alice.request("POST", "/_matrix/client/v3/keys/query", {"device_keys": {bot.user_id: []}})
    master = answer["master_keys"][bot.user_id]
    self_signing = answer["self_signing_keys"][bot.user_id]
    assert master["usage"] == ["master"] and self_signing["usage"] == ["self_signing"]
    (master_id,) = master["keys"]
    (ssk_id,) = self_signing["keys"]
    assert master_id in self_signing["signatures"][bot.user_id]  # the self-signing key is the master's
    device = bot.adapter.client.device_id
    signatures = answer["device_keys"][bot.user_id][device]["signatures"][bot.user_id]
    assert ssk_id in signatures  # the device is signed by the self-signing key
    # and the signature is good
    key = Ed25519PublicKey.from_base64(self_signing["keys"][ssk_id])
    device_keys = dict(answer["device_keys"][bot.user_id][device])
    signature = device_keys.pop("signatures")[bot.user_id][ssk_id]
    device_keys.pop("unsigned", None)
    key.verify_signature(Api.to_canonical_json(device_keys).encode(), Ed25519Signature.from_base64(signature))

    await bot.stop()
    await bot.start()  # a restart keeps the keys: nothing new uploaded, the device still signed
    again = await alice.request("POST", "/_matrix/client/v3/keys/query", {"device_keys": {bot.user_id: []}})
    assert again["master_keys"][bot.user_id]["keys"] == master["keys"]
