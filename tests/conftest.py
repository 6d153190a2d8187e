from datetime import UTC, datetime

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


@pytest.fixture
def engine(db_url):
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
