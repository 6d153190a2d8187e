"""A small key-value store for adapters (a Matrix sync token and device id),
in the same database as everything else, so a backup carries it too."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import Session

from storage.engine import read_only
from storage.tables import AdapterStateRow

_state_t = AdapterStateRow.__table__


class AdapterState:
    def __init__(self, engine: Engine, platform: str) -> None:
        self.engine = self._engine = engine
        self._platform = platform

    def get(self, key: str) -> str | None:
        """A plain read: it never waits for the write lock."""
        with read_only(self._engine) as connection:
            found = select(_state_t.c.value).where(_state_t.c.platform == self._platform, _state_t.c.key == key)
            return connection.execute(found).scalar()

    def put(self, key: str, value: str) -> None:
        with Session(self._engine) as session:
            row = session.get(AdapterStateRow, (self._platform, key)) or AdapterStateRow(
                platform=self._platform, key=key
            )
            row.value = value
            session.add(row)
            session.commit()
