"""Long polling that confirms an update only once its unit of work committed.

Telegram keeps an update until a ``getUpdates`` call asks for updates after
it (``offset``). PTB's ``Updater`` asks for the next ones right after queuing
a batch, before its handlers ran, so a crash mid-handler would lose a member's
vote. This loop asks for the next batch once every update of the current one
was committed by the core — its answers stored in the outbox with it, to be
sent by the runtime's sender, also after a crash — so the long poll that asks
for the next updates is the one that confirms these: no request of its own
per answer. The offset asked for is always the lowest update not yet
committed; after a crash Telegram delivers those again and the core, which
remembers every message it applied, applies each exactly once.

Within a batch, each chat's updates are handled in order and different chats
side by side; handling is committing, never sending, so no chat waits on
another's rate limit. A batch with a group migration is handled strictly in
order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import Conflict, RetryAfter, TelegramError
from telegram.ext import ExtBot

from adapters.telegram.inbound import ALLOWED_UPDATES, is_migration, lane
from adapters.telegram.sending import retry_seconds

log = logging.getLogger(__name__)

Handler = Callable[[Update], Awaitable[None]]

LONG_POLL_SECONDS = 30  # Telegram allows up to 50
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0
STOP_GRACE_SECONDS = 10.0  # how long a stop waits for the batch in hand


class Poller:
    def __init__(
        self,
        bot: ExtBot,
        handle: Handler,
        *,
        timeout: int = LONG_POLL_SECONDS,
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._timeout = timeout
        self.offset = 0  # every update below this one was handled
        self._asked_offset = 0  # the offset Telegram last heard: what it has confirmed
        self._stopping = asyncio.Event()
        self._busy = False  # handling a batch (a stop lets it finish)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling: a long poll is cut short, a batch in hand finishes (within a grace
        time), and what was handled is confirmed, so it is not delivered again."""
        self._stopping.set()
        if self._task is None:
            return
        if not self._busy:
            self._task.cancel()
        done, _ = await asyncio.wait({self._task}, timeout=STOP_GRACE_SECONDS)
        if not done:
            log.warning("stopping with a batch of updates unfinished; Telegram will deliver it again")
            self._task.cancel()
            await asyncio.wait({self._task})
        self._task = None
        await self._confirm()

    async def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self._stopping.is_set():
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
            self._busy = True
            try:
                await self._handle_batch(updates)
            finally:
                self._busy = False
            self.offset = max(self.offset, max(update.update_id for update in updates) + 1)

    async def _fetch(self, timeout: int) -> tuple[Update, ...]:
        offset = self.offset or None
        updates = await self._bot.get_updates(
            offset=offset, timeout=timeout, allowed_updates=list(ALLOWED_UPDATES), limit=100
        )
        self._asked_offset = max(self._asked_offset, self.offset)
        return updates

    async def _confirm(self) -> None:
        if self.offset <= self._asked_offset:
            return
        try:
            await self._bot.get_updates(offset=self.offset, timeout=0, limit=1, allowed_updates=list(ALLOWED_UPDATES))
            self._asked_offset = self.offset
        except TelegramError as error:
            log.info("could not confirm handled updates at stop (%s); they will be skipped as seen", error)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once for a stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _handle_batch(self, updates: tuple[Update, ...]) -> None:
        if any(is_migration(update) for update in updates):
            await self._handle_in_order(updates)  # a chat's new id must be known before its next message
            return
        lanes: dict[int, list[Update]] = {}
        for update in updates:
            lanes.setdefault(lane(update), []).append(update)
        async with asyncio.TaskGroup() as group:
            for in_chat in lanes.values():
                group.create_task(self._handle_in_order(in_chat))

    async def _handle_in_order(self, updates: list[Update] | tuple[Update, ...]) -> None:
        for update in updates:
            try:
                await self._handle(update)
            except Exception:
                # A bug, not a member's doing: retrying the update forever would stop the bot for everyone.
                log.exception("could not handle update %s; it is skipped", update.update_id)
