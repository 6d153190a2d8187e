"""Domain records the core works with. Storage maps them to rows; the core
never sees the ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Collective:
    id: int
    created_at: datetime
    principles: str | None = None  # None: the default principles apply


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
