"""Round trip of a vote through the Telegram test server: a member types
/agree, the bot answers — our adapter and core (a real SQLite file) side by
side with a bare python-telegram-bot echo bot on a server of its own. Neither
is rate-limited here, so only the work done between question and answer
counts. Both run at once and take turns in chunks of 20 votes, so the shared
machine's drifting load falls on both alike.

    .venv/bin/python -m bench.telegram_roundtrip [--votes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from telegram import Update
from telegram.ext import BaseRateLimiter, ContextTypes, MessageHandler, filters

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.wiring import core_for, open_storage
from bot.clock import SystemClock
from storage.engine import sqlite_url
from storage.inbox import InboxStore
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


async def round_trips(server: TelegramTestServer, member, group, votes: int, first: int = 0) -> list[float]:
    times = []
    for n in range(first, first + votes):
        start = time.perf_counter()
        await say(server, member, group, "/agree 1" if n % 2 else "/standaside 1")
        times.append(time.perf_counter() - start)
    return times


@contextlib.asynccontextmanager
async def echo_bot() -> AsyncIterator[Callable[[int, int], Awaitable[list[float]]]]:
    async with TelegramTestServer() as server:
        member = server.add_user("Bob")
        group = server.add_group("Co-op", members=[member])

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await update.effective_message.reply_text(update.effective_message.text)

        app = application(server, rate_limiter=NoLimit())
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with polling(app):
            await server.wait_for_polling()

            async def votes(count: int, first: int) -> list[float]:
                return await round_trips(server, member, group, count, first)

            yield votes


@contextlib.asynccontextmanager
async def our_bot() -> AsyncIterator[Callable[[int, int], Awaitable[list[float]]]]:
    async with TelegramTestServer() as server:
        alice, bob = server.add_user("Alice"), server.add_user("Bob")
        group = server.add_group("Co-op", members=[alice, bob])
        with tempfile.TemporaryDirectory() as folder:
            engine = open_storage(sqlite_url(Path(folder) / "bot.db"))
            runtime = Runtime(core_for(engine, SystemClock()), OutboxStore(engine))
            config = TelegramConfig(server.token, server.base_url)
            adapter = TelegramAdapter(config, runtime, rate_limiter=NoLimit(), inbox=InboxStore(engine))
            runtime.add(adapter)
            await adapter.start()
            await runtime.start()
            await server.wait_for_polling()
            for user, text in ((alice, "/join"), (bob, "/join"), (alice, "/propose 4w Buy a coffee machine")):
                await say(server, user, group, text)

            async def votes(count: int, first: int) -> list[float]:
                times = await round_trips(server, bob, group, count, first)
                await runtime.idle()  # its last tally edit, before the other bot's turn
                return times

            try:
                yield votes
            finally:
                await adapter.stop()
                engine.dispose()


async def side_by_side(votes: int, chunk: int = 20) -> tuple[list[float], list[float]]:
    """Both bots up at once, each on its own server; votes in alternating chunks, so both see the same
    machine (these machines are shared and their load drifts)."""
    bare, ours = [], []
    async with echo_bot() as echo, our_bot() as bot:
        for first in range(0, votes, chunk):
            bare += await echo(min(chunk, votes - first), first)
            ours += await bot(min(chunk, votes - first), first)
    return bare, ours


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--votes", type=int, default=200)
    votes = parser.parse_args().votes
    bare, ours = asyncio.run(side_by_side(votes))
    a, b = statistics.median(bare) * 1e3, statistics.median(ours) * 1e3
    print(f"{votes} votes in alternating chunks of 20, median round trip:")
    print(f"bare PTB echo bot {a:.1f} ms, collective-bot {b:.1f} ms")
    print(f"ratio: {b / a:.2f}x   target <= 1.25x")


if __name__ == "__main__":
    main()
