"""Writing into rooms: the Matrix outlet through which the runtime's sender carries the stored answers out.

- Every event the bot sends carries a transaction id derived from its outbox delivery's, the same at every
  attempt: the homeserver applies a transaction id once (``PUT /rooms/{roomId}/send/{eventType}/{txnId}`` is
  idempotent), so an answer resent after a crash — even one that had reached the homeserver just before — appears
  once.
- An answer addressed to a room that was upgraded goes to its replacement, where the collective lives now (the
  upgrade takes the old room's voice away: only its admins may still write there). A reply there is a plain
  notice, as a reply cannot point into another room. A tally in the old room is edited if the bot still may, and
  otherwise left as it was.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable

from nio import AsyncClient, RoomSendResponse

from adapters.matrix import rendering
from adapters.matrix.crypto import Crypto
from adapters.matrix.reactions import Reactions
from adapters.matrix.rooms import Rooms
from adapters.sender import Posted, Redirect
from adapters.text import language_of, names, split_text
from bot.actions import Acknowledge, Action, Ask, DirectMessage, Edit, Mention, Post, Reply
from bot.language import _, speaking

log = logging.getLogger(__name__)


class MatrixSendError(RuntimeError):
    """The homeserver refused a message (nio returns errors rather than raising them)."""


class Posting:
    def __init__(self, client: AsyncClient, crypto: Crypto, rooms: Rooms, reactions: Reactions) -> None:
        self._client = client
        self._crypto = crypto
        self._rooms = rooms
        self._reactions = reactions
        self._latest: dict[tuple[str, str], str] = {}  # (room, thread root) → the bot's latest event in the thread

    async def send(self, action: Action, txn_id: str = "") -> str | Posted | Redirect | None:
        if isinstance(action, Acknowledge):
            if not action.refusal:
                return None  # the member's own reaction and the edited tally already show it
            # A refused reaction: Matrix has no pop-up, so it goes to the member alone, never to the room.
            action = DirectMessage(action.chat.platform, action.user_id, action.text)
        txn_id = txn_id or uuid.uuid4().hex  # (sent outside the outbox: a test)
        text = rendering.with_bangs(action.text)
        if isinstance(action, DirectMessage):
            return await self._direct(action, text, txn_id)
        addressed = action.chat.chat_id
        room_id = self.current_room(addressed)
        moved = room_id != addressed
        thread = None if moved else action.chat.thread  # (a thread's root stayed in the old room)
        if isinstance(action, Reply):
            reply_to = None if moved else action.to_ref
            event_id = await self.post_text(room_id, text, txn_id, reply_to=reply_to, thread=thread)
        elif isinstance(action, Post):
            event_id = await self.post_text(room_id, text, txn_id, action.mentions, thread=thread)
        elif isinstance(action, Ask):
            content = self._threaded(rendering.notice(text), room_id, thread)
            event_id = await self._post(room_id, content, txn_id, thread)
            if event_id is not None:
                await self._reactions.seed(room_id, event_id, action.choices, txn_id)
        else:
            raise TypeError(f"not an action the Matrix adapter sends: {action!r}")
        if moved and event_id is not None:
            return Posted(event_id, room_id)  # (an ask's tally is edited where it landed)
        return event_id

    async def edit(self, action: Edit, message_ref: str, txn_id: str = "") -> None:
        # One delivery may edit several messages (an ask in pieces): a transaction id for each.
        txn_id = txn_id or uuid.uuid4().hex
        room_id = action.chat.chat_id
        target = hashlib.sha256(message_ref.encode()).hexdigest()[:16]
        content = rendering.replacement(rendering.with_bangs(action.text), message_ref)
        try:
            await self._post(room_id, content, f"{txn_id}-{target}")
        except MatrixSendError:
            if self.current_room(room_id) == room_id:
                raise
            log.info("the tally of %s in %s stays as it was: the room was upgraded", message_ref, room_id)
            return
        if not action.choices:  # the round ended: no reaction on it can be withdrawn any more
            await self._reactions.round_ended(room_id, message_ref)

    def current_room(self, room_id: str) -> str:
        """Where a room's collective lives now: the room itself, or, after upgrades, the latest replacement."""
        seen = {room_id}
        room = self._client.rooms.get(room_id)
        while room is not None and room.replacement_room and room.replacement_room not in seen:
            room_id = room.replacement_room
            seen.add(room_id)
            room = self._client.rooms.get(room_id)
        return room_id

    async def _direct(self, action: DirectMessage, text: str, txn_id: str) -> str | Redirect | None:
        """In the direct room with the member (opened if needed); where none can be opened, a mention in the
        collective's room instead — which the core leaves out (no ``fallback``) for anything private."""
        room_id = await self._rooms.direct_room(action.user_id)
        if room_id is not None:
            return await self.post_text(room_id, text, txn_id)
        if action.fallback is None:
            log.warning("could not write to %s privately, and there is no room to mention them in", action.user_id)
            return None
        name = action.name or localpart(action.user_id)
        with speaking(language_of(action)):
            hint = _("(I could not open a direct chat with you: invite me to one.)")
        text = f"{name}: {action.text}\n{hint}"
        return Redirect(
            Post(action.fallback, text, (Mention(action.user_id, name),), language=action.language)
        )  # into the room's queue

    async def post_text(
        self,
        room_id: str,
        text: str,
        txn_id: str,
        mentions: Iterable[Mention] = (),
        reply_to: str | None = None,
        thread: str | None = None,
    ) -> str | None:
        """A long text in several notices: Synapse refuses an event over 64 KiB, and a piece of
        4,096 UTF-16 units stays under about 50 kB even as escaped HTML beside its plain body.
        The first piece answers ``reply_to``; each mentions the members named in it; all are in ``thread``."""
        event_id = None
        for index, piece in enumerate(split_text(text) or [text]):
            answering = reply_to if index == 0 else None
            if answering is not None and thread is None:
                content = rendering.reply(piece, answering)
            else:
                content = rendering.notice(piece, [m for m in mentions if names(m.name, piece)])
                content = self._threaded(content, room_id, thread, answering)
            event_id = await self._post(room_id, content, txn_id if index == 0 else f"{txn_id}-{index}", thread)
        return event_id

    def _threaded(self, content: dict, room_id: str, thread: str | None, reply_to: str | None = None) -> dict:
        """In a thread, a notice carries the thread relation. Its fallback for clients without threads is a
        reply to the bot's own latest message in the thread (or the thread's root): never to a member's
        message that merely came last, which a need's anonymous announcement would seem to answer."""
        if thread is None:
            return content
        return rendering.in_thread(content, thread, reply_to, self._latest.get((room_id, thread), thread))

    async def _post(self, room_id: str, content: dict, txn_id: str, thread: str | None = None) -> str | None:
        # The same transaction id at every attempt: the homeserver applies a resend once (encrypted or not).
        sent = await self._crypto.room_send(room_id, "m.room.message", content, tx_id=txn_id)
        if not isinstance(sent, RoomSendResponse):
            raise MatrixSendError(f"{room_id}: {sent}")
        if thread is not None:
            self._latest[(room_id, thread)] = sent.event_id
        return sent.event_id


def localpart(user_id: str) -> str:
    return user_id.removeprefix("@").partition(":")[0]
