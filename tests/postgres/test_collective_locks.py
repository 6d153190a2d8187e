"""Per-collective locks on PostgreSQL: a unit of work waits only for units of work on its own collective.

A unit of work is held open at the point where it has named its collective (an event's chat), as a slow
command would be; meanwhile another collective's member is answered, and the same collective's member waits,
seen waiting on that collective's advisory lock in ``pg_locks``, and is answered once the first commits.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import text

from bot.core import Core
from bot.events import Chat
from bot.ports import TakeLocksFirst
from storage.collective_locks import COLLECTIVE_LOCKS
from storage.engine import make_engine
from storage.unit_of_work import SqlUnitOfWork
from tests.transcript import Transcript, group

KITCHEN = Chat("console", "kitchen-collective")
BAKERY = Chat("console", "bakery-collective")


def _collective_of(engine, chat: Chat) -> int:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return uow.collectives.for_chat(chat.platform, chat.chat_id).id


def _waiting_on(engine, collective_id: int) -> int:
    """How many sessions wait, right now, for that collective's lock."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND classid = :space AND objid = :id AND objsubid = 2"
            ),
            {"space": COLLECTIVE_LOCKS, "id": collective_id},
        ).scalar()


def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)  # polling the server's lock table: no event to wait on across sessions


@pytest.fixture
def two_collectives(core, clock):
    kitchen = group(Transcript(core, clock, KITCHEN), "Alice Bob")
    bakery = group(Transcript(core, clock, BAKERY), "Carol Dan")
    return kitchen, bakery


def test_one_collective_busy_another_collective_is_answered_meanwhile_and_the_busy_one_waits(engine, two_collectives):
    kitchen, bakery = two_collectives
    kitchen_id = _collective_of(engine, KITCHEN)
    with ThreadPoolExecutor(2) as pool, SqlUnitOfWork(engine) as slow:
        slow.reads.with_member(KITCHEN.platform, KITCHEN.chat_id, "alice")  # kitchen's lock, held
        assert slow.locks.held == {kitchen_id}

        bakery_answer = pool.submit(bakery.say, "Carol", "/propose 2d Buy a second oven")
        assert bakery_answer.result(timeout=10).startswith("Proposal #1 by Carol: Buy a second oven")

        kitchen_answer = pool.submit(kitchen.say, "Bob", "/propose 2d Paint the kitchen")
        _until(lambda: _waiting_on(engine, kitchen_id) == 1)  # Bob's unit of work waits for the kitchen
        assert not kitchen_answer.done()
        slow.commit()
        assert kitchen_answer.result(timeout=10).startswith("Proposal #1 by Bob: Paint the kitchen")


def test_the_global_lock_design_makes_every_collective_wait(db_url, two_collectives, clock):
    """The earlier design, kept for the benchmark: one lock for every unit of work."""
    serialized = make_engine(db_url, global_lock=True)
    try:
        bakery = Transcript(Core(lambda: SqlUnitOfWork(serialized), clock), clock, BAKERY)
        with ThreadPoolExecutor(1) as pool, SqlUnitOfWork(serialized) as slow:
            slow.reads.with_member(KITCHEN.platform, KITCHEN.chat_id, "alice")
            answer = pool.submit(bakery.say, "Carol", "/propose 2d Buy a second oven")
            with pytest.raises(TimeoutError):
                answer.result(timeout=0.5)  # the bakery waits for the kitchen
            slow.commit()
            assert answer.result(timeout=10).startswith("Proposal #1 by Carol: Buy a second oven")
    finally:
        serialized.dispose()


def test_one_collectives_events_from_many_workers_never_interleave(engine, clock, two_collectives):
    """Twenty contributions at once in one collective, from twenty threads each with its own connection. A
    ledger entry's number is the collective's last number plus one, read and then written: two contributions
    interleaving would take the same number. Each is confirmed, numbered once, and the pool holds them all;
    the other collective, meanwhile, is answered as usual."""
    kitchen, bakery = two_collectives
    names = [f"Member{n:02d}" for n in range(20)]
    group(kitchen, " ".join(names))
    start = threading.Barrier(len(names) + 1)

    def contribute(name: str) -> str:
        racer = Transcript(Core(lambda: SqlUnitOfWork(engine), clock), clock, KITCHEN)
        start.wait(timeout=30)
        return racer.say(name, "/contribute 5")

    with ThreadPoolExecutor(len(names)) as pool:
        answers = [pool.submit(contribute, name) for name in names]
        start.wait(timeout=30)
        bakery_answer = bakery.say("Carol", "/contribute 7")
        texts = [answer.result(timeout=60) for answer in answers]
    assert all(
        t.startswith(f"Thank you, {name}: €5.00 is in the pool") for t, name in zip(texts, names, strict=True)
    ), texts
    assert bakery_answer.startswith("Thank you, Carol: €7.00 is in the pool")
    with SqlUnitOfWork(engine, read_only=True) as uow:
        kitchen_id = uow.collectives.for_chat(KITCHEN.platform, KITCHEN.chat_id).id
        numbers = sorted(entry.number for entry in uow.ledger.recent(kitchen_id, 100))
    assert numbers == list(range(1, 21))
    assert "The pool holds €100.00" in kitchen.say("Alice", "/pool")


