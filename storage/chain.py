"""The record's hash chain in SQL (``bot.chain`` has its arithmetic and its check).

Appending: every repository that writes a recorded row says so (``touch``) in its own unit of work; before that
unit of work stores its answers, and again at its commit, ``flush`` reads each touched row as it is now and
appends an entry wherever it differs from the row's latest entry (a row gone: an entry recording its removal).
So an entry is written in the same transaction as the row, and is exactly what the row says — built by the same
definitions (``storage.chain_kinds``) that ``verify`` checks against. A write path that forgot to touch shows up
at the next ``verify`` as a row that disagrees with the chain (the test suite runs one after every transcript).

Checking (``verify``) streams a collective's entries in order, then every row it holds, through
``bot.chain.ChainCheck``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from bot.chain import GENESIS, ChainCheck, Verdict, canonical, entry_content, link
from storage.chain_kinds import KINDS, MADE_AT, Kind, rows_matching, rows_of, salt_t
from storage.collective_locks import CollectiveLocks
from storage.tables_chain import ChainEntryRow

chain_t = ChainEntryRow.__table__

_HEAD = (
    select(chain_t.c.seq, chain_t.c.hash)
    .where(chain_t.c.collective_id == bindparam("cid"))
    .order_by(chain_t.c.seq.desc())
    .limit(1)
)
_LATEST = (
    select(chain_t.c.collective_id, chain_t.c.content)
    .where(chain_t.c.kind == bindparam("kind"), chain_t.c.ref == bindparam("ref"))
    .order_by(chain_t.c.seq.desc())
    .limit(1)
)
_ENTRIES = (
    select(chain_t.c.seq, chain_t.c.kind, chain_t.c.ref, chain_t.c.content, chain_t.c.hash)
    .where(chain_t.c.collective_id == bindparam("cid"))
    .order_by(chain_t.c.seq)
)
_CONTENT = select(chain_t.c.content).where(
    chain_t.c.collective_id == bindparam("cid"), chain_t.c.seq == bindparam("seq")
)
_ITEM = KINDS["item"]
_UNSALTED = _ITEM.query.with_only_columns(_ITEM.query.selected_columns.private_item).where(
    _ITEM.keys[0] == bindparam("id"), salt_t.c.salt.is_(None)
)
_ALL = "*"  # a touch of a whole collective's record
_APPEND = insert(chain_t)
_SALT = insert(salt_t)


class SqlChain:
    """One unit of work's appends to the chains of the collectives it writes."""

    def __init__(self, connection: Connection, locks: CollectiveLocks | None = None) -> None:
        self.connection = connection
        self.locks = locks
        self._touched: dict[tuple, None] = {}  # (kind, (column, value), …): an ordered set
        self._heads: dict[int, tuple[int, str]] = {}

    # --- appending ------------------------------------------------------------

    def touch(self, kind: str, **where) -> None:
        """Rows of ``kind`` whose columns equal ``where`` may have changed (or, when ``where`` is the whole key,
        been removed)."""
        self._touched[(kind, *sorted(where.items()))] = None

    def touch_all(self, collective_id: int) -> None:
        """Anything of the collective's record may have changed (a bulk change, as two memberships made one)."""
        self._touched[(_ALL, ("collective_id", collective_id))] = None

    def forget(self) -> None:
        """The unit of work rolled back: nothing it touched was kept."""
        self._touched.clear()
        self._heads.clear()

    def head(self, collective_id: int) -> str:
        """The collective's head once everything this unit of work wrote is appended."""
        self.flush()
        return self._head(collective_id)[1]

    def flush(self) -> None:
        while self._touched:
            touched, self._touched = list(self._touched), {}
            for kind_name, *where in touched:
                if kind_name == _ALL:
                    self._resync(where[0][1])
                else:
                    self._flush_one(KINDS[kind_name], dict(where))

    def _flush_one(self, kind: Kind, where: dict) -> None:
        if kind.name == "item":
            self._salt(where)
        found = False
        for collective_id, ref, row, _raw in rows_matching(self.connection, kind, **where):
            found = True
            self._record(collective_id, kind.name, ref, row)
        exact = {column.name for column in kind.keys} == set(where)
        if not found and exact:
            ref = ":".join(str(where[column.name]) for column in kind.keys)
            latest = self.connection.execute(_LATEST, {"kind": kind.name, "ref": ref}).first()
            if latest is not None and _stored_row(latest.content) is not None:
                self._append(latest.collective_id, kind.name, ref, None)

    def _salt(self, where: dict) -> None:
        """A private need's item gets the salt of its commitment before it is first recorded."""
        if set(where) == {"id"} and self.connection.execute(_UNSALTED, {"id": where["id"]}).scalar():
            self.connection.execute(_SALT, {"item_id": where["id"], "salt": secrets.token_hex(32)})

    def _record(self, collective_id: int, kind: str, ref: str, row: dict) -> None:
        latest = self.connection.execute(_LATEST, {"kind": kind, "ref": ref}).first()
        if latest is not None and latest.collective_id == collective_id:
            stored = _stored_row(latest.content)
            if stored is not None and canonical(stored) == canonical(row):
                return
        self._append(collective_id, kind, ref, row)

    def _head(self, collective_id: int) -> tuple[int, str]:
        if collective_id not in self._heads:
            if self.locks is not None:
                self.locks.lock(collective_id)
            last = self.connection.execute(_HEAD, {"cid": collective_id}).first()
            self._heads[collective_id] = (last.seq, last.hash) if last else (0, GENESIS)
        return self._heads[collective_id]

    def _append(self, collective_id: int, kind: str, ref: str, row: dict | None, backfilled: bool = False) -> None:
        seq, previous = self._head(collective_id)
        content = entry_content(seq + 1, collective_id, kind, ref, row, backfilled)
        hash_ = link(previous, content)
        values = {"collective_id": collective_id, "seq": seq + 1, "kind": kind, "ref": ref}
        self.connection.execute(_APPEND, {**values, "content": content, "hash": hash_})
        self._heads[collective_id] = (seq + 1, hash_)

    def _resync(self, collective_id: int) -> None:
        """Compare the whole of a collective's record with its chain, and append what changed."""
        latest: dict[tuple[str, str], str | None] = {}
        for entry in self.connection.execute(_ENTRIES, {"cid": collective_id}):
            latest[(entry.kind, entry.ref)] = entry.content
        for kind in KINDS.values():
            for _, ref, row, _raw in list(rows_of(self.connection, kind, kind.owner == collective_id)):
                content = latest.pop((kind.name, ref), None)
                stored = _stored_row(content) if content else None
                if stored is None or canonical(stored) != canonical(row):
                    self._append(collective_id, kind.name, ref, row)
        for (kind, ref), content in latest.items():
            if _stored_row(content) is not None:
                self._append(collective_id, kind, ref, None)

    def drop(self, collective_id: int) -> None:
        """An empty collective dropped (after /link): its chain goes with it."""
        self.connection.execute(delete(chain_t).where(chain_t.c.collective_id == collective_id))
        self._heads.pop(collective_id, None)

    # --- checking -------------------------------------------------------------

    def verify(self, collective_id: int, heads: Iterable[str] = ()) -> Verdict:
        self.flush()
        return verify(self.connection, collective_id, heads)


