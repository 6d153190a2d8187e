"""History: the latency of a response and of /show with 1,000 collectives,
100,000 items and 1,000,000 responses stored, side by side with the same
commands on an empty database, alternating command by command.

    .venv/bin/python -m bench.history [--collectives 1000 --items 100 --members 10]
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.wiring import build_core, open_storage
from bot.clock import FakeClock
from bot.events import Chat, MessageReceived, Sender
from storage.engine import sqlite_url

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
STAMP = NOW.strftime("%Y-%m-%d %H:%M:%S.000000")
LATER = (NOW + timedelta(weeks=8)).strftime("%Y-%m-%d %H:%M:%S.000000")
TERMS = '{"decision_rule": "consensus", "fallback_after_rounds": "0", "quorum": "0.5", "supermajority": "0.75"}'


def fill(path: Path, collectives: int, items: int, members: int) -> None:
    """Rows written directly, shaped exactly as the bot writes them."""
    open_storage(sqlite_url(path)).dispose()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous=OFF")
        db.executemany(
            "INSERT INTO collective (id, created_at, last_item_number) VALUES (?, ?, ?)",
            ((c, STAMP, items) for c in range(1, collectives + 1)),
        )
        db.executemany(
            "INSERT INTO chat VALUES ('bench', ?, ?, ?)", ((f"group-{c}", c, STAMP) for c in range(1, collectives + 1))
        )
        db.executemany(
            "INSERT INTO member (id, collective_id, platform, user_id, display_name, joined_at, active) "
            "VALUES (?, ?, 'bench', ?, ?, ?, 1)",
            (
                ((c - 1) * members + m + 1, c, f"m{m}", f"M{m}", STAMP)
                for c in range(1, collectives + 1)
                for m in range(members)
            ),
        )
        item_ids = itertools.count(1)
        rows = [(next(item_ids), c, n) for c in range(1, collectives + 1) for n in range(1, items + 1)]
        db.executemany(
            "INSERT INTO item (id, collective_id, number, kind, topic, author_id, title, body, created_at, status, "
            "data) VALUES (?, ?, ?, 'proposal', 'general', ?, 'A proposal', '', ?, 'open', '{}')",
            ((i, c, n, (c - 1) * members + 1, STAMP) for i, c, n in rows),
        )
        db.executemany(
            "INSERT INTO round (id, item_id, number, title, body, opened_at, closes_at, status, mode, terms) "
            "VALUES (?, ?, 1, 'A proposal', '', ?, ?, 'open', 'full', ?)",
            ((i, i, STAMP, LATER, TERMS) for i, _, _ in rows),
        )
        people = [(i, (c - 1) * members + m + 1) for i, c, _ in rows for m in range(members)]
        db.executemany("INSERT INTO roll VALUES (?, ?)", people)
        db.executemany(
            "INSERT INTO response (round_id, member_id, kind, reason, first_at, at) VALUES (?, ?, 'agree', '', ?, ?)",
            ((i, m, STAMP, STAMP) for i, m in people),
        )


class Timed:
    """A core on one database, timing each command it handles."""

    def __init__(self, path: Path, collective: int) -> None:
        self.clock = FakeClock(NOW)
        self.core = build_core(sqlite_url(path), self.clock)
        self.chat = Chat("bench", f"group-{collective}")
        self.refs = itertools.count()

    def __call__(self, who: str, text: str) -> float:
        event = MessageReceived(self.chat, Sender("bench", who, who), text, f"b{next(self.refs)}", self.clock.now())
        start = time.perf_counter()
        self.core.handle(event)
        return time.perf_counter() - start


def side_by_side(small: Timed, big: Timed, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Each command on the empty database, then the same on the full one, alternating,
    so both run with the same warm caches on the same machine."""
    timings: dict[str, tuple[list[float], list[float]]] = {"response": ([], []), "/show": ([], [])}
    for n in range(runs):
        response = (f"m{n % 10}", f"/{'standaside' if n % 2 else 'agree'} {n % 50 + 1}")
        show = ("m1", f"/show {n % 50 + 1}")
        for name, (who, text) in (("response", response), ("/show", show)):
            timings[name][0].append(small(who, text))
            timings[name][1].append(big(who, text))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collectives", type=int, default=1000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        empty, full = Path(folder) / "empty.db", Path(folder) / "full.db"
        fill(empty, 1, 50, args.members)
        started = time.perf_counter()
        fill(full, args.collectives, args.items, args.members)
        filled = time.perf_counter() - started
        timings = side_by_side(Timed(empty, 1), Timed(full, args.collectives // 2), args.runs)
    count = args.collectives * args.items
    print(
        f"stored: {args.collectives:,} collectives, {count:,} items, {count * args.members:,} responses "
        f"(filled in {filled:.0f} s)"
    )
    for name, (few, many) in timings.items():
        a, b = statistics.median(few) * 1e3, statistics.median(many) * 1e3
        print(f"{name:9} median: empty {a:.2f} ms, with history {b:.2f} ms, ratio {b / a:.2f}x   target <= 1.3x")


if __name__ == "__main__":
    main()
