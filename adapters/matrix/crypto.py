"""End-to-end encryption for the Matrix adapter, on matrix-nio's Olm machine (vodozemac).

- The crypto store (the device's Olm account, room keys, devices seen) is a folder, ``[matrix] store_path``; nio
  keeps one SQLite file per user and device there. The bot keeps one device for good: at start the store must hold
  the keys the homeserver has for that device, or the bot stops with one line saying what to do — it never makes
  a new device behind the operator's back (members' clients would show an unknown device, and every room key sent
  to the old one would be lost).
- After each sync: upload one-time keys when the homeserver runs low, fetch the devices of members whose device
  lists changed, open Olm sessions, send queued to-device messages, and answer key requests from members' devices
  for sessions the bot itself sent.
- Sending: every event into an encrypted room goes out encrypted, including the reactions the bot seeds (nio
  leaves ``m.reaction`` in the clear). Members' devices are trusted on first use (``ignore_unverified_devices``):
  members never verify the bot by hand, and the bot never refuses to speak because a member added a device. nio
  starts a new group session whenever a member joins or leaves, or a member's device list changes. The key goes
  to invited members too, as Element sends it: the member the bot has just invited to a direct chat reads the
  bot's first message there.
- Receiving: nio decrypts what a sync brings. An event it cannot decrypt (the room key has not come) waits here:
  the bot asks the sender's devices (and its own) for the key, handles the event once the key has come, and after
  ``key_wait`` seconds gives up on it (the adapter tells the sender).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MethodType
from typing import Any
from urllib.parse import quote
from uuid import uuid4

from nio import (
    AsyncClient,
    AsyncClientConfig,
    Event,
    LocalProtocolError,
    MegolmEvent,
    RoomKeyRequest,
    RoomMemberEvent,
    RoomSendResponse,
    SyncResponse,
)
from nio.api import Api
from nio.crypto.key_request import OutgoingKeyRequest
from nio.store import DefaultStore, SqliteMemoryStore

from adapters.config import ConfigError, MatrixConfig
from adapters.matrix.memory import Memory

log = logging.getLogger(__name__)

MEGOLM = "m.megolm.v1.aes-sha2"
ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}


def client_config(config: MatrixConfig) -> AsyncClientConfig:
    """Encryption on, with the store in ``store_path`` (an in-memory store without one: tests and benchmarks)."""
    store = DefaultStore if config.store_path else SqliteMemoryStore
    return AsyncClientConfig(encryption_enabled=True, store=store, store_sync_tokens=False, request_timeout=60)


def prepare_store_path(config: MatrixConfig) -> str:
    """The store folder, made if missing (readable by the bot's user alone: it holds private keys)."""
    if not config.store_path:
        return ""
    path = Path(config.store_path).expanduser()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"[matrix] store_path: cannot make the folder {path}: {error.strerror}") from None
    return str(path)


@contextlib.contextmanager
def store_errors(config: MatrixConfig) -> Iterator[None]:
    """A store nio cannot open (a damaged file, a key that does not fit) as one line for the operator."""
    try:
        yield
    except (ConfigError, OSError):
        raise
    except Exception as error:
        raise ConfigError(
            f"[matrix] store_path: the encryption store in {config.store_path} cannot be opened ({error}); "
            "restore the folder from a backup, or move it aside and sign the bot's device out "
            "(Element: Settings → Sessions) so that it starts over as a new device"
        ) from None


@dataclass
class Waiting:
    room_id: str
    event: MegolmEvent
    since: float


