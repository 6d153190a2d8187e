"""Several processes on PostgreSQL: the alarm of this process hears when another adds earlier due work.

One connection of its own, in autocommit, ``LISTEN``s on the channel every unit of work that adds due work
notifies at its commit (``storage/due_notices.py``); each notice moves the alarm earlier if it is (``Alarm.arm``
never moves it later). When the connection drops, notices meanwhile are lost: on reconnecting, the alarm is set
again from the rows. No notice is needed for correctness — every process also wakes at the earliest due time it
read — only for promptness.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from sqlalchemy import make_url

from adapters.alarm import Alarm
from storage.due_notices import CHANNEL, read_due

log = logging.getLogger(__name__)

RECONNECT_AFTER = (1.0, 2.0, 5.0, 10.0)  # seconds before each try to listen again; the last repeats


def conninfo(storage_url: str) -> str:
    """The storage URL as libpq takes it (``postgresql+psycopg://`` → ``postgresql://``)."""
    return make_url(storage_url).set(drivername="postgresql").render_as_string(hide_password=False)


class DueListener:
    def __init__(self, storage_url: str, alarm: Alarm) -> None:
        self._conninfo = conninfo(storage_url)
        self._alarm = alarm
        self._task: asyncio.Task | None = None
        self.listening = asyncio.Event()  # set while LISTEN is in force (tests wait for it)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="due-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    if failures:
                        await self._alarm.rearm()  # notices sent while not listening are lost: read the rows
                        log.info("listening for other processes' due work again")
                    failures = 0
                    self.listening.set()
                    async for notice in connection.notifies():
                        due_at = read_due(notice.payload)
                        if due_at is not None:
                            self._alarm.arm(due_at)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.listening.clear()
                wait = RECONNECT_AFTER[min(failures, len(RECONNECT_AFTER) - 1)]
                failures += 1
                log.warning("not hearing other processes' due work (%s); listening again in %.0f s", error, wait)
                await asyncio.sleep(wait)
