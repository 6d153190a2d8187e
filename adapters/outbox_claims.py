"""Several processes on PostgreSQL: every answer in the outbox is delivered by one live process.

The process that stores an answer claims it for ``storage.outbox.LEASE`` seconds (by the database's clock) and
renews its claims every ``RENEW_EVERY`` seconds while it runs; every process also looks, as often, for unsent
answers whose claim ran out — those of a process that died, or stalled past its lease — and adopts them
(``OutboxStore.claim_unsent``, ``FOR UPDATE SKIP LOCKED``), handing them to its own senders. An answer in flight
when its process was killed may thus go out twice on Telegram (at least once, as after a restart); on Matrix the
resend keeps its transaction id and is applied once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from storage.outbox import LEASE, OutboxStore

log = logging.getLogger(__name__)

RENEW_EVERY = LEASE / 3


class OutboxClaims:
    def __init__(self, runtime, store: OutboxStore, every: float = RENEW_EVERY) -> None:
        self._runtime = runtime
        self._store = store
        self._every = every
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._keep(), name="outbox-claims")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.once()
            except Exception:
                log.exception("could not renew or adopt outbox claims; trying again in %.0f s", self._every)

    async def once(self) -> int:
        """Renew this process's claims, and adopt the answers no live process claims; how many were adopted."""
        await asyncio.to_thread(self._store.renew, list(self._runtime.senders))
        adopted = 0
        for platform, sender in list(self._runtime.senders.items()):
            found = await asyncio.to_thread(self._store.claim_unsent, platform)
            for delivery, refs in found:
                sender.submit([delivery], refs)
            if found:
                log.info("%s: %d answers of a process that stopped go out from this one", platform, len(found))
            adopted += len(found)
        return adopted
