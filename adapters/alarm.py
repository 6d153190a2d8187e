"""The alarm clock: wakes the core when the next piece of due work falls due.

The rows in the database are the truth; the scheduler holds one in-memory job
(never pickled) set to the earliest pending due time, and is rebuilt from the
rows at every start. Work that fell due while the bot was down runs at start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.actions import Action
from bot.core import Core

log = logging.getLogger(__name__)
JOB_ID = "wake-the-core"

Deliver = Callable[[list[Action]], Awaitable[None]]


class Alarm:
    def __init__(self, core: Core, deliver: Deliver, scheduler: AsyncIOScheduler | None = None) -> None:
        self._core = core
        self._deliver = deliver
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self._lock = asyncio.Lock()  # one wake-up at a time
        self._arming = asyncio.Lock()  # one re-arm at a time: an older next-due never overwrites a newer one

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
            try:
                actions = await asyncio.to_thread(self._core.tick)
                await self._deliver(actions)
            except Exception:
                log.exception("due work failed; will try again at the next wake-up")
            await self.rearm()

    async def rearm(self) -> datetime | None:
        """Set the single job to the earliest pending due time (call after any
        command, which may have added or cancelled due work)."""
        async with self._arming:
            return await self._arm()

    async def _arm(self) -> datetime | None:
        due_at = await asyncio.to_thread(self._core.next_due)
        if due_at is None:
            if self.scheduler.get_job(JOB_ID):
                self.scheduler.remove_job(JOB_ID)
            return None
        self.scheduler.add_job(
            self.wake,
            "date",
            run_date=due_at,
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,  # late is better than never: the core says it is late
            coalesce=True,
        )
        return due_at

    def next_wake(self) -> datetime | None:
        job = self.scheduler.get_job(JOB_ID)
        return job.next_run_time if job else None
