"""Round trip of a vote through a real Synapse on 127.0.0.1: a member types
!agree, the bot answers — our Matrix adapter and core (a real SQLite file)
side by side with a bare matrix-nio echo bot on the same homeserver.

    .venv/bin/python -m bench.matrix_roundtrip [--votes 100] [--encrypted]

With --encrypted the room has encryption in its initial state, the member's client encrypts (as Element does),
and both bots run with end-to-end encryption on, each with its own store.

Synapse is installed into .synapse/venv on first use, as the tests do.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, RoomMemberEvent, RoomMessageNotice, RoomMessageText

from adapters.config import MatrixConfig
from adapters.matrix import MatrixAdapter
from adapters.runtime import Runtime
from adapters.wiring import core_for, open_storage
from bot.clock import SystemClock
from storage.adapter_state import AdapterState
from storage.engine import sqlite_url
from storage.outbox import OutboxStore
from tests.matrix_server.synapse import SynapseServer, ensure_synapse
from tests.matrix_server.users import MatrixUser


async def account(server: SynapseServer, name: str) -> tuple[str, str]:
    localpart = server.unique_localpart(name)
    password = f"{localpart}-password"
    return await server.register(localpart, password), password


async def say(member: MatrixUser, room: str, bot_id: str, text: str) -> float:
    start = time.perf_counter()
    sent = await member.send_text(room, text)
    await member.wait_for_event(room, lambda e: e.event_id != sent, sender=bot_id, kind=RoomMessageNotice, timeout=30)
    return time.perf_counter() - start


async def votes_through(member: MatrixUser, room: str, bot_id: str, votes: int) -> list[float]:
    return [await say(member, room, bot_id, "!agree 1" if n % 2 else "!standaside 1") for n in range(votes)]


async def member_in_room(server: SynapseServer, bot_id: str, folder: str, encrypted: bool) -> tuple[MatrixUser, str]:
    member_id, member_password = await account(server, "member")
    store = None
    if encrypted:
        (store := Path(folder) / "member-store").mkdir()
    member = await MatrixUser.login(server.base_url, member_id, member_password, store_path=store and str(store))
    room = await member.create_room(invite=[bot_id], encrypted=encrypted)
    await member.wait_for_event(room, lambda e: e.membership == "join", sender=bot_id, kind=RoomMemberEvent)
    return member, room


async def echo_bot(server: SynapseServer, votes: int, encrypted: bool) -> list[float]:
    bot_id, bot_password = await account(server, "echo")
    folder = tempfile.mkdtemp()
    if encrypted:
        client = AsyncClient(
            server.base_url, bot_id, store_path=folder, config=AsyncClientConfig(encryption_enabled=True)
        )
    else:
        client = AsyncClient(server.base_url, bot_id)
    await client.login(bot_password)

    async def on_invite(room, event: InviteMemberEvent) -> None:
        if event.membership == "invite" and event.state_key == bot_id:
            await client.join(room.room_id)

    async def on_text(room, event: RoomMessageText) -> None:
        if event.sender != bot_id:
            content = {"msgtype": "m.notice", "body": event.body}
            await client.room_send(room.room_id, "m.room.message", content, ignore_unverified_devices=True)

    await client.sync(timeout=0, sync_filter={"room": {"timeline": {"limit": 0}}})
    client.add_event_callback(on_invite, InviteMemberEvent)
    client.add_event_callback(on_text, RoomMessageText)
    syncing = asyncio.create_task(client.sync_forever(timeout=30_000))
    member, room = await member_in_room(server, bot_id, folder, encrypted)
    try:
        return await votes_through(member, room, bot_id, votes)
    finally:
        syncing.cancel()
        await member.close()
        await client.close()


async def our_bot(server: SynapseServer, votes: int, encrypted: bool) -> list[float]:
    bot_id, bot_password = await account(server, "collectivebot")
    with tempfile.TemporaryDirectory() as folder:
        engine = open_storage(sqlite_url(Path(folder) / "bot.db"))
        runtime = Runtime(core_for(engine, SystemClock()), OutboxStore(engine))
        config = MatrixConfig(server.base_url, bot_id, bot_password, store_path=f"{folder}/bot.db.matrix-store")
        adapter = MatrixAdapter(config, runtime, AdapterState(engine, "matrix"))
        runtime.add(adapter)
        await adapter.start()
        await runtime.start()
        member, room = await member_in_room(server, bot_id, folder, encrypted)
        try:
            await say(member, room, bot_id, "!join")
            await say(member, room, bot_id, "!propose 4w Buy a printer")
            return await votes_through(member, room, bot_id, votes)
        finally:
            await member.close()
            await adapter.stop()
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--votes", type=int, default=100)
    parser.add_argument("--encrypted", action="store_true", help="an encrypted room, both bots with encryption on")
    arguments = parser.parse_args()
    votes, encrypted = arguments.votes, arguments.encrypted
    with tempfile.TemporaryDirectory() as folder:
        server = SynapseServer(ensure_synapse(), Path(folder))
        server.start()
        try:
            bare = asyncio.run(echo_bot(server, votes, encrypted))
            ours = asyncio.run(our_bot(server, votes, encrypted))
        finally:
            server.stop()
    a, b = statistics.median(bare) * 1e3, statistics.median(ours) * 1e3
    where = " in an encrypted room" if encrypted else ""
    print(f"{votes} votes{where}, median round trip: bare matrix-nio echo bot {a:.1f} ms, collective-bot {b:.1f} ms")
    print(f"ratio: {b / a:.2f}x   target <= 1.25x")


if __name__ == "__main__":
    main()
