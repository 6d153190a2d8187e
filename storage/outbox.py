"""The outbox: the core's answers, stored as JSON in the unit of work that produced them (``SqlOutbox``), and
read back and marked sent by the runtime's senders (``OutboxStore``) — each delivery in a transaction of its
own outside the core's, never holding up a unit of work for longer than its few statements."""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Table, bindparam, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.actions import Acknowledge, Action, Ask, Choice, DirectMessage, Edit, Mention, Post, Reply
from bot.choices import symbol_of
from bot.events import Chat
from bot.ports import WhereAsked
from bot.results import Delivery
from storage.engine import read_only, unhurried
from storage.tables import OutboxRow, SentAskRow

outbox_t: Table = OutboxRow.__table__
sent_ask_t: Table = SentAskRow.__table__

KEEP_SENT = timedelta(days=1)  # sent rows are kept this long (to look into), then pruned
_KINDS = {kind.__name__: kind for kind in (Post, Reply, Ask, Edit, Acknowledge, DirectMessage)}


# --- the action as JSON -----------------------------------------------------------------------------------------


def encode(action: Action) -> str:
    return _JSON.encode({"kind": type(action).__name__, **_fields(action)})


def _fields(value) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__slots__}


# Frozen dataclasses with slots, nested (a chat, choices, mentions): written field by field, without the deep
# copies of dataclasses.asdict (a third of the cost of storing an answer).
_JSON = json.JSONEncoder(ensure_ascii=False, default=_fields)


def decode(text: str) -> Action:
    fields: dict[str, Any] = json.loads(text)
    kind = _KINDS[fields.pop("kind")]
    for name in ("chat", "fallback"):
        if fields.get(name) is not None:
            fields[name] = Chat(**fields[name])
    if "choices" in fields:
        fields["choices"] = tuple(_choice(choice) for choice in fields["choices"])
    if "mentions" in fields:
        fields["mentions"] = tuple(Mention(**mention) for mention in fields["mentions"])
    for name in ("refs", "after"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return kind(**fields)


def _choice(stored: dict[str, Any]) -> Choice:
    """A stored choice; one stored before choices carried their symbols gets its own back (so an ask waiting in
    the outbox across an upgrade still has its reactions seeded on Matrix)."""
    if not stored.get("symbol"):
        stored = {**stored, "symbol": symbol_of(stored["id"])}
    return Choice(**stored)


# --- in the core's unit of work -----------------------------------------------------------------------------------

# Where an ask is (the messages carrying it, and its deliveries not sent yet), for every tally edit.
_WHERE_ASKED = (
    "SELECT message_ref, NULL FROM sent_ask WHERE platform = {p} AND chat_id = {p} AND key = {p} "
    "UNION ALL SELECT NULL, id FROM outbox WHERE platform = {p} AND queue = {p} AND ask_key = {p} "
    "AND sent_at IS NULL"
)
_WHERE_ASKED_SQL = {"sqlite": _WHERE_ASKED.format(p="?"), "postgresql": _WHERE_ASKED.format(p="%s")}

# Answers are stored (and asks found) on the driver's own cursor, inside the unit of work's transaction:
# SQLAlchemy's execution of a statement costs more than SQLite's, and every answer is one more statement.
_COLUMNS = ("platform", "queue", "ask_key", "action", "txn_id", "created_at")
_INTO = f"INSERT INTO outbox ({', '.join(_COLUMNS)}"
# On PostgreSQL (several processes) each answer is claimed by the process that stored it, for LEASE seconds by the
# database's clock (the same for every process); the process renews its claims while it runs (``renew``).
_EPOCH = "extract(epoch from clock_timestamp())"
_INSERT = {
    "sqlite": f"{_INTO}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
    "postgresql": f"{_INTO}, claimed_by, lease_until) VALUES ({', '.join('%s' for _ in _COLUMNS)}, %s, "
    f"{_EPOCH} + %s) RETURNING id",
}
LEASE = 15.0  # seconds a process's claim on an unsent answer holds unless renewed (PostgreSQL)
# This process, as it claims answers (host, process id, and a random part: process ids come back).
PROCESS = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@cache
def _time_processor(dialect: Dialect) -> Callable[[datetime], Any]:
    """How the dialect stores ``created_at`` (as SQLAlchemy would)."""
    column_type = outbox_t.c.created_at.type
    return column_type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


class SqlOutbox:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, outgoing: list[tuple[Action, str, str]], now: datetime) -> list[Delivery]:
        if not outgoing:
            return []
        connection = self.connection
        if not connection.in_transaction():
            connection.begin()  # (the driver's cursor would otherwise run outside the unit of work)
        sqlite = connection.dialect.name == "sqlite"
        created_at = _time_processor(connection.dialect)(now)
        deliveries = []
        cursor = connection.connection.driver_connection.cursor()
        try:
            for action, platform, queue in outgoing:
                txn_id = secrets.token_hex(16)
                key = action.key if isinstance(action, Ask) else None
                values = (platform, queue, key, encode(action), txn_id, created_at)
                if sqlite:
                    cursor.execute(_INSERT["sqlite"], values)
                else:
                    cursor.execute(_INSERT["postgresql"], (*values, PROCESS, LEASE))
                row_id = cursor.lastrowid if sqlite else cursor.fetchone()[0]
                deliveries.append(Delivery(row_id, platform, queue, action, txn_id))
        finally:
            cursor.close()
        return deliveries

    def where_asked(self, platform: str, chat_id: str, key: str) -> WhereAsked:
        connection = self.connection
        if not connection.in_transaction():
            connection.begin()
        sql = _WHERE_ASKED_SQL["sqlite" if connection.dialect.name == "sqlite" else "postgresql"]
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(sql, (platform, chat_id, key, platform, chat_id, key))
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return WhereAsked([ref for ref, _ in rows if ref is not None], sorted(d for _, d in rows if d is not None))


