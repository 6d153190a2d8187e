"""Domain records the core works with. Storage maps them to rows; the core
never sees the ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType


@dataclass(slots=True)
class Collective:
    id: int
    created_at: datetime
    principles: str | None = None  # None: the default principles apply
    assembly_id: int | None = None  # the assembly meeting now, if one is (bot.assembly)


@dataclass(slots=True)
class Member:
    """A person's membership of one collective. A person is (platform, user_id)."""

    id: int | None
    collective_id: int
    platform: str
    user_id: str
    display_name: str
    joined_at: datetime
    active: bool = True
    away_until: datetime | None = None
    left_at: datetime | None = None
    twin: bool = False  # another member's name looks the same: shown with the user id (bot.record)
    merged_into: int | None = None  # made one with another membership of the same person (bot.identities)

    def is_away(self, now: datetime) -> bool:
        return self.away_until is not None and self.away_until > now


PENDING, DONE, CANCELLED, FAILED = "pending", "done", "cancelled", "failed"


@dataclass(slots=True)
class DueWork:
    """Something that must happen at a time: a deadline, a reminder, a handover.

    ``kind`` selects the handler; ``subject_id`` names what it is about (a
    member, a round, a role). Firing claims the row (pending → done) in the
    same transaction as the work, so it happens once.
    """

    id: int | None
    collective_id: int
    kind: str
    subject_id: int | None
    due_at: datetime
    status: str = PENDING
    fired_at: datetime | None = None
    data: dict = field(default_factory=dict)
    note: str | None = None  # why it failed, with the logged reference


class ItemKind(StrEnum):
    """Proposals and needs share one number sequence per collective."""

    PROPOSAL = "proposal"
    NEED = "need"


# What an item is about: the name of its kind, stored as text. Each kind declares its own (``bot.kinds``:
# ``class SettingProposal(Kind, topic="setting")``), so a new kind is one class, in one place.
Topic = NewType("Topic", str)


class Status(StrEnum):
    """An item's status: open while decided (or, for help, while asking), then how it ended."""

    OPEN = "open"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    WITHDRAWN = "withdrawn"
    MET = "done"  # help that is not money, met
    LAPSED = "lapsed"  # adopted, then not adopted again when it came up for review (bot.review)


OPEN, ADOPTED, NOT_ADOPTED, WITHDRAWN = Status.OPEN, Status.ADOPTED, Status.NOT_ADOPTED, Status.WITHDRAWN


@dataclass(slots=True)
class Item:
    """A proposal or a need: ``#number`` in its collective. ``topic`` says which kind of item it is
    (``bot.kinds``); ``data`` holds what its kind needs (a setting's key and value, a candidate, …)."""

    id: int | None
    collective_id: int
    number: int
    kind: ItemKind
    topic: Topic
    author_id: int | None
    title: str
    body: str
    created_at: datetime
    status: Status = Status.OPEN
    decided_at: datetime | None = None
    data: dict = field(default_factory=dict)
    author_name: str | None = field(default=None, compare=False)  # the author's name as loaded; not stored
    author_twin: bool = field(default=False, compare=False)  # whether it looks like another's; not stored
    # Where it was raised: the group chat and its topic or thread; None for the thread when raised in the
    # main chat, and all None when raised by direct message (a private need). Its messages go there.
    raised_platform: str | None = None
    raised_chat: str | None = None
    raised_thread: str | None = None


# Round statuses: open, closed (with an outcome), amended (replaced by a new
# round), withdrawn (the author withdrew the item while it was open).
ROUND_OPEN, ROUND_CLOSED, ROUND_AMENDED, ROUND_WITHDRAWN = "open", "closed", "amended", "withdrawn"


@dataclass(slots=True)
class Round:
    """One period of responses on one text of a proposal."""

    id: int | None
    item_id: int
    number: int
    title: str
    body: str
    opened_at: datetime
    closes_at: datetime
    status: str = ROUND_OPEN
    closed_at: datetime | None = None
    mode: str = "full"  # full: a consensus round; silent: approved unless someone objects
    terms: dict = field(default_factory=dict)  # decision settings frozen when the round opened
    rule: str | None = None  # the rule that decided it, set at close
    adopted: bool | None = None
    outcome: str | None = None  # the outcome message, as announced
    extensions: int = 0  # how often its deadline was extended


