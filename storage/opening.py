"""Opening the database for the command line: each way it can fail (no such
directory, a file that is not a database or is damaged, no permission to
write, a lock held too long by another process) said in one line that names
the file and what to do."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from storage import engine as storage_engine
from storage.engine import DatabaseUnusable, make_engine, migrate

RESTORE = 'restore it from a backup (README: "Backup and restore")'


def open_database(url: str) -> Engine:
    """Open the database and migrate it to the code's schema; raises DatabaseUnusable."""
    engine = None
    try:
        engine = make_engine(url)
        migrate(engine)
        with engine.begin() as connection:  # a file SQLite opened read-only migrates fine but fails every command
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
    except DatabaseUnusable as error:  # its own words, with the database named
        engine.dispose()
        raise type(error)(f"{database_name(url)}: {error}") from None
    except (SQLAlchemyError, sqlite3.Error) as error:
        if engine is not None:
            engine.dispose()
        raise DatabaseUnusable(explain(url, error)) from None
    return engine


def database_name(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def explain(url: str, error: Exception) -> str:
    """The driver's reason, then the database and what the operator can do."""
    cause = getattr(error, "orig", None) or error
    reason = _one_line(str(cause))
    if isinstance(cause, sqlite3.Error):
        return f"{reason}: {sqlite_advice(Path(make_url(url).database), cause)}"
    if isinstance(error, OperationalError):
        return f"{reason}; check that PostgreSQL runs there and the url's host, port, user, password and database name"
    return reason


def sqlite_advice(path: Path, error: sqlite3.Error) -> str:
    """What went wrong with the SQLite file at ``path``, and what to do about it."""
    code = getattr(error, "sqlite_errorname", "")  # an extended code such as SQLITE_CANTOPEN_ISDIR
    directory = path.parent
    if path.is_dir():
        return f"{path} is a directory; name a file in it, such as {path / 'collective.db'}"
    if code.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return f"{path} is not a SQLite database, or it is damaged; check the path, or {RESTORE}"
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"{path} stayed locked by another process for {storage_engine.BUSY_TIMEOUT} s; stop the other program "
            "using it (another collective-bot?) and try again"
        )
    if code.startswith("SQLITE_FULL"):
        return f"the disk holding {path} is full; free some space and try again"
    if code.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        if not directory.exists():
            return f"{path}: the directory {directory} does not exist; create it, or choose another path"
        if not directory.is_dir():
            return f"{path}: {directory} is not a directory; choose another path"
        return (
            f"{path}: cannot write there; let the bot's user write to the file and to its directory "
            f"{directory} (SQLite keeps -wal and -shm files beside it), or choose another path"
        )
    return f"{path}; check the file and the disk it is on"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
