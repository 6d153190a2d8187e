"""No chat waits for another: one Telegram group flooded with three times what its rate limit lets out (typed
votes, each answered with a message), beside ten quiet groups whose members each press a vote button once a
second. Two bots run side by side in one process, each on its own loopback Bot API server enforcing Telegram's
flood limits, with the adapter's real rate limiter (that of ``collective-bot run``): the quiet groups vote on
both at the same moments, the flood goes to one of them only. Reported: the quiet groups' median round trip
(press → the pop-up answering it) with and without the flood beside them, and every request over Telegram's
limits or answered 429.

    .venv/bin/python -m bench.busy_group [--seconds 40]
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
from adapters.telegram.limits import TELEGRAM_PER_GROUP_PER_MINUTE
from adapters.wiring import core_for, open_storage
from bot.clock import SystemClock
from storage.engine import sqlite_url
from storage.inbox import InboxStore
from storage.outbox import OutboxStore
from tests.telegram_api import FloodLimits, TelegramTestServer

QUIET_GROUPS = 10
FLOOD_PER_MINUTE = 3 * TELEGRAM_PER_GROUP_PER_MINUTE  # three times what Telegram lets into a group


@dataclass
class Bot:
    """A bot on its own server, with a busy group and the quiet groups, each with a proposal to vote on."""

    server: TelegramTestServer
    runtime: Runtime
    adapter: TelegramAdapter
    busy: tuple = ()
    quiet: list = field(default_factory=list)  # (member, group, proposal message)

    def floods(self) -> int:
        return sum(1 for request in self.server.requests if request.status == 429)


@contextlib.asynccontextmanager
async def running_bot(folder: Path, name: str) -> AsyncIterator[Bot]:
    async with TelegramTestServer(flood_limits=FloodLimits()) as server:
        engine = open_storage(sqlite_url(folder / f"{name}.db"))
        runtime = Runtime(core_for(engine, SystemClock()), OutboxStore(engine))
        adapter = TelegramAdapter(TelegramConfig(server.token, server.base_url), runtime, inbox=InboxStore(engine))
        runtime.add(adapter)
        await adapter.start()
        await runtime.start()
        await server.wait_for_polling()
        bot = Bot(server, runtime, adapter)
        for n in range(QUIET_GROUPS + 1):
            member = server.add_user(f"Member{n}")
            group = server.add_group(f"Co-op {n}", members=[member])
            await server.user_sends(member, group, "/join")
            await server.wait_for_bot_message(group, "Welcome", timeout=30)
            await server.user_sends(member, group, "/propose 4w Buy a coffee machine")
            proposal = await server.wait_for_bot_message(group, "Proposal #1", timeout=30)
            if n == 0:
                bot.busy = (member, group)
            else:
                bot.quiet.append((member, group, proposal))
        await runtime.idle()
        try:
            yield bot
        finally:
            await adapter.stop()
            engine.dispose()


async def press(bot: Bot, member, proposal, label: str) -> float:
    start = time.perf_counter()
    pressed = await bot.server.user_presses_button(member, proposal, text=label)
    await bot.server.wait_for_callback_answer(pressed.query_id, timeout=30)
    return time.perf_counter() - start


async def quiet_votes(calm: Bot, flooded: Bot, index: int, seconds: int) -> tuple[list[float], list[float]]:
    """One quiet group's member, on both bots at the same moments, once a second."""
    times_calm, times_flooded = [], []
    await asyncio.sleep(index / QUIET_GROUPS)  # the groups' presses spread over each second
    for n in range(seconds):
        started = time.monotonic()
        label = "👍 Agree" if n % 2 else "🤷 Stand aside"
        member, _, proposal = calm.quiet[index]
        other, _, flooded_proposal = flooded.quiet[index]
        a, b = await asyncio.gather(
            press(calm, member, proposal, label), press(flooded, other, flooded_proposal, label)
        )
        times_calm.append(a)
        times_flooded.append(b)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return times_calm, times_flooded


async def flood(bot: Bot, seconds: int) -> int:
    member, group = bot.busy
    sent = 0
    for n in range(seconds * FLOOD_PER_MINUTE // 60):
        await bot.server.user_sends(member, group, "/agree 1" if n % 2 else "/standaside 1")
        sent += 1
        await asyncio.sleep(60 / FLOOD_PER_MINUTE)
    return sent


async def measure(seconds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with running_bot(Path(folder), "calm") as calm, running_bot(Path(folder), "flooded") as flooded:
            flooding = asyncio.create_task(flood(flooded, seconds))
            results = await asyncio.gather(*(quiet_votes(calm, flooded, i, seconds) for i in range(QUIET_GROUPS)))
            flood_sent = await flooding
            busy_group = flooded.busy[1]
            answered = len(flooded.server.bot_messages(busy_group)) - 2  # less the welcome and the proposal
            over = {name: bot.server.message_rate_violations() for name, bot in (("calm", calm), ("flooded", flooded))}
            floods = {"calm": calm.floods(), "flooded": flooded.floods()}
    without = statistics.median(t for calm_times, _ in results for t in calm_times) * 1e3
    beside = statistics.median(t for _, flooded_times in results for t in flooded_times) * 1e3
    presses = sum(len(calm_times) for calm_times, _ in results)
    print(f"{seconds} s; {QUIET_GROUPS} quiet groups, {presses} presses on each bot")
    print(f"busy group: {flood_sent} typed votes ({FLOOD_PER_MINUTE} a minute), {answered} answered within its limit")
    print(f"quiet groups' median round trip: {without:.1f} ms without the flood, {beside:.1f} ms beside it")
    print(f"ratio: {beside / without:.2f}x   target <= 1.25x")
    print(f"requests over Telegram's limits: {over}   429 answers: {floods}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=40)
    asyncio.run(measure(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
