"""Due work: rows with a due time and a status, claimed once."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, select, update

from bot.model import (
    CANCELLED,
    DONE,
    FAILED,
    PENDING,
    DueWork,
)
from storage.fields import Persisted, json_text
from storage.sql import (
    _by,
    _Repository,
    due_t,
)

DUE_WORK = Persisted(DueWork, due_t, stored={"data": json_text("data")})

# --- due work -------------------------------------------------------------

_DUE_WORK = _by(due_t, "id")
_DUE = (
    select(due_t)
    .where(due_t.c.status == PENDING, due_t.c.due_at <= bindparam("now"))
    .order_by(due_t.c.due_at, due_t.c.id)
    .limit(bindparam("limit"))
)
_DUE_MOVE = (
    update(due_t)
    .where(due_t.c.id == bindparam("key_id"), due_t.c.status == bindparam("old"))
    .values(status=bindparam("new"), fired_at=bindparam("now"))
)
_DUE_CANCEL = (
    update(due_t)
    .where(
        due_t.c.collective_id == bindparam("key_collective_id"),
        due_t.c.kind == bindparam("key_kind"),
        due_t.c.subject_id.is_not_distinct_from(bindparam("key_subject_id")),  # None: IS NULL
        due_t.c.status == PENDING,
    )
    .values(status=CANCELLED)
)
# PostgreSQL: a pending row not being fired by another process right now (whose collective is then locked).
_PENDING_UNLOCKED = (
    select(due_t.c.collective_id)
    .where(due_t.c.id == bindparam("id"), due_t.c.status == PENDING)
    .with_for_update(skip_locked=True)
)
_COLLECTIVE_OF = select(due_t.c.collective_id).where(due_t.c.id == bindparam("id"))
_NEXT_DUE = select(due_t.c.due_at).where(due_t.c.status == PENDING).order_by(due_t.c.due_at).limit(1)


class SqlDueWork(_Repository):
    changed = False  # set once this unit of work added, claimed, retried or cancelled due work
    earliest_added: datetime | None = None  # the earliest due time this unit of work added (told at commit)

    def add(self, work: DueWork) -> DueWork:
        self.changed = True
        self._added(work.due_at)
        work.id = self._insert(due_t, DUE_WORK.values(work))
        return work

    def _added(self, due_at: datetime) -> None:
        if self.earliest_added is None or due_at < self.earliest_added:
            self.earliest_added = due_at

    def get(self, work_id: int) -> DueWork:
        return _due(self.connection.execute(_DUE_WORK, {"id": work_id}).one())

    def due(self, now: datetime, limit: int) -> list[DueWork]:
        return [_due(row) for row in self._all(_DUE, now=now, limit=limit)]

    def claim(self, work_id: int, now: datetime, wait: bool = True) -> bool | None:
        """Mark pending work done, holding its collective's lock (PostgreSQL); False when it was no longer
        pending. On PostgreSQL a row another process is firing is skipped at once (``FOR UPDATE SKIP LOCKED``)
        rather than waited for; with ``wait=False`` a row whose collective is busy (an event, say) is left for
        later too: None, and the unit of work must be rolled back (it holds the row's lock)."""
        self.changed = True
        if self.locks.enabled:
            taken = self._take(work_id, wait)
            if taken is not True:
                return taken
        result = self.connection.execute(_DUE_MOVE, {"key_id": work_id, "old": PENDING, "new": DONE, "now": now})
        return result.rowcount == 1

    def _take(self, work_id: int, wait: bool) -> bool | None:
        """Lock the row and its collective. Never waits for one lock while holding the other: with ``wait``,
        the collective first (waited for), then the row (skipped when locked); without, the row first
        (skipped when locked), then the collective only if it is free at once (None when not)."""
        if wait:
            collective_id = self.connection.execute(_COLLECTIVE_OF, {"id": work_id}).scalar()
            if collective_id is None:
                return False
            self.locks.lock(collective_id)
            return self.connection.execute(_PENDING_UNLOCKED, {"id": work_id}).first() is not None
        row = self.connection.execute(_PENDING_UNLOCKED, {"id": work_id}).first()
        if row is None:
            return False
        return True if self.locks.try_lock(row.collective_id) else None

    def fail(self, work_id: int, now: datetime, note: str) -> None:
        self.connection.execute(
            update(due_t).where(due_t.c.id == work_id).values(status=FAILED, fired_at=now, note=note)
        )

    def retry(self, work_id: int, due_at: datetime, attempts: int, note: str) -> None:
        self.changed = True
        self._added(due_at)
        data = dict(self.get(work_id).data)
        data["attempts"] = attempts
        self.connection.execute(
            update(due_t)
            .where(due_t.c.id == work_id)
            .values(status=PENDING, due_at=due_at, data=json.dumps(data), note=note)
        )

    def cancel(self, collective_id: int, kind: str, subject_id: int | None) -> int:
        self.changed = True
        params = {"key_collective_id": collective_id, "key_kind": kind, "key_subject_id": subject_id}
        return self.connection.execute(_DUE_CANCEL, params).rowcount

    def next_due_at(self) -> datetime | None:
        return self.connection.execute(_NEXT_DUE).scalar()


_due = DUE_WORK.record
