"""Reading the homeserver's ``/sync`` into batches of what is new, without replaying old messages or missing any.

- The very first sync of a bot (no token kept) asks for no timeline at all (``limit: 0``): the rooms and
  invites, none of the old messages.
- Every sync's ``next_batch`` is kept (by the adapter, once the batch has been handled), and the first sync after
  a restart starts from it: what was said while the bot was down comes, what it had handled does not.
- A room whose timeline came ``limited`` (more happened than one sync carries) is filled in from the room's
  history back to the previous token, so a busy room or a long absence loses nothing.
- In a room the bot has just joined, the events before its own join are history from before its time: they are
  dropped (joining brings a room's recent history with it).
- A room upgraded before a batch came (its tombstone in an earlier batch, or before the kept token) is *left
  behind* in that batch: its collective lives in the replacement room. This is decided as the batch comes, not
  when it is handled: nio marks a room replaced the moment it reads the tombstone, and the room's earlier events
  may still be waiting to be handled then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from nio import (
    AsyncClient,
    ErrorResponse,
    Event,
    InviteMemberEvent,
    MessageDirection,
    RoomMemberEvent,
    RoomMessagesResponse,
    RoomUpgradeEvent,
    SyncResponse,
)

log = logging.getLogger(__name__)

FIRST_FILTER = {"room": {"timeline": {"limit": 0}}}
MAX_BACKFILL_PAGES = 50
PAGE = 100


@dataclass(frozen=True, slots=True)
class Invite:
    room_id: str
    inviter: str
    is_direct: bool


@dataclass(slots=True)
class Batch:
    """What one sync brought: invites, and every joined room it mentioned with its new events in order (perhaps
    none: a room just joined, whose history is dropped); and the rooms among them that were left behind by an
    upgrade before this batch."""

    next_batch: str
    invites: list[Invite] = field(default_factory=list)
    rooms: dict[str, list[Event]] = field(default_factory=dict)
    left_behind: set[str] = field(default_factory=set)


def is_own_join(event: Event, user_id: str) -> bool:
    return (
        isinstance(event, RoomMemberEvent)
        and event.state_key == user_id
        and event.membership == "join"
        and event.prev_membership != "join"  # not a change of name or avatar
    )


def after_own_join(events: list[Event], user_id: str) -> list[Event]:
    """The events after the bot's (latest) join among them; all of them when the join is not among them."""
    for index in range(len(events) - 1, -1, -1):
        if is_own_join(events[index], user_id):
            return events[index + 1 :]
    return events


class Syncer:
    def __init__(self, client: AsyncClient, since: str | None, timeline_limit: int = 50, after_sync=None) -> None:
        self._client = client
        self._after_sync = after_sync  # key upkeep (crypto.py), before the batch is handed on
        self.since = since  # the token the next sync starts from
        self._filter = {"room": {"timeline": {"limit": timeline_limit}}}

    async def first(self) -> Batch | ErrorResponse:
        """The first sync of this run: full state (nio learns every room's members and encryption), and from
        the kept token if there is one, otherwise without any timeline."""
        return await self._sync(0, FIRST_FILTER if self.since is None else self._filter, full_state=True)

    async def next(self, timeout_ms: int) -> Batch | ErrorResponse:
        """Long-poll for what comes next; the homeserver's error (logged) when it answered with one."""
        return await self._sync(timeout_ms, self._filter, full_state=None)

    async def _sync(self, timeout_ms: int, sync_filter: dict, full_state: bool | None) -> Batch | ErrorResponse:
        since = self.since
        response = await self._client.sync(
            timeout=timeout_ms, sync_filter=sync_filter, since=since, full_state=full_state
        )
        if not isinstance(response, SyncResponse):
            log.warning("sync failed: %s", response)
            return response
        if self._after_sync is not None:
            await self._after_sync(response)
        batch = Batch(response.next_batch, invites=self._invites(response))
        for room_id, info in response.rooms.join.items():
            events = list(info.timeline.events)
            me = self._client.user_id
            if info.timeline.limited and since and not any(is_own_join(e, me) for e in events):
                events = await self._backfill(room_id, info.timeline.prev_batch, since) + events
            batch.rooms[room_id] = events = after_own_join(events, me)
            room = self._client.rooms.get(room_id)
            if room is not None and room.replacement_room and not any(isinstance(e, RoomUpgradeEvent) for e in events):
                batch.left_behind.add(room_id)
        self.since = response.next_batch
        return batch

    def _invites(self, response: SyncResponse) -> list[Invite]:
        invites = []
        for room_id, info in response.rooms.invite.items():
            for event in info.invite_state:
                if (
                    isinstance(event, InviteMemberEvent)
                    and event.membership == "invite"
                    and event.state_key == self._client.user_id
                ):
                    invites.append(Invite(room_id, event.sender, bool(event.content.get("is_direct"))))
                    break
        return invites

    async def _backfill(self, room_id: str, prev_batch: str | None, since: str) -> list[Event]:
        """The room's events between ``since`` and ``prev_batch`` (where a limited timeline begins), oldest
        first; it stops early at the bot's own join, before which nothing matters."""
        newest_first: list[Event] = []
        token = prev_batch
        for _ in range(MAX_BACKFILL_PAGES):
            if not token:
                break
            page = await self._client.room_messages(
                room_id, start=token, end=since, direction=MessageDirection.back, limit=PAGE
            )
            if not isinstance(page, RoomMessagesResponse):
                log.warning("could not fill in the history of %s: %s", room_id, page)
                break
            for event in page.chunk:
                newest_first.append(event)
                if is_own_join(event, self._client.user_id):
                    return newest_first[::-1]
            if not page.chunk or not page.end or page.end == token:
                break
            token = page.end
        else:
            log.warning("%s: more than %d events missed; the oldest are skipped", room_id, MAX_BACKFILL_PAGES * PAGE)
        return newest_first[::-1]
