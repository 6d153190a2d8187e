from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.core import Core
from storage.engine import make_engine, migrate, sqlite_url
from storage.unit_of_work import SqlUnitOfWork
from tests.databases import Worlds, copy_database, database_file
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
    template = make_engine(sqlite_url(tmp_path_factory.mktemp("template") / "migrated.db"))
    migrate(template)
    return database_file(template)


@pytest.fixture
def engine(db_url, migrated_sqlite):
    if db_url.startswith("sqlite"):
        engine = make_engine(copy_database(migrated_sqlite, Path(db_url.removeprefix("sqlite:///"))))
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


@pytest.fixture
def worlds(tmp_path, migrated_sqlite):
    """For property tests: ``with worlds.fresh() as world`` gives each hypothesis example its own
    database and clock, so no example sees what an earlier one left behind."""
    worlds = Worlds(tmp_path, migrated_sqlite, START)
    yield worlds
    worlds.close()
