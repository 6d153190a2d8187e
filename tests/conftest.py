import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.core import Core
from storage.engine import make_engine, migrate, sqlite_url
from storage.unit_of_work import SqlUnitOfWork
from tests.transcript import Transcript

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


@pytest.fixture
def db_url(tmp_path):
    return sqlite_url(tmp_path / "collective.db")


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One SQLite file migrated to head, made once per session; each test's database is a copy of it."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    template = make_engine(sqlite_url(path))
    migrate(template)
    template.dispose()  # the last connection closing checkpoints the write-ahead log into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


def fresh_sqlite(template: Path, path: Path) -> str:
    """A real SQLite file at ``path``, at head: a copy of the migrated template, cheaper than migrating."""
    shutil.copyfile(template, path)
    return sqlite_url(path)


@pytest.fixture
def engine(db_url, migrated_sqlite):
    if db_url.startswith("sqlite"):
        engine = make_engine(fresh_sqlite(migrated_sqlite, Path(db_url.removeprefix("sqlite:///"))))
    else:  # another store brings its own migrated template (tests/postgres)
        engine = make_engine(db_url)
        migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def unit_of_work(engine):
    return lambda: SqlUnitOfWork(engine)


@pytest.fixture
def core(unit_of_work, engine, clock):
    return Core(unit_of_work, clock, reader=lambda: SqlUnitOfWork(engine, read_only=True))


@pytest.fixture
def chat(core, clock):
    return Transcript(core, clock)
