"""Opening the database: SQLite in WAL mode with immediate transactions, and
migrating it to the code's schema (refusing one newer than the code)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.exc import ArgumentError

MIGRATIONS = Path(__file__).parent / "migrations"


BUSY_TIMEOUT = 30  # seconds SQLite waits for another process's write lock before giving up


class DatabaseUnusable(RuntimeError):
    """The database cannot be used as it is; worded for the operator in one line."""


class DatabaseTooNew(DatabaseUnusable):
    """The database was migrated by a newer collective-bot than this one."""


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


# Set while a read-only transaction begins: it takes no write lock (SQLite) and no advisory lock (PostgreSQL).
_READING: ContextVar[bool] = ContextVar("reading", default=False)


@contextlib.contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    """A connection in a plain read transaction: on SQLite a deferred ``BEGIN`` (a snapshot of the
    write-ahead log, which never waits for a writer nor holds one up); on PostgreSQL without any
    advisory lock. Leaving it rolls back."""
    with engine.connect() as connection:
        token = _READING.set(True)
        try:
            connection.begin()
        finally:
            _READING.reset(token)
        yield connection


# Set while a write transaction begins whose commit need not wait for the disk (see ``unhurried``).
_UNHURRIED: ContextVar[bool] = ContextVar("unhurried", default=False)


@contextlib.contextmanager
def unhurried() -> Iterator[None]:
    """Write transactions begun inside commit without waiting for the disk (on SQLite: into the write-ahead
    log, which survives the process being killed but not a power cut until the log is synced): for bookkeeping
    whose loss in a power cut only repeats work — an answer marked sent is then sent again (Telegram: at least
    once; Matrix: once, its homeserver knows the transaction id). The next unit of work's commit, which waits
    for the disk, syncs the whole log and takes these with it."""
    token = _UNHURRIED.set(True)
    try:
        yield
    finally:
        _UNHURRIED.reset(token)


class ImmediateSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite, with every transaction begun by ``BEGIN IMMEDIATE``: the write
    lock is taken at the start of every unit of work, so two of them never both
    read and then both fail to upgrade to writing. (A dialect rather than a
    "begin" event: any connection event makes SQLAlchemy dispatch events around
    every statement, which cost a tenth of each command.) A read-only
    transaction (``read_only``) begins deferred."""

    supports_statement_cache = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Writers of this process queue here for the write lock rather than in SQLite's busy handler, which
        # sleeps a millisecond or more between tries: one unit of work starts the moment the last commits.
        self._write_gate = threading.Lock()
        self._writing: set[int] = set()  # the connections holding the gate
        self._unhurried: set[int] = set()  # those whose commit does not wait for the disk

    def do_begin(self, dbapi_connection) -> None:
        if _READING.get():
            dbapi_connection.execute("BEGIN")
            return
        if not self._write_gate.acquire(timeout=BUSY_TIMEOUT):
            raise sqlite3.OperationalError(f"database is locked (by this process, for over {BUSY_TIMEOUT} s)")
        try:
            if _UNHURRIED.get():
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")  # this transaction's commit only
                self._unhurried.add(id(dbapi_connection))
            self._writing.add(id(dbapi_connection))
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._leave_gate(dbapi_connection)
            raise

    def do_commit(self, dbapi_connection) -> None:
        try:
            super().do_commit(dbapi_connection)
        finally:
            self._leave_gate(dbapi_connection)

    def do_rollback(self, dbapi_connection) -> None:
        try:
            super().do_rollback(dbapi_connection)
        finally:
            self._leave_gate(dbapi_connection)

    def do_close(self, dbapi_connection) -> None:
        try:
            super().do_close(dbapi_connection)
        finally:
            self._leave_gate(dbapi_connection)

    def _leave_gate(self, dbapi_connection) -> None:
        key = id(dbapi_connection)
        if key in self._unhurried:
            self._unhurried.discard(key)
            with contextlib.suppress(sqlite3.Error):  # (a closed connection needs no reset)
                dbapi_connection.execute("PRAGMA synchronous=FULL")
        if key in self._writing:
            self._writing.discard(key)
            self._write_gate.release()


registry.register("sqlite.immediate", __name__, "ImmediateSQLiteDialect")

UNIT_OF_WORK_LOCK = 0x636F6C6C  # "coll": the one advisory lock of every unit of work in the global-lock design

# Wait for a lock as long as SQLite waits for its write lock, then fail, not hang.
_POSTGRES_OPTIONS = f"-c lock_timeout={BUSY_TIMEOUT}s"


class SerializedPostgresDialect(PGDialect_psycopg):
    """psycopg, with every transaction holding one advisory lock from its start to its end: units of work run
    one at a time, as on SQLite. The design before per-collective locks (``storage.collective_locks``), kept
    to measure against (``bench/scaleout.py``, ``make_engine(url, global_lock=True)``): collectives wait on
    each other."""

    supports_statement_cache = True

    def do_begin(self, dbapi_connection) -> None:
        if _READING.get():
            return  # a read: psycopg begins the transaction itself, with no lock
        dbapi_connection.execute("SELECT pg_advisory_xact_lock(%s)", (UNIT_OF_WORK_LOCK,))


registry.register("postgresql.serialized", __name__, "SerializedPostgresDialect")


def make_engine(url: str, *, global_lock: bool = False) -> Engine:
    """On PostgreSQL each unit of work locks the collectives it touches (``storage.collective_locks``);
    ``global_lock``: every unit of work holds one lock instead (the earlier design, for comparison)."""
    if url.startswith("sqlite"):
        immediate = make_url(url).set(drivername="sqlite+immediate")
        engine = create_engine(immediate, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT})
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    if url.startswith("postgresql"):
        parsed = make_url(url)
        if parsed.drivername not in ("postgresql", "postgresql+psycopg"):
            raise ArgumentError(f"{parsed.drivername}: PostgreSQL is used through psycopg 3, postgresql+psycopg://")
        driver = "postgresql+serialized" if global_lock else "postgresql+psycopg"
        return create_engine(
            parsed.set(drivername=driver), pool_pre_ping=True, connect_args={"options": _POSTGRES_OPTIONS}
        )
    return create_engine(url, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Let the dialect issue BEGIN itself (see above), and make every
    # connection use the write-ahead log and enforce foreign keys.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
    cursor.close()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> str:
    """Bring the database to the newest schema; returns the revision it is at."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None:
            try:
                script.get_revision(current)
            except CommandError:
                raise DatabaseTooNew(
                    f"This database is at schema revision {current}, which this version of collective-bot "
                    "does not know: it was written by a newer version. Run that newer version, or restore "
                    "a backup made before the upgrade."
                ) from None
        else:
            _refuse_another_programs_tables(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return script.get_current_head()


def _refuse_another_programs_tables(connection) -> None:
    """A database with tables but no migration history belongs to another program:
    the migrations must not add the bot's tables to it (a --db pointed at the wrong file)."""
    tables = sorted(inspect(connection).get_table_names())
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise DatabaseUnusable(
            f"it holds another program's tables ({shown}) and none of collective-bot's: "
            "point the bot at its own database, or at a new file"
        )
