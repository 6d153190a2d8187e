"""Long polling that confirms an update only once it is safe: committed by the core, or held in the inbox.

Telegram keeps an update until a ``getUpdates`` call asks for updates after it (``offset``), and it hands out
updates in order, at most a hundred at a time. PTB's ``Updater`` asks for the next ones right after queuing a
batch, before its handlers ran, so a crash mid-handler would lose a member's vote. This loop asks for the next
batch once every update of the current one is safe:

- committed by the core — its answers stored in the outbox with it, to be sent by the runtime's sender, also after
  a crash. In the usual case a batch is handled within moments, and the long poll that asks for the next updates
  is the one that confirms these: no request of its own per answer;
- or, when a batch is not handled within ``HOLD_AFTER`` (a burst of commands in one chat), what is left of it is
  held in the inbox (``storage/inbox.py``, one transaction) and the next batch fetched at once: a chat's burst
  never holds up another chat's updates behind it. Held updates are handled as they come; after a restart, the
  inbox's are handled first.

Each chat's updates are handled in order, in a lane of their own, and different chats side by side; handling is
committing, never sending, so no chat waits on another's rate limit. After a crash Telegram delivers what it had
not been told of again, the inbox what it holds, and the core, which remembers every message it applied, applies
each exactly once. A group's upgrade to a supergroup is ordered within its own lane: the supergroup's updates join
the old group's lane, behind the upgrade, until that lane has run dry, so the collective has moved before the
supergroup's first command is handled, and no other chat waits for the upgrade, nor the upgrade for another chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from telegram import Update
from telegram.error import Conflict, RetryAfter, TelegramError
from telegram.ext import ExtBot

from adapters.faults import planned
from adapters.following import Following
from adapters.telegram.inbound import ALLOWED_UPDATES, PLATFORM, lane, migration
from adapters.telegram.sending import retry_seconds
from storage.inbox import InboxStore

log = logging.getLogger(__name__)

Handler = Callable[[Update], Awaitable[None]]

LONG_POLL_SECONDS = 30  # Telegram allows up to 50
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0
STOP_GRACE_SECONDS = 10.0  # how long a stop waits for the updates in hand
HOLD_AFTER = 0.02  # seconds a batch may take before what is left of it is held, and the next batch fetched
MOST_IN_HAND = 1000  # updates taken in and not yet handled; beyond it, polling waits (memory stays bounded)


class Poller:
    """``inbox``: where updates are held during a burst (None: a batch is always awaited in full)."""

    def __init__(
        self,
        bot: ExtBot,
        handle: Handler,
        *,
        timeout: int = LONG_POLL_SECONDS,
        inbox: InboxStore | None = None,
        hold_after: float = HOLD_AFTER,
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._timeout = timeout
        self._inbox = inbox
        self._hold_after = hold_after
        self.offset = 0  # every update below this one was handled or held
        self._asked_offset = 0  # the offset Telegram last heard: what it has confirmed
        self._fetched_to = 0  # every update below this one was fetched
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._lanes: dict[int, deque[Update]] = {}  # a chat's updates waiting, in order
        self._workers: dict[int, asyncio.Task] = {}  # lane → the task handling it
        self._following: Following[int] = Following()  # supergroups behind the groups they were
        self._in_hand: dict[int, Update] = {}  # update id → taken in, not yet handled
        self._held: set[int] = set()  # of those, the ones kept in the inbox
        self._handled_held: list[int] = []  # held, handled since: to let go of
        self._progress = asyncio.Event()  # set whenever an update was handled
        self._letting_go: asyncio.Task | None = None
        self._fault = planned("after-hold")

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling: a long poll is cut short, the updates in hand are handled (within a grace time), what is
        still not handled then is held, and what was handled or held is confirmed, so it is not delivered again."""
        self._stopping.set()
        if self._task is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_GRACE_SECONDS
        self._task.cancel()
        await asyncio.wait({self._task})
        self._task = None
        workers = set(self._workers.values())
        if workers:
            _, unfinished = await asyncio.wait(workers, timeout=max(0.0, deadline - loop.time()))
            for task in unfinished:
                task.cancel()
            if unfinished:
                await asyncio.wait(unfinished)
        unkept = self._unkept()
        if unkept:
            if await self._hold(unkept):
                log.info("stopping with %d updates unhandled: held, they are handled at the next start", len(unkept))
            else:
                log.warning("stopping with %d updates unhandled; Telegram will deliver them again", len(unkept))
        if self._letting_go is not None:
            await asyncio.wait({self._letting_go})
        await self._let_go()
        await self._confirm()

    async def _run(self) -> None:
        await self.take_back()
        delay = BACKOFF_FIRST
        while not self._stopping.is_set():
            await self._room()
            try:
                updates = await self._fetch(self._timeout)
            except RetryAfter as error:
                await self._pause(retry_seconds(error))
                continue
            except Exception as error:  # the loop must outlive any one failure
                if isinstance(error, Conflict):
                    log.error("another instance of the bot is polling with this token (%s)", error)
                elif isinstance(error, TelegramError):
                    log.warning("getUpdates failed (%s); trying again in %.1f s", error, delay)
                else:
                    log.exception("getUpdates failed; trying again in %.1f s", delay)
                await self._pause(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            delay = BACKOFF_FIRST
            if not updates:
                continue
            fresh = [update for update in updates if update.update_id not in self._in_hand]  # (held, not yet told)
            self._take_all(fresh)
            await self._settle()
            self.offset = max(self.offset, self._fetched_to)

    async def _fetch(self, timeout: int) -> tuple[Update, ...]:
        offset = self.offset or None
        updates = await self._bot.get_updates(
            offset=offset, timeout=timeout, allowed_updates=list(ALLOWED_UPDATES), limit=100
        )
        self._asked_offset = max(self._asked_offset, self.offset)
        if updates:
            self._fetched_to = max(self._fetched_to, max(update.update_id for update in updates) + 1)
        if self._fault is not None:
            for update_id in self._held:
                if update_id < self._asked_offset and update_id in self._in_hand:  # confirmed, not yet handled
                    self._fault.strike("after-hold", _text(self._in_hand[update_id]))
        return updates

    async def _confirm(self) -> None:
        unkept = [update.update_id for update in self._unkept()]
        offset = min(unkept) if unkept else max(self.offset, self._fetched_to)
        if offset <= self._asked_offset:
            return
        try:
            await self._bot.get_updates(offset=offset, timeout=0, limit=1, allowed_updates=list(ALLOWED_UPDATES))
            self._asked_offset = offset
        except TelegramError as error:
            log.info("could not confirm handled updates at stop (%s); they will be skipped as seen", error)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once for a stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # --- lanes ------------------------------------------------------------------------------------------------

    def _take_all(self, updates: list[Update]) -> None:
        """Each into its chat's lane, behind what that chat sent before; a supergroup's behind the group it was."""
        for update in updates:
            moved = migration(update)
            if moved is not None:
                self._following.follow(moved[1], moved[0], self._lanes)
        for update in updates:
            self._in_hand[update.update_id] = update
            key = self._following.lane_of(lane(update))
            self._lanes.setdefault(key, deque()).append(update)
            if key not in self._workers:
                self._workers[key] = asyncio.create_task(self._work(key), name=f"telegram-lane-{key}")

    async def _work(self, key: int) -> None:
        queue = self._lanes[key]
        try:
            while queue:
                update = queue[0]
                await self._handle_one(update)
                queue.popleft()
                self._done(update.update_id)
        finally:
            del self._workers[key]
            if not queue:
                self._lanes.pop(key, None)
                self._following.drained(key)

    def _done(self, update_id: int) -> None:
        self._in_hand.pop(update_id, None)
        if update_id in self._held:
            self._held.discard(update_id)
            self._handled_held.append(update_id)
            if not self._held and self._letting_go is None:  # the last held one: let go now, not at the next batch
                self._letting_go = asyncio.create_task(self._let_go())
                self._letting_go.add_done_callback(self._let_go_done)
        self._progress.set()

    def _let_go_done(self, _task: asyncio.Task) -> None:
        self._letting_go = None

    async def _handle_one(self, update: Update) -> None:
        try:
            await self._handle(update)
        except Exception:
            # A bug, not a member's doing: retrying the update forever would stop the bot for everyone.
            log.exception("could not handle update %s; it is skipped", update.update_id)

    def _unkept(self) -> list[Update]:
        """Updates taken in, not handled, and not held: what Telegram must not be told of yet."""
        return [update for update_id, update in self._in_hand.items() if update_id not in self._held]

    async def _settle(self) -> None:
        """Until every update taken in is handled — or, after ``hold_after``, held."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._hold_after
        holding = self._inbox is not None
        while self._unkept():
            if holding and loop.time() >= deadline:
                if await self._hold(self._unkept()):
                    break
                holding = False  # the inbox failed: wait for the batch instead
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(deadline if holding else None):
                    await self._progress.wait()
        await self._let_go()

    async def idle(self) -> None:
        """Until every update taken in so far is handled (a held one may be confirmed to Telegram before that)."""
        while self._in_hand:
            self._progress.clear()
            await self._progress.wait()

    async def _room(self) -> None:
        while len(self._in_hand) >= MOST_IN_HAND:
            self._progress.clear()
            await self._progress.wait()

    # --- the inbox --------------------------------------------------------------------------------------------

    async def _hold(self, updates: list[Update]) -> bool:
        """Keep updates in the inbox (one transaction); False when there is no inbox or it failed."""
        if self._inbox is None:
            return False
        inbox, now = self._inbox, datetime.now(UTC)

        def hold() -> None:  # (written as JSON in the thread too: a hundred updates take milliseconds)
            inbox.hold(PLATFORM, [(update.update_id, update.to_json()) for update in updates], now)

        try:
            await asyncio.to_thread(hold)
        except Exception:
            log.exception("could not hold %d updates in the inbox; waiting for them to be handled", len(updates))
            return False
        for update in updates:
            if update.update_id in self._in_hand:
                self._held.add(update.update_id)
            else:  # handled while it was being held
                self._handled_held.append(update.update_id)
        return True

    async def _let_go(self) -> None:
        if self._inbox is None or not self._handled_held:
            return
        handled = list(self._handled_held)
        try:
            await asyncio.to_thread(self._inbox.let_go, PLATFORM, handled)
        except Exception:  # they stay: handled again after a restart, and applied once
            log.warning("could not let go of %d handled updates in the inbox", len(handled), exc_info=True)
            return
        gone = set(handled)  # (kept until then: a stop that cut this short lets go of them again)
        self._handled_held = [update_id for update_id in self._handled_held if update_id not in gone]

    async def handle_held(self) -> None:
        """In webhook mode, at start: what a polling run left held in the inbox, handled (and let go of) before
        anything Telegram posts is taken."""
        await self.take_back()
        await self.idle()
        await self._let_go()

    async def take_back(self) -> None:
        """What the inbox held when the bot stopped or died: handled first, each in its chat's lane (before any
        newer update is taken in: reading the inbox is tried until it succeeds, or the bot stops)."""
        if self._inbox is None:
            return
        delay = BACKOFF_FIRST
        while True:
            try:
                held = await asyncio.to_thread(self._inbox.held, PLATFORM)
                break
            except Exception:
                log.exception("could not read the updates held in the inbox; trying again in %.1f s", delay)
                await self._pause(delay)
                if self._stopping.is_set():
                    return
                delay = min(delay * 2, BACKOFF_MAX)
        updates = []
        for update_id, payload in held:
            try:
                updates.append(Update.de_json(json.loads(payload), self._bot))
            except Exception:  # not as this code wrote it: skipped at every start, left for the operator to look into
                log.exception("update %s held in the inbox cannot be read; it is skipped", update_id)
        self._held.update(update.update_id for update in updates)
        if updates:
            log.info("telegram: %d updates held before the stop are handled now", len(updates))
        self._take_all(updates)


def _text(update: Update) -> str | None:
    message = update.message
    return message.text if message is not None else None