class Crypto:
    """The adapter's side of encryption: readiness at start, key upkeep after each sync, encrypted sending,
    and the events that wait for their room key."""

    def __init__(self, client: AsyncClient, config: MatrixConfig, memory: Memory, key_wait: float = 300.0) -> None:
        self._client = client
        self._config = config
        self._memory = memory
        self._key_wait = key_wait
        self._waiting: dict[str, Waiting] = {}  # event id → an event whose room key has not come yet
        self._recorded: dict[str, frozenset[str]] = {}  # outbound session id → users it was shared with (kept)

    # --- start ------------------------------------------------------------------------------------------------

    async def ready(self) -> None:
        """After logging in: the store must hold this device's keys if the homeserver has any; the keys are
        uploaded once, when it has none. Also lets the sender of a session forward its key to the bot."""
        client = self._client
        with store_errors(self._config):
            client.load_store()
        olm = client.olm
        if olm is None:
            raise ConfigError("[matrix] the encryption store could not be loaded")
        olm._should_accept_forward = MethodType(_accept_forward(type(olm)._should_accept_forward), olm)
        mine = olm.account.identity_keys["ed25519"]
        published = await self.published_device_key()
        if published is not None and published != mine:
            where = self._config.store_path or "memory"
            raise ConfigError(
                f"[matrix] the encryption store ({where}) does not hold the keys of the bot's device "
                f"{client.device_id} (the folder was lost, replaced or damaged): restore it from a backup, or "
                f"sign the device {client.device_id} out (Element: Settings → Sessions, or Synapse's admin API) "
                "so that the bot starts over as a new device"
            )
        if published is None and olm.account.shared:
            olm.account.shared = False  # the homeserver lost them (the device was signed out and back in)
        if client.should_upload_keys:
            answer = await client.keys_upload()
            log.info("uploaded the keys of device %s: %s", client.device_id, type(answer).__name__)

    async def published_device_key(self) -> str | None:
        """The ed25519 key the homeserver has for the bot's device, or None."""
        me, device = self._client.user_id, self._client.device_id
        answer = await raw(self._client, "POST", "/_matrix/client/v3/keys/query", {"device_keys": {me: [device]}})
        keys = answer.get("device_keys", {}).get(me, {}).get(device, {}).get("keys", {})
        return keys.get(f"ed25519:{device}")

    # --- after each sync --------------------------------------------------------------------------------------

    async def after_sync(self, response: SyncResponse) -> None:
        """Key upkeep, before the batch is handled, so that the answers to it go to every current device."""
        client = self._client
        await keep_keys(client)
        for event in response.to_device_events:
            if isinstance(event, RoomKeyRequest) and event.sender != client.user_id:
                try:
                    await self._answer_key_request(event)
                except Exception:
                    log.exception("could not answer the key request of %s", event.sender)
        await client.send_to_device_messages()

    async def _answer_key_request(self, request: RoomKeyRequest) -> None:
        """A member's device asks for the key of a session the bot sent: it gets it if that member was one
        the session was shared with (a new device of theirs, or one that missed it), never anyone else."""
        client = self._client
        olm = client.olm
        if request.sender_key != olm.account.identity_keys["curve25519"]:
            return  # not a session of the bot's
        shared = await self._memory.get("megolm", request.session_id)
        if not shared or shared["room"] != request.room_id or request.sender not in shared["users"]:
            log.info("did not share the key %s with %s: not theirs to have", request.session_id, request.sender)
            return
        group = olm.inbound_group_store.get(request.room_id, request.sender_key, request.session_id)
        device = client.device_store[request.sender].get(request.requesting_device_id)
        if device is None:
            olm.users_for_key_query.add(request.sender)
            await client.keys_query()
            device = client.device_store[request.sender].get(request.requesting_device_id)
        if group is None or device is None:
            return
        session = olm.session_store.get(device.curve25519)
        if session is None:
            await client.keys_claim({request.sender: [device.id]})
            session = olm.session_store.get(device.curve25519)
        if session is None:
            log.warning("no Olm session with %s %s: their key request is left", request.sender, device.id)
            return
        await client.to_device(olm._encrypt_forwarding_key(request.room_id, group, session, device))
        log.info("forwarded the key %s to %s %s", request.session_id, request.sender, device.id)

    # --- sending ----------------------------------------------------------------------------------------------

    def is_encrypted(self, room_id: str) -> bool:
        room = self._client.rooms.get(room_id)
        return room is not None and room.encrypted

    async def room_send(self, room_id: str, event_type: str, content: dict, tx_id: str | None = None):
        """Send an event: encrypted in an encrypted room (reactions too), as is elsewhere."""
        client = self._client
        await self._known(room_id)
        await self._members_loaded(room_id)
        if room_id in client.rooms and client.rooms[room_id].encrypted and event_type == "m.reaction":
            sent = await send_encrypted(client, room_id, event_type, content, tx_id)
        else:
            sent = await client.room_send(room_id, event_type, content, tx_id=tx_id, ignore_unverified_devices=True)
        if isinstance(sent, RoomSendResponse):
            await self._record_shared(room_id)
        return sent

    async def _known(self, room_id: str, within: float = 30.0) -> None:
        """A room the bot has just opened is known to nio (its encryption, its members) only once a sync has
        brought it, and nio encrypts only for rooms it knows: wait for that sync."""
        deadline = time.monotonic() + within
        while room_id not in self._client.rooms and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def _members_loaded(self, room_id: str) -> None:
        """Before the first encrypted send into a room, its members, the invited ones too, from the homeserver.
        nio would load the joined ones alone (``/joined_members``), so a member invited in the moment before
        the sync that brought the room (the direct chat the bot has just opened) would not be sent the room
        key, and could never read the bot's first message there. Element shares keys with invited members."""
        client = self._client
        room = client.rooms.get(room_id)
        if room is None or not room.encrypted or room.members_synced or client.olm is None:
            return
        path = f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/members?not_membership=leave"
        try:
            answer = await raw(client, "GET", path)
        except MatrixRequestError as error:
            log.warning("could not load the members of %s: %s", room_id, error)
            return  # nio loads the joined ones
        changed = False
        for source in answer.get("chunk", []):
            event = RoomMemberEvent.from_dict(source)
            if isinstance(event, RoomMemberEvent) and event.membership in ("join", "invite"):
                changed = room.handle_membership(event) or changed
        if changed:
            client.invalidate_outbound_session(room_id)  # as nio does when a sync brings a new member
        room.members_synced = True
        client.olm.update_tracked_users(room)
        if client.should_query_keys:
            await client.keys_query()

    async def _record_shared(self, room_id: str) -> None:
        """Keep who the room's current group session went to: only they may ask for its key again."""
        session = self._client.olm.outbound_group_sessions.get(room_id) if self._client.olm else None
        if session is None:
            return
        users = frozenset(user for user, _device in session.users_shared_with)
        if self._recorded.get(session.id) != users:
            await self._memory.put("megolm", session.id, {"room": room_id, "users": sorted(users)})
            self._recorded[session.id] = users

    # --- events waiting for their key -------------------------------------------------------------------------

    async def wait_for_key(self, room_id: str, event: MegolmEvent) -> None:
        """Keep an event nio could not decrypt, and ask for its key: from the sender's device, which made the
        session, and from the bot's own devices (none but this one, as a rule)."""
        if event.event_id in self._waiting:
            return
        event.room_id = room_id
        self._waiting[event.event_id] = Waiting(room_id, event, time.monotonic())
        log.info("waiting for the key of %s from %s in %s", event.event_id, event.sender, room_id)
        client = self._client
        with contextlib.suppress(LocalProtocolError):  # already asked for this session
            await client.request_room_key(event)
        ask = event.as_key_request(event.sender, client.device_id, device_id=event.device_id)
        olm = client.olm
        if ask.request_id not in olm.outgoing_key_requests:
            olm.outgoing_key_requests[ask.request_id] = OutgoingKeyRequest.from_message(ask)
        await client.to_device(ask)

    def readable(self) -> list[tuple[str, Event]]:
        """The waiting events whose key has come, decrypted, oldest first; each is handed out once."""
        found = []
        for event_id, waiting in list(self._waiting.items()):
            try:
                decrypted = self._client.decrypt_event(waiting.event)
            except Exception:  # still no key (nio raises EncryptionError)
                continue
            del self._waiting[event_id]
            found.append((waiting.room_id, decrypted))
        return found

    def given_up(self) -> list[tuple[str, MegolmEvent]]:
        """The waiting events whose key did not come within ``key_wait`` seconds; each is handed out once."""
        now = time.monotonic()
        late = [w for w in self._waiting.values() if now - w.since >= self._key_wait]
        for waiting in late:
            del self._waiting[waiting.event.event_id]
        return [(w.room_id, w.event) for w in late]

    @property
    def waiting(self) -> int:
        return len(self._waiting)


