import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.core import Core
from storage.engine import make_engine, migrate, sqlite_url
from storage.unit_of_work import SqlUnitOfWork
from tests.databases import Worlds, assert_record_intact, copy_database, database_file
from tests.postgres.cluster import Cluster, missing
from tests.transcript import Transcript

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked ``stores`` runs on each store the bot is built for: SQLite, then PostgreSQL."""
    if metafunc.definition.get_closest_marker("stores") and "db_url" in metafunc.fixturenames:
        postgresql = pytest.param("postgresql", marks=pytest.mark.postgresql)
        metafunc.parametrize("store", ["sqlite", postgresql], indirect=True)


@pytest.fixture
def store(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_url(store, tmp_path, request):
    if store == "postgresql":
        return request.getfixturevalue("postgresql_url")
    return sqlite_url(tmp_path / "collective.db")


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster with a database ``head`` migrated once, the template of each test's."""
    reason = missing()
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    running = Cluster().start()
    try:
        running.execute("CREATE DATABASE head")
        engine = make_engine(running.url("head"))
        migrate(engine)
        engine.dispose()
        yield running
    finally:
        running.stop()


_databases = itertools.count(1)


@pytest.fixture
def postgresql_url(cluster: Cluster) -> str:
    """A fresh database in the throwaway cluster, copied from one migrated to head."""
    name = f"test_{next(_databases)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE head")
    return cluster.url(name)


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
def core(unit_of_work, engine, clock, request):
    # [web] enabled: /page and /calendar give links (tests/web serves them)
    yield Core(
        unit_of_work,
        clock,
        reader=lambda: SqlUnitOfWork(engine, read_only=True),
        web_base_url="https://collective.example.org",
    )
    if not request.node.get_closest_marker("tampered"):
        assert_record_intact(engine)


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
