"""Statements run straight on SQLite's driver: the hot path of every unit of work.

A unit of work runs a dozen small statements, and SQLAlchemy spends about 30 µs on each around the few µs
SQLite needs (an execution context, a result proxy, parameter and row processing in Python). On SQLite a unit of
work's connection is wrapped in ``DirectConnection``: each statement it can run itself is compiled once, the way
SQLAlchemy compiles it for this dialect and these parameter names, and then run on the ``sqlite3`` cursor of the
same connection, in the same transaction, with SQLAlchemy's own bind and result processors (dates, JSON) — so a
row reads exactly as SQLAlchemy would give it (``sqlalchemy.engine.Row``, through an ``IteratorResult``).

A statement object gets its plan the second time it runs: one built for a single call is not worth compiling,
so statements run often are built once (``storage.sql._inserting``, the chain's ``_APPEND``). ``IN`` a list gets
as many placeholders as the list has values.

What it does not run itself goes to SQLAlchemy as before: many parameter sets, execution options, ``IN`` an
empty list, literal binds, Python-side column defaults, two result columns of one name, a value its column cannot
take (SQLAlchemy says which), and anything that is not a plain SELECT, INSERT, UPDATE or DELETE. A driver error
is raised as SQLAlchemy's exception for it (``IntegrityError``, ``OperationalError``), as the wrapped connection
would.
"""

from __future__ import annotations

import sqlite3
import weakref
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import IteratorResult
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.selectable import Select

_PLANS: dict[tuple[int, frozenset[str] | None], Any] = {}  # (statement, parameter names) → its plan
_REQUIRED = object()
_UNSEEN, _ONCE = object(), object()


class _Plan:
    """A statement compiled once: its SQL, how to bind its parameters, and how to read its rows. A parameter
    that expands (``IN`` a list) gets as many placeholders as its list has values, the SQL for each count of
    them made once."""

    __slots__ = ("binds", "expanding", "metadata", "primary_key", "processors", "returns_rows", "sized", "sql")

    def __init__(self, statement, compiled, dialect) -> None:
        self.sql = compiled.string
        processors = compiled._bind_processors
        self.expanding = frozenset(bind.key for bind in compiled.post_compile_params)
        self.sized: dict[tuple[int, ...], str] = {}
        self.binds = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            default = _REQUIRED if bind.required or bind.callable is not None else bind.value
            self.binds.append((name, default, processors.get(name), name in self.expanding))
        self.returns_rows = _returns_rows(statement, compiled)
        self.metadata = self.processors = None
        if self.returns_rows:
            columns = compiled._result_columns
            self.metadata = SimpleResultMetaData([column[0] for column in columns])
            self.processors = [column[3]._cached_result_processor(dialect, None) for column in columns]
            if not any(self.processors):
                self.processors = None
        self.primary_key = None
        if isinstance(statement, Insert):
            # The key of the row made: as given, or, for the column SQLite numbers itself, the row id it chose.
            numbered = statement.table._autoincrement_column
            self.primary_key = [(column.key, column is numbered) for column in statement.table.primary_key]

    def sql_for(self, sizes: tuple[int, ...]) -> str:
        """The SQL with each expanding parameter given as many placeholders as ``sizes`` says, in order."""
        sql = self.sized.get(sizes)
        if sql is None:
            sql = self.sql
            names = [name for name, _default, _process, expands in self.binds if expands]
            for name, size in zip(names, sizes, strict=True):
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * size), 1)
            self.sized[sizes] = sql
        return sql


def _plan_for(statement, parameters: dict | None, dialect) -> _Plan | None:
    dml = isinstance(statement, Insert | Update)
    key = (id(statement), frozenset(parameters) if dml and parameters else None)
    plan = _PLANS.get(key, _UNSEEN)
    if plan is _UNSEEN:
        # A statement built for one call is not worth compiling: only one run a second time gets a plan.
        _PLANS[key] = _ONCE
        weakref.finalize(statement, _PLANS.pop, key, None)  # (ids of statements gone are reused)
        return None
    if plan is _ONCE:
        plan = _PLANS[key] = _make_plan(statement, key[1], dialect)
    return plan


