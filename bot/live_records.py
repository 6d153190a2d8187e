"""The records of proxies and assemblies, as the core works with them: a proxy gives one member's response
to another for a term (``bot.proxies``); an assembly is a live meeting over the open items (``bot.assembly``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ProxyStatus(StrEnum):
    OFFERED = "offered"  # waiting for the holder's /proxy accept
    ACTIVE = "active"  # in force until ``ends_at``
    DECLINED = "declined"
    LAPSED = "lapsed"  # the offer was not accepted in time
    REVOKED = "revoked"  # by the giver (an offer or a proxy in force)
    EXPIRED = "expired"  # its term ran out
    ENDED = "ended"  # the giver or the holder left the collective


@dataclass(slots=True)
class Proxy:
    """``giver``'s response, given to ``holder`` for ``term_seconds`` from acceptance; on one item
    (``item_id``) or on every round open during the term (None)."""

    id: int | None
    collective_id: int
    giver_id: int
    holder_id: int
    term_seconds: int
    offered_at: datetime
    item_id: int | None = None
    status: ProxyStatus = ProxyStatus.OFFERED
    accepted_at: datetime | None = None
    ends_at: datetime | None = None  # the end of its term, once accepted
    ended_at: datetime | None = None  # when it stopped: declined, lapsed, revoked, expired or ended

    @property
    def pending(self) -> bool:
        return self.status in (ProxyStatus.OFFERED, ProxyStatus.ACTIVE)


@dataclass(slots=True)
class Assembly:
    """A live meeting: its agenda (item ids, in order), the item it is on (``position``), and, once it
    ended, its minutes as they were posted."""

    id: int | None
    collective_id: int
    number: int  # the collective's own numbering: assembly 1, 2, …
    opened_by: int  # a member id
    started_at: datetime
    agenda: list[int] = field(default_factory=list)
    position: int = 0
    ended_at: datetime | None = None
    minutes: str | None = None