def test_a_unit_of_work_needing_a_lower_collective_while_it_is_busy_starts_over_locking_both_in_order(
    engine, two_collectives
):
    kitchen_id, bakery_id = _collective_of(engine, KITCHEN), _collective_of(engine, BAKERY)
    low, high = sorted((kitchen_id, bakery_id))
    with SqlUnitOfWork(engine) as holder, SqlUnitOfWork(engine) as spanning:
        holder.collectives.get(low)
        spanning.collectives.get(high)
        with pytest.raises(TakeLocksFirst) as needed:
            spanning.collectives.get(low)  # waiting here could deadlock against a unit holding low then high
        assert needed.value.collectives == {low, high}
        holder.commit()
    with SqlUnitOfWork(engine) as again:
        again.lock_collectives(needed.value.collectives)
        assert again.locks.held == {low, high}


def test_a_new_chats_first_messages_in_two_workers_at_once_make_one_collective(engine, core, clock):
    new_chat = Chat("console", "brand-new-chat")
    start = threading.Barrier(2)

    def join(name: str) -> str:
        racer = Transcript(Core(lambda: SqlUnitOfWork(engine), clock), clock, new_chat)
        start.wait(timeout=30)
        return racer.say(name, "/join")

    with ThreadPoolExecutor(2) as pool:
        answers = [pool.submit(join, name).result for name in ("Erin", "Frank")]
        texts = [answer(timeout=30) for answer in answers]
    assert all("welcome" in t.lower() or "joined" in t.lower() for t in texts), texts
    members = Transcript(core, clock, new_chat).say("Erin", "/members")
    assert "Erin" in members and "Frank" in members


def test_a_reading_lookup_takes_no_lock(engine, two_collectives, db_url):
    kitchen_id = _collective_of(engine, KITCHEN)
    with SqlUnitOfWork(engine) as slow:
        slow.collectives.get(kitchen_id)
        with SqlUnitOfWork(engine, read_only=True) as reading:
            assert reading.collectives.get(kitchen_id).id == kitchen_id
            assert reading.locks.held == set()


def test_the_lock_is_released_at_commit(engine, two_collectives, db_url):
    kitchen_id = _collective_of(engine, KITCHEN)
    with SqlUnitOfWork(engine) as first:
        first.collectives.get(kitchen_id)
        first.commit()
        assert first.locks.held == set()
        url = db_url.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(url) as other:
            assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", (COLLECTIVE_LOCKS, kitchen_id)).fetchone()[0]


def test_the_core_starts_a_unit_of_work_over_locking_in_order_what_storage_asked_for(engine, clock, two_collectives):
    """A unit of work that finds it needs a collective below one it holds (federation, later) is started over by
    the core with both locked first, lowest id first; the member's command is applied once."""
    kitchen, _ = two_collectives
    low, high = sorted((_collective_of(engine, KITCHEN), _collective_of(engine, BAKERY)))
    locked_first: list[set[int]] = []

    class Spanning(SqlUnitOfWork):
        def __enter__(self):
            uow = super().__enter__()
            looked_up = uow.reads.with_member

            def with_member(*args):
                if not locked_first:  # the first try: it holds the higher collective and needs the lower
                    uow.locks.lock(high)
                    raise TakeLocksFirst({low, high})
                return looked_up(*args)

            uow.reads.with_member = with_member
            return uow

        def lock_collectives(self, collective_ids):
            locked_first.append(set(collective_ids))
            super().lock_collectives(collective_ids)
            assert self.locks.held == {low, high}

    spanning = Transcript(Core(lambda: Spanning(engine), clock), clock, KITCHEN)
    assert spanning.say("Alice", "/contribute 5").startswith("Thank you, Alice: €5.00 is in the pool")
    assert locked_first == [{low, high}]
    assert "The pool holds €5.00" in kitchen.say("Alice", "/pool")  # applied once
