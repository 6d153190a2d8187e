"""Round trip of a vote through a real Synapse on 127.0.0.1: a member types
!agree, the bot answers — our Matrix adapter and core (a real SQLite file)
side by side with a bare matrix-nio echo bot on the same homeserver.

    .venv/bin/python -m bench.matrix_roundtrip [--votes 100]

Synapse is installed into .synapse/venv on first use, as the tests do.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from nio import AsyncClient, InviteMemberEvent, RoomMemberEvent, RoomMessageNotice, RoomMessageText

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


async def echo_bot(server: SynapseServer, votes: int) -> list[float]:
    bot_id, bot_password = await account(server, "echo")
    client = AsyncClient(server.base_url, bot_id)
    await client.login(bot_password)

    async def on_invite(room, event: InviteMemberEvent) -> None:
        if event.membership == "invite" and event.state_key == bot_id:
            await client.join(room.room_id)

    async def on_text(room, event: RoomMessageText) -> None:
        if event.sender != bot_id:
            await client.room_send(room.room_id, "m.room.message", {"msgtype": "m.notice", "body": event.body})

    await client.sync(timeout=0, sync_filter={"room": {"timeline": {"limit": 0}}})
    client.add_event_callback(on_invite, InviteMemberEvent)
    client.add_event_callback(on_text, RoomMessageText)
    syncing = asyncio.create_task(client.sync_forever(timeout=30_000))
    member_id, member_password = await account(server, "member")
    member = await MatrixUser.login(server.base_url, member_id, member_password)
    room = await member.create_room(invite=[bot_id])
    await member.wait_for_event(room, lambda e: e.membership == "join", sender=bot_id, kind=RoomMemberEvent)
    try:
        return await votes_through(member, room, bot_id, votes)
    finally:
        syncing.cancel()
        await member.close()
        await client.close()


async def our_bot(server: SynapseServer, votes: int) -> list[float]:
    bot_id, bot_password = await account(server, "collectivebot")
    with tempfile.TemporaryDirectory() as folder:
        engine = open_storage(sqlite_url(Path(folder) / "bot.db"))
        runtime = Runtime(core_for(engine, SystemClock()), OutboxStore(engine))
        adapter = MatrixAdapter(
            MatrixConfig(server.base_url, bot_id, bot_password), runtime, AdapterState(engine, "matrix")
        )
        runtime.add(adapter)
        await adapter.start()
        await runtime.start()
        member_id, member_password = await account(server, "member")
        member = await MatrixUser.login(server.base_url, member_id, member_password)
        room = await member.create_room(invite=[bot_id])
        await member.wait_for_event(room, lambda e: e.membership == "join", sender=bot_id, kind=RoomMemberEvent)
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
    votes = parser.parse_args().votes
    with tempfile.TemporaryDirectory() as folder:
        server = SynapseServer(ensure_synapse(), Path(folder))
        server.start()
        try:
            bare = asyncio.run(echo_bot(server, votes))
            ours = asyncio.run(our_bot(server, votes))
        finally:
            server.stop()
    a, b = statistics.median(bare) * 1e3, statistics.median(ours) * 1e3
    print(f"{votes} votes, median round trip: bare matrix-nio echo bot {a:.1f} ms, collective-bot {b:.1f} ms")
    print(f"ratio: {b / a:.2f}x   target <= 1.25x")


if __name__ == "__main__":
    main()
