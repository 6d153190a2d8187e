"""Rooms the bot is in or asked into: invites (optionally only from an allow-list of users or homeservers),
direct rooms (remembered per member, opened when the core needs one, encrypted as Element opens them when the
member has a device that can read it) and room
upgrades (the collective moves to the replacement room)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from nio import (
    AsyncClient,
    JoinResponse,
    MatrixRoom,
    ProfileGetError,
    RoomCreateResponse,
    RoomPreset,
)

from adapters.matrix.crypto import ENCRYPTION_STATE, has_device_keys
from adapters.matrix.memory import Memory

log = logging.getLogger(__name__)

PLATFORM = "matrix"


class InvitePolicy:
    """Who may invite the bot: everyone when the allow-list is empty; otherwise the users it names
    (``@alice:example.org``) and every user of the homeservers it names (``example.org``)."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        entries = [entry.strip() for entry in allowed if entry.strip()]
        self._users = {entry for entry in entries if entry.startswith("@")}
        self._servers = {entry.lstrip(":").lower() for entry in entries if not entry.startswith("@")}

    def allows(self, user_id: str) -> bool:
        if not self._users and not self._servers:
            return True
        server = user_id.partition(":")[2].lower()
        return user_id in self._users or server in self._servers


def joined_members(room: MatrixRoom) -> set[str]:
    return {user_id for user_id, user in room.users.items() if not user.invited}


Moved = Callable[[str, str], Awaitable[None]]  # (old room, new room): tell the core


class Rooms:
    def __init__(self, client: AsyncClient, moved: Moved, memory: Memory, policy: InvitePolicy) -> None:
        self._client = client
        self._tell_moved = moved
        self._memory = memory
        self._policy = policy
        self._created: dict[str, str] = {}  # direct rooms opened in this run: user id → room id
        self._opening = asyncio.Lock()

    @property
    def me(self) -> str:
        return self._client.user_id

    # --- invites ----------------------------------------------------------------------------------------------

    async def invited(self, room_id: str, inviter: str, is_direct: bool) -> bool:
        """Join a room the bot was invited to, or decline the invite of someone the allow-list leaves out.
        The replacement of an upgraded room is joined whoever invites."""
        if room_id in self._client.rooms:
            return True
        replaces = await self._memory.get("replaces", room_id) or any(  # (or its tombstone is read, not yet handled)
            room.replacement_room == room_id for room in self._client.rooms.values()
        )
        if not (self._policy.allows(inviter) or replaces):
            log.info("declined the invite of %s to %s: not on the invite allow-list", inviter, room_id)
            await self._client.room_leave(room_id)
            return False
        joined = await self._client.join(room_id)
        if not isinstance(joined, JoinResponse):
            log.warning("could not join %s (invited by %s): %s", room_id, inviter, joined)
            return False
        log.info("joined %s, invited by %s", room_id, inviter)
        if is_direct:
            await self._remember_direct(room_id, inviter)
        return True

    # --- direct rooms -----------------------------------------------------------------------------------------

    async def _remember_direct(self, room_id: str, user_id: str) -> None:
        await self._memory.put("direct", room_id, user_id)
        await self._memory.put("dm", user_id, room_id)

    async def is_direct(self, room: MatrixRoom, sender: str) -> bool:
        """A room flagged direct (the member invited the bot as a direct chat, or the bot opened it) in which
        only the bot and the sender are."""
        return joined_members(room) == {self.me, sender} and await self._memory.get("direct", room.room_id) == sender

    async def direct_room(self, user_id: str) -> str | None:
        """The direct room with ``user_id``: the one remembered while both are still in it, else a new one
        (flagged ``is_direct``, the member invited)."""
        async with self._opening:
            room_id = await self._memory.get("dm", user_id)
            if room_id and self._usable(room_id, user_id):
                return room_id
            profile = await self._client.get_profile(user_id)
            if isinstance(profile, ProfileGetError) and _not_found(profile):
                log.warning("no direct room with %s: the homeserver knows no such user", user_id)
                return None  # Synapse would make the room and "invite" no one
            encrypted = await has_device_keys(self._client, user_id)
            created = await self._client.room_create(
                is_direct=True,
                invite=[user_id],
                preset=RoomPreset.trusted_private_chat,
                initial_state=[ENCRYPTION_STATE] if encrypted else [],
            )
            if not isinstance(created, RoomCreateResponse):
                log.warning("could not open a direct room with %s: %s", user_id, created)
                return None
            self._created[user_id] = created.room_id
            await self._remember_direct(created.room_id, user_id)
            log.info("opened the direct room %s with %s", created.room_id, user_id)
            return created.room_id

    def _usable(self, room_id: str, user_id: str) -> bool:
        """Still a private room of the two: no one else joined or invited, so what the bot says
        there (a private need's news) is read by that member alone."""
        if self._created.get(user_id) == room_id:
            return True  # opened in this run: the next sync may not have brought it yet
        room = self._client.rooms.get(room_id)
        return room is not None and set(room.users) == {self.me, user_id}

    # --- upgrades ---------------------------------------------------------------------------------------------

    async def upgraded(self, old_room: str, new_room: str) -> None:
        """A tombstone: the collective moves to the replacement room, which the bot joins (now if the room lets
        it, otherwise when it is invited — that invite is accepted from anyone)."""
        await self._memory.put("replaces", new_room, old_room)
        await self._tell_moved(old_room, new_room)
        direct_with = await self._memory.get("direct", old_room)
        if direct_with:
            await self._remember_direct(new_room, direct_with)
        log.info("%s was upgraded to %s", old_room, new_room)
        if new_room not in self._client.rooms:
            joined = await self._client.join(new_room)
            if not isinstance(joined, JoinResponse):
                log.info("cannot join %s yet (%s): waiting for an invite", new_room, joined)


def _not_found(error: ProfileGetError) -> bool:
    # Synapse answers 404 with M_UNKNOWN ("No row found") for a local user who does not exist.
    response = getattr(error, "transport_response", None)
    return error.status_code == "M_NOT_FOUND" or getattr(response, "status", None) == 404
