"""What one unit of work hands back: its actions, every message reference in
them resolved inside that unit of work, the answers it stored in the outbox
(in the same transaction as its effects), and when the next due work falls.

A result reads as its actions — iterating, indexing and comparing it is
iterating, indexing and comparing them — so a transcript reads the bot's
answers straight from ``core.handle(event)``.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.actions import Acknowledge, Action, Ask, DirectMessage, Edit, Post, Reply
from bot.events import ChoiceMade, ChoiceWithdrawn, Event

if TYPE_CHECKING:
    from bot.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Delivery:
    """One answer in the outbox: its row ``id`` (the order it was stored in),
    the action to carry out, the ``queue`` it waits in (one per chat, so a
    chat's answers go out in order) and ``txn_id``, the same at every attempt
    (Matrix applies a resent transaction id once). An answer that could not be
    stored has no ``id``: it is said once, at once."""

    id: int | None
    platform: str
    queue: str
    action: Action
    txn_id: str


@dataclass(frozen=True, slots=True, eq=False)
class Result(Sequence[Action]):
    actions: tuple[Action, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    next_due: datetime | None = None

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)

    def __len__(self) -> int:
        return len(self.actions)

    def __getitem__(self, index):  # type: ignore[override]
        return self.actions[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Result):
            return (self.actions, self.deliveries, self.next_due) == (other.actions, other.deliveries, other.next_due)
        if isinstance(other, list | tuple):
            return list(self.actions) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def queue_of(action: Action) -> str:
    """The outbox queue of an action: its chat; a direct message, the person's direct chat; the
    confirmation of a press, a queue of the chat's own (it waits on no message)."""
    if isinstance(action, DirectMessage):
        return f"@{action.user_id}"
    if isinstance(action, Acknowledge):
        return f"ack:{action.chat.chat_id}"
    return action.chat.chat_id


def platform_of(action: Action) -> str:
    return action.platform if isinstance(action, DirectMessage) else action.chat.platform


def settle(uow: UnitOfWork, actions: list[Action], now: datetime, event: Event | None = None) -> Result:
    """Before the commit: resolve the references in ``actions`` and store them in the outbox."""
    resolved: list[Action] = []
    asked: dict[tuple[str, str, str], list[int]] = {}  # asks stored by these same actions
    deliveries: list[Delivery] = []
    for action in actions:
        if isinstance(action, Edit):
            action = _targets(uow, action, asked)
        elif isinstance(action, Acknowledge) and event is not None:
            action = dataclasses.replace(action, to_ref=event.message_ref)
        delivery = uow.outbox.add(action, platform_of(action), queue_of(action), now)
        if isinstance(action, Ask):
            asked.setdefault((action.chat.platform, action.chat.chat_id, action.key), []).append(delivery.id)
        resolved.append(action)
        deliveries.append(delivery)
    if isinstance(event, ChoiceMade | ChoiceWithdrawn) and not any(isinstance(a, Acknowledge) for a in actions):
        # The press is confirmed to its member all the same (a pop-up stops a button spinning), with the
        # first thing said in the chat about it; a delivery only, as the core itself said nothing of it.
        said = next((a.text for a in actions if isinstance(a, Post | Reply) and a.chat == event.chat), "")
        ack = Acknowledge(event.chat, event.sender.user_id, said, event.message_ref)
        deliveries.append(uow.outbox.add(ack, platform_of(ack), queue_of(ack), now))
    return Result(tuple(resolved), tuple(deliveries), uow.due.next_due_at())


def _targets(uow: UnitOfWork, edit: Edit, asked: dict[tuple[str, str, str], list[int]]) -> Edit:
    where = (edit.chat.platform, edit.chat.chat_id, edit.key)
    refs = tuple(uow.asks.refs(*where))
    after = (*uow.outbox.unsent_asks(*where), *asked.get(where, ()))
    return dataclasses.replace(edit, refs=refs, after=after)


def unstored(actions: list[Action]) -> Result:
    """A result whose actions could not be stored (the database failed): said once, at once."""
    deliveries = (Delivery(None, platform_of(a), queue_of(a), a, secrets.token_hex(16)) for a in actions)
    return Result(tuple(actions), tuple(deliveries))
