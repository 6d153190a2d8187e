"""The test homeserver itself, and what matrix-nio 0.26 makes of what Synapse sends: the facts a bot adapter
is written against."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    LoginResponse,
    MatrixInvitedRoom,
    MegolmEvent,
    ReactionEvent,
    RedactedEvent,
    RedactionEvent,
    RoomEncryptionEvent,
    RoomMemberEvent,
    RoomMessageNotice,
    RoomMessageText,
    RoomUpgradeEvent,
    SyncResponse,
)

from tests.matrix_server.synapse import LOOPBACK, SynapseServer, registration_mac
from tests.matrix_server.users import MatrixTestError, MatrixUser


def get_json(url: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return json.load(response)


async def room_of_two(make_matrix_user) -> tuple[MatrixUser, MatrixUser, str]:
    """Alice creates a room and invites Bob; Bob sees the invite and joins; Alice sees him join."""
    alice = await make_matrix_user("alice")
    bob = await make_matrix_user("bob")
    room_id = await alice.create_room(invite=[bob.user_id], name="Collective")
    assert await bob.wait_for_invite(room_id) == room_id
    await bob.join(room_id)
    await alice.wait_for_event(room_id, lambda e: e.membership == "join", kind=RoomMemberEvent, sender=bob.user_id)
    return alice, bob, room_id


def listening_addresses(port: int) -> list[str]:
    """Local addresses (hex, as the kernel lists them) of TCP sockets listening on `port`, IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                found.append(local)
    return found


def test_the_server_answers_on_loopback_only(synapse: SynapseServer):
    assert synapse.base_url.startswith(f"http://{LOOPBACK}:")
    versions = get_json(f"{synapse.base_url}/_matrix/client/versions")
    assert "v1.11" in versions["versions"]
    assert listening_addresses(synapse.port) == [f"0100007F:{synapse.port:04X}"]  # 127.0.0.1, nothing else


def test_the_registration_mac_is_hmac_sha1_over_nul_separated_fields():
    # Computed independently: printf 'n\0u\0p\0notadmin' | openssl dgst -sha1 -hmac s
    assert registration_mac("s", "n", "u", "p", admin=False) == "26f3059760aebb1bcdcebc65f1bcb7b75691a8d6"


async def test_registered_users_log_in_with_their_password(synapse: SynapseServer):
    user_id = await synapse.register(synapse.unique_localpart("carol"), "secret-1")
    admin_id = await synapse.register(synapse.unique_localpart("root"), "secret-2", admin=True)
    assert user_id.endswith(":localhost") and admin_id.endswith(":localhost")
    client = AsyncClient(synapse.base_url, user_id, config=AsyncClientConfig(encryption_enabled=False))
    try:
        assert isinstance(await client.login("secret-1"), LoginResponse)
        assert not isinstance(await client.login("wrong"), LoginResponse)
    finally:
        await client.close()


async def test_an_admin_user_can_use_the_admin_api(make_matrix_user):
    root = await make_matrix_user("root", admin=True)
    alice = await make_matrix_user("alice")
    path = f"/_synapse/admin/v2/users/{quote(alice.user_id)}"
    assert (await root.request("GET", path))["admin"] is False
    with pytest.raises(MatrixTestError, match="403"):
        await alice.request("GET", path)


async def test_two_users_meet_in_a_room_and_messages_round_trip(make_matrix_user):
    alice, bob, room_id = await room_of_two(make_matrix_user)

    sent = await bob.send_text(room_id, "hello, collective")
    got = await alice.wait_for_event(room_id, kind=RoomMessageText, sender=bob.user_id)
    assert (got.event_id, got.body, got.source["content"]["msgtype"]) == (sent, "hello, collective", "m.text")

    reply = await alice.send_text(room_id, "welcome!", reply_to=sent)
    got = await bob.wait_for_event(room_id, kind=RoomMessageText, sender=alice.user_id)
    assert got.event_id == reply
    assert got.source["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": sent}}


async def test_a_reaction_arrives_as_a_reaction_event(make_matrix_user):
    alice, bob, room_id = await room_of_two(make_matrix_user)
    message = await alice.send_text(room_id, "/propose buy a printer")
    reaction = await bob.react(room_id, message, "👍")
    got = await alice.wait_for_event(room_id, kind=ReactionEvent, sender=bob.user_id)
    assert (got.event_id, got.reacts_to, got.key) == (reaction, message, "👍")


async def test_a_redaction_arrives_and_the_event_then_reads_as_redacted(make_matrix_user):
    alice, bob, room_id = await room_of_two(make_matrix_user)
    message = await bob.send_text(room_id, "oops, wrong room")
    await alice.wait_for_event(room_id, kind=RoomMessageText, sender=bob.user_id)
    redaction = await bob.redact(room_id, message, reason="typo")
    got = await alice.wait_for_event(room_id, kind=RedactionEvent, sender=bob.user_id)
    assert (got.event_id, got.redacts, got.reason) == (redaction, message, "typo")

    # A client that reads the room afterwards gets the message back as a RedactedEvent with its content gone.
    history = await alice.client.room_messages(room_id, start="", limit=10)
    redacted = next(e for e in history.chunk if e.event_id == message)
    assert isinstance(redacted, RedactedEvent)
    assert redacted.source["content"] == {}


async def test_a_notice_arrives_as_room_message_notice(make_matrix_user):
    alice, bob, room_id = await room_of_two(make_matrix_user)
    notice = await alice.send_notice(room_id, "Proposal #1 passed.")
    got = await bob.wait_for_event(room_id, lambda e: e.event_id == notice)
    assert isinstance(got, RoomMessageNotice) and not isinstance(got, RoomMessageText)
    assert (got.event_id, got.body) == (notice, "Proposal #1 passed.")


