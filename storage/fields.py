"""A core dataclass's fields as a table's columns, declared once: row values are built from the dataclass's
own fields (``dataclasses.fields``), so a field added to a model is stored by ``save()`` or fails the test
that matches every persisted model against its table (tests/test_storage_fields.py).

Most fields are a column of the same name. The few that differ say how: ``Stored`` for a field kept in
other columns (JSON text, a duration in seconds), ``loaded`` for fields read from a join and never
written, ``table_only`` for columns the model does not carry (a generated id, a counter)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table


@dataclasses.dataclass(frozen=True)
class Stored:
    """A field kept in ``columns`` other than its own name: ``write`` gives their values, ``read`` the field's
    value from a row's columns (by name, with the row's prefix applied)."""

    columns: tuple[str, ...]
    write: Callable[[Any], dict[str, Any]]
    read: Callable[[Callable[[str], Any]], Any]


def json_text(name: str) -> Stored:
    """A dict field kept as JSON text in the column of its name."""
    return Stored(
        (name,), lambda value: {name: json.dumps(value, sort_keys=True)}, lambda column: json.loads(column(name))
    )


class Persisted:
    """How one core dataclass is stored in one table."""

    def __init__(
        self,
        kind: type,
        table: Table,
        *,
        stored: Mapping[str, Stored] | None = None,
        loaded: tuple[str, ...] = (),
        table_only: tuple[str, ...] = (),
    ) -> None:
        self.kind, self.table = kind, table
        self.stored = dict(stored or {})
        self.loaded, self.table_only = loaded, table_only
        self.fields = tuple(field.name for field in dataclasses.fields(kind))
        self.plain = tuple(name for name in self.fields if name not in self.stored and name not in loaded)
        # written: every column the model fills, except the id the database generates
        self._written = tuple(name for name in self.plain if name != "id")
        self.columns = (*self.plain, *(column for way in self.stored.values() for column in way.columns))

    def values(self, value: Any) -> dict[str, Any]:
        """The row's values for ``value`` (without its generated id)."""
        values = {name: getattr(value, name) for name in self._written}
        for name, way in self.stored.items():
            values.update(way.write(getattr(value, name)))
        return values

    def record(self, row: Any, prefix: str = "") -> Any:
        """The model from a row whose columns carry its fields' names (after ``prefix``); ``loaded`` fields
        are taken when the row has them."""
        columns = row._mapping
        found = {name: columns[prefix + name] for name in self.plain}
        for name in self.loaded:
            if prefix + name in columns:
                found[name] = columns[prefix + name]
        for name, way in self.stored.items():
            found[name] = way.read(lambda column: columns[prefix + column])
        return self.kind(**found)

    def mismatch(self) -> list[str]:
        """What does not match between the model and its table (empty when all is well)."""
        table = set(self.table.c.keys())
        problems = [f"{self.kind.__name__}.{name} has no column" for name in self.columns if name not in table]
        problems += [
            f"{self.table.name}.{name} is no field of {self.kind.__name__}"
            for name in sorted(table - set(self.columns) - set(self.table_only))
        ]
        problems += [f"{self.kind.__name__}.{name} is loaded from a column" for name in self.loaded if name in table]
        return problems
