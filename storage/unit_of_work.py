"""The SQL unit of work: one transaction, with the repositories the core's
ports (``bot.ports``) ask for.

The repositories speak SQLAlchemy Core on one connection, with statements
built once at import: no identity map to go stale, no per-call statement
building, and each statement compiled once per dialect (SQLAlchemy caches it;
on SQLite it then runs straight on the driver, ``storage.direct``).
The tables themselves are the SQLModel classes in ``storage.tables``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine

from storage.asks import SqlSentAsks
from storage.chain import SqlChain
from storage.collective_locks import CollectiveLocks
from storage.decisions import SqlDecisions, SqlItems, SqlResponses, SqlRounds
from storage.direct import DirectConnection
from storage.due import SqlDueWork
from storage.due_notices import tell_due
from storage.engine import read_only
from storage.federation import SqlFederations
from storage.identities import SqlIdentities
from storage.links import SqlLinks
from storage.live import SqlAssemblies, SqlProxies
from storage.outbox import SqlOutbox
from storage.people import SqlCollectives, SqlMembers, SqlSeenMessages, SqlSettings
from storage.pool import SqlLedger, SqlNeeds
from storage.reads import SqlReads
from storage.rotation import SqlRoles
from storage.web_tokens import SqlWebTokens


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
        if connection.dialect.name == "sqlite":
            self.connection = connection = DirectConnection(connection)  # the hot path on the driver
        # On PostgreSQL the lock of each collective it touches, from the statement that first names it to the
        # end of the transaction (``storage.collective_locks``); a read-only one takes none.
        self.locks = locks = CollectiveLocks(connection)
        locks.enabled = locks.enabled and not self._read_only
        self.reads = SqlReads(connection, locks)
        self.collectives = SqlCollectives(connection, locks)
        self.members = SqlMembers(connection, locks)
        self.settings = SqlSettings(connection)
        self.seen = SqlSeenMessages(connection)
        self.due = SqlDueWork(connection, locks)
        self.items = SqlItems(connection)
        self.rounds = SqlRounds(connection)
        self.responses = SqlResponses(connection)
        self.needs = SqlNeeds(connection)
        self.ledger = SqlLedger(connection)
        self.decisions = SqlDecisions(connection)
        self.roles = SqlRoles(connection)
        self.asks = SqlSentAsks(connection)
        self.outbox = SqlOutbox(connection)
        self.links = SqlLinks(connection)
        self.identities = SqlIdentities(connection)
        self.federations = SqlFederations(connection)
        self.tokens = SqlWebTokens(connection)
        self.proxies = SqlProxies(connection)
        self.assemblies = SqlAssemblies(connection)
        # The record's hash chain: every repository that writes a recorded row tells it (storage/chain.py).
        self.chain = chain = SqlChain(connection, locks if locks.enabled else None)
        for repository in (
            self.collectives,
            self.members,
            self.settings,
            self.items,
            self.rounds,
            self.responses,
            self.needs,
            self.ledger,
            self.decisions,
            self.roles,
            self.links,
            self.identities,
            self.federations,
            self.proxies,
            self.assemblies,
        ):
            repository.chain = chain
        return self

    def __exit__(self, *exc: object) -> None:
        if self._reading is not None:
            self._reading.__exit__(None, None, None)
            return
        self.connection.rollback()
        self.connection.close()

    def commit(self) -> None:
        self.chain.flush()  # the entries of what it wrote, in its own transaction
        if self.due.earliest_added is not None and self.locks.enabled:
            # Other processes sleep until their earliest due time: tell them of this (delivered at the commit).
            tell_due(self.connection, self.due.earliest_added)
            self.due.earliest_added = None
        self.connection.commit()
        self.locks.forget()

    def rollback(self) -> None:
        self.connection.rollback()
        self.locks.forget()
        self.chain.forget()
        self.collectives = SqlCollectives(self.connection, self.locks)  # nothing remembered from the undone work
        self.collectives.chain = self.chain

    def lock_collectives(self, collective_ids: Iterable[int]) -> None:
        """Take these collectives' locks now, in the fixed order (a unit of work spanning collectives)."""
        self.locks.lock_all(collective_ids)
