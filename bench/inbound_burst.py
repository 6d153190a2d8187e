"""One busy chat never delays another, on the way in: a member of one group sends a burst of commands at once
(``--burst``, each a contribution answered with a message), and a moment later a member of a quiet group presses a
vote button. Telegram hands the bot its updates in order and forgets them only together, so the quiet vote is in a
batch behind the burst.

Reported: the quiet vote's round trip (press → the pop-up answering it, which no group limit holds back) with and
without a burst beside it, measured in turns in one run, for a bot as ``collective-bot run`` makes it (a burst's
updates held in the inbox after a moment, so that the poll goes on) and for one without the inbox (each batch
awaited in full, as before). Each bot has its own loopback Bot API server, with the adapter's own rate limits
(those of ``collective-bot run``); each burst is handled in full before the next vote.

    .venv/bin/python -m bench.inbound_burst [--burst 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.wiring import core_for, open_storage
from bot.clock import SystemClock
from storage.engine import sqlite_url
from storage.inbox import InboxStore
from storage.outbox import OutboxStore
from tests.telegram_api import TelegramTestServer

LABELS = ("🤷 Stand aside", "👍 Agree")


@dataclass
class Bot:
    server: TelegramTestServer
    busy: tuple  # (member, group)
    quiet: tuple  # (member, group)
    proposal: object = None  # the quiet group's proposal message, with its buttons
    handled: int = 0  # events the runtime handled
    progress: asyncio.Event = field(default_factory=asyncio.Event)

    def count(self, runtime: Runtime) -> None:
        handle = runtime.handle

        async def counted(event):
            try:
                return await handle(event)
            finally:
                self.handled += 1
                self.progress.set()

        runtime.handle = counted

    async def handled_all(self, count: int) -> None:
        while self.handled < count:
            self.progress.clear()
            await self.progress.wait()

    async def say(self, member, group, text: str) -> None:
        """Until the bot answers in the group with a message."""
        before = len(self.server.bot_messages(group))
        await self.server.user_sends(member, group, text)
        await self.server.wait_for_bot_message(group, lambda _: len(self.server.bot_messages(group)) > before, 60)

    async def quiet_vote(self, n: int, burst: int) -> float:
        """A burst in the busy group (none when ``burst`` is 0), then the quiet vote: its round trip."""
        member, group = self.busy
        expected = self.handled + burst + 1
        for _ in range(burst):
            await self.server.user_sends(member, group, "/contribute 1 for the burst")
        started = time.perf_counter()
        pressed = await self.server.user_presses_button(self.quiet[0], self.proposal, text=LABELS[n % 2])
        await self.server.wait_for_callback_answer(pressed.query_id, timeout=60)
        took = time.perf_counter() - started
        await self.handled_all(expected)
        return took


@contextlib.asynccontextmanager
async def running_bot(folder: Path, name: str, with_inbox: bool) -> AsyncIterator[Bot]:
    async with TelegramTestServer() as server:
        engine = open_storage(sqlite_url(folder / f"{name}.db"))
        runtime = Runtime(core_for(engine, SystemClock()), OutboxStore(engine))
        inbox = InboxStore(engine) if with_inbox else None
        adapter = TelegramAdapter(TelegramConfig(server.token, server.base_url), runtime, inbox=inbox)
        runtime.add(adapter)
        await adapter.start()
        await runtime.start()
        await server.wait_for_polling()
        groups = []
        for group_name in ("Busy", "Quiet"):
            member = server.add_user(f"{group_name} member")
            group = server.add_group(f"{group_name} co-op", members=[member])
            groups.append((member, group))
        bot = Bot(server, *groups)
        bot.count(runtime)
        await bot.say(*bot.busy, "/join")
        await bot.say(*bot.quiet, "/join")
        await bot.say(*bot.quiet, "/propose 4w Buy a kettle")
        bot.proposal = server.bot_messages(bot.quiet[1])[-1]
        try:
            yield bot
        finally:
            await runtime.senders["telegram"].stop(0)  # the burst's thanks wait out the group's limit
            await adapter.stop()
            engine.dispose()


async def measure(burst: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    """Each round: a quiet vote alone, then one beside a burst, on each bot in turn."""
    times = {kind: {"alone": [], "beside": []} for kind in ("inbox", "none")}
    with tempfile.TemporaryDirectory() as folder:
        async with (
            running_bot(Path(folder), "inbox", with_inbox=True) as held,
            running_bot(Path(folder), "none", with_inbox=False) as awaited,
        ):
            for n in range(rounds):
                for kind, bot in (("inbox", held), ("none", awaited)):
                    times[kind]["alone"].append(await bot.quiet_vote(2 * n, 0))
                    times[kind]["beside"].append(await bot.quiet_vote(2 * n + 1, burst))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times = asyncio.run(measure(args.burst, args.rounds))
    ms = {kind: {when: statistics.median(values) * 1e3 for when, values in t.items()} for kind, t in times.items()}
    print(
        f"a vote in a quiet group, alone and right after a burst of {args.burst} commands in another, {args.rounds}x:"
    )
    for kind, label in (("inbox", "with the inbox (collective-bot run)"), ("none", "each batch awaited in full")):
        alone, beside = ms[kind]["alone"], ms[kind]["beside"]
        print(f"  {label}: {alone:.1f} ms alone, {beside:.1f} ms beside the burst ({beside / alone:.1f}x)")
    print(f"the inbox cuts the quiet vote's wait beside the burst {ms['none']['beside'] / ms['inbox']['beside']:.1f}x")


if __name__ == "__main__":
    main()
