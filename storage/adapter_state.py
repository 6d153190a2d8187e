"""A small key-value store for adapters (a Matrix sync token and device id),
in the same database as everything else, so a backup carries it too."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from storage.tables import AdapterStateRow


class AdapterState:
    def __init__(self, engine: Engine, platform: str) -> None:
        self._engine = engine
        self._platform = platform

    def get(self, key: str) -> str | None:
        with Session(self._engine) as session:
            row = session.get(AdapterStateRow, (self._platform, key))
            return row.value if row else None

    def put(self, key: str, value: str) -> None:
        with Session(self._engine) as session:
            row = session.get(AdapterStateRow, (self._platform, key)) or AdapterStateRow(
                platform=self._platform, key=key
            )
            row.value = value
            session.add(row)
            session.commit()