# --- for the senders --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sent:
    """A delivery carried out: as the platform message ``message_ref`` (None when it made none, or several
    rows were one edit), and for an ask, the chat it landed in (a Telegram group may have moved meanwhile)."""

    delivery: Delivery
    message_ref: str | None
    chat_id: str | None = None


_UNSENT = select(outbox_t).where(outbox_t.c.sent_at.is_(None), outbox_t.c.platform == bindparam("platform"))
_MARK = (
    update(outbox_t)
    .where(outbox_t.c.id == bindparam("key_id"))
    .values(sent_at=bindparam("sent_at"), message_ref=bindparam("message_ref"))
)
_SENT_REF = select(outbox_t.c.id, outbox_t.c.message_ref).where(outbox_t.c.id.in_(bindparam("ids", expanding=True)))


_ADOPT = text(
    "UPDATE outbox SET claimed_by = :me, lease_until = " + _EPOCH + " + :lease WHERE id IN ("
    "SELECT id FROM outbox WHERE platform = :platform AND sent_at IS NULL "
    "AND (lease_until IS NULL OR lease_until < " + _EPOCH + ") ORDER BY id FOR UPDATE SKIP LOCKED) "
    "RETURNING id, platform, queue, action, txn_id"
)
_RENEW = text(
    "UPDATE outbox SET lease_until = " + _EPOCH + " + :lease "
    "WHERE claimed_by = :me AND sent_at IS NULL AND platform IN :platforms"
).bindparams(bindparam("platforms", expanding=True))