def verify(connection: Connection, collective_id: int, heads: Iterable[str] = ()) -> Verdict:
    """Recompute a collective's chain and check its data against it, streaming both."""
    check = ChainCheck(collective_id, heads, lambda seq: _content(connection, collective_id, seq))
    for entry in entries(connection, collective_id):
        check.entry(entry.seq, entry.kind, entry.ref, entry.content, entry.hash)
    for kind in KINDS.values():
        for _, ref, row, _raw in rows_of(connection, kind, kind.owner == collective_id):
            check.row(kind.name, ref, row)
    return check.verdict()


def entries(connection: Connection, collective_id: int, batch: int = 5000) -> Iterator:
    result = connection.execute(_ENTRIES, {"cid": collective_id}, execution_options={"yield_per": batch})
    for rows in result.partitions():
        yield from rows


def _content(connection: Connection, collective_id: int, seq: int) -> str:
    return connection.execute(_CONTENT, {"cid": collective_id, "seq": seq}).scalar() or "{}"


def _stored_row(content: str) -> dict | None:
    import json

    return json.loads(content).get("row")


def collectives(connection: Connection) -> list[int]:
    """Every collective, by id."""
    collective_t = KINDS["collective"].keys[0].table
    return list(connection.execute(select(collective_t.c.id).order_by(collective_t.c.id)).scalars())


def chain_length(connection: Connection, collective_id: int) -> int:
    return connection.execute(select(func.count()).where(chain_t.c.collective_id == collective_id)).scalar()


def backfill(connection: Connection) -> int:
    """Give every collective that has history and no chain yet a chain of what it holds: its rows appended in
    the order they were made (who joined before what they did), each marked as backfilled. Returns how many
    entries were appended. Run by the migration that introduced the chain."""
    chain = SqlChain(connection)
    appended = 0
    unsalted = _ITEM.query.with_only_columns(_ITEM.keys[0]).where(
        _ITEM.query.selected_columns.private_item, salt_t.c.salt.is_(None)
    )
    for item_id in connection.execute(unsalted).scalars().all():
        connection.execute(insert(salt_t), {"item_id": item_id, "salt": secrets.token_hex(32)})
    for collective_id in collectives(connection):
        if chain_length(connection, collective_id):
            continue
        rows = []
        for order, kind in enumerate(KINDS.values()):
            made = MADE_AT[kind.name]
            for _, ref, row, raw in rows_of(connection, kind, kind.owner == collective_id):
                at = getattr(raw, made) if made else None
                rows.append((canonical(at) if at is not None else "~", order, _ref_order(ref), kind.name, ref, row))
        rows.sort(key=lambda found: found[:3])
        for *_, kind_name, ref, row in rows:
            chain._append(collective_id, kind_name, ref, row, backfilled=True)
            appended += 1
    return appended


def _ref_order(ref: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in ref.split(":"))