async def test_a_room_upgrade_sends_a_tombstone_pointing_at_the_new_room(make_matrix_user):
    alice, bob, room_id = await room_of_two(make_matrix_user)
    new_room = await alice.upgrade_room(room_id)
    got = await bob.wait_for_event(room_id, kind=RoomUpgradeEvent, sender=alice.user_id)
    assert got.replacement_room == new_room != room_id
    # /upgrade moves no one: in an invite-only room Bob can follow only once he is invited to the replacement.
    await alice.invite(new_room, bob.user_id)
    assert await bob.join(await bob.wait_for_invite(new_room)) == new_room


async def test_an_encrypted_room_is_marked_but_nio_without_olm_sends_plaintext(make_matrix_user):
    alice = await make_matrix_user("alice")
    bob = await make_matrix_user("bob")
    room_id = await alice.create_encrypted_room(invite=[bob.user_id])
    await bob.join(await bob.wait_for_invite(room_id))
    encryption = await bob.wait_for_event(room_id, kind=RoomEncryptionEvent)
    assert encryption.source["content"]["algorithm"] == "m.megolm.v1.aes-sha2"
    assert bob.client.rooms[room_id].encrypted

    # What Element would send there: an m.room.encrypted event, which nio without olm cannot open.
    ciphertext = {
        "algorithm": "m.megolm.v1.aes-sha2",
        "ciphertext": "AwgAEnA...",
        "sender_key": "senderkey",
        "device_id": "DEVICE",
        "session_id": "session",
    }
    encrypted = await alice.send(room_id, "m.room.encrypted", ciphertext)
    got = await bob.wait_for_event(room_id, lambda e: e.event_id == encrypted)
    assert isinstance(got, MegolmEvent)

    # nio 0.26 without python-olm (as installed for this app) sends room_send content in the clear even there.
    plain = await alice.send_text(room_id, "this is not encrypted")
    got = await bob.wait_for_event(room_id, kind=RoomMessageText, sender=alice.user_id)
    assert (got.event_id, got.source["type"]) == (plain, "m.room.message")


async def test_an_invite_reaches_an_event_callback_as_invite_member_event(make_matrix_user):
    alice = await make_matrix_user("alice")
    bob = await make_matrix_user("bob")
    seen: list[tuple[object, InviteMemberEvent]] = []

    async def on_invite(room, event):
        seen.append((room, event))

    bob.client.add_event_callback(on_invite, InviteMemberEvent)
    room_id = await alice.create_room(invite=[bob.user_id])
    await bob.wait_for_invite(room_id)

    invites = [(room, e) for room, e in seen if e.membership == "invite" and e.state_key == bob.user_id]
    assert len(invites) == 1
    room, event = invites[0]
    assert isinstance(room, MatrixInvitedRoom) and room.room_id == room_id
    assert event.sender == alice.user_id


async def test_a_first_sync_with_timeline_limit_zero_then_since_tokens(make_matrix_user, synapse: SynapseServer):
    alice, bob, room_id = await room_of_two(make_matrix_user)
    for n in range(3):
        await alice.send_text(room_id, f"before the bot started {n}")

    # A bot starting fresh: a first sync that brings the rooms and a token, but none of the old messages.
    bot = AsyncClient(synapse.base_url, bob.user_id, config=AsyncClientConfig(encryption_enabled=False))
    try:
        assert isinstance(await bot.login(bob.password, device_name="bot"), LoginResponse)
        first = await bot.sync(timeout=0, sync_filter={"room": {"timeline": {"limit": 0}}}, full_state=True)
        assert isinstance(first, SyncResponse)
        assert first.rooms.join[room_id].timeline.events == []
        assert room_id in bot.rooms
        token = first.next_batch  # persist this; the next run passes it back as `since`
        assert bot.next_batch == token
    finally:
        await bot.close()

    sent = await alice.send_text(room_id, "after the bot started")

    # The next run: a new client, the stored token as `since`; only what came after it.
    bot = AsyncClient(synapse.base_url, bob.user_id, config=AsyncClientConfig(encryption_enabled=False))
    try:
        assert isinstance(await bot.login(bob.password, device_name="bot"), LoginResponse)
        later = await bot.sync(timeout=5000, since=token)
        assert isinstance(later, SyncResponse)
        texts = [e for e in later.rooms.join[room_id].timeline.events if isinstance(e, RoomMessageText)]
        assert [(e.event_id, e.body) for e in texts] == [(sent, "after the bot started")]
    finally:
        await bot.close()


async def test_mentions_and_pills_come_through_in_the_content(make_matrix_user):
    alice, bob, room_id = await room_of_two(make_matrix_user)
    pill = f'<a href="https://matrix.to/#/{alice.user_id}">Alice</a>: your turn to keep the books'
    await bob.send_text(room_id, "Alice: your turn to keep the books", html=pill, mentions=[alice.user_id])
    got = await alice.wait_for_event(room_id, kind=RoomMessageText, sender=bob.user_id)
    assert got.format == "org.matrix.custom.html"
    assert got.formatted_body == pill
    assert got.source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}


def test_a_server_stops_by_pid(synapse_python, tmp_path):
    server = SynapseServer(synapse_python, tmp_path / "synapse")
    server.start()
    pid = server.pid
    assert pid is not None and server.rss_bytes() > 0
    server.stop()
    assert server.process is not None and server.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(OSError), socket.create_connection((LOOPBACK, server.port), timeout=1):
        pass
