"""The SQLite hot path (``storage.direct``): a statement run straight on the driver reads and writes exactly what
SQLAlchemy would — dates, JSON and missing values alike — and anything it cannot run is left to SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from storage.direct import DirectConnection
from storage.sql import _by, _inserting, collective_t, due_t, member_t

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
_MEMBERS_IN = select(member_t).where(member_t.c.id.in_(bindparam("ids", expanding=True))).order_by(member_t.c.id)
_MEMBER = _by(member_t, "id")
_DUE = _by(due_t, "id")
_RENAME = update(member_t).where(member_t.c.id == bindparam("key_id"))


def _twice(connection, statement, parameters=None):
    """The statement run as often as it takes to be compiled for the driver (the first run of a statement object
    goes to SQLAlchemy)."""
    connection.execute(statement, parameters)
    return connection.execute(statement, parameters)


@pytest.fixture
def both(engine):
    with engine.connect() as plain:
        yield DirectConnection(plain), plain


def _add_members(direct, count: int) -> list[int]:
    collective = direct.execute(_inserting(collective_t), {"created_at": NOW}).inserted_primary_key[0]
    ids = []
    for n in range(count):
        values = {
            "collective_id": collective,
            "platform": "telegram",
            "user_id": str(100 + n),
            "display_name": f"Member {n}",
            "joined_at": NOW,
            "active": True,
        }
        ids.append(direct.execute(_inserting(member_t), values).inserted_primary_key[0])
    return ids


def test_rows_read_on_the_driver_are_the_rows_sqlalchemy_reads(both):
    direct, plain = both
    ids = _add_members(direct, 3)
    assert ids == sorted(ids) and len(set(ids)) == 3  # each insert reports the row it made
    mine = _twice(direct, _MEMBERS_IN, {"ids": ids}).all()
    theirs = plain.execute(_MEMBERS_IN, {"ids": ids}).all()
    assert mine == theirs
    assert isinstance(mine[0].joined_at, datetime)
    assert mine[1]._mapping["display_name"] == "Member 1"
    # One and two values IN: each count of placeholders has its own SQL.
    assert _twice(direct, _MEMBERS_IN, {"ids": ids[:1]}).scalars().all() == [ids[0]]
    assert [row.id for row in direct.execute(_MEMBERS_IN, {"ids": ids[1:]})] == ids[1:]


def test_missing_values_and_flags_read_back_as_sqlalchemy_gives_them(both):
    direct, plain = both
    collective = direct.execute(_inserting(collective_t), {"created_at": NOW}).inserted_primary_key[0]
    values = {"collective_id": collective, "kind": "round_closes", "due_at": NOW, "status": "pending", "data": "{}"}
    first = direct.execute(_inserting(due_t), {**values, "subject_id": 4, "fired_at": NOW})
    second = direct.execute(_inserting(due_t), values)  # no subject, never fired
    for key in (first.inserted_primary_key[0], second.inserted_primary_key[0]):
        assert _twice(direct, _DUE, {"id": key}).one() == plain.execute(_DUE, {"id": key}).one()
    unfired = direct.execute(_DUE, {"id": second.inserted_primary_key[0]}).one()
    assert (unfired.subject_id, unfired.fired_at) == (None, None)
    member = _add_members(direct, 1)[0]
    assert _twice(direct, _MEMBER, {"id": member}).one().active is True


def test_an_update_reports_the_rows_it_changed(both):
    direct, _plain = both
    ids = _add_members(direct, 2)
    assert _twice(direct, _RENAME, {"key_id": ids[0], "display_name": "Ana"}).rowcount == 1
    assert direct.execute(_RENAME, {"key_id": 999_999, "display_name": "Nobody"}).rowcount == 0
    assert direct.execute(_MEMBER, {"id": ids[0]}).one().display_name == "Ana"


def test_in_an_empty_list_and_a_missing_parameter_are_left_to_sqlalchemy(both):
    direct, _plain = both
    _add_members(direct, 1)
    assert _twice(direct, _MEMBERS_IN, {"ids": []}).all() == []
    with pytest.raises(Exception, match="ids"):
        _twice(direct, _MEMBERS_IN, {})


def test_a_broken_constraint_is_sqlalchemys_integrity_error(both):
    direct, _plain = both
    ids = _add_members(direct, 1)
    row = direct.execute(_MEMBER, {"id": ids[0]}).one()
    copy = {**row._mapping}
    with pytest.raises(IntegrityError):
        _twice(direct, _inserting(member_t), copy)


def test_a_row_given_no_number_gets_the_one_sqlite_chose(both):
    direct, plain = both
    collective = direct.execute(_inserting(collective_t), {"created_at": NOW}).inserted_primary_key[0]
    values = {"collective_id": collective, "kind": "round_closes", "due_at": NOW, "status": "pending", "data": "{}"}
    direct.execute(_inserting(due_t), {**values, "id": None})  # (its first run goes to SQLAlchemy)
    made = [direct.execute(_inserting(due_t), {**values, "id": None}).inserted_primary_key[0] for _ in range(2)]
    assert made == [row.id for row in plain.execute(select(due_t.c.id).order_by(due_t.c.id))][-2:]


def test_a_value_its_column_cannot_take_is_refused_as_sqlalchemy_refuses_it(both):
    direct, _plain = both
    collective = direct.execute(_inserting(collective_t), {"created_at": NOW}).inserted_primary_key[0]
    values = {"collective_id": collective, "kind": "round_closes", "due_at": NOW, "status": "pending", "data": "{}"}
    _twice(direct, _inserting(due_t), values)
    with pytest.raises(StatementError):
        direct.execute(_inserting(due_t), {**values, "due_at": "tomorrow"})
