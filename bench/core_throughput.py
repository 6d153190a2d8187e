"""Core throughput: durable commands per second and latency through
Core.handle on a SQLite file, with a realistic mix (70% responses, 20% /show
and /proposals, 10% /propose and /need), side by side with raw sqlite3 doing
the same number of inserts, one transaction each, with the same pragmas
(synchronous=FULL, SQLite's default: a confirmed answer survives a power cut),
in alternating chunks of 100.

    .venv/bin/python -m bench.core_throughput [--commands 3000 --runs 3]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from adapters.wiring import build_core
from bot.clock import FakeClock
from bot.events import Chat, MessageReceived, Sender
from storage.engine import sqlite_url

MEMBERS = [f"m{n}" for n in range(30)]


def mix(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(member, text) pairs in the realistic proportions."""
    commands = []
    for _ in range(count):
        who = rng.choice(MEMBERS)
        roll = rng.random()
        if roll < 0.70:
            commands.append((who, f"/{rng.choice(['agree', 'standaside', 'agree'])} {rng.randint(1, 5)}"))
        elif roll < 0.90:
            commands.append((who, rng.choice([f"/show {rng.randint(1, 5)}", "/proposals"])))
        elif roll < 0.95:
            commands.append((who, "/propose 4w Another idea worth a round"))
        else:
            commands.append((who, f"/need {rng.randint(101, 500)} something we need #other"))
    return commands


class CoreRun:
    """The bot's core on a SQLite file, with members and proposals to respond to."""

    def __init__(self, folder: Path) -> None:
        self.clock = FakeClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
        self.core = build_core(sqlite_url(folder / "core.db"), self.clock)
        self.chat = Chat("bench", "group")
        self.refs = iter(range(10**9))
        for who in MEMBERS:
            self.handle(who, "/join")
        for n in range(5):
            self.handle(MEMBERS[n], f"/propose 4w Proposal {n}")

    def handle(self, who: str, text: str):
        event = MessageReceived(self.chat, Sender("bench", who, who), text, str(next(self.refs)), self.clock.now())
        return self.core.handle(event)

    def timed(self, commands: list[tuple[str, str]]) -> list[float]:
        latencies = []
        for who, text in commands:
            start = time.perf_counter()
            self.handle(who, text)
            latencies.append(time.perf_counter() - start)
        return latencies


class RawRun:
    """The floor: raw sqlite3 inserting a response row, one transaction each."""

    def __init__(self, folder: Path) -> None:
        self.connection = sqlite3.connect(folder / "raw.db", isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(
            "CREATE TABLE response (round_id INTEGER, member_id INTEGER, kind TEXT, reason TEXT, at TEXT)"
        )
        self.n = 0

    def timed(self, count: int) -> list[float]:
        latencies = []
        for _ in range(count):
            self.n += 1
            start = time.perf_counter()
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.execute(
                "INSERT INTO response VALUES (?, ?, 'agree', '', ?)", (self.n % 5, self.n % 30, "2026-03-02")
            )
            self.connection.execute("COMMIT")
            latencies.append(time.perf_counter() - start)
        return latencies


def run_side_by_side(folder: Path, commands: list[tuple[str, str]], chunk: int = 100) -> tuple[list, list]:
    """Alternate chunks of core commands and raw inserts, so both see the same
    machine (this disk's fsync time drifts from minute to minute)."""
    core, raw = CoreRun(folder), RawRun(folder)
    core_latencies: list[float] = []
    raw_latencies: list[float] = []
    for start in range(0, len(commands), chunk):
        part = commands[start : start + chunk]
        core_latencies += core.timed(part)
        raw_latencies += raw.timed(len(part))
    return core_latencies, raw_latencies


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    per_second = len(ordered) / sum(ordered)
    return per_second, statistics.median(ordered) * 1e3, ordered[int(len(ordered) * 0.99) - 1] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3, help="fresh databases; the median run is the figure")
    args = parser.parse_args()
    if args.runs < 1 or args.commands < 1:
        parser.error("--runs and --commands must be at least 1")
    commands = mix(args.commands, random.Random(7))
    print(f"commands: {args.commands} (70% responses, 20% /show and /proposals, 10% /propose and /need)")
    runs = []
    for n in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            core_latencies, raw_latencies = run_side_by_side(Path(folder), commands)
        core, raw = summary(core_latencies), summary(raw_latencies)
        runs.append((raw[0] / core[0], core, raw))
        print(
            f"run {n}: core {core[0]:6.0f} commands/s (p50 {core[1]:.2f} ms, p99 {core[2]:.2f} ms); "
            f"raw sqlite3 {raw[0]:6.0f} inserts/s (p50 {raw[1]:.2f} ms); ratio {raw[0] / core[0]:.1f}x"
        )
    ratio, core, raw = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    print(f"median run: core {core[0]:.0f} commands/s, raw floor {raw[0]:.0f}/s, ratio {ratio:.1f}x")
    print("target: >= 2000 commands/s and <= 5x")


if __name__ == "__main__":
    main()
