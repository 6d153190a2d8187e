"""The alarm clock: wakes the core when the next piece of due work falls due.

The rows in the database are the truth; the scheduler holds one in-memory job
(never pickled) set to the earliest pending due time, and is rebuilt from the
rows at every start. Work that fell due while the bot was down runs at start.
Every result of the core says when the next work falls due (read in its own
unit of work), so the alarm re-arms without asking the database again; an
event never moves the alarm later (results may arrive out of commit order, and
an early wake-up finds nothing due and re-arms), only a wake-up does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core import Core
from bot.results import Result

log = logging.getLogger(__name__)
JOB_ID = "wake-the-core"
STILL_DUE_AGAIN = timedelta(seconds=1)  # how soon to look again at work still due after a wake-up

Deliver = Callable[[Result], Awaitable[None]]


class Alarm:
    def __init__(self, core: Core, deliver: Deliver, scheduler: AsyncIOScheduler | None = None) -> None:
        self._core = core
        self._deliver = deliver
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self._lock = asyncio.Lock()  # one wake-up at a time
        self._arming = asyncio.Lock()  # one re-arm at a time: an older next-due never overwrites a newer one
        self._armed_while_waking: datetime | None = None
        self._waking = False

    async def start(self) -> None:
        """Start the scheduler and do whatever fell due while the bot was down."""
        self.scheduler.start()
        await self.wake()

    async def stop(self) -> None:
        """Stop waking; a wake-up under way finishes first, so due work it has
        stored is also delivered."""
        async with self._lock:
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)

    async def wake(self) -> None:
        async with self._lock:
            self._waking, self._armed_while_waking = True, None
            try:
                result = await asyncio.to_thread(self._core.tick)
                await self._deliver(result)
                due_at = _earliest(result.next_due, self._armed_while_waking)
            except Exception:
                log.exception("due work failed; will try again at the next wake-up")
                due_at = await asyncio.to_thread(self._core.next_due)
            finally:
                self._waking = False
            soon = datetime.now(UTC) + STILL_DUE_AGAIN
            if due_at is not None and due_at < soon:
                # Still due after a tick: another process is doing it (PostgreSQL), or was when this one looked.
                # Look again in a moment — not at once: a job set for now while this one still counts as running
                # would be skipped by the scheduler, and with it the alarm.
                due_at = soon
            self._set(due_at)

    def arm(self, due_at: datetime | None) -> None:
        """An event's result: wake at ``due_at`` if that is earlier than the alarm is set for."""
        if due_at is None:
            return
        if self._waking:
            self._armed_while_waking = _earliest(due_at, self._armed_while_waking)
        current = self.next_wake()
        if current is None or due_at < current:
            self._set(due_at)

    async def rearm(self) -> datetime | None:
        """Set the single job to the earliest pending due time, read from the rows (a plain read)."""
        async with self._arming:
            due_at = await asyncio.to_thread(self._core.next_due)
            self._set(due_at)
            return due_at

    def _set(self, due_at: datetime | None) -> None:
        if due_at is None:
            if self.scheduler.get_job(JOB_ID):
                self.scheduler.remove_job(JOB_ID)
            return
        self.scheduler.add_job(
            self.wake,
            "date",
            run_date=due_at,
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,  # late is better than never: the core says it is late
            coalesce=True,
        )

    def next_wake(self) -> datetime | None:
        job = self.scheduler.get_job(JOB_ID)
        return job.next_run_time if job else None


def _earliest(*moments: datetime | None) -> datetime | None:
    return min((moment for moment in moments if moment is not None), default=None)
