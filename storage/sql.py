"""What every repository shares: the tables as SQLAlchemy Core sees them, and
statement helpers. Statements are built once at import and compiled once per
dialect (SQLAlchemy caches them); repositories run them on one connection."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.collective_locks import CollectiveLocks
from storage.tables import (
    ChatRow,
    CollectiveRow,
    DecisionRow,
    DueWorkRow,
    ItemRow,
    LedgerRow,
    MemberRow,
    NeedRow,
    OfferRow,
    ResponseRow,
    RoleRow,
    RollRow,
    RosterRow,
    RoundRow,
    SeenMessageRow,
    SentAskRow,
    SettingRow,
    SwapRow,
    TurnRow,
)

collective_t: Table = CollectiveRow.__table__
chat_t: Table = ChatRow.__table__
member_t: Table = MemberRow.__table__
setting_t: Table = SettingRow.__table__
seen_t: Table = SeenMessageRow.__table__
due_t: Table = DueWorkRow.__table__
item_t: Table = ItemRow.__table__
round_t: Table = RoundRow.__table__
roll_t: Table = RollRow.__table__
response_t: Table = ResponseRow.__table__
need_t: Table = NeedRow.__table__
offer_t: Table = OfferRow.__table__
ledger_t: Table = LedgerRow.__table__
role_t: Table = RoleRow.__table__
roster_t: Table = RosterRow.__table__
turn_t: Table = TurnRow.__table__
swap_t: Table = SwapRow.__table__
sent_ask_t: Table = SentAskRow.__table__
decision_t: Table = DecisionRow.__table__


def _by(table: Table, *names: str):
    """SELECT * FROM table WHERE each named column equals its bind parameter."""
    return select(table).where(*(table.c[name] == bindparam(name) for name in names))


def _update_by(table: Table, *names: str):
    """UPDATE table … WHERE each named column equals a ``key_``-prefixed
    parameter; the columns to set are the other parameters given."""
    return update(table).where(*(table.c[name] == bindparam(f"key_{name}") for name in names))


class _Repository:
    chain = None  # the unit of work's ``storage.chain.SqlChain``: told of every recorded row written

    def __init__(self, connection: Connection, locks: CollectiveLocks | None = None) -> None:
        self.connection = connection
        # The unit of work's collective locks (PostgreSQL), taken where a statement first names a collective.
        self.locks = locks if locks is not None else CollectiveLocks(connection)

    def _touch(self, kind: str, **where) -> None:
        """Rows of ``kind`` matching ``where`` were written: the chain appends what changed (``storage.chain``)."""
        if self.chain is not None:
            self.chain.touch(kind, **where)

    def _first(self, statement, **params):
        return self.connection.execute(statement, params).first()

    def _all(self, statement, **params):
        return self.connection.execute(statement, params).all()

    def _insert(self, table: Table, values: dict) -> int:
        return self.connection.execute(_inserting(table), values).inserted_primary_key[0]

    def _upsert(self, table: Table, values: dict, keys: tuple[str, ...]) -> None:
        """Insert, or update the row with the same keys — one statement."""
        changed = tuple(name for name in values if name not in keys)
        self.connection.execute(_upsert(self.connection.dialect.name, table, keys, changed), values)


@cache
def _inserting(table: Table):
    """INSERT INTO table, one statement object per table (``storage.direct`` runs a statement it has seen before
    straight on the driver)."""
    return insert(table)


@cache
def _upsert(dialect: str, table: Table, keys: tuple[str, ...], changed: tuple[str, ...]):
    """INSERT … ON CONFLICT (keys) DO UPDATE SET changed (DO NOTHING … RETURNING
    the first key when nothing changes), built once per dialect and table."""
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    if not changed:
        # rowcount is -1 on PostgreSQL: ask for the row to learn whether one went in
        return statement.on_conflict_do_nothing().returning(table.c[keys[0]])
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in changed}
    )
