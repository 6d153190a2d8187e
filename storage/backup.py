"""Online backups of a SQLite database, taken while the bot keeps writing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.engine import BUSY_TIMEOUT
from storage.opening import sqlite_advice


class BackupError(Exception):
    """Said to the operator in one line."""


def sqlite_path(storage_url: str) -> Path:
    url = make_url(storage_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            f"backup copies SQLite databases; {url.render_as_string(hide_password=True)} is not one "
            "(for PostgreSQL use pg_dump)"
        )
    return Path(url.database)


def backup(storage_url: str, target: str | Path) -> Path:
    """Copy the database to ``target`` with SQLite's online backup API: one
    consistent snapshot, while other connections go on writing."""
    source_path = sqlite_path(storage_url)
    target = Path(target)
    if not source_path.exists():
        raise BackupError(f"{source_path}: no such database")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    source = destination = None
    reading = True
    try:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # not a database, or damaged: say so now
        reading = False
        destination = sqlite3.connect(target)
        source.backup(destination)  # all pages in one step: a single snapshot
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as error:
        if destination is not None:
            destination.close()
            target.unlink(missing_ok=True)  # no half-written backup left to be trusted later
        reading = reading or error.sqlite_errorname.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT", "SQLITE_BUSY"))
        culprit = source_path if reading else target
        raise BackupError(f"cannot back up: {error}: {sqlite_advice(culprit, error)}") from None
    finally:
        for connection in (destination, source):
            if connection is not None:
                connection.close()
    return target
