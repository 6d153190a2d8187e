"""Several processes on one PostgreSQL store share the due work and the outbox: a deadline fires once whichever
process is free, a busy collective holds up only its own due work, a process sleeping until its next due time is
woken by another's earlier work, and the answers of a process that died are delivered by another.

Each "process" here is a core on an engine (a connection pool) of its own, as in a separate process."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text

from adapters.alarm import Alarm
from adapters.due_listener import DueListener
from bot.clock import FakeClock
from bot.core import Core
from bot.events import Chat
from storage.engine import make_engine
from storage.outbox import PROCESS, OutboxStore
from storage.unit_of_work import SqlUnitOfWork
from tests.transcript import Transcript, group


def _process(db_url: str, clock):
    engine = make_engine(db_url)
    return engine, Core(lambda: SqlUnitOfWork(engine), clock, reader=lambda: SqlUnitOfWork(engine, read_only=True))


def _chats(core, clock, count: int) -> list[Transcript]:
    return [group(Transcript(core, clock, Chat("console", f"collective-{n}")), "Alice") for n in range(count)]


def test_forty_deadlines_ticked_by_three_processes_at_once_each_close_once(db_url, engine, core, clock):
    chats = _chats(core, clock, 40)
    for chat in chats:
        chat.say("Alice", "/propose 1h Paint the kitchen")
    clock.advance(timedelta(hours=2))
    processes = [_process(db_url, clock) for _ in range(3)]
    start = threading.Barrier(3)

    def tick(core_):
        start.wait(timeout=30)
        return [a.text for a in core_.tick() if a.text.startswith("#1 Paint the kitchen — ")]

    try:
        with ThreadPoolExecutor(3) as pool:
            outcomes = [t for texts in pool.map(tick, [c for _, c in processes]) for t in texts]
    finally:
        for engine_, _ in processes:
            engine_.dispose()
    assert len(outcomes) == 40  # one outcome per collective, from whichever process fired it
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM due_work WHERE status = 'pending'")).scalar() == 0


def test_a_busy_collective_holds_up_only_its_own_due_work(engine, core, clock):
    kitchen, bakery = _chats(core, clock, 2)
    kitchen.say("Alice", "/propose 1h Paint the kitchen")
    bakery.say("Alice", "/propose 1h Buy a second oven")
    clock.advance(timedelta(hours=2))
    with SqlUnitOfWork(engine) as busy, ThreadPoolExecutor(1) as pool:
        busy.reads.with_member("console", kitchen.chat.chat_id, "alice")  # the kitchen's lock, held
        ticked = pool.submit(core.tick)
        assert _eventually(lambda: _closed(engine, bakery.chat.chat_id))  # the bakery's round closed meanwhile
        assert not _closed(engine, kitchen.chat.chat_id)
        busy.commit()
        texts = [a.text for a in ticked.result(timeout=30)]
    assert sum(t.startswith("#1 Paint the kitchen — ") for t in texts) == 1
    assert sum(t.startswith("#1 Buy a second oven — ") for t in texts) == 1


def _closed(engine, chat_id: str) -> bool:
    with engine.connect() as connection:
        return (
            connection.execute(
                text(
                    "SELECT count(*) FROM item JOIN chat ON chat.collective_id = item.collective_id "
                    "WHERE chat.chat_id = :chat AND item.status <> 'open'"
                ),
                {"chat": chat_id},
            ).scalar()
            == 1
        )


def _eventually(condition, timeout: float = 10.0) -> bool:
    event = threading.Event()
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not condition():
        if datetime.now(UTC) > deadline:
            return False
        event.wait(0.02)  # polling another session's commits: nothing in this process to wait on
    return True


async def test_a_process_sleeping_until_its_next_due_time_is_woken_by_another_process_adding_earlier_work(
    db_url, engine
):
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    _, sleeper_core = _process(db_url, clock)
    other_engine, other_core = _process(db_url, clock)
    kitchen = group(Transcript(other_core, clock, Chat("console", "kitchen")), "Alice")
    kitchen.say("Alice", "/propose 3d Paint the kitchen")
    alarm = Alarm(sleeper_core, _nothing, AsyncIOScheduler(timezone="UTC"))
    listener = DueListener(db_url, alarm)
    await alarm.start()
    await listener.start()
    try:
        await asyncio.wait_for(listener.listening.wait(), 10)
        slept_until = alarm.next_wake()
        assert slept_until is not None and slept_until > clock.now() + timedelta(days=1)
        # Another process: a proposal closing in an hour (its due work is added there, not here).
        await asyncio.to_thread(kitchen.say, "Alice", "/propose 1h Buy paint")
        await _until(lambda: alarm.next_wake() < slept_until)
        assert alarm.next_wake() <= clock.now() + timedelta(hours=1)
    finally:
        await listener.stop()
        await alarm.stop()
        other_engine.dispose()


async def _nothing(_result) -> None:
    return None


async def _until(condition, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)  # the notice arrives on the listener's connection


def test_answers_claimed_by_a_process_that_died_are_adopted_once_and_live_claims_are_left_alone(engine, chat):
    chat.say("Alice", "/join")
    chat.say("Bob", "/join")
    store = OutboxStore(engine)
    assert store.claim_unsent("console") == []  # this process's own answers: claimed by it, still live
    with engine.begin() as connection:  # as if a process that died had stored them: its claims ran out
        connection.execute(text("UPDATE outbox SET claimed_by = 'dead-process', lease_until = lease_until - 3600"))
    with ThreadPoolExecutor(2) as pool:  # two processes look at once
        found = list(pool.map(lambda _: store.claim_unsent("console"), range(2)))
    adopted = [delivery.action.text for each in found for delivery, _ in each]
    assert sorted(adopted) == sorted([t for t in (a.text for a in _all_answers(engine)) if t.startswith("Welcome")])
    assert len(adopted) == 2  # each answer adopted once
    with engine.connect() as connection:
        holders = connection.execute(text("SELECT DISTINCT claimed_by FROM outbox WHERE sent_at IS NULL")).scalars()
        assert list(holders) == [PROCESS]
    assert store.renew(["console"]) == 2
    assert store.renew(["matrix"]) == 0  # a platform this process does not deliver: its claims run out


def _all_answers(engine):
    from storage.outbox import decode

    with engine.connect() as connection:
        return [decode(row) for row in connection.execute(text("SELECT action FROM outbox ORDER BY id")).scalars()]
