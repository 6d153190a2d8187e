"""Several processes on PostgreSQL: one of them syncs with the homeserver, the others stand by.

Which one is chosen by a session-level advisory lock held on a connection of its own: PostgreSQL releases it the
moment that connection ends — the process died (its socket closes with it) or lost the database — and a standing-by
process, trying every ``TRY_EVERY`` seconds, takes it and starts the Matrix adapter: the same account, the same
device (its id is in the shared adapter state), the same encryption store folder (``[matrix] store_path``, on
storage both can reach), and the sync token the last syncing process kept after each committed batch — nothing
said meanwhile is missed, nothing handled is replayed (the core also remembers every event id it applied). A host
that vanishes without closing its socket is noticed by the server's TCP keepalives, set short on that connection.

The syncing process checks its lock connection every ``CHECK_EVERY`` seconds; when it is gone, so is the lock, and
the process stops syncing at once and stands by. Only the syncing process sends into Matrix (its adapter is the
runtime's Matrix outlet): answers stored by the others (due work) wait in the outbox, where their claim runs out
and the syncing process adopts them (``adapters/outbox_claims.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg

from adapters.due_listener import conninfo

log = logging.getLogger(__name__)

MATRIX_SYNC_LOCK = 0x6D747278  # "mtrx": the session-level advisory lock of the one syncing process
TRY_EVERY = 2.0  # seconds between a standing-by process's tries for the lock
CHECK_EVERY = 2.0  # seconds between the syncing process's checks that it still holds it
# The server notices a vanished host in about idle + interval × count seconds.
_KEEPALIVES = "SET tcp_keepalives_idle = 4; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"


class SyncLock:
    """The Matrix sync lock, held on a connection of its own."""

    def __init__(self, storage_url: str) -> None:
        self._conninfo = conninfo(storage_url)
        self._connection: psycopg.AsyncConnection | None = None

    async def take(self) -> None:
        """Until this process holds the lock."""
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
                try:
                    await connection.execute(_KEEPALIVES)
                    while True:
                        cursor = await connection.execute("SELECT pg_try_advisory_lock(%s)", (MATRIX_SYNC_LOCK,))
                        if (await cursor.fetchone())[0]:
                            self._connection = connection
                            return
                        await asyncio.sleep(TRY_EVERY)
                except BaseException:
                    await connection.close()
                    raise
            except psycopg.Error as error:
                log.warning("matrix: cannot reach the database to take the sync lock (%s); trying again", error)
                await asyncio.sleep(TRY_EVERY)

    async def lost(self) -> None:
        """Until the lock is lost (its connection ended)."""
        assert self._connection is not None
        while True:
            await asyncio.sleep(CHECK_EVERY)
            try:
                await self._connection.execute("SELECT 1")
            except psycopg.Error:
                await self.release()
                return

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                await self._connection.close()  # ending the session releases the lock
            self._connection = None


class MatrixFailover:
    """Runs a Matrix adapter (made by ``make_adapter``) while this process holds the sync lock; stands by when not.
    Says its role at start and at every change."""

    platform = "matrix"

    def __init__(self, make_adapter: Callable[[], object], runtime, lock: SyncLock) -> None:
        self._make_adapter = make_adapter
        self._runtime = runtime
        self._lock = lock
        self._task: asyncio.Task | None = None
        self.adapter = None
        self.syncing = asyncio.Event()  # set while this process syncs (tests wait for it)

    async def start(self) -> None:
        log.info("matrix: standing by until no other process syncs")
        self._task = asyncio.create_task(self._serve(), name="matrix-failover")

    async def _serve(self) -> None:
        while True:
            await self._lock.take()
            adapter = self.adapter = self._make_adapter()
            self._runtime.add(adapter)
            try:
                await adapter.start()
            except Exception:
                log.exception("matrix: could not start syncing; standing by")
                await self._step_down(adapter)
                await asyncio.sleep(TRY_EVERY)
                continue
            log.info("matrix: this process syncs now, from the kept sync token")
            self.syncing.set()
            await self._lock.lost()
            log.warning("matrix: lost the sync lock (the database connection ended); stopping sync, standing by")
            await self._step_down(adapter)

    async def _step_down(self, adapter) -> None:
        self.syncing.clear()
        self.adapter = None
        await self._lock.release()
        with contextlib.suppress(Exception):
            await adapter.stop()
        self._runtime.remove(self.platform)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.adapter is not None:
            await self.adapter.stop()
            self._runtime.remove(self.platform)
        await self._lock.release()
