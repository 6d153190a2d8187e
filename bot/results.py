"""What one unit of work hands back: its actions, every message reference in
them resolved inside that unit of work, the answers it stored in the outbox
(in the same transaction as its effects), and — when the unit of work changed
due work — when the next due work falls (the alarm moves only earlier on it).

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
from bot.chain import fill_heads
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
    repeated: bool = False  # the event was applied before (a redelivery): nothing was done now

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
    """Before the commit: resolve the references in ``actions`` and store them in the outbox.

    ``next_due`` is read when this unit of work changed due work (it can have come earlier only then);
    otherwise it is None, as when nothing is pending — the alarm moves only earlier on an event's result."""
    resolved = [_resolved(uow, _with_heads(uow, action), event) for action in actions]
    outgoing = list(resolved)
    if isinstance(event, ChoiceMade | ChoiceWithdrawn) and not any(isinstance(a, Acknowledge) for a in actions):
        # The press is confirmed to its member all the same (a pop-up stops a button spinning), with the
        # first thing said in the chat about it; a delivery only, as the core itself said nothing of it.
        said = next((a.text for a in resolved if isinstance(a, Post | Reply) and a.chat == event.chat), "")
        outgoing.append(Acknowledge(event.chat, event.sender.user_id, said, event.message_ref))
    if _asked_and_edited(outgoing):
        # An edit of an ask stored by these same actions waits for that delivery: store one at a time.
        deliveries = []
        for index, action in enumerate(outgoing):
            if isinstance(action, Edit):
                action = outgoing[index] = _after_asks(action, deliveries)
            deliveries += uow.outbox.add([(action, platform_of(action), queue_of(action))], now)
    else:
        deliveries = uow.outbox.add([(a, platform_of(a), queue_of(a)) for a in outgoing], now)
    resolved = [d.action for d in deliveries[: len(resolved)]]
    next_due = uow.due.next_due_at() if uow.due.changed else None
    return Result(tuple(resolved), tuple(deliveries), next_due)


def _with_heads(uow: UnitOfWork, action: Action) -> Action:
    """An outcome or funding message ends with its collective's head hash as this unit of work leaves it
    (``bot.chain.witnessed``)."""
    if "\ue000" not in action.text:
        return action
    return dataclasses.replace(action, text=fill_heads(action.text, uow.chain.head))


def _resolved(uow: UnitOfWork, action: Action, event: Event | None) -> Action:
    if isinstance(action, Edit):
        refs, unsent = uow.outbox.where_asked(action.chat.platform, action.chat.chat_id, action.key)
        return dataclasses.replace(action, refs=tuple(refs), after=tuple(unsent))
    if isinstance(action, Acknowledge) and event is not None:
        return dataclasses.replace(action, to_ref=event.message_ref)
    return action


def _asked_and_edited(actions: list[Action]) -> bool:
    asked = {(a.chat, a.key) for a in actions if isinstance(a, Ask)}
    return any(isinstance(a, Edit) and (a.chat, a.key) in asked for a in actions)


def _after_asks(edit: Edit, stored: list[Delivery]) -> Edit:
    ids = [d.id for d in stored if isinstance(d.action, Ask) and (d.action.chat, d.action.key) == (edit.chat, edit.key)]
    return dataclasses.replace(edit, after=(*edit.after, *ids)) if ids else edit


def unstored(actions: list[Action]) -> Result:
    """A result whose actions could not be stored (the database failed): said once, at once."""
    deliveries = (Delivery(None, platform_of(a), queue_of(a), a, secrets.token_hex(16)) for a in actions)
    return Result(tuple(actions), tuple(deliveries))
