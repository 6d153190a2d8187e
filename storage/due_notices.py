"""Several processes on PostgreSQL: each sleeps until the earliest pending due time it knows of, and is woken early
when another process adds earlier work — a ``NOTIFY`` on one channel, sent in the transaction that adds the work
(so it arrives only once that has committed), carrying the due time. The listening side is
``adapters/due_listener.py``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

CHANNEL = "collective_bot_due"

_NOTIFY = text("SELECT pg_notify(:channel, :due_at)")


def tell_due(connection: Connection, due_at: datetime) -> None:
    connection.execute(_NOTIFY, {"channel": CHANNEL, "due_at": due_at.isoformat()})


def read_due(payload: str) -> datetime | None:
    """The due time a notice carries; None for one that is not a due time."""
    try:
        return datetime.fromisoformat(payload)
    except ValueError:
        return None
