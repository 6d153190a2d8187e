"""Responding by reaction: the emoji the bot seeds under an ask (its choices' symbols), a member's reaction turned into
``ChoiceMade``, and the redaction of that reaction turned into ``ChoiceWithdrawn``.

A redaction names only the event it removes, and a redacted reaction has lost its content, so every reaction
that stands for a choice is remembered (``storage.reactions``: event id → room, member, the message reacted to,
choice) until it is withdrawn, or the round of the ask it is on ends. Which ask a message carries is for the
core to resolve, in its unit of work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime

from nio import AsyncClient, ReactionEvent, RedactionEvent, RoomSendResponse

from adapters.matrix import rendering
from bot.actions import Choice, Edit
from bot.choices import chosen_by
from bot.events import Chat, ChoiceMade, ChoiceWithdrawn, Sender
from bot.results import Result
from storage.reactions import CountedReaction, CountedReactions

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
    def __init__(self, client: AsyncClient, counted: CountedReactions, room_send) -> None:
        self._client = client
        self._counted = counted
        self._room_send = room_send  # encrypts in an encrypted room

    async def seed(self, room_id: str, event_id: str, choices: Iterable[Choice], txn_id: str) -> None:
        """Put the choices' emoji under an ask; ``txn_id`` makes each one's transaction id, the same at every
        attempt of the ask's delivery, so a resend after a crash adds none twice."""
        for key in seeds(choices):
            content = rendering.reaction(event_id, key)
            sent = await self._room_send(room_id, "m.reaction", content, tx_id=f"{txn_id}-{key}")  # encrypts if need be
            if not isinstance(sent, RoomSendResponse):
                log.warning("could not put %s under %s in %s: %s", key, event_id, room_id, sent)

    def chosen(self, chat: Chat, sender: Sender, event: ReactionEvent, sent_at: datetime) -> ChoiceMade | None:
        """A member's reaction as the choice it stands for (the core finds whether the message reacted to is an
        ask of the bot's); None for a reaction that stands for no choice."""
        choice = choice_of(event.key)
        if choice is None:
            return None
        return ChoiceMade(chat, sender, "", choice, event.event_id, sent_at, answers=event.reacts_to)

    async def remember(self, chosen: ChoiceMade, result: Result) -> None:
        """After the core has handled a reaction's choice: remember the reaction if the core counted it (its
        answer shows the ask's new tally), so that its redaction can withdraw the choice. A reaction on another
        message, after the round ended, or not counted is not kept: nothing would ever forget it. One the core
        had applied already (the bot died before remembering it) is kept: its round's end forgets it."""
        tallied = any(isinstance(action, Edit) and action.choices for action in result)
        if not tallied and not result.repeated:
            return
        counted = CountedReaction(
            chosen.message_ref,
            chosen.chat.chat_id,
            chosen.answers or "",
            chosen.sender.user_id,
            chosen.sender.display_name,
            chosen.choice,
        )
        await asyncio.to_thread(self._counted.remember, counted)

    async def withdrawn(self, chat: Chat, event: RedactionEvent, sent_at: datetime) -> ChoiceWithdrawn | None:
        """The redaction of a reaction counted earlier, by the member who reacted (no one else can take a
        member's response back), as the withdrawal of that choice; None for any other redaction."""
        counted = await asyncio.to_thread(self._counted.find, event.redacts)
        if counted is None or counted.room_id != chat.chat_id or counted.user_id != event.sender:
            return None
        if not await asyncio.to_thread(self._counted.forget, event.redacts):
            return None  # withdrawn once
        sender = Sender(chat.platform, counted.user_id, counted.name)
        return ChoiceWithdrawn(chat, sender, "", counted.choice, event.event_id, sent_at, answers=counted.reacts_to)

    async def round_ended(self, room_id: str, message_ref: str) -> None:
        """The round of the ask on ``message_ref`` ended: its reactions can no longer be withdrawn."""
        await asyncio.to_thread(self._counted.forget_on, room_id, message_ref)
