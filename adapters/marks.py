"""Marking answers sent: what a platform's sender (``adapters/sender.py``) carried out is written to the outbox
as sent, apart from sending, so a delivery's send never waits for the previous one's mark.

- Marks gather for ``MARK_GATHER`` and are written in one transaction, so a busy chat's marks are one write every
  few answers rather than one per answer, each competing with the next event's unit of work for the database. A
  crash within that moment sends those answers again after the restart: Matrix applies them once, Telegram may
  show them twice — as it may any answer in flight.
- An ask's mark goes at once, with what has gathered: it records where the ask was posted, which a reply or
  reaction to it needs.
- ``flush`` writes what has gathered at once and waits for it; a caller that stops waiting (a timeout) does not
  stop the writing.
- A write that fails for a moment is tried again; the outbox is pruned of answers sent over a day ago now and then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from adapters.backoff import Backoff
from bot.actions import Ask
from storage.outbox import OutboxStore, Sent

log = logging.getLogger(__name__)

MARK_GATHER = 0.05  # seconds marks gather before they are written, in one transaction
MARK_BACKOFF = Backoff(0.2, cap=5.0, tries=6)  # marks that failed are written again, up to six tries
PRUNE_EVERY = 3600.0  # seconds between prunings of sent answers older than a day


class Marks:
    def __init__(self, store: OutboxStore | None, *, gather: float = MARK_GATHER) -> None:
        self._store = store
        self._gather_for = gather
        self._waiting: list[Sent] = []
        self._writing: asyncio.Task | None = None
        self._gathering: asyncio.Future | None = None  # done when marks stop gathering
        self._hurried = 0  # callers of flush() waiting: marks are written at once
        self._pruned_at = time.monotonic()  # (``collective-bot run`` prunes at start)

    def add(self, sent: list[Sent]) -> None:
        if self._store is None:
            return
        self._waiting.extend(s for s in sent if s.delivery.id is not None)
        if any(isinstance(s.delivery.action, Ask) for s in sent):
            self._stop_gathering()  # where an ask is must be known at once: a reply or reaction finds it so
        self._start()

    @property
    def pending(self) -> bool:
        return self._writing is not None or bool(self._waiting)

    async def flush(self) -> None:
        """Write what waits, now, and wait until it is written."""
        self._hurried += 1
        try:
            self._stop_gathering()
            self._start()
            if self._writing is not None:
                await asyncio.shield(self._writing)
        finally:
            self._hurried -= 1

    def _start(self) -> None:
        if self._writing is None and self._waiting:
            self._writing = asyncio.create_task(self._write())

    def _stop_gathering(self) -> None:
        if self._gathering is not None and not self._gathering.done():
            self._gathering.set_result(None)

    async def _gather(self) -> None:
        """Let marks gather, unless an ask's is among them or someone waits for them."""
        if self._hurried or any(isinstance(s.delivery.action, Ask) for s in self._waiting):
            return
        loop = asyncio.get_running_loop()
        self._gathering = loop.create_future()
        timer = loop.call_later(self._gather_for, self._stop_gathering)
        try:
            await self._gathering
        finally:
            timer.cancel()
            self._gathering = None

    async def _write(self) -> None:
        failures = 0
        try:
            while self._waiting:
                await self._gather()
                batch, self._waiting = self._waiting, []
                try:
                    await asyncio.to_thread(self._store.mark, batch, datetime.now(UTC))
                    failures = 0
                except Exception:
                    # A passing failure (PostgreSQL gave up a deadlock, the database was briefly away): try again,
                    # or the deliveries stay claimed by this process and unmarked until it restarts. After a few
                    # tries they are left unmarked: they go out again after a restart (Matrix: once; Telegram:
                    # perhaps twice).
                    failures += 1
                    if MARK_BACKOFF.delay(failures) is None:
                        log.exception(
                            "could not mark %d deliveries sent; they go out again after a restart", len(batch)
                        )
                        failures = 0
                        continue
                    log.warning("could not mark %d deliveries sent (try %d); trying again", len(batch), failures)
                    self._waiting[:0] = batch
                    await MARK_BACKOFF.wait(failures)
                    continue
                if time.monotonic() - self._pruned_at > PRUNE_EVERY:
                    self._pruned_at = time.monotonic()
                    try:  # a bot that runs for months keeps a day of sent answers, not months of them
                        await asyncio.to_thread(self._store.prune, datetime.now(UTC))
                    except Exception:
                        log.exception("could not prune the outbox")
        finally:
            self._writing = None