AGREE, STAND_ASIDE, OBJECT, BLOCK = "agree", "standaside", "object", "block"
RESPONSE_KINDS = (AGREE, STAND_ASIDE, OBJECT, BLOCK)


@dataclass(slots=True)
class Response:
    round_id: int
    member_id: int
    kind: str
    reason: str
    at: datetime
    by_proxy: int | None = None  # the member who gave it for ``member_id`` as their proxy (bot.proxies)


class Stage(StrEnum):
    """Where a need stands: deciding (a round is open), queued (approved, waiting for funds), funded
    (reserved from the pool), paid (handed out), rejected, withdrawn, and for help that is not money:
    asking, done."""

    DECIDING = "deciding"
    QUEUED = "queued"
    FUNDED = "funded"
    PAID = "paid"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ASKING = "asking"
    MET = "done"


DECIDING, QUEUED, FUNDED, PAID, REJECTED, ASKING, MET = (
    Stage.DECIDING,
    Stage.QUEUED,
    Stage.FUNDED,
    Stage.PAID,
    Stage.REJECTED,
    Stage.ASKING,
    Stage.MET,
)


@dataclass(slots=True)
class Need:
    """The need-specific part of an item: ``amount`` is None for help that is
    not money. A private need's requester is never shown in the group."""

    item_id: int
    amount: int | None
    category: str
    private: bool
    stage: Stage
    approved_at: datetime | None = None


CONTRIBUTION, RESERVATION, RELEASE, PAYOUT = "contribution", "reservation", "release", "payout"
REVERSAL = "reversal"  # undoes a mistaken entry (a contribution), by an adopted proposal
# Mutual aid between collectives of a federation (bot.aid): what left one pool arrived in the other.
TRANSFER_OUT, TRANSFER_IN = "transfer_out", "transfer_in"


@dataclass(slots=True)
class LedgerEntry:
    """One line of the append-only ledger. Amounts are positive minor units;
    balances are derived from the entries, never stored."""

    id: int | None
    collective_id: int
    kind: str
    amount: int
    at: datetime
    member_id: int | None = None
    item_id: int | None = None
    note: str = ""
    number: int | None = None  # the collective's own numbering, given when appended
    reverses: int | None = None  # a reversal: the id of the entry it undoes


# What /decisions records: each round's end and each need's end.
VERDICTS = (
    "adopted",
    "not_adopted",
    "approved",
    "not_approved",
    "amended",
    "withdrawn",
    "paid",
    "met",
    "kept",  # re-adopted when it came up for review
    "lapsed",  # not re-adopted when it came up for review
)


@dataclass(slots=True)
class Decision:
    """One line of the log of outcomes: appended when it happens, never changed."""

    collective_id: int
    item_id: int
    verdict: str
    title: str
    at: datetime
    round_number: int | None = None
    rule: str | None = None


@dataclass(slots=True)
class Offer:
    item_id: int
    member_id: int
    note: str
    at: datetime


FACILITATOR, TREASURER, DELEGATE = "facilitator", "treasurer", "delegate"
KNOWN_ROLES = (FACILITATOR, TREASURER, DELEGATE)


@dataclass(slots=True)
class Role:
    """A rotating role. Facilitator, treasurer and delegate carry powers for
    the term; any other name is a chore."""

    id: int | None
    collective_id: int
    name: str
    every: timedelta
    weekday: int | None
    at: tuple[int, int] | None
    created_at: datetime
    holder_id: int | None = None
    term_started_at: datetime | None = None
    next_handover_at: datetime | None = None
    vacancy_announced: bool = False
    retired_at: datetime | None = None  # a role removed (its proposal lapsed on review): kept for the record


@dataclass(slots=True)
class Turn:
    role_id: int
    member_id: int
    started_at: datetime
    ended_at: datetime | None = None


SWAP_PENDING, SWAP_ACCEPTED, SWAP_DECLINED, SWAP_EXPIRED = "pending", "accepted", "declined", "expired"


@dataclass(slots=True)
class Swap:
    id: int | None
    role_id: int
    from_member_id: int
    to_member_id: int
    requested_at: datetime
    status: str = SWAP_PENDING
