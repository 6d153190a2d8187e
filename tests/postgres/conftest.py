"""The core's transcripts again, on PostgreSQL: the ``db_url`` fixture here
gives each test a fresh database in a throwaway cluster (copied from one
migrated to head), and every other fixture (engine, core, chat) follows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from storage.engine import make_engine, migrate
from tests.postgres.cluster import Cluster, missing

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
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


@pytest.fixture
def db_url(cluster: Cluster) -> str:
    name = f"test_{next(_databases)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE head")
    return cluster.url(name)
