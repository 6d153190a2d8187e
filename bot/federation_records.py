"""The records of a federation, as the core works with them: the federation (its rule), the codes that
invite another collective, joint items with each member collective's ballot, and aid requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FederationRule(StrEnum):
    """How a joint item's outcome follows from the member collectives' ballots."""

    UNANIMOUS = "unanimous"  # adopted when every collective that votes adopted it
    MAJORITY = "majority"  # adopted when more than half of the collectives that vote adopted it


@dataclass(slots=True)
class Federation:
    id: int | None
    created_at: datetime
    rule: FederationRule = FederationRule.UNANIMOUS


@dataclass(slots=True)
class Invitation:
    """A code a collective's adopted ``/federate`` gave; ``/federate CODE`` in another collective redeems it."""

    code: str
    collective_id: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None  # the collective that joined with it


class Ballot(StrEnum):
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"
    LEFT = "left"  # its collective left the federation while the joint item was open: it no longer counts


@dataclass(slots=True)
class JointItem:
    """One item opened in every member collective at once; ``data`` says what adoption does (a rule change)."""

    id: int | None
    federation_id: int
    title: str
    opened_at: datetime
    closes_at: datetime
    rule: FederationRule  # the rule that decides it, fixed when it opened
    status: str = "open"  # open, adopted, not_adopted
    decided_at: datetime | None = None
    data: dict = field(default_factory=dict)


@dataclass(slots=True)
class JointBallot:
    """A member collective's part in a joint item: its own item there, and its ballot once decided."""

    joint_id: int
    collective_id: int
    item_id: int
    ballot: Ballot | None = None


@dataclass(slots=True)
class AidRequest:
    """A need one collective put to its federation; ``funded_by`` is the collective that transferred it."""

    id: int | None
    federation_id: int
    collective_id: int
    item_id: int  # the need, in the asking collective
    amount: int
    currency: str
    created_at: datetime
    status: str = "open"  # open, funded, closed (the need was funded or ended otherwise)
    funded_by: int | None = None
