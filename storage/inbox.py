"""The inbox: platform updates taken in but not yet handled, kept so they can be confirmed to the platform before
they are handled (``adapters/telegram/polling.py``). An update is held in one transaction with the others of its
batch, which waits for the disk (once confirmed, this is its only copy); a handled one is let go in a transaction
that need not (should it be lost, the update is handled again after a restart, and the core, which remembers every
message it applied, applies it once)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, Table, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.engine import read_only, unhurried
from storage.tables import InboxRow

inbox_t: Table = InboxRow.__table__


class InboxStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._hold = insert(inbox_t).on_conflict_do_nothing(index_elements=["platform", "number"])

    def hold(self, platform: str, updates: Iterable[tuple[int, str]], now: datetime) -> None:
        """Keep updates (number, payload as JSON) until they are let go; one already kept stays as it is."""
        rows = [
            {"platform": platform, "number": number, "payload": payload, "held_at": now} for number, payload in updates
        ]
        if not rows:
            return
        with self._engine.connect() as connection:
            connection.execute(self._hold, rows)
            connection.commit()

    def held(self, platform: str) -> list[tuple[int, str]]:
        """What a platform's updates are held, in their order."""
        with read_only(self._engine) as connection:
            rows = connection.execute(
                select(inbox_t.c.number, inbox_t.c.payload)
                .where(inbox_t.c.platform == platform)
                .order_by(inbox_t.c.number)
            ).all()
        return [(number, payload) for number, payload in rows]

    def let_go(self, platform: str, numbers: Iterable[int]) -> None:
        """Forget updates that were handled."""
        numbers = sorted(numbers)
        if not numbers:
            return
        with unhurried(), self._engine.connect() as connection:
            connection.execute(delete(inbox_t).where(inbox_t.c.platform == platform, inbox_t.c.number.in_(numbers)))
            connection.commit()