class OutboxStore:
    """The senders' side of the outbox: what is unsent, and marking what went out."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def unsent(self, platform: str) -> list[tuple[Delivery, dict[int, str]]]:
        """Every delivery of a platform not yet sent, oldest first, each with the message refs of the
        deliveries it waits for that were sent already (an edit of an ask sent before a restart)."""
        with read_only(self._engine) as connection:
            rows = connection.execute(_UNSENT.order_by(outbox_t.c.id), {"platform": platform}).all()
            deliveries = [Delivery(r.id, r.platform, r.queue, decode(r.action), r.txn_id) for r in rows]
            waited = {i for d in deliveries if isinstance(d.action, Edit) for i in d.action.after}
            refs = dict(connection.execute(_SENT_REF, {"ids": sorted(waited)}).all()) if waited else {}
        return [(d, {i: refs[i] for i in _after(d) if refs.get(i)}) for d in deliveries]

    def claim_unsent(self, platform: str) -> list[tuple[Delivery, dict[int, str]]]:
        """What this process is to deliver of a platform's unsent answers, as ``unsent`` gives them. On SQLite (one
        process): all of them. On PostgreSQL: those no live process claims — never claimed, or their claim ran
        out (a process that died) — claimed now for this process, skipping rows another is claiming
        (``FOR UPDATE SKIP LOCKED``), so two processes never both take the same answer."""
        if self._engine.dialect.name != "postgresql":
            return self.unsent(platform)
        with self._engine.connect() as connection:
            rows = connection.execute(_ADOPT, {"platform": platform, "me": PROCESS, "lease": LEASE}).all()
            deliveries = sorted(
                (Delivery(r.id, r.platform, r.queue, decode(r.action), r.txn_id) for r in rows), key=lambda d: d.id
            )
            waited = {i for d in deliveries if isinstance(d.action, Edit) for i in d.action.after}
            refs = dict(connection.execute(_SENT_REF, {"ids": sorted(waited)}).all()) if waited else {}
            connection.commit()
        return [(d, {i: refs[i] for i in _after(d) if refs.get(i)}) for d in deliveries]

    def renew(self, platforms: Iterable[str]) -> int:
        """Keep this process's claims on its unsent answers of the platforms it delivers (PostgreSQL); how many
        it holds. Its claims on others' (a Matrix process standing by stores answers of due work) run out, and
        the process that serves the platform adopts them."""
        platforms = sorted(platforms)
        if self._engine.dialect.name != "postgresql" or not platforms:
            return 0
        with self._engine.connect() as connection:
            held = connection.execute(_RENEW, {"me": PROCESS, "lease": LEASE, "platforms": platforms}).rowcount
            connection.commit()
        return held

    def mark(self, sent: Iterable[Sent], now: datetime) -> None:
        """Mark deliveries sent, in one transaction; an ask sent is remembered where it was posted. Rows are
        written in the order of their ids (and asks in the order of their keys), so two processes marking
        overlapping deliveries — after one took over another's lease — wait for each other instead of
        deadlocking."""
        sent = sorted(sent, key=lambda s: s.delivery.id)
        if not sent:
            return
        with unhurried(), self._engine.connect() as connection:
            connection.execute(
                _MARK, [{"key_id": s.delivery.id, "sent_at": now, "message_ref": s.message_ref} for s in sent]
            )
            asks = [
                {
                    "platform": s.delivery.platform,
                    "chat_id": s.chat_id or s.delivery.action.chat.chat_id,
                    "message_ref": s.message_ref,
                    "key": s.delivery.action.key,
                }
                for s in sent
                if isinstance(s.delivery.action, Ask) and s.message_ref is not None
            ]
            asks.sort(key=lambda ask: (ask["platform"], ask["chat_id"], ask["key"]))
            if asks:
                _remember_asks(connection, asks)
            connection.commit()

    def prune(self, now: datetime) -> int:
        """Forget deliveries sent more than a day ago."""
        with unhurried(), self._engine.connect() as connection:
            gone = connection.execute(delete(outbox_t).where(outbox_t.c.sent_at < now - KEEP_SENT)).rowcount
            connection.commit()
        return gone


def _after(delivery: Delivery) -> tuple[int, ...]:
    return delivery.action.after if isinstance(delivery.action, Edit) else ()


def _remember_asks(connection: Connection, asks: list[dict]) -> None:
    statement = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(sent_ask_t)
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "chat_id", "message_ref"], set_={"key": statement.excluded.key}
    )
    connection.execute(statement, asks)
