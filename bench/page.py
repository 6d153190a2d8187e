"""The read-only page: a collective with 10,000 items (most decided, each with a few responses and their
reasons; a few dozen open with live tallies), 100,000 ledger entries and rotating roles with years of
turns, served by the real aiohttp server on 127.0.0.1 and fetched over a real socket, side by side with an
empty collective's page in the same database, alternating in chunks.

    .venv/bin/python -m bench.page [--items 10000 --open 40 --ledger 100000 --runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from adapters.web import WebServer
from adapters.wiring import open_storage, reader_for
from bot.clock import FakeClock

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
YEARS = 3  # how far back the record goes
MEMBERS = 12
BIG, EMPTY = 1, 2  # the collectives' ids
TARGET_MS = 100.0
TERMS = '{"decision_rule": "consensus", "fallback_after_rounds": "0", "quorum": "0.5", "supermajority": "0.75"}'
KINDS = ("agree", "agree", "agree", "standaside", "object", "block")
REASONS = (
    "",
    "fine by me",
    "we discussed this at the assembly and it makes sense",
    "the cost is too high for this quarter",
    "I would rather wait for the treasurer's report",
    "only if we revisit it in six months",
)


def stamp(moment: datetime) -> str:
    """A time as SQLAlchemy keeps it in SQLite (naive UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(path: Path, items: int, open_items: int, ledger: int, seed: int = 17) -> dict[int, str]:
    """Rows written directly into a database the migrations made, shaped as the bot writes them. Returns
    each collective's page token (of its first member)."""
    rng = random.Random(seed)
    start = NOW - timedelta(days=365 * YEARS)
    open_storage(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous=OFF")
        created = stamp(start)
        for collective in (BIG, EMPTY):
            db.execute(
                "INSERT INTO collective (id, created_at, last_item_number) VALUES (?, ?, ?)",
                (collective, created, items if collective == BIG else 0),
            )
            db.execute("INSERT INTO chat VALUES ('bench', ?, ?, ?)", (f"group-{collective}", collective, created))
            db.executemany(
                "INSERT INTO setting (collective_id, key, value) VALUES (?, ?, ?)",
                ((collective, "timezone", "Europe/Berlin"), (collective, "currency", "EUR")),
            )
        members = {BIG: list(range(1, MEMBERS + 1)), EMPTY: list(range(MEMBERS + 1, MEMBERS + 4))}
        db.executemany(
            "INSERT INTO member (id, collective_id, platform, user_id, display_name, joined_at, active) "
            "VALUES (?, ?, 'bench', ?, ?, ?, 1)",
            ((m, c, f"u{m}", f"Member {m}", created) for c, ids in members.items() for m in ids),
        )
        tokens = {}
        for collective, ids in members.items():
            tokens[collective] = f"bench-token-{collective}"
            db.execute(
                "INSERT INTO web_token (token_hash, purpose, member_id, collective_id, created_at) "
                "VALUES (?, 'page', ?, ?, ?)",
                (hashlib.sha256(tokens[collective].encode()).hexdigest(), ids[0], collective, created),
            )
        _items(db, rng, start, items, open_items, members[BIG])
        _ledger(db, rng, start, ledger, members[BIG])
        _roles(db, start, members[BIG])
    return tokens


def _items(db, rng, start, items, open_items, members) -> None:
    """Items numbered 1..items, one round each (a few amended once first); the newest ``open_items`` are open."""
    decided = items - open_items
    span = (NOW - start) / items
    rows, rounds, rolls, responses, decisions = [], [], [], [], []
    round_id = 0
    for number in range(1, items + 1):
        opened = start + span * (number - 1)
        author = rng.choice(members)
        title = f"Proposal {number}: {rng.choice(('buy', 'fix', 'paint', 'rent', 'share'))} the {number % 97}"
        is_open = number > decided
        amended = not is_open and rng.random() < 0.1
        verdict = rng.choice(("adopted", "adopted", "adopted", "not_adopted"))
        closes = opened + timedelta(days=3)
        status = "open" if is_open else verdict
        rows.append((number, BIG, number, author, title, stamp(opened), status, None if is_open else stamp(closes)))
        for round_number in (1, 2) if amended else (1,):
            round_id += 1
            last = round_number == (2 if amended else 1)
            round_status = "open" if is_open else ("closed" if last else "amended")
            closed_at = None if is_open else stamp(closes if last else opened + timedelta(days=1))
            round_closes = NOW + timedelta(days=rng.randint(1, 5)) if is_open else closes
            adopted = None if is_open or not last else int(verdict == "adopted")
            rounds.append(
                (
                    round_id,
                    number,
                    round_number,
                    title,
                    stamp(opened),
                    stamp(round_closes),
                    round_status,
                    closed_at,
                    None if is_open else "consensus",
                    adopted,
                )
            )
            counted = None if is_open else 1
            rolls.extend((round_id, m, counted) for m in members)
            given = rng.sample(members, rng.randint(0, 8) if is_open else rng.randint(3, 6))
            for m in given:
                at = stamp(opened + timedelta(hours=rng.randint(1, 40)))
                responses.append((round_id, m, rng.choice(KINDS), rng.choice(REASONS), at, at))
            if not is_open:
                decisions.append(
                    (BIG, number, round_number, verdict if last else "amended", "consensus", title, closed_at)
                )
    db.executemany(
        "INSERT INTO item (id, collective_id, number, kind, topic, author_id, title, body, created_at, status, "
        "decided_at, data) VALUES (?, ?, ?, 'proposal', 'general', ?, ?, '', ?, ?, ?, '{}')",
        rows,
    )
    db.executemany(
        "INSERT INTO round (id, item_id, number, title, body, opened_at, closes_at, status, mode, terms, "
        f"closed_at, rule, adopted) VALUES (?, ?, ?, ?, '', ?, ?, ?, 'full', '{TERMS}', ?, ?, ?)",
        rounds,
    )
    db.executemany("INSERT INTO roll (round_id, member_id, counted) VALUES (?, ?, ?)", rolls)
    db.executemany(
        "INSERT INTO response (round_id, member_id, kind, reason, first_at, at) VALUES (?, ?, ?, ?, ?, ?)",
        responses,
    )
    decisions.sort(key=lambda row: row[-1])  # appended as they happened
    db.executemany(
        "INSERT INTO decision (collective_id, item_id, round_number, verdict, rule, title, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        decisions,
    )


def _ledger(db, rng, start, count, members) -> None:
    """Mostly contributions, with needs reserved, paid out or released now and then."""
    span = (NOW - start) / count
    rows, reserved = [], 0
    for number in range(1, count + 1):
        at = stamp(start + span * number)
        roll = rng.random()
        if roll < 0.8 or number < 100:
            rows.append((BIG, "contribution", rng.randint(500, 12_000), at, rng.choice(members), "dues", number))
        elif roll < 0.9:
            amount = rng.randint(2_000, 40_000)
            reserved += amount
            rows.append((BIG, "reservation", amount, at, None, "", number))
        elif roll < 0.97 and reserved:
            amount = min(reserved, rng.randint(2_000, 40_000))
            reserved -= amount
            rows.append((BIG, "payout", amount, at, rng.choice(members), "a need paid", number))
        else:
            amount = min(reserved, rng.randint(500, 5_000)) or 1
            reserved = max(0, reserved - amount)
            rows.append((BIG, "release", amount, at, None, "", number))
    db.executemany(
        "INSERT INTO ledger (collective_id, kind, amount, at, member_id, note, number) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _roles(db, start, members) -> None:
    """A facilitator, a treasurer and a weekly chore, each turned over every week for years."""
    week = timedelta(weeks=1)
    weeks = (NOW - start) // week
    for role_id, name in enumerate(("facilitator", "treasurer", "dishes"), 1):
        roster = members[role_id - 1 :: 2]
        holder = roster[weeks % len(roster)]
        term_started = start + week * weeks
        db.execute(
            "INSERT INTO role (id, collective_id, name, every_seconds, created_at, holder_id, term_started_at, "
            "next_handover_at, vacancy_announced) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                role_id,
                BIG,
                name,
                int(week.total_seconds()),
                stamp(start),
                holder,
                stamp(term_started),
                stamp(term_started + week),
            ),
        )
        db.executemany(
            "INSERT INTO roster (role_id, member_id, joined_at) VALUES (?, ?, ?)",
            ((role_id, m, stamp(start)) for m in roster),
        )
        db.executemany(
            "INSERT INTO turn (role_id, member_id, started_at, ended_at) VALUES (?, ?, ?, ?)",
            (
                (
                    role_id,
                    roster[n % len(roster)],
                    stamp(start + week * n),
                    stamp(start + week * (n + 1)) if n < weeks else None,
                )
                for n in range(weeks + 1)
            ),
        )


async def side_by_side(
    path: Path, tokens: dict[int, str], runs: int, chunk: int
) -> tuple[list[float], list[float], int]:
    """Both pages served by one server, fetched over one keep-alive connection each, in alternating chunks of
    ``chunk`` fetches, after a warm-up of each. Returns the timings (seconds) and the big page's size."""
    engine = open_storage(f"sqlite:///{path}")
    server = WebServer(reader_for(engine), FakeClock(NOW), ("127.0.0.1", 0), "https://collective.example.org")
    await server.start()
    timings: dict[int, list[float]] = {BIG: [], EMPTY: []}
    size = 0
    try:
        async with aiohttp.ClientSession() as session:

            async def fetch(collective: int) -> float:
                nonlocal size
                began = time.perf_counter()
                async with session.get(f"http://127.0.0.1:{server.port}/p/{tokens[collective]}") as response:
                    body = await response.read()
                took = time.perf_counter() - began
                assert response.status == 200, response.status
                if collective == BIG:
                    size = len(body)
                return took

            await fetch(EMPTY)
            first = await fetch(BIG)
            done = 0
            while done < runs:
                for collective in (EMPTY, BIG):
                    for _ in range(min(chunk, runs - done)):
                        timings[collective].append(await fetch(collective))
                done += chunk
    finally:
        await server.stop()
        engine.dispose()
    return timings[EMPTY], timings[BIG], first, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=40, help="of the items, how many are still open")
    parser.add_argument("--ledger", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50, help="fetches of each page")
    parser.add_argument("--chunk", type=int, default=5, help="fetches of one page before switching")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.db"
        started = time.perf_counter()
        tokens = fill(path, args.items, args.open, args.ledger)
        filled = time.perf_counter() - started
        empty, big, first, size = asyncio.run(side_by_side(path, tokens, args.runs, args.chunk))
    print(
        f"stored: {args.items:,} items ({args.open} open), {args.ledger:,} ledger entries, 3 roles with "
        f"{YEARS} years of weekly turns (filled in {filled:.1f} s); the big page is {size / 1024:.0f} KiB"
    )
    a, b = statistics.median(empty) * 1e3, statistics.median(big) * 1e3
    met = "met" if b < TARGET_MS else "NOT met"
    print(
        f"page median over {args.runs} fetches each: empty collective {a:.1f} ms, large collective {b:.1f} ms, "
        f"ratio {b / a:.1f}x   target: large < {TARGET_MS:.0f} ms ({met})"
    )
    print(f"the large page's first fetch in this process (its whole ledger summed once): {first * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
