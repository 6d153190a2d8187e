"""Round trip of a vote through the Telegram test server: a member types
/agree, the bot answers — our adapter and core (a real SQLite file) side by
side with a bare python-telegram-bot echo bot on the same server. Neither is
rate-limited here, so only the work done between question and answer counts.

    .venv/bin/python -m bench.telegram_roundtrip [--votes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import BaseRateLimiter, ContextTypes, MessageHandler, filters

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.wiring import core_for, open_storage
from bot.clock import SystemClock
from storage.engine import sqlite_url
from storage.outbox import OutboxStore
from tests.telegram_api import TelegramTestServer
from tests.telegram_api.helpers import application, polling


class NoLimit(BaseRateLimiter):
    """Every request straight through: the benchmark measures work, not flood control."""

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        return await callback(*args, **kwargs)


async def say(server: TelegramTestServer, member, group, text: str) -> None:
    """A member says something; returns when the bot has answered with a new message."""
    before = len(server.bot_messages(group))
    await server.user_sends(member, group, text)
    await server.wait_for_bot_message(group, lambda _: len(server.bot_messages(group)) > before)


async def round_trips(server: TelegramTestServer, member, group, votes: int) -> list[float]:
    times = []
    for n in range(votes):
        start = time.perf_counter()
        await say(server, member, group, "/agree 1" if n % 2 else "/standaside 1")
        times.append(time.perf_counter() - start)
    return times


async def echo_bot(votes: int) -> list[float]:
    async with TelegramTestServer() as server:
        member = server.add_user("Bob")
        group = server.add_group("Co-op", members=[member])

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.effective_message.reply_text(update.effective_message.text)

        app = application(server, rate_limiter=NoLimit())
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with polling(app):
            await server.wait_for_polling()
            return await round_trips(server, member, group, votes)


async def our_bot(votes: int) -> list[float]:
    async with TelegramTestServer() as server:
        alice, bob = server.add_user("Alice"), server.add_user("Bob")
        group = server.add_group("Co-op", members=[alice, bob])
        with tempfile.TemporaryDirectory() as folder:
            engine = open_storage(sqlite_url(Path(folder) / "bot.db"))
            runtime = Runtime(core_for(engine, SystemClock()), OutboxStore(engine))
            adapter = TelegramAdapter(TelegramConfig(server.token, server.base_url), runtime, rate_limiter=NoLimit())
            runtime.add(adapter)
            await adapter.start()
            await runtime.start()
            await server.wait_for_polling()
            for user, text in ((alice, "/join"), (bob, "/join"), (alice, "/propose 4w Buy a coffee machine")):
                before = len(server.bot_messages(group))
                await server.user_sends(user, group, text)
                await server.wait_for_bot_message(
                    group, lambda m, before=before: len(server.bot_messages(group)) > before
                )
            try:
                return await round_trips(server, bob, group, votes)
            finally:
                await adapter.stop()
                engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--votes", type=int, default=200)
    votes = parser.parse_args().votes
    bare = asyncio.run(echo_bot(votes))
    ours = asyncio.run(our_bot(votes))
    a, b = statistics.median(bare) * 1e3, statistics.median(ours) * 1e3
    print(f"{votes} votes, median round trip: bare PTB echo bot {a:.1f} ms, collective-bot {b:.1f} ms")
    print(f"ratio: {b / a:.2f}x   target <= 1.25x")


if __name__ == "__main__":
    main()
