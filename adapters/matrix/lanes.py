"""Rooms side by side across sync batches: each room's events in the order they came, in a lane of its own that
outlives its batch, so one room's burst never keeps another room's events waiting until the whole burst is
handled. A batch's sync token is kept once every event of it, and of every batch before it, was handled: a crash
before that syncs again from the last token kept, and the core applies each event once (by event id).

A room upgrade is ordered within its own lane: the replacement room's events join the upgraded room's lane, behind
its tombstone, until that lane has run dry — the collective has moved by the time the new room's first message is
handled, and no other room waits for the upgrade, nor the upgrade for any other room."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nio import Event

from adapters.following import Following

log = logging.getLogger(__name__)

HandleRoom = Callable[[str, list[Event]], Awaitable[None]]  # a room's events, in order
Keep = Callable[[str], Awaitable[None]]  # a sync token whose batches were all handled


@dataclass(slots=True)
class _Batch:
    token: str
    left: int = 0  # rooms of it whose events are not yet handled


class RoomLanes:
    def __init__(self, handle_room: HandleRoom, keep: Keep) -> None:
        self._handle_room = handle_room
        self._keep = keep
        self._lanes: dict[str, deque[tuple[_Batch, str, list[Event]]]] = {}  # lane → (batch, room, events)
        self._workers: dict[str, asyncio.Task] = {}
        self._following: Following[str] = Following()  # replacement rooms behind their upgraded rooms
        self._batches: deque[_Batch] = deque()  # in sync order, not yet kept
        self._keeping = asyncio.Lock()
        self._progress = asyncio.Event()

    async def add(self, token: str, rooms: dict[str, list[Event]], upgrades: dict[str, str] | None = None) -> None:
        """A batch's rooms into their lanes, behind what each room had before. ``upgrades``: the rooms of the
        batch upgraded in it (old room → replacement): the replacement's events go behind the old room's."""
        batch = _Batch(token)
        self._batches.append(batch)
        upgrades = upgrades or {}
        for old_room, new_room in upgrades.items():
            self._following.follow(new_room, old_room, self._lanes)
        replaced_by = {new: old for old, new in upgrades.items()}

        def upgrades_before(room: str) -> int:  # an upgrade of an upgrade in one batch: the first room first
            seen = {room}
            while (room := replaced_by.get(room)) is not None and room not in seen:
                seen.add(room)
            return len(seen)

        first = sorted((room for room in rooms if room in upgrades), key=upgrades_before)
        for room_id in first + [room for room in rooms if room not in upgrades]:
            events = rooms[room_id]
            if not events:
                continue
            batch.left += 1
            key = self._following.lane_of(room_id)
            self._lanes.setdefault(key, deque()).append((batch, room_id, events))
            if key not in self._workers:
                self._workers[key] = asyncio.create_task(self._work(key), name=f"matrix-room-{key}")
        await self._kept()  # (a batch with no events is done at once)

    async def idle(self) -> None:
        """Until every event taken in so far is handled."""
        while self._workers:
            self._progress.clear()
            await self._progress.wait()

    async def stop(self, within: float) -> None:
        """Finish what was taken in, for up to ``within`` seconds; what is left is synced again at the next start."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), within)
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def _work(self, key: str) -> None:
        lane = self._lanes[key]
        try:
            while lane:
                batch, room_id, events = lane[0]
                await self._handle(room_id, events)
                lane.popleft()
                batch.left -= 1
                await self._kept()
        finally:
            del self._workers[key]
            if not lane:
                self._lanes.pop(key, None)
                self._following.drained(key)
            self._progress.set()

    async def _handle(self, room_id: str, events: list[Event]) -> None:
        try:
            await self._handle_room(room_id, events)
        except Exception:
            log.exception("could not handle the events of %s", room_id)

    async def _kept(self) -> None:
        """Keep the token of the latest batch that, with every batch before it, was handled."""
        async with self._keeping:
            token = None
            while self._batches and self._batches[0].left == 0:
                token = self._batches.popleft().token
            if token is not None:
                try:
                    await self._keep(token)
                except Exception:  # the next batch's token will do; until then a restart syncs a little more again
                    log.exception("could not keep the sync token")
