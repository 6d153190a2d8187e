"""How a table's rows read as entries of the record's hash chain: a ``Kind`` is one kind of entry — the one query
that reads its rows (with the collective each belongs to), its key, and the function that makes a row the plain
dict the chain holds — and ``rows_of`` / ``rows_matching`` read them. The kinds themselves are
``storage.chain_kinds``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, bindparam


@dataclass(frozen=True)
class Kind:
    name: str
    query: Select  # its rows, each with ``cid``: the collective it belongs to
    keys: tuple[ColumnElement, ...]  # the columns of its key, in ``ref`` order
    row: Callable  # (row, connection-less extras) -> the dict the chain holds
    owner: ColumnElement  # the collective column, to read one collective's rows
    attach: Callable | None = None  # (connection, rows) -> extras by ref: a round's roll, a role's roster

    def ref(self, row) -> str:
        """The row's key as text (``5``, ``12:7``): the columns ``select()`` puts last."""
        if len(self.keys) == 1:
            return str(row[-1])
        return ":".join(str(value) for value in row[-len(self.keys) :])

    def select(self) -> Select:
        return self.query.add_columns(*(key.label(f"key{index}") for index, key in enumerate(self.keys)))


def json_field(text: str | None):
    """A JSON field of a row (an item's data, a round's terms), any float in it kept as its text: the chain
    holds no floats."""
    return json.loads(text, parse_float=str) if text else {}


_MATCHING: dict[tuple[str, tuple[str, ...]], Select] = {}  # (kind, column names) -> its statement, built once


def rows_matching(connection, kind: Kind, **equals):
    """``rows_of`` for the rows of ``kind`` whose columns equal ``equals`` — what a unit of work just wrote, so a
    few rows: one statement per kind and set of columns, built once (building it anew for every write cost more
    than running it)."""
    names = tuple(sorted(equals))
    statement = _MATCHING.get((kind.name, names))
    if statement is None:
        table = kind.keys[0].table
        matching = (table.c[name] == bindparam(f"eq_{name}") for name in names)
        statement = _MATCHING[(kind.name, names)] = kind.select().where(*matching).order_by(*kind.keys)
    rows = connection.execute(statement, {f"eq_{name}": value for name, value in equals.items()}).all()
    extras = kind.attach(connection, rows) if kind.attach and rows else {}
    for row in rows:
        ref = kind.ref(row)
        yield row.cid, ref, kind.row(row, extras.get(ref)), row


def rows_of(connection, kind: Kind, *where: ColumnElement, batch: int = 1000):
    """(collective id, ref, the dict the chain holds, the raw row) for each row of ``kind`` matching ``where``,
    streamed in batches of ``batch`` (each with its rolls or rosters read in one query)."""
    statement = kind.select().where(*where).order_by(*kind.keys)
    result = connection.execute(statement, execution_options={"yield_per": batch})
    for rows in result.partitions():
        extras = kind.attach(connection, rows) if kind.attach else {}
        for row in rows:
            ref = kind.ref(row)
            yield row.cid, ref, kind.row(row, extras.get(ref)), row
