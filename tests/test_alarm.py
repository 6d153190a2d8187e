"""The alarm clock: rebuilt from the rows at start, does overdue work at once,
and wakes the core when the next row falls due."""

import asyncio
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.alarm import Alarm
from bot.clock import FakeClock, SystemClock
from bot.core import Core
from bot.model import DueWork
from tests.transcript import Transcript


def _now_clock():
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


async def test_at_start_the_alarm_is_set_from_the_rows(unit_of_work):
    clock = _now_clock()
    chat = Transcript(Core(unit_of_work, clock), clock)
    chat.say("Alice", "/join")
    chat.say("Alice", "/away 2d")
    chat.say("Bob", "/join")
    chat.say("Bob", "/away 1d")
    delivered = []

    async def deliver(actions):
        delivered.extend(actions)

    alarm = Alarm(Core(unit_of_work, clock), deliver, AsyncIOScheduler(timezone="UTC"))
    await alarm.start()
    try:
        assert alarm.next_wake() == clock.now() + timedelta(days=1)
        assert delivered == []
        assert len(alarm.scheduler.get_jobs()) == 1  # one alarm, not one job a row
    finally:
        await alarm.stop()


async def test_overdue_work_is_done_at_start_once_and_marked_late(unit_of_work):
    clock = _now_clock()
    chat = Transcript(Core(unit_of_work, clock), clock)
    chat.say("Alice", "/join")
    chat.say("Alice", "/away 1d")
    clock.advance(timedelta(days=1, hours=5))  # the bot was down meanwhile
    delivered = []

    async def deliver(actions):
        delivered.extend(actions)

    alarm = Alarm(Core(unit_of_work, clock), deliver)
    await alarm.start()
    await alarm.wake()
    await alarm.stop()
    assert [a.text.splitlines()[0] for a in delivered] == [
        "Alice is back from time away; rotations include them again."
    ]
    assert "Late by 5 h" in delivered[0].text
    assert alarm.next_wake() is None


async def test_the_alarm_wakes_the_core_when_work_falls_due(unit_of_work):
    clock = SystemClock()
    chat = Transcript(Core(unit_of_work, clock), clock)
    chat.say("Alice", "/join")
    arrived = asyncio.Event()
    delivered = []

    async def deliver(actions):
        delivered.extend(actions)
        if actions:
            arrived.set()

    core = Core(unit_of_work, clock, due_handlers={"ping": lambda scope: scope.announce("ping")})
    alarm = Alarm(core, deliver)
    await alarm.start()
    with unit_of_work() as uow:
        uow.due.add(DueWork(None, 1, "ping", None, clock.now() + timedelta(milliseconds=300)))
        uow.commit()
    await alarm.rearm()  # as the runtime does after every command
    await asyncio.wait_for(arrived.wait(), timeout=10)
    await alarm.stop()
    assert [a.text for a in delivered] == ["ping"]
