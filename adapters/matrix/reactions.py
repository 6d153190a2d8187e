"""Responding by reaction: the emoji the bot seeds under an ask (its choices' symbols), a member's reaction turned into
``ChoiceMade``, and the redaction of that reaction turned into ``ChoiceWithdrawn``.

A redaction names only the event it removes, and a redacted reaction has lost its content, so every reaction
that stands for a choice is remembered (event id → room, member, the message reacted to, choice) until it is
withdrawn. Which ask a message carries is for the core to resolve, in its unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from nio import AsyncClient, ReactionEvent, RedactionEvent, RoomSendResponse

from adapters.matrix import rendering
from adapters.matrix.memory import Memory
from bot.actions import Choice
from bot.choices import chosen_by
from bot.events import Chat, ChoiceMade, ChoiceWithdrawn, Sender

log = logging.getLogger(__name__)

# Variation selectors and skin tones: 👍️ (as Element sends it), ✋🏽 and 🤷‍♀️ mean what the bare emoji means.
_DECORATIONS = dict.fromkeys([0xFE0E, 0xFE0F, 0x200D, 0x2640, 0x2642, *range(0x1F3FB, 0x1F400)])


def choice_of(key: str) -> str | None:
    """The choice a reaction key stands for, whatever skin tone or variation it carries."""
    return chosen_by(key.translate(_DECORATIONS))


def seeds(choices: Iterable[Choice]) -> list[str]:
    """The emoji to put under an ask: its choices' own symbols, in their order (a choice without one gets none)."""
    return [choice.symbol for choice in choices if choice.symbol]


class Reactions:
    def __init__(self, client: AsyncClient, memory: Memory, room_send) -> None:
        self._client = client
        self._memory = memory
        self._room_send = room_send  # encrypts in an encrypted room

    async def seed(self, room_id: str, event_id: str, choices: Iterable[Choice], txn_id: str) -> None:
        """Put the choices' emoji under an ask; ``txn_id`` makes each one's transaction id, the same at every
        attempt of the ask's delivery, so a resend after a crash adds none twice."""
        for key in seeds(choices):
            content = rendering.reaction(event_id, key)
            sent = await self._room_send(room_id, "m.reaction", content, tx_id=f"{txn_id}-{key}")  # encrypts if need be
            if not isinstance(sent, RoomSendResponse):
                log.warning("could not put %s under %s in %s: %s", key, event_id, room_id, sent)

    async def chosen(self, chat: Chat, sender: Sender, event: ReactionEvent, sent_at: datetime) -> ChoiceMade | None:
        """A member's reaction as the choice it stands for (the core finds whether the message reacted to is an
        ask of the bot's); None for a reaction that stands for no choice."""
        choice = choice_of(event.key)
        if choice is None:
            return None
        await self._memory.put(
            "reaction",
            event.event_id,
            {
                "room": chat.chat_id,
                "user": sender.user_id,
                "name": sender.display_name,
                "on": event.reacts_to,
                "choice": choice,
            },
        )
        return ChoiceMade(chat, sender, "", choice, event.event_id, sent_at, answers=event.reacts_to)

    async def withdrawn(self, chat: Chat, event: RedactionEvent, sent_at: datetime) -> ChoiceWithdrawn | None:
        """The redaction of a reaction counted earlier, by the member who reacted (no one else can take a
        member's response back), as the withdrawal of that choice; None for any other redaction."""
        counted = await self._memory.get("reaction", event.redacts)
        if not counted or counted["room"] != chat.chat_id or counted["user"] != event.sender:
            return None
        await self._memory.put("reaction", event.redacts, None)  # withdrawn once
        sender = Sender(chat.platform, counted["user"], counted["name"])
        # (A reaction remembered by an earlier version names its ask rather than the message.)
        ask, on = counted.get("ask", ""), counted.get("on")
        return ChoiceWithdrawn(chat, sender, ask, counted["choice"], event.event_id, sent_at, answers=on)
