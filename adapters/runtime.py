"""The runtime: feeds events from every adapter into the core and hands each result's stored answers to the
sender of their platform.

- Events are handled in order per chat (a lock per chat, taken in arrival order) and side by side across chats,
  at most ``WORKERS`` at a time, each unit of work in a worker thread so a command never blocks a platform's loop.
- ``handle`` returns once the unit of work has committed: its answers are in the outbox by then, and the
  senders (``adapters/sender.py``) carry them out per chat, so an adapter may confirm the event to its platform
  at once and no chat's handling waits on another chat's rate limit.
- The runtime, not the adapters, records what was sent: each sender marks its deliveries in the outbox (and an
  ask where it was posted).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from adapters.sender import Outlet, Sender
from bot.actions import Action
from bot.core import Core
from bot.events import Event
from bot.results import Result, unstored
from storage.outbox import OutboxStore

log = logging.getLogger(__name__)

WORKERS = 4  # units of work running side by side (SQLite writes one at a time anyway)


class Adapter(Outlet, Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@runtime_checkable
class TakesIn(Protocol):
    """An adapter that takes events in ahead of handling them (Telegram's long poll, see its inbox): ``idle``
    returns once what it took in so far is handled."""

    async def idle(self) -> None: ...


class Runtime:
    def __init__(self, core: Core, outbox: OutboxStore | None, *, workers: int = WORKERS) -> None:
        self.core = core
        self.outbox = outbox
        self.senders: dict[str, Sender] = {}
        self.after_event: Callable[[datetime | None], Awaitable[None] | None] | None = None  # the alarm's arm
        self._slots = asyncio.Semaphore(workers)
        self._chats: dict[tuple[str, str], _ChatLock] = {}
        self._started = False

    @property
    def commands(self):
        """The core's command table (for a platform's command menu)."""
        return self.core.commands

    def add(self, outlet: Outlet) -> Sender:
        sender = Sender(outlet, self.outbox)
        self.senders[outlet.platform] = sender
        if self._started:
            asyncio.get_running_loop().create_task(sender.resume())
        return sender

    def remove(self, platform: str) -> None:
        """A platform is no longer served here (a Matrix process that stopped syncing): what it had not sent
        waits in the outbox, for the process that serves the platform now."""
        self.senders.pop(platform, None)

    @property
    def started(self) -> bool:
        return self._started

    async def start(self) -> None:
        """Start delivering: what the outbox holds unsent from before goes out first, then everything new."""
        self._started = True
        for sender in list(self.senders.values()):
            found = await sender.resume()
            if found:
                log.info("%s: %d answers from before the restart go out now", sender.platform, found)

    async def stop(self) -> None:
        for sender in self.senders.values():
            await sender.stop()

    async def handle(self, event: Event) -> Result:
        """One event: into the core (stored and committed there, answers included), then handed to the senders."""
        lock = self._chats.setdefault((event.chat.platform, event.chat.chat_id), _ChatLock())
        lock.users += 1
        try:
            async with lock, self._slots:
                result = await asyncio.to_thread(self.core.handle, event)
        finally:
            lock.users -= 1
            if not lock.users:
                self._chats.pop((event.chat.platform, event.chat.chat_id), None)
        await self.deliver(result)
        if self.after_event is not None:
            armed = self.after_event(result.next_due)
            if armed is not None:
                await armed
        return result

    async def deliver(self, result: Result | Sequence[Action]) -> None:
        """Hand a result's stored answers to their platforms' senders (they go out in the background). Bare
        actions, not from the core's outbox, are sent once and not kept."""
        if not isinstance(result, Result):
            result = unstored(list(result))
        by_platform: dict[str, list] = {}
        for delivery in result.deliveries:
            by_platform.setdefault(delivery.platform, []).append(delivery)
        for platform, deliveries in by_platform.items():
            sender = self.senders.get(platform)
            if sender is None:
                log.warning("no adapter for %s; %d answers wait in the outbox", platform, len(deliveries))
                continue
            sender.submit(deliveries)

    async def idle(self) -> None:
        """Until every event the adapters took in so far is handled, and every answer out and marked (for tests
        and benchmarks)."""
        for sender in list(self.senders.values()):
            if isinstance(sender.outlet, TakesIn):
                await sender.outlet.idle()
        for sender in list(self.senders.values()):
            await sender.idle()


class _ChatLock(asyncio.Lock):
    """A chat's lock, counting who holds or waits for it (so an idle chat's lock is dropped)."""

    def __init__(self) -> None:
        super().__init__()
        self.users = 0
