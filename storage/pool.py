"""Needs, offers and the append-only ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from bot.model import (
    PAYOUT,
    RELEASE,
    RESERVATION,
    LedgerEntry,
    Need,
    Offer,
)
from bot.ports import NeedInStage
from storage.decisions import _ITEMS, _item
from storage.fields import Persisted
from storage.sql import (
    _by,
    _Repository,
    _update_by,
    item_t,
    ledger_t,
    need_t,
    offer_t,
)

NEED = Persisted(Need, need_t)
OFFER = Persisted(Offer, offer_t)
LEDGER_ENTRY = Persisted(LedgerEntry, ledger_t)

# --- needs and the ledger -------------------------------------------------

_NEED = _by(need_t, "item_id")
_NEED_UPDATE = _update_by(need_t, "item_id")
_NEED_MOVE = (
    update(need_t)
    .where(need_t.c.item_id == bindparam("key_item_id"), need_t.c.stage == bindparam("old"))
    .values(stage=bindparam("new"))
)
_NEEDS_IN_STAGE = (
    _ITEMS.add_columns(*(need_t.c[name].label(f"need__{name}") for name in NEED.columns))
    .join(need_t, need_t.c.item_id == item_t.c.id)
    .where(item_t.c.collective_id == bindparam("collective_id"), need_t.c.stage == bindparam("stage"))
    .order_by(item_t.c.created_at, item_t.c.number)
)
_OFFERS = _by(offer_t, "item_id").order_by(offer_t.c.at)


class SqlNeeds(_Repository):
    def add(self, need: Need) -> None:
        self._insert(need_t, _need_values(need))
        self._touch("need", item_id=need.item_id)

    def get(self, item_id: int) -> Need:
        return _need(self.connection.execute(_NEED, {"item_id": item_id}).one())

    def save(self, need: Need) -> None:
        self.connection.execute(_NEED_UPDATE, {**_need_values(need), "key_item_id": need.item_id})
        self._touch("need", item_id=need.item_id)

    def move(self, item_id: int, old_stage: str, new_stage: str) -> bool:
        params = {"key_item_id": item_id, "old": old_stage, "new": new_stage}
        self._touch("need", item_id=item_id)
        return self.connection.execute(_NEED_MOVE, params).rowcount == 1

    def in_stage(self, collective_id: int, stage: str) -> list[NeedInStage]:
        rows = self._all(_NEEDS_IN_STAGE, collective_id=collective_id, stage=stage)
        return [NeedInStage(_item(row), _need(row, "need__")) for row in rows]

    def add_offer(self, offer: Offer) -> None:
        self._upsert(offer_t, OFFER.values(offer), ("item_id", "member_id"))
        self._touch("offer", item_id=offer.item_id, member_id=offer.member_id)

    def offers(self, item_id: int) -> list[Offer]:
        return [OFFER.record(row) for row in self._all(_OFFERS, item_id=item_id)]


_need_values = NEED.values
_need = NEED.record


_LEDGER_TOTALS = (
    select(ledger_t.c.kind, func.sum(ledger_t.c.amount))
    .where(ledger_t.c.collective_id == bindparam("collective_id"))
    .group_by(ledger_t.c.kind)
)
_LEDGER_FOR_ITEM = (
    select(ledger_t.c.kind, func.sum(ledger_t.c.amount))
    .where(ledger_t.c.item_id == bindparam("item_id"))
    .group_by(ledger_t.c.kind)
)
_LEDGER_RECENT = _by(ledger_t, "collective_id").order_by(ledger_t.c.id.desc()).limit(bindparam("limit"))
_LEDGER_NUMBERED = _by(ledger_t, "collective_id", "number")
_DAY = func.date(ledger_t.c.at)  # the UTC day (times are kept in UTC)
# (collective_id, id > after): a range of the collective_id index, which ends in the row id on SQLite
_LEDGER_DAILY = (
    select(
        func.max(ledger_t.c.id),
        func.min(ledger_t.c.at),
        func.max(ledger_t.c.at),
        ledger_t.c.kind,
        func.sum(ledger_t.c.amount),
    )
    .where(ledger_t.c.collective_id == bindparam("collective_id"), ledger_t.c.id > bindparam("after"))
    .group_by(_DAY, ledger_t.c.kind)
    .order_by(_DAY, func.max(ledger_t.c.id))
)
_LEDGER_ENTRY = _by(ledger_t, "id")
_LEDGER_REVERSAL = _by(ledger_t, "reverses")
_LEDGER_LAST_NUMBER = select(func.coalesce(func.max(ledger_t.c.number), 0)).where(
    ledger_t.c.collective_id == bindparam("collective_id")
)


class SqlLedger(_Repository):
    def append(self, entry: LedgerEntry) -> LedgerEntry:
        last = self.connection.execute(_LEDGER_LAST_NUMBER, {"collective_id": entry.collective_id}).scalar()
        entry.number = last + 1  # taken under the unit of work's write lock
        entry.id = self._insert(ledger_t, LEDGER_ENTRY.values(entry))
        self._touch("ledger", id=entry.id)
        return entry

    def numbered(self, collective_id: int, number: int) -> LedgerEntry | None:
        row = self._first(_LEDGER_NUMBERED, collective_id=collective_id, number=number)
        return _ledger_entry(row) if row else None

    def get(self, entry_id: int) -> LedgerEntry:
        return _ledger_entry(self.connection.execute(_LEDGER_ENTRY, {"id": entry_id}).one())

    def reversal_of(self, entry_id: int) -> LedgerEntry | None:
        row = self._first(_LEDGER_REVERSAL, reverses=entry_id)
        return _ledger_entry(row) if row else None

    def totals(self, collective_id: int) -> dict[str, int]:
        return {kind: int(total) for kind, total in self._all(_LEDGER_TOTALS, collective_id=collective_id)}

    def reserved_for(self, item_id: int) -> int:
        totals = {kind: int(total) for kind, total in self._all(_LEDGER_FOR_ITEM, item_id=item_id)}
        return totals.get(RESERVATION, 0) - totals.get(RELEASE, 0) - totals.get(PAYOUT, 0)

    def funded_for(self, item_id: int) -> int:
        """What was reserved for a need and not released: paid out or still reserved."""
        totals = {kind: int(total) for kind, total in self._all(_LEDGER_FOR_ITEM, item_id=item_id)}
        return totals.get(RESERVATION, 0) - totals.get(RELEASE, 0)

    def daily(self, collective_id: int, after: int = 0) -> list[tuple[int, datetime, datetime, str, int]]:
        rows = self._all(_LEDGER_DAILY, collective_id=collective_id, after=after)
        return [(last, first_at, last_at, kind, int(total)) for last, first_at, last_at, kind, total in rows]

    def recent(self, collective_id: int, limit: int) -> list[LedgerEntry]:
        return [_ledger_entry(row) for row in self._all(_LEDGER_RECENT, collective_id=collective_id, limit=limit)]


_ledger_entry = LEDGER_ENTRY.record
