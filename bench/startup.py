"""Start-up: the bot opens a database holding 10,000 collectives and 50,000
pending due rows, migrates it, and sets its alarm from the rows — timed in a
fresh process, side by side with a bare interpreter start, with peak RSS.

    .venv/bin/python -m bench.startup [--collectives 10000 --due 50000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.wiring import open_storage
from storage.engine import sqlite_url

PEAK_RSS = """
def peak_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):  # this process's own high-water mark (ru_maxrss survives exec)
            return int(line.split()[1]) / 1024
"""
READY = (
    PEAK_RSS
    + """
import asyncio, json, sys
from adapters.alarm import Alarm
from adapters.runtime import Runtime
from adapters.wiring import core_for, open_storage
from bot.clock import SystemClock
from storage.outbox import OutboxStore

async def ready():
    engine = open_storage(sys.argv[1])
    core = core_for(engine, SystemClock())
    runtime = Runtime(core, OutboxStore(engine))
    alarm = Alarm(core, runtime.deliver)
    await alarm.start()
    wake = alarm.next_wake()
    await alarm.stop()
    return wake

wake = asyncio.run(ready())
print(json.dumps({"rss_mb": peak_rss_mb(), "wake": str(wake)}))
"""
)
BARE = (
    PEAK_RSS
    + """
import json
print(json.dumps({"rss_mb": peak_rss_mb()}))
"""
)


def fill(path: Path, collectives: int, due: int) -> None:
    open_storage(sqlite_url(path)).dispose()  # the schema, by the migrations
    now = datetime.now(UTC).replace(tzinfo=None)
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO collective (id, created_at, last_item_number) VALUES (?, ?, 0)",
            ((n, now) for n in range(1, collectives + 1)),
        )
        db.executemany(
            "INSERT INTO chat (platform, chat_id, collective_id, linked_at) VALUES ('telegram', ?, ?, ?)",
            ((str(-n), n, now) for n in range(1, collectives + 1)),
        )
        db.executemany(
            "INSERT INTO due_work (collective_id, kind, subject_id, due_at, status, data) "
            "VALUES (?, 'away_ends', ?, ?, 'pending', '{}')",
            ((n % collectives + 1, n, now + timedelta(minutes=10 + n)) for n in range(due)),
        )


def measure(script: str, *args: str) -> dict:
    """Run a fresh interpreter; its wall time from the outside, its figures from the inside."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True).stdout
    return {"seconds": time.perf_counter() - start, **json.loads(out.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collectives", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.db"
        fill(path, args.collectives, args.due)
        bot = measure(READY, sqlite_url(path))
        bare = measure(BARE)
    print(f"database: {args.collectives:,} collectives, {args.due:,} pending due rows")
    print(f"bot ready (start, imports, migrations checked, alarm set from the rows): {bot['seconds']:.2f} s", end="")
    print(f", peak RSS {bot['rss_mb']:.0f} MB")
    print(f"bare interpreter, side by side: {bare['seconds']:.2f} s, peak RSS {bare['rss_mb']:.0f} MB")
    print(f"alarm set for: {bot['wake']}   targets: ready within 2 s, peak RSS at most 150 MB")


if __name__ == "__main__":
    main()
