"""Wires storage and the core together: the one place that knows both."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.clock import Clock
from bot.core import Core
from storage.opening import open_database
from storage.unit_of_work import SqlUnitOfWork


def open_storage(storage_url: str) -> Engine:
    """Open the database and migrate it to the code's schema; a database that
    cannot be used raises DatabaseUnusable, worded for the operator."""
    return open_database(storage_url)


def core_for(engine: Engine, clock: Clock) -> Core:
    return Core(lambda: SqlUnitOfWork(engine), clock, reader=lambda: SqlUnitOfWork(engine, read_only=True))


def build_core(storage_url: str, clock: Clock) -> Core:
    return core_for(open_storage(storage_url), clock)
