"""Wires storage and the core together: the one place that knows both."""

from __future__ import annotations

from bot.clock import Clock
from bot.core import Core
from storage.engine import make_engine, migrate
from storage.unit_of_work import SqlUnitOfWork


def build_core(storage_url: str, clock: Clock) -> Core:
    """Open (and migrate) the database and return a core that uses it."""
    engine = make_engine(storage_url)
    migrate(engine)
    return Core(lambda: SqlUnitOfWork(engine), clock)