async def has_device_keys(client: AsyncClient, user_id: str) -> bool:
    """Whether any device of ``user_id`` has published encryption keys (every Element does; a bare script may
    not, and could not read an encrypted direct chat)."""
    try:
        answer = await raw(client, "POST", "/_matrix/client/v3/keys/query", {"device_keys": {user_id: []}})
    except MatrixRequestError as error:
        log.warning("could not look up the devices of %s: %s", user_id, error)
        return True  # encrypt, as Element would
    return bool(answer.get("device_keys", {}).get(user_id))


async def keep_keys(client: AsyncClient) -> None:
    """What nio's ``sync_forever`` does between syncs: upload one-time keys when the homeserver runs low, fetch
    changed device lists, open Olm sessions that are wanted, send queued to-device messages."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


async def send_encrypted(client: AsyncClient, room_id: str, event_type: str, content: dict, tx_id: str | None = None):
    """What ``room_send`` does, for an event type it leaves in the clear (``m.reaction``): members and their
    devices fetched, the group session shared (trusting devices on first use), the relation left in the clear
    (as the spec asks, so the homeserver can aggregate it), then the encrypted event sent."""
    room = client.rooms[room_id]
    if not room.members_synced:
        await client.joined_members(room_id)
        if client.should_query_keys:
            await client.keys_query()
    if client.olm.should_share_group_session(room_id):
        if room_id in client.sharing_session:
            await client.sharing_session[room_id].wait()
        else:
            await client.share_group_session(room_id, ignore_unverified_devices=True)
    encrypted_type, encrypted = client.encrypt(room_id, event_type, content)
    method, path, data = Api.room_send(client.access_token, room_id, encrypted_type, encrypted, tx_id or uuid4())
    return await client._send(RoomSendResponse, method, path, data, (room_id,))


def _accept_forward(nio_rule):
    """nio takes a forwarded room key only from the bot's own verified devices. Also take one from the device
    that made the session (its curve25519 key is the session's sender key) when the bot asked for it: that is
    how a member's client answers the bot's key request."""

    def accept(olm, sender: str, sender_key: str, event) -> bool:
        if nio_rule(olm, sender, sender_key, event):
            return True
        asked = olm.outgoing_key_requests.get(event.session_id)
        made_it = event.source.get("content", {}).get("sender_key") == sender_key
        return bool(asked and asked.room_id == event.room_id and made_it)

    return accept


async def raw(client: AsyncClient, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A client-API request nio has no method for, with the bot's token; the JSON answer (an error raises)."""
    headers = {"Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json"}
    data = json.dumps(body) if body is not None else None
    response = await client.send(method, path, data, headers=headers)
    async with response:
        answer = await response.json(content_type=None)
        if response.status != 200:
            raise MatrixRequestError(response.status, answer)
        return answer


class MatrixRequestError(RuntimeError):
    def __init__(self, status: int, answer: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {answer}")
        self.status = status
        self.answer = answer
