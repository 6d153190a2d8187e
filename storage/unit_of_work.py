"""The SQL unit of work: one transaction, with the repositories the core's
ports (``bot.ports``) ask for.

The repositories speak SQLAlchemy Core on one connection, with statements
built once at import: no identity map to go stale, no per-call statement
building, and each statement compiled once per dialect (SQLAlchemy caches it).
The tables themselves are the SQLModel classes in ``storage.tables``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine

from storage.asks import SqlSentAsks
from storage.decisions import SqlDecisions, SqlItems, SqlResponses, SqlRounds
from storage.due import SqlDueWork
from storage.engine import read_only
from storage.federation import SqlFederations
from storage.outbox import SqlOutbox
from storage.people import SqlCollectives, SqlMembers, SqlSeenMessages, SqlSettings
from storage.pool import SqlLedger, SqlNeeds
from storage.reads import SqlReads
from storage.rotation import SqlRoles


class SqlUnitOfWork:
    """One transaction on one connection; leaving it without commit() rolls back.
    ``read_only``: a plain read transaction that never takes the write lock (see
    ``storage.engine.read_only``), for lookups that change nothing."""

    def __init__(self, engine: Engine, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only

    def __enter__(self) -> SqlUnitOfWork:
        if self._read_only:
            self._reading = read_only(self._engine)
            self.connection = connection = self._reading.__enter__()
        else:
            self._reading = None
            self.connection = connection = self._engine.connect()
        self.reads = SqlReads(connection)
        self.collectives = SqlCollectives(connection)
        self.members = SqlMembers(connection)
        self.settings = SqlSettings(connection)
        self.seen = SqlSeenMessages(connection)
        self.due = SqlDueWork(connection)
        self.items = SqlItems(connection)
        self.rounds = SqlRounds(connection)
        self.responses = SqlResponses(connection)
        self.needs = SqlNeeds(connection)
        self.ledger = SqlLedger(connection)
        self.decisions = SqlDecisions(connection)
        self.roles = SqlRoles(connection)
        self.asks = SqlSentAsks(connection)
        self.outbox = SqlOutbox(connection)
        self.federations = SqlFederations(connection)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._reading is not None:
            self._reading.__exit__(None, None, None)
            return
        self.connection.rollback()
        self.connection.close()

    def commit(self) -> None:
        self.connection.commit()

    def lock_collectives(self, collective_ids: Iterable[int]) -> None:
        """Nothing to take here: every unit of work holds the whole store's write lock (SQLite) or its one
        advisory lock (PostgreSQL) from its start. Per-collective locks take them lowest id first."""

    def rollback(self) -> None:
        self.connection.rollback()
        self.collectives = SqlCollectives(self.connection)  # nothing remembered from the undone work
