"""The pool's balance over time, one point a UTC day, and the sum of each kind of ledger entry, for the page:
summed in SQL by day and kind (never a row per entry), and remembered between requests.

The ledger is append-only, and a collective's entries are appended one at a time under its lock (their ids
grow in the order they are committed), so what the entries up to one id add up to never changes.
``PoolHistory`` keeps, per collective, the sums up to the newest entry it has read; each request sums only
the entries after it (a range of the ledger's collective index: a few rows, where summing 100,000 entries
takes a tenth of a second). The first request of a collective in a process sums its whole ledger once.
The bot never changes an entry; one changed by hand in the database shows in the chart and the balance only
after the process restarts (catching such edits is ``verify``'s work, not the page's)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from bot.model import CONTRIBUTION, PAYOUT, REVERSAL, TRANSFER_IN, TRANSFER_OUT
from bot.ports import Ledger

# How each kind of ledger entry moves the money the pool holds (reservations and releases only set it aside).
HELD_SIGN = {CONTRIBUTION: 1, TRANSFER_IN: 1, REVERSAL: -1, TRANSFER_OUT: -1, PAYOUT: -1}


@dataclass(frozen=True, slots=True)
class Summed:
    """A collective's ledger up to the entry with id ``through``: the sum of each kind, the time of its first
    entry, and what the pool held at the end of each UTC day with entries (at the day's last entry), oldest
    first."""

    through: int
    totals: dict[str, int]
    since: datetime | None
    days: tuple[tuple[datetime, int], ...]

    def points(self) -> list[tuple[datetime, int]]:
        """The balance over time: nothing before the first entry, then each day's end."""
        return [(self.since, 0), *self.days] if self.since is not None else []

    def and_then(self, daily: list[tuple[int, datetime, datetime, str, int]]) -> Summed:
        """These sums followed by the entries after them, summed by day and kind (``Ledger.daily``)."""
        if not daily:
            return self
        totals, days, through = dict(self.totals), list(self.days), self.through
        since = self.since if self.since is not None else daily[0][1]
        held = days[-1][1] if days else 0
        for last, _, at, kind, total in daily:
            totals[kind] = totals.get(kind, 0) + total
            held += HELD_SIGN.get(kind, 0) * total
            through = max(through, last)
            if days and days[-1][0].date() == at.date():
                days[-1] = (max(days[-1][0], at), held)
            else:
                days.append((at, held))
        return Summed(through, totals, min(since, *(first for _, first, _, _, _ in daily)), tuple(days))


NOTHING = Summed(0, {}, None, ())


class PoolHistory:
    """The sums of the ledgers of the ``keep`` collectives whose pages were read last."""

    def __init__(self, keep: int = 256) -> None:
        self.keep = keep
        self._known: OrderedDict[int, Summed] = OrderedDict()
        self._lock = threading.Lock()  # requests are read in worker threads

    def of(self, ledger: Ledger, collective_id: int) -> Summed:
        with self._lock:
            known = self._known.get(collective_id, NOTHING)
        summed = known.and_then(ledger.daily(collective_id, known.through))
        with self._lock:
            if summed.through >= self._known.get(collective_id, NOTHING).through:
                self._known[collective_id] = summed
            self._known.move_to_end(collective_id)
            while len(self._known) > self.keep:
                self._known.popitem(last=False)
        return summed
