"""Test users that act through matrix-nio against the test homeserver.

A MatrixUser is one logged-in `nio.AsyncClient`. It does what a person in a room does (create and invite,
join, write, reply, react, redact, upgrade a room) and waits for what others do by long-polling `/sync`:
every event a sync brings is kept, and `wait_for_event` hands out the first one that matches and was not
handed out before, syncing again (up to its timeout) only while none does.

A user logged in with a `store_path` has end-to-end encryption on, as Element has: it uploads its device keys,
encrypts what it sends into encrypted rooms (reactions too, as Element does), trusts other devices on first use,
and sees what others send there decrypted (`event.decrypted` is true for what came as m.room.encrypted).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote

from nio import (
    AsyncClient,
    AsyncClientConfig,
    Event,
    JoinResponse,
    LoginResponse,
    RoomCreateResponse,
    RoomInviteResponse,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
)

from adapters.matrix.crypto import keep_keys, send_encrypted

E = TypeVar("E", bound=Event)

MEGOLM = "m.megolm.v1.aes-sha2"


class MatrixTestError(AssertionError):
    """A Matrix request a test relied on was refused, or what it waited for did not come."""


def _ok(response: Any, expected: type, doing: str) -> Any:
    if not isinstance(response, expected):
        raise MatrixTestError(f"{doing}: {response!r}")
    return response


class MatrixUser:
    def __init__(self, client: AsyncClient, password: str) -> None:
        self.client = client
        self.password = password
        self._seen: dict[str, list[Event]] = {}  # room ID -> events in the order syncs brought them
        self._seen_ids: set[str] = set()
        self._handed_out: set[str] = set()
        self._invites: list[str] = []  # room IDs invited to, in order, not yet handed out
        self.to_device: list[Event] = []  # to-device events received (decrypted where they could be)

    @classmethod
    async def login(
        cls, homeserver: str, user_id: str, password: str, device_name: str = "test", store_path: str | None = None
    ) -> MatrixUser:
        """Log in as `user_id` (a new device; with encryption when `store_path` is given) and do a first,
        immediate sync so that later waits see only what comes next."""
        settings = AsyncClientConfig(encryption_enabled=store_path is not None)
        client = AsyncClient(homeserver, user_id, store_path=store_path or "", config=settings)
        user = cls(client, password)
        try:
            _ok(await client.login(password, device_name=device_name), LoginResponse, f"login as {user_id}")
            if client.olm is not None:
                await keep_keys(client)
            await user.sync(0)
        except BaseException:
            await client.close()
            raise
        return user

    @property
    def user_id(self) -> str:
        return self.client.user_id

    @property
    def device_id(self) -> str:
        return self.client.device_id

    async def close(self) -> None:
        await self.client.close()

    # --- acting ---------------------------------------------------------------------------------------------

    async def create_room(
        self,
        *,
        invite: Iterable[str] = (),
        name: str | None = None,
        encrypted: bool = False,
        room_version: str | None = None,
    ) -> str:
        """Create a private room, invite `invite` into it, and return its ID."""
        initial_state = []
        if encrypted:
            initial_state.append({"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}})
        response = await self.client.room_create(
            name=name, invite=list(invite), initial_state=initial_state, room_version=room_version
        )
        return _ok(response, RoomCreateResponse, "create room").room_id

    async def create_encrypted_room(self, *, invite: Iterable[str] = (), name: str | None = None) -> str:
        """A room whose creation state holds m.room.encryption (megolm), as clients like Element make them."""
        return await self.create_room(invite=invite, name=name, encrypted=True)

    async def invite(self, room_id: str, user_id: str) -> None:
        _ok(await self.client.room_invite(room_id, user_id), RoomInviteResponse, f"invite {user_id}")

    async def join(self, room_id: str) -> str:
        return _ok(await self.client.join(room_id), JoinResponse, f"join {room_id}").room_id

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send any room event (encrypted in an encrypted room, when this user has encryption); its event ID."""
        if self.client.olm is not None and room_id not in self.client.rooms:
            await self.sync(0)  # nio encrypts only for a room a sync has brought (one just joined, say)
        room = self.client.rooms.get(room_id)
        if self.client.olm is not None and room is not None and room.encrypted and event_type == "m.reaction":
            response = await send_encrypted(self.client, room_id, event_type, content)
        else:
            response = await self.client.room_send(room_id, event_type, content, ignore_unverified_devices=True)
        return _ok(response, RoomSendResponse, f"send {event_type}").event_id

    async def send_text(
        self,
        room_id: str,
        body: str,
        *,
        reply_to: str | None = None,
        msgtype: str = "m.text",
        html: str | None = None,
        mentions: Iterable[str] | None = None,
    ) -> str:
        """Send an m.room.message; `reply_to` makes it a reply, `html` adds a formatted body, `mentions`
        (user IDs) fills m.mentions. Return the event ID."""
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if html is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = html
        if mentions is not None:
            content["m.mentions"] = {"user_ids": list(mentions)}
        if reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return await self.send(room_id, "m.room.message", content)

    async def send_notice(self, room_id: str, body: str) -> str:
        """An m.notice: what bots send, and what other bots are expected not to answer."""
        return await self.send_text(room_id, body, msgtype="m.notice")

    async def react(self, room_id: str, event_id: str, key: str = "👍") -> str:
        """Annotate `event_id` with `key` (an m.reaction event); return the reaction's event ID."""
        relation = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        return await self.send(room_id, "m.reaction", {"m.relates_to": relation})

    async def redact(self, room_id: str, event_id: str, reason: str | None = None) -> str:
        """Redact (delete) an event; return the redaction's event ID."""
        response = await self.client.room_redact(room_id, event_id, reason=reason)
        return _ok(response, RoomRedactResponse, f"redact {event_id}").event_id

    async def upgrade_room(self, room_id: str, new_version: str | None = None) -> str:
        """Upgrade through the server's /upgrade endpoint (it sends m.room.tombstone into the old room);
        `new_version` defaults to the server's default room version. Return the replacement room's ID."""
        if new_version is None:
            capabilities = await self.request("GET", "/_matrix/client/v3/capabilities")
            new_version = capabilities["capabilities"]["m.room_versions"]["default"]
        path = f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/upgrade"
        return (await self.request("POST", path, {"new_version": new_version}))["replacement_room"]

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A raw client-API request with this user's token, for what nio has no method for."""
        headers = {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"}
        data = json.dumps(body) if body is not None else None
        response = await self.client.send(method, path, data, headers=headers)
        async with response:
            answer = await response.json()
            if response.status != 200:
                raise MatrixTestError(f"{method} {path}: HTTP {response.status} {answer}")
            return answer

    def events(self, room_id: str) -> list[Event]:
        """Every event seen in `room_id` so far, in the order syncs brought them (decrypted where it could be)."""
        return list(self._seen.get(room_id, []))

    # --- waiting --------------------------------------------------------------------------------------------

    async def sync(self, timeout_ms: int) -> SyncResponse:
        """One /sync from the last token (long-polling up to `timeout_ms`); keep what it brings."""
        response = _ok(await self.client.sync(timeout=timeout_ms), SyncResponse, "sync")
        if self.client.olm is not None:
            await keep_keys(self.client)
        self.to_device.extend(response.to_device_events)
        self._invites.extend(room_id for room_id in response.rooms.invite if room_id not in self._invites)
        for room_id, info in response.rooms.join.items():
            for event in [*info.state, *info.timeline.events]:
                event_id = getattr(event, "event_id", None)
                if event_id is None or event_id in self._seen_ids:
                    continue
                self._seen_ids.add(event_id)
                self._seen.setdefault(room_id, []).append(event)
        return response

    async def wait_for_event(
        self,
        room_id: str,
        predicate: Callable[[E], bool] | None = None,
        *,
        sender: str | None = None,
        kind: type[E] = Event,  # type: ignore[assignment]
        timeout: float = 10.0,
    ) -> E:
        """The first event seen in `room_id` that is a `kind`, from `sender` if given, that `predicate`
        accepts, and that no earlier wait returned; sync until one comes or `timeout` seconds pass."""

        def match() -> E | None:
            for event in self._seen.get(room_id, []):
                if (
                    event.event_id not in self._handed_out
                    and isinstance(event, kind)
                    and (sender is None or event.sender == sender)
                    and (predicate is None or predicate(event))
                ):
                    self._handed_out.add(event.event_id)
                    return event
            return None

        deadline = time.monotonic() + timeout
        while (found := match()) is None:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                raise MatrixTestError(
                    f"{self.user_id}: no {kind.__name__} from {sender or 'anyone'} in {room_id} within {timeout} s; "
                    f"seen there: {[type(e).__name__ for e in self._seen.get(room_id, [])]}"
                )
            await self.sync(remaining_ms)
        return found

    async def wait_for_invite(self, room_id: str | None = None, *, timeout: float = 10.0) -> str:
        """The first room this user was invited to (or `room_id`) not handed out before; sync until then."""
        deadline = time.monotonic() + timeout
        while True:
            for invited in self._invites:
                if room_id is None or invited == room_id:
                    self._invites.remove(invited)
                    return invited
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                raise MatrixTestError(f"{self.user_id}: no invite {room_id or ''} within {timeout} s")
            await self.sync(remaining_ms)
