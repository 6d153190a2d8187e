"""Online backups of a SQLite database, taken while the bot keeps writing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


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
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # all pages in one step: a single snapshot
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        destination.close()
        source.close()
    return target
