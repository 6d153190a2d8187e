"""The Matrix adapter: a sync loop that reads the homeserver, a handler that turns what it read into the core's
events, and the outlet through which the runtime's sender carries the stored answers into rooms.

Syncing and handling are two tasks joined by a queue, so a slow command never holds up the next long-poll. Each
room's events are handled in the order they came, in a lane of its own across batches (``lanes.py``), and rooms
side by side, so one room's burst never holds up another room. A batch's sync token is kept only after it and
every batch before it were committed: a crash in between brings them again, and the core applies each event once
(by event id).

The answers go out through ``posting.py``: each with a transaction id the homeserver applies once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nio import (
    ErrorResponse,
    Event,
    MatrixRoom,
    MegolmEvent,
    ReactionEvent,
    RedactionEvent,
    RoomMessageText,
    RoomUpgradeEvent,
)

from adapters.backoff import Backoff
from adapters.config import MatrixConfig
from adapters.matrix import cross_signing, rendering
from adapters.matrix.client import log_in, new_client
from adapters.matrix.crypto import Crypto
from adapters.matrix.lanes import RoomLanes
from adapters.matrix.memory import Memory
from adapters.matrix.posting import Posting, localpart
from adapters.matrix.reactions import Reactions
from adapters.matrix.rooms import PLATFORM, InvitePolicy, Rooms
from adapters.matrix.sync import Batch, Syncer
from adapters.sender import Posted, Redirect
from bot.actions import Action, Edit
from bot.events import Chat, ChatMoved, MessageReceived, Sender
from bot.language import _
from bot.timefmt import format_time
from storage.adapter_state import AdapterState
from storage.reactions import CountedReactions

log = logging.getLogger(__name__)
_SYNC_BACKOFF = Backoff(1.0, cap=30.0)  # after a failed sync: 1, 2, 4 … 30 seconds, for as long as it fails


class MatrixAdapter:
    platform = PLATFORM

    def __init__(
        self,
        config: MatrixConfig,
        runtime,
        state: AdapterState,
        *,
        invite_allowlist: Iterable[str] | None = None,
        timeline_limit: int = 50,
        sync_timeout_ms: int = 30_000,
        ready_within: float = 30.0,
        key_wait: float = 300.0,
    ) -> None:
        self._config = config
        self._runtime = runtime
        self._memory = Memory(state)
        self.client = new_client(config)
        self._crypto = Crypto(self.client, config, self._memory, key_wait)
        if invite_allowlist is None:  # from `[matrix] invite_allowlist`
            invite_allowlist = config.invite_allowlist
        self._rooms = Rooms(self.client, self._moved, self._memory, InvitePolicy(invite_allowlist))
        self._reactions = Reactions(self.client, CountedReactions(state.engine), self._crypto.room_send)
        self._timeline_limit = timeline_limit
        self._sync_timeout_ms = sync_timeout_ms
        self._ready_within = ready_within
        self._batches: asyncio.Queue[Batch] = asyncio.Queue()
        self._lanes = RoomLanes(self._handle_room, lambda token: self._memory.put("since", "", token))
        self._synced = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._posting = Posting(self.client, self._crypto, self._rooms, self._reactions)

    @property
    def user_id(self) -> str:
        return self.client.user_id

    # --- running ----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in and start syncing; return once the first sync is in, from when on nothing said in the bot's
        rooms is missed. A refused login raises ConfigError. An unreachable homeserver is waited for in the
        background: after ``ready_within`` seconds this returns anyway, so the other adapters can start."""
        connecting = asyncio.create_task(self._connect_and_sync(), name="matrix-sync")
        self._tasks = [connecting, asyncio.create_task(self._handle_loop(), name="matrix-handle")]
        synced = asyncio.create_task(self._synced.wait())
        await asyncio.wait({connecting, synced}, timeout=self._ready_within, return_when=asyncio.FIRST_COMPLETED)
        synced.cancel()
        if connecting.done():  # it ended before syncing: the login failed
            await self.stop()
            connecting.result()
        if not self._synced.is_set():
            log.warning("no answer from %s yet; still trying in the background", self._config.homeserver)
            connecting.add_done_callback(_log_failure)

    async def _connect_and_sync(self) -> None:
        await log_in(self.client, self._config, self._memory)
        await self._crypto.ready()
        try:
            await cross_signing.bootstrap(self.client, self._config)
        except Exception:
            log.exception("could not cross-sign the bot's device")
        since = await self._memory.get("since")
        await self._sync_loop(Syncer(self.client, since, self._timeline_limit, self._crypto.after_sync))

    async def stop(self, drain_within: float = 10.0) -> None:
        """Stop syncing, finish handling what was already read (for up to ``drain_within`` seconds), let the answers
        being sent go out (the rest wait in the outbox for the next start), close."""
        sync_task, handle_task = self._tasks or (None, None)
        if sync_task:
            sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # a login error was raised by start()
                await sync_task
        if handle_task:
            loop, deadline = asyncio.get_running_loop(), asyncio.get_running_loop().time() + drain_within
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batches.join(), drain_within)
            handle_task.cancel()  # no batch taken in after this: then the lanes finish what they have
            with contextlib.suppress(asyncio.CancelledError):
                await handle_task
            while not self._batches.empty():  # not taken in: synced again at the next start (their token unkept)
                self._batches.get_nowait()
                self._batches.task_done()
            await self._lanes.stop(max(0.0, deadline - loop.time()))
        sender = self._runtime.senders.get(PLATFORM)
        if sender is not None and sender.outlet is self:
            await sender.stop(drain_within)
        await self.client.close()

    async def _sync_loop(self, syncer: Syncer) -> None:
        failures = 0
        while True:
            try:
                if self._synced.is_set():
                    batch = await syncer.next(self._sync_timeout_ms)
                else:
                    batch = await syncer.first()
            except Exception:
                log.exception("sync failed")
                batch = None
            if isinstance(batch, Batch):
                failures = 0
                self._batches.put_nowait(batch)
                self._synced.set()
                continue
            failures += 1
            if isinstance(batch, ErrorResponse) and batch.status_code == "M_UNKNOWN_TOKEN" and self._config.password:
                try:  # the token was revoked or expired: log in again (as the same device)
                    await log_in(self.client, self._config, self._memory)
                except Exception:
                    log.exception("could not log in again")
            await _SYNC_BACKOFF.wait(failures)

    async def idle(self) -> None:
        """Until every event read so far is handled (see ``Runtime.idle``)."""
        await self._batches.join()
        await self._lanes.idle()

    async def _handle_loop(self) -> None:
        while True:
            batch = await self._batches.get()
            try:
                await self._take(batch)
            except Exception:
                log.exception("could not handle a sync batch")
            finally:
                self._batches.task_done()

    async def _take(self, batch: Batch) -> None:
        rooms: dict[str, list[Event]] = {}
        for room_id, event in self._crypto.readable():  # their room key came: handled before what came after them
            if self._left_behind(room_id, batch):
                log.info("%s in %s came readable after the room was upgraded: not handled", event.event_id, room_id)
                continue
            rooms.setdefault(room_id, []).append(event)
        await self._tell_given_up()
        for room_id, events in batch.rooms.items():
            if room_id not in batch.left_behind:  # upgraded earlier: the collective lives in the replacement room
                rooms.setdefault(room_id, []).extend(events)
        for invite in batch.invites:
            try:
                await self._rooms.invited(invite.room_id, invite.inviter, invite.is_direct)
            except Exception:
                log.exception("could not answer the invite to %s", invite.room_id)
        # Rooms side by side (lanes.py); an upgraded room's replacement behind it, in its lane.
        upgrades = {
            room: event.replacement_room
            for room, events in rooms.items()
            for event in events
            if isinstance(event, RoomUpgradeEvent) and event.replacement_room
        }
        await self._lanes.add(batch.next_batch, rooms, upgrades)

    def _left_behind(self, room_id: str, batch: Batch) -> bool:
        """Whether an event read earlier, whose room key came only now, is in a room left behind by an upgrade (as
        the events of an upgraded room that come after its tombstone are; one from before it cannot be told apart)."""
        room = self.client.rooms.get(room_id)
        upgraded_now = any(isinstance(event, RoomUpgradeEvent) for event in batch.rooms.get(room_id, ()))
        return room is not None and room.replacement_room is not None and not upgraded_now

    async def _handle_room(self, room_id: str, events: list[Event]) -> None:
        room = self.client.rooms.get(room_id)
        if room is not None:
            left_behind = False  # (after its upgrade: see sync.py for a room upgraded in an earlier batch)
            for event in events:
                try:
                    if isinstance(event, RoomUpgradeEvent):
                        left_behind = True
                        if event.replacement_room:
                            await self._rooms.upgraded(room_id, event.replacement_room)
                    elif left_behind:
                        pass
                    elif isinstance(event, MegolmEvent):  # its room key has not come (yet)
                        await self._crypto.wait_for_key(room_id, event)
                    else:
                        await self._on_event(room, event)
                except Exception:
                    log.exception("could not handle %s in %s", getattr(event, "event_id", event), room_id)

    async def _tell_given_up(self) -> None:
        """Events that waited for their room key in vain: their senders are told (those whose key came are handled
        in their rooms' lanes)."""
        for room_id, event in self._crypto.given_up():
            log.warning("could not decrypt %s from %s in %s: its key never came", event.event_id, event.sender, room_id)
            if event.sender == self.user_id:
                continue
            try:
                await self._tell_unreadable(room_id, event)
            except Exception:
                log.exception("could not tell %s that their message was unreadable", event.sender)

    async def _tell_unreadable(self, room_id: str, event: MegolmEvent) -> None:
        direct = await self._rooms.direct_room(event.sender)
        if direct is None:
            return
        room = self.client.rooms.get(room_id)
        # In English: the adapter cannot tell whose collective's the room is (no language is known here).
        sent_at = format_time(datetime.fromtimestamp(event.server_timestamp / 1000, UTC), ZoneInfo("UTC"))
        if room is not None and direct != room_id:
            text = _(
                "I could not read your message of {when} in {room}: it came encrypted, and its key never reached "
                "me (your app may still be sending it). Please send it again.",
                when=sent_at,
                room=room.display_name,
            )
        else:
            text = _(
                "I could not read your message of {when} here: it came encrypted, and its key never reached me "
                "(your app may still be sending it). Please send it again.",
                when=sent_at,
            )
        await self._posting.post_text(direct, text, f"unreadable-{event.event_id}")  # told once, even when tried again

    # --- reading ----------------------------------------------------------------------------------------------

    async def _on_event(self, room: MatrixRoom, event: Event) -> None:
        if not isinstance(event, RoomMessageText | ReactionEvent | RedactionEvent) or event.sender == self.user_id:
            return  # notices (the bot's own and other bots') are RoomMessageNotice; the bot's own events come back
        sent_at = datetime.fromtimestamp(event.server_timestamp / 1000, UTC)
        sender = Sender(PLATFORM, event.sender, room.user_name(event.sender) or localpart(event.sender))
        if isinstance(event, RoomMessageText):
            content = event.source.get("content", {})
            if rendering.is_edit(content):
                return  # an edited command is not run again
            reply_to = rendering.replied_to(content)
            text = rendering.without_reply_fallback(event.body) if reply_to else event.body
            is_direct = await self._rooms.is_direct(room, event.sender)
            chat = Chat(PLATFORM, room.room_id, is_direct=is_direct, thread=rendering.thread_of(content))
            await self._runtime.handle(MessageReceived(chat, sender, text, event.event_id, sent_at, reply_to=reply_to))
        elif isinstance(event, ReactionEvent):
            chosen = self._reactions.chosen(Chat(PLATFORM, room.room_id), sender, event, sent_at)
            if chosen is not None:
                await self._reactions.remember(chosen, await self._runtime.handle(chosen))
        else:
            withdrawn = await self._reactions.withdrawn(Chat(PLATFORM, room.room_id), event, sent_at)
            if withdrawn is not None:
                await self._runtime.handle(withdrawn)

    async def _moved(self, old_room: str, new_room: str) -> None:
        await self._runtime.handle(ChatMoved(Chat(PLATFORM, old_room), new_room, f"upgrade:{new_room}", _now()))

    # --- writing (the sender's outlet: posting.py) ------------------------------------------------------------

    async def send(self, action: Action, txn_id: str = "") -> str | Posted | Redirect | None:
        return await self._posting.send(action, txn_id)

    async def edit(self, action: Edit, message_ref: str, txn_id: str = "") -> None:
        await self._posting.edit(action, message_ref, txn_id)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Matrix adapter stopped: %s", task.exception())


def _now() -> datetime:
    return datetime.now(UTC)
