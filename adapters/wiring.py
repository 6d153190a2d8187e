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


def core_for(engine: Engine, clock: Clock, web_base_url: str | None = None) -> Core:
    """``web_base_url``: where the read-only page is served ([web] base_url), for /page and /calendar links."""
    return Core(
        lambda: SqlUnitOfWork(engine),
        clock,
        reader=reader_for(engine),
        web_base_url=web_base_url,
    )


def reader_for(engine: Engine):
    """Read-only units of work: a plain read transaction that never takes the write lock (the web page's)."""
    return lambda: SqlUnitOfWork(engine, read_only=True)


def build_core(storage_url: str, clock: Clock) -> Core:
    return core_for(open_storage(storage_url), clock)
