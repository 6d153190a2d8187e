"""/verify on a long history: a collective whose record is ``--entries`` ledger entries (and so as many chain
entries), checked in full — every link recomputed and every row compared with its entry — against hashing the
same bytes with ``hashlib`` alone, the floor any check of the chain stands on.

    .venv/bin/python -m bench.verify [--entries 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from adapters.wiring import open_storage
from storage import chain
from storage.engine import sqlite_url

STAMP = "2026-03-02 09:00:00.000000"


def fill(path: Path, entries: int) -> None:
    """A collective with one member and ``entries`` contributions, written directly; its chain then appended by
    the same backfill an upgraded database gets."""
    open_storage(sqlite_url(path)).dispose()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous=OFF")
        db.execute("INSERT INTO collective (id, created_at, last_item_number) VALUES (1, ?, 0)", (STAMP,))
        db.execute(
            "INSERT INTO member (id, collective_id, platform, user_id, display_name, joined_at, active) "
            "VALUES (1, 1, 'bench', 'm1', 'M1', ?, 1)",
            (STAMP,),
        )
        db.executemany(
            "INSERT INTO ledger (id, collective_id, kind, amount, at, member_id, note, number) "
            "VALUES (?, 1, 'contribution', ?, ?, 1, 'monthly', ?)",
            ((n, 1000 + n % 500, STAMP, n) for n in range(1, entries - 1)),
        )
    engine = open_storage(sqlite_url(path))
    with engine.begin() as connection:
        chain.backfill(connection)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        fill(path, args.entries)
        print(f"filled {args.entries:,} entries in {time.perf_counter() - started:.0f} s")
        engine = open_storage(sqlite_url(path))
        with engine.connect() as connection:
            started = time.perf_counter()
            verdict = chain.verify(connection, 1)
            took = time.perf_counter() - started
            assert verdict.intact, verdict.words()
            rows = connection.execute(
                select(chain.chain_t.c.content, chain.chain_t.c.hash).order_by(chain.chain_t.c.seq)
            )
            contents = [(content.encode(), hash_.encode()) for content, hash_ in rows]
        engine.dispose()
        started = time.perf_counter()
        previous = b"0" * 64
        for content, hash_ in contents:
            hashlib.sha256(previous + content).hexdigest()
            previous = hash_
        floor = time.perf_counter() - started
        count = verdict.entries
        print(
            f"verify (links and data, from SQLite): {count:,} entries in {took:.1f} s = {count / took:,.0f} entries/s"
        )
        print(f"hashlib alone on the same bytes (in memory): {count / floor:,.0f} entries/s")
        print(f"verify is {took / floor:.0f}x the bare hashing")


if __name__ == "__main__":
    main()