def _make_plan(statement, names: frozenset[str] | None, dialect) -> _Plan | None:
    if not isinstance(statement, Select | Insert | Update | Delete) or statement._execution_options:
        return None
    if isinstance(statement, Insert) and (statement._multi_values or statement.select is not None):
        return None
    compiled = statement.compile(dialect=dialect, column_keys=sorted(names) if names is not None else None)
    expanding = compiled.post_compile_params
    if (
        compiled.positiontup is None
        or any(not bind.expanding or bind.type._is_tuple_type for bind in expanding)
        or any(compiled.string.count(f"__[POSTCOMPILE_{bind.key}]") != 1 for bind in expanding)
        or compiled.literal_execute_params
        or getattr(compiled, "insert_prefetch", None)
        or getattr(compiled, "update_prefetch", None)
        or getattr(compiled, "postfetch", None)
        or getattr(compiled, "_loose_column_name_matching", False)
    ):
        return None
    if _returns_rows(statement, compiled) and len({column[0] for column in compiled._result_columns}) != len(
        compiled._result_columns
    ):
        return None  # two columns of one name: SQLAlchemy's rows know which is which
    return _Plan(statement, compiled, dialect)


def _returns_rows(statement, compiled) -> bool:
    return isinstance(statement, Select) or bool(compiled.effective_returning)


class _Written:
    """What an INSERT, UPDATE or DELETE run directly reports."""

    __slots__ = ("inserted_primary_key", "rowcount")

    def __init__(self, rowcount: int, inserted_primary_key: tuple | None) -> None:
        self.rowcount = rowcount
        self.inserted_primary_key = inserted_primary_key

    def close(self) -> None:
        pass


class DirectConnection:
    """A SQLAlchemy ``Connection`` whose ``execute`` runs what it can straight on the driver (see the module's
    docstring); every other attribute is the wrapped connection's."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.dialect = connection.dialect

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def execute(self, statement, parameters=None, *, execution_options=None):
        if execution_options or not (parameters is None or isinstance(parameters, dict)):
            return self._connection.execute(statement, parameters, execution_options=execution_options)
        plan = _plan_for(statement, parameters, self.dialect)
        if plan is None:
            return self._connection.execute(statement, parameters)
        values = []
        sizes = []
        given = parameters or {}
        for name, default, process, expands in plan.binds:
            value = given.get(name, default)
            if value is _REQUIRED:
                return self._connection.execute(statement, parameters)  # SQLAlchemy says what is missing
            try:
                if expands:
                    if not value:
                        return self._connection.execute(statement, parameters)  # IN nothing: SQLAlchemy's own SQL
                    values.extend(value if process is None else [process(one) for one in value])
                    sizes.append(len(value))
                else:
                    values.append(process(value) if process is not None else value)
            except Exception:  # a value its column cannot take: SQLAlchemy says which (a StatementError)
                return self._connection.execute(statement, parameters)
        sql = plan.sql_for(tuple(sizes)) if sizes else plan.sql
        connection = self._connection
        if not connection.in_transaction():
            connection.begin()
        try:
            cursor = connection.connection.driver_connection.execute(sql, values)
            if plan.returns_rows:
                rows = cursor.fetchall()
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, values, error, sqlite3.Error) from error
        if plan.returns_rows:
            processors = plan.processors
            if processors is not None:
                rows = [
                    tuple(value if p is None else p(value) for p, value in zip(processors, row, strict=True))
                    for row in rows
                ]
            return IteratorResult(plan.metadata, iter(rows))
        key = None
        if plan.primary_key is not None:
            key = tuple(
                cursor.lastrowid if numbered and given.get(name) is None else given.get(name)
                for name, numbered in plan.primary_key
            )
        return _Written(cursor.rowcount, key)
