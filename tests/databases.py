"""Databases for tests: real SQLite files copied from a template (one migrated
to head, or one holding a collective built once), so each test, and each
hypothesis example, starts from its own state without migrating again."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.clock import FakeClock
from bot.core import Core
from storage import chain
from storage.engine import make_engine, sqlite_url
from storage.unit_of_work import SqlUnitOfWork


def assert_record_intact(engine: Engine) -> None:
    """Every collective's record agrees with its hash chain: a write path that forgot the chain fails the test
    that took it (run after every core test and every property-test example; a test that tampers with the
    database on purpose is marked ``tampered``)."""
    with engine.connect() as connection:
        for collective_id in chain.collectives(connection):
            verdict = chain.verify(connection, collective_id)
            assert verdict.intact, f"collective {collective_id}: {verdict.words()}"


def copy_database(template: Path, path: Path) -> str:
    """A real SQLite file at ``path`` with the template's content; returns its URL."""
    shutil.copyfile(template, path)
    return sqlite_url(path)


def database_file(engine: Engine) -> Path:
    """The file behind an SQLite engine, its write-ahead log folded in, ready to be a template."""
    engine.dispose()  # the last connection closing checkpoints the log into the file
    path = Path(engine.url.database)
    assert not path.with_name(path.name + "-wal").exists()
    return path


@dataclass
class World:
    """A core on its own database with its own clock."""

    core: Core
    clock: FakeClock
    engine: Engine

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def save(self, path: Path) -> Path:
        """This world's database as it is now, kept at ``path`` as a template for more worlds."""
        shutil.copyfile(database_file(self.engine), path)
        return path


class Worlds:
    """Fresh worlds from a template, one after another in one file under ``folder``. One engine
    serves them all (its connections closed and the file replaced between worlds), so SQLAlchemy
    compiles each statement once per test rather than once per hypothesis example."""

    def __init__(self, folder: Path, template: Path, now: datetime) -> None:
        self._template = template
        self._now = now
        self._path = folder / "world.db"
        engine = make_engine(sqlite_url(self._path))
        clock = FakeClock(now)
        core = Core(lambda: SqlUnitOfWork(engine), clock, reader=lambda: SqlUnitOfWork(engine, read_only=True))
        self._world = World(core, clock, engine)

    @contextlib.contextmanager
    def fresh(self, template: Path | None = None, now: datetime | None = None) -> Iterator[World]:
        world = self._world
        database_file(world.engine)  # no connection left open on the file about to be replaced
        copy_database(template or self._template, self._path)
        world.clock.set(now or self._now)
        try:
            yield world
            assert_record_intact(world.engine)
        finally:
            world.engine.dispose()

    def close(self) -> None:
        self._world.engine.dispose()
