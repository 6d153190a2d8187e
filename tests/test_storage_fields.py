"""Every model the core persists is declared once: each field of its dataclass is a column of its table
(or says where else it is kept), and each column is a field (or says why not). A field added to a model
without a column, or a column without a field, fails here instead of being dropped silently by save()."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot import model
from storage import decisions, due, people, pool, reactions, rotation
from storage.fields import Persisted

PERSISTED = {
    value.kind: value
    for module in (people, decisions, pool, due, rotation, reactions)
    for value in vars(module).values()
    if isinstance(value, Persisted)
}


def test_every_persisted_model_is_declared_with_its_table():
    stored = {
        model.Collective,
        model.Member,
        model.DueWork,
        model.Item,
        model.Round,
        model.Response,
        model.Need,
        model.Offer,
        model.LedgerEntry,
        model.Decision,
        model.Role,
        model.Turn,
        model.Swap,
        reactions.CountedReaction,  # the Matrix adapter's
    }
    assert set(PERSISTED) == stored


@pytest.mark.parametrize("persisted", PERSISTED.values(), ids=lambda persisted: persisted.kind.__name__)
def test_each_field_has_a_column_and_each_column_a_field(persisted: Persisted):
    assert persisted.mismatch() == []


def test_a_field_without_a_column_is_caught():
    @dataclasses.dataclass
    class Longer(model.Offer):
        mood: str = ""

    assert Persisted(Longer, pool.offer_t).mismatch() == ["Longer.mood has no column"]
    assert Persisted(model.Turn, rotation.turn_t).mismatch() == ["turn.id is no field of Turn"]


def test_a_role_goes_into_its_columns_and_comes_back_the_same():
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    role = model.Role(7, 1, "dishes", timedelta(days=7), 0, (18, 30), at, next_handover_at=at)
    values = rotation.ROLE.values(role)
    assert values["every_seconds"] == 7 * 86400 and (values["at_hour"], values["at_minute"]) == (18, 30)

    row = SimpleNamespace(_mapping={**values, "id": 7})
    assert rotation.ROLE.record(row) == role
