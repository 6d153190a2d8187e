"""Fan-out: reminders to many Telegram chats through the real adapter (PTB and
its rate limiter) against the loopback Bot API test server, measured against
Telegram's rate-limit floor (30 messages a second), with every chat's and
every second's count checked against Telegram's limits.

    .venv/bin/python -m bench.telegram_fanout [--chats 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.telegram.limits import TELEGRAM_PER_SECOND
from adapters.wiring import core_for, open_storage
from bot.actions import DirectMessage
from bot.clock import SystemClock
from storage.engine import sqlite_url
from storage.outbox import OutboxStore
from tests.telegram_api import TelegramTestServer


async def fan_out(chats: int) -> None:
    async with TelegramTestServer() as server:
        members = [server.add_user(f"Member{n}") for n in range(chats)]
        for member in members:
            await server.user_sends_private(member, "/start")  # Telegram lets the bot write only after this
        with tempfile.TemporaryDirectory() as folder:
            engine = open_storage(sqlite_url(Path(folder) / "fanout.db"))
            runtime = Runtime(core_for(engine, SystemClock()), OutboxStore(engine))
            adapter = TelegramAdapter(TelegramConfig(server.token, server.base_url), runtime)
            runtime.add(adapter)
            await adapter.bot.initialize()  # no polling: only the sending side is measured
            reminders = [
                DirectMessage("telegram", str(m.id), "Reminder: your facilitator turn begins tomorrow at 09:00.")
                for m in members
            ]
            await runtime.start()
            start = time.monotonic()
            await runtime.deliver(reminders)
            await runtime.idle()
            elapsed = time.monotonic() - start
            await adapter.bot.shutdown()
            engine.dispose()
        delivered = sum(1 for m in members if server.bot_messages(m.id))
        too_many = server.message_rate_violations(per_second=TELEGRAM_PER_SECOND)
        floods = sum(1 for r in server.requests if r.status == 429)
    floor = chats / TELEGRAM_PER_SECOND
    print(f"chats: {chats}, delivered: {delivered}")
    print(f"wall time: {elapsed:.1f} s   rate-limit floor ({chats} / {TELEGRAM_PER_SECOND} per s): {floor:.1f} s")
    print(f"ratio: {elapsed / floor:.2f}x   target <= 1.1x")
    print(f"seconds or chats over Telegram's limits: {len(too_many)}   429 answers: {floods}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=1000)
    asyncio.run(fan_out(parser.parse_args().chats))


if __name__ == "__main__":
    main()
