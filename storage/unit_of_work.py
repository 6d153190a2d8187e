"""The SQL unit of work: one transaction, with the repositories the core's
ports (``bot.ports``) ask for.

The repositories speak SQLAlchemy Core on one connection, with statements
built once at import: no identity map to go stale, no per-call statement
building, and each statement compiled once per dialect (SQLAlchemy caches it).
The tables themselves are the SQLModel classes in ``storage.tables``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Connection, Engine, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.model import (
    ADOPTED,
    CANCELLED,
    DONE,
    FAILED,
    NOT_ADOPTED,
    OPEN,
    PAYOUT,
    PENDING,
    RELEASE,
    RESERVATION,
    ROUND_OPEN,
    SWAP_PENDING,
    Collective,
    Decision,
    DueWork,
    Item,
    LedgerEntry,
    Member,
    Need,
    Offer,
    Response,
    Role,
    Round,
    Swap,
    Turn,
)
from storage.engine import read_only
from storage.outbox import SqlOutbox
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
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _first(self, statement, **params):
        return self.connection.execute(statement, params).first()

    def _all(self, statement, **params):
        return self.connection.execute(statement, params).all()

    def _insert(self, table: Table, values: dict) -> int:
        return self.connection.execute(insert(table), values).inserted_primary_key[0]

    def _upsert(self, table: Table, values: dict, keys: tuple[str, ...]) -> None:
        """Insert, or update the row with the same keys — one statement."""
        changed = tuple(name for name in values if name not in keys)
        self.connection.execute(_upsert(self.connection.dialect.name, table, keys, changed), values)


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


def _record(kind, row, **converted):
    """A domain record from a row whose columns carry its fields' names; ``converted``
    gives the fields stored otherwise (JSON text, say)."""
    columns = row._mapping
    return kind(
        **{field.name: columns[field.name] for field in dataclasses.fields(kind) if field.name not in converted},
        **converted,
    )


# --- collectives ----------------------------------------------------------

_COLLECTIVE_FOR_CHAT = (
    select(collective_t)
    .join(chat_t, chat_t.c.collective_id == collective_t.c.id)
    .where(chat_t.c.platform == bindparam("platform"), chat_t.c.chat_id == bindparam("chat_id"))
)


def _chat_scene(settings_as_json):
    """The chat's collective, the sender's membership in it if any, and the
    collective's settings as one JSON object: one query for every message."""
    settings = (
        select(settings_as_json(setting_t.c.key, setting_t.c.value))
        .where(setting_t.c.collective_id == collective_t.c.id)
        .scalar_subquery()
    )
    return (
        select(
            collective_t.c.id.label("collective_id_"),
            collective_t.c.created_at.label("collective_created_at"),
            collective_t.c.principles.label("collective_principles"),
            settings.label("collective_settings"),
            member_t,
        )
        .select_from(chat_t)
        .join(collective_t, collective_t.c.id == chat_t.c.collective_id)
        .outerjoin(
            member_t,
            (member_t.c.collective_id == collective_t.c.id)
            & (member_t.c.platform == chat_t.c.platform)
            & (member_t.c.user_id == bindparam("user_id")),
        )
        .where(chat_t.c.platform == bindparam("platform"), chat_t.c.chat_id == bindparam("chat_id"))
    )


_CHAT_SCENE = {"sqlite": _chat_scene(func.json_group_object), "postgresql": _chat_scene(func.json_object_agg)}
_COLLECTIVE = _by(collective_t, "id")
_CHATS = _by(chat_t, "collective_id").order_by(chat_t.c.linked_at)
_CHAT = _by(chat_t, "platform", "chat_id")


class SqlCollectives(_Repository):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._chats: dict[int, list[tuple[str, str]]] = {}  # for this unit of work

    def for_chat(self, platform: str, chat_id: str) -> Collective | None:
        row = self._first(_COLLECTIVE_FOR_CHAT, platform=platform, chat_id=chat_id)
        return _collective(row) if row else None

    def with_member(
        self, platform: str, chat_id: str, user_id: str
    ) -> tuple[Collective | None, Member | None, dict[str, str]]:
        statement = _CHAT_SCENE[self.connection.dialect.name]
        row = self._first(statement, platform=platform, chat_id=chat_id, user_id=user_id)
        if row is None:
            return None, None, {}
        collective = Collective(row.collective_id_, row.collective_created_at, row.collective_principles)
        settings = row.collective_settings  # text on SQLite, already read on PostgreSQL, None there when empty
        settings = json.loads(settings) if isinstance(settings, str) else settings or {}
        return collective, (_member(row) if row.id is not None else None), settings

    def create_for_chat(self, platform: str, chat_id: str, now: datetime) -> Collective:
        self._chats.clear()
        collective_id = self._insert(collective_t, {"created_at": now})
        chat = {"platform": platform, "chat_id": chat_id, "collective_id": collective_id, "linked_at": now}
        self._insert(chat_t, chat)
        return Collective(collective_id, now)

    def get(self, collective_id: int) -> Collective:
        return _collective(self.connection.execute(_COLLECTIVE, {"id": collective_id}).one())

    def chats(self, collective_id: int) -> list[tuple[str, str]]:
        if collective_id not in self._chats:
            rows = self._all(_CHATS, collective_id=collective_id)
            self._chats[collective_id] = [(row.platform, row.chat_id) for row in rows]
        return list(self._chats[collective_id])

    def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str, now: datetime) -> bool:
        self._chats.clear()
        old = self._first(_CHAT, platform=platform, chat_id=old_chat_id)
        if old is None:
            return False
        if self._first(_CHAT, platform=platform, chat_id=new_chat_id) is None:
            self._insert(
                chat_t,
                {"platform": platform, "chat_id": new_chat_id, "collective_id": old.collective_id, "linked_at": now},
            )
        self.connection.execute(delete(chat_t).where(chat_t.c.platform == platform, chat_t.c.chat_id == old_chat_id))
        return True

    def save(self, collective: Collective) -> None:
        self.connection.execute(
            _update_by(collective_t, "id"),
            {"key_id": collective.id, "principles": collective.principles},
        )


def _collective(row) -> Collective:
    return Collective(row.id, row.created_at, row.principles)


# --- members --------------------------------------------------------------

_MEMBER = _by(member_t, "id")
_MEMBER_FIND = _by(member_t, "collective_id", "platform", "user_id")
_MEMBERS_ACTIVE = (
    select(member_t)
    .where(member_t.c.collective_id == bindparam("collective_id"), member_t.c.active)
    .order_by(member_t.c.joined_at, member_t.c.id)
)
_MEMBERSHIPS = select(member_t).where(
    member_t.c.platform == bindparam("platform"), member_t.c.user_id == bindparam("user_id"), member_t.c.active
)
_MEMBER_NAMES = select(member_t.c.id, member_t.c.display_name).where(
    member_t.c.collective_id == bindparam("collective_id")
)
_MEMBER_TWINS = (
    update(member_t)
    .where(member_t.c.collective_id == bindparam("key_collective_id"))
    .values(twin=member_t.c.id.in_(bindparam("ids", expanding=True)))
)
_MEMBER_FIELDS = (
    "collective_id",
    "platform",
    "user_id",
    "display_name",
    "joined_at",
    "active",
    "away_until",
    "left_at",
    "twin",
)
_MEMBER_UPDATE = _update_by(member_t, "id")


class SqlMembers(_Repository):
    def find(self, collective_id: int, platform: str, user_id: str) -> Member | None:
        row = self._first(_MEMBER_FIND, collective_id=collective_id, platform=platform, user_id=user_id)
        return _member(row) if row else None

    def get(self, member_id: int) -> Member:
        return _member(self.connection.execute(_MEMBER, {"id": member_id}).one())

    def active(self, collective_id: int) -> list[Member]:
        return [_member(row) for row in self._all(_MEMBERS_ACTIVE, collective_id=collective_id)]

    def names(self, collective_id: int) -> list[tuple[int, str]]:
        return [(row.id, row.display_name) for row in self._all(_MEMBER_NAMES, collective_id=collective_id)]

    def mark_twins(self, collective_id: int, ids: set[int]) -> None:
        self.connection.execute(_MEMBER_TWINS, {"key_collective_id": collective_id, "ids": sorted(ids) or [-1]})

    def memberships(self, platform: str, user_id: str) -> list[Member]:
        return [_member(row) for row in self._all(_MEMBERSHIPS, platform=platform, user_id=user_id)]

    def save(self, member: Member) -> Member:
        values = {name: getattr(member, name) for name in _MEMBER_FIELDS}
        if member.id is None:
            member.id = self._insert(member_t, values)
        else:
            self.connection.execute(_MEMBER_UPDATE, {"key_id": member.id, **values})
        return member


def _member(row) -> Member:
    return _record(Member, row)


# --- settings -------------------------------------------------------------

_SETTINGS = select(setting_t.c.key, setting_t.c.value).where(setting_t.c.collective_id == bindparam("collective_id"))


class SqlSettings(_Repository):
    def values(self, collective_id: int) -> dict[str, str]:
        return {row.key: row.value for row in self._all(_SETTINGS, collective_id=collective_id)}

    def put(self, collective_id: int, key: str, value: str) -> None:
        self._upsert(setting_t, {"collective_id": collective_id, "key": key, "value": value}, ("collective_id", "key"))


class SqlSeenMessages(_Repository):
    def remember(self, platform: str, chat_id: str, message_ref: str, now: datetime) -> bool:
        # One statement: insert unless present. A concurrent duplicate waits on
        # the row (PostgreSQL) or the write lock (SQLite) and then inserts nothing.
        statement = _upsert(self.connection.dialect.name, seen_t, ("platform", "chat_id", "message_ref"), ())
        values = {"platform": platform, "chat_id": chat_id, "message_ref": message_ref, "seen_at": now}
        return self.connection.execute(statement, values).first() is not None


# --- due work -------------------------------------------------------------

_DUE_WORK = _by(due_t, "id")
_DUE = (
    select(due_t)
    .where(due_t.c.status == PENDING, due_t.c.due_at <= bindparam("now"))
    .order_by(due_t.c.due_at, due_t.c.id)
    .limit(bindparam("limit"))
)
_DUE_MOVE = (
    update(due_t)
    .where(due_t.c.id == bindparam("key_id"), due_t.c.status == bindparam("old"))
    .values(status=bindparam("new"), fired_at=bindparam("now"))
)
_DUE_CANCEL = (
    update(due_t)
    .where(
        due_t.c.collective_id == bindparam("key_collective_id"),
        due_t.c.kind == bindparam("key_kind"),
        due_t.c.subject_id.is_not_distinct_from(bindparam("key_subject_id")),  # None: IS NULL
        due_t.c.status == PENDING,
    )
    .values(status=CANCELLED)
)
_NEXT_DUE = select(due_t.c.due_at).where(due_t.c.status == PENDING).order_by(due_t.c.due_at).limit(1)


class SqlDueWork(_Repository):
    changed = False  # set once this unit of work added, claimed, retried or cancelled due work

    def add(self, work: DueWork) -> DueWork:
        self.changed = True
        work.id = self._insert(
            due_t,
            {
                "collective_id": work.collective_id,
                "kind": work.kind,
                "subject_id": work.subject_id,
                "due_at": work.due_at,
                "status": work.status,
                "data": json.dumps(work.data),
            },
        )
        return work

    def get(self, work_id: int) -> DueWork:
        return _due(self.connection.execute(_DUE_WORK, {"id": work_id}).one())

    def due(self, now: datetime, limit: int) -> list[DueWork]:
        return [_due(row) for row in self._all(_DUE, now=now, limit=limit)]

    def claim(self, work_id: int, now: datetime) -> bool:
        self.changed = True
        result = self.connection.execute(_DUE_MOVE, {"key_id": work_id, "old": PENDING, "new": DONE, "now": now})
        return result.rowcount == 1

    def fail(self, work_id: int, now: datetime, note: str) -> None:
        self.connection.execute(
            update(due_t).where(due_t.c.id == work_id).values(status=FAILED, fired_at=now, note=note)
        )

    def retry(self, work_id: int, due_at: datetime, attempts: int, note: str) -> None:
        self.changed = True
        data = dict(self.get(work_id).data)
        data["attempts"] = attempts
        self.connection.execute(
            update(due_t)
            .where(due_t.c.id == work_id)
            .values(status=PENDING, due_at=due_at, data=json.dumps(data), note=note)
        )

    def cancel(self, collective_id: int, kind: str, subject_id: int | None) -> int:
        self.changed = True
        params = {"key_collective_id": collective_id, "key_kind": kind, "key_subject_id": subject_id}
        return self.connection.execute(_DUE_CANCEL, params).rowcount

    def next_due_at(self) -> datetime | None:
        return self.connection.execute(_NEXT_DUE).scalar()


def _due(row) -> DueWork:
    return _record(DueWork, row, data=json.loads(row.data))


# --- items ----------------------------------------------------------------

_TAKE_NUMBER = (
    update(collective_t)
    .where(collective_t.c.id == bindparam("key_id"))
    .values(last_item_number=collective_t.c.last_item_number + 1)
)
_LAST_NUMBER = select(collective_t.c.last_item_number).where(collective_t.c.id == bindparam("id"))
_author = member_t.alias("author")
# Items with their author's current name (it heads every proposal message, redrawn at each vote).
_ITEMS = select(item_t, _author.c.display_name.label("author_name"), _author.c.twin.label("author_twin")).select_from(
    item_t.outerjoin(_author, _author.c.id == item_t.c.author_id)
)


def _items_by(*names: str):
    return _ITEMS.where(*(item_t.c[name] == bindparam(name) for name in names))


_ITEM = _items_by("id")
_ITEM_BY_NUMBER = _items_by("collective_id", "number")
_ITEMS_OPEN = _items_by("collective_id").where(item_t.c.status == OPEN).order_by(item_t.c.number)
_ITEMS_OPEN_PAGE = _ITEMS_OPEN.limit(bindparam("limit")).offset(bindparam("offset"))
_ITEMS_OPEN_COUNT = (
    select(func.count())
    .select_from(item_t)
    .where(item_t.c.collective_id == bindparam("collective_id"), item_t.c.status == OPEN)
)
_ITEMS_DECIDED = (
    _items_by("collective_id")
    .where(item_t.c.status.in_((ADOPTED, NOT_ADOPTED)))
    .order_by(item_t.c.decided_at.desc(), item_t.c.number.desc())
    .limit(bindparam("limit"))
)
_ITEMS_OPEN_OF_TOPIC = _items_by("collective_id", "topic").where(item_t.c.status == OPEN)
_ITEM_FIELDS = (
    "collective_id",
    "number",
    "kind",
    "topic",
    "author_id",
    "title",
    "body",
    "created_at",
    "status",
    "raised_platform",
    "raised_chat",
    "raised_thread",
)
_ITEM_UPDATE = _update_by(item_t, "id")


class SqlItems(_Repository):
    def next_number(self, collective_id: int) -> int:
        # One UPDATE takes the number and locks the collective's row until commit.
        self.connection.execute(_TAKE_NUMBER, {"key_id": collective_id})
        return self.connection.execute(_LAST_NUMBER, {"id": collective_id}).scalar_one()

    def add(self, item: Item) -> Item:
        item.id = self._insert(item_t, _item_values(item))
        return item

    def get(self, item_id: int) -> Item:
        return _item(self.connection.execute(_ITEM, {"id": item_id}).one())

    def by_number(self, collective_id: int, number: int) -> Item | None:
        row = self._first(_ITEM_BY_NUMBER, collective_id=collective_id, number=number)
        return _item(row) if row else None

    def save(self, item: Item) -> None:
        self.connection.execute(_ITEM_UPDATE, {"key_id": item.id, **_item_values(item)})

    def open(self, collective_id: int, limit: int | None = None, offset: int = 0) -> list[Item]:
        if limit is None:
            return [_item(row) for row in self._all(_ITEMS_OPEN, collective_id=collective_id)]
        rows = self._all(_ITEMS_OPEN_PAGE, collective_id=collective_id, limit=limit, offset=offset)
        return [_item(row) for row in rows]

    def count_open(self, collective_id: int) -> int:
        return self.connection.execute(_ITEMS_OPEN_COUNT, {"collective_id": collective_id}).scalar_one()

    def decided(self, collective_id: int, limit: int) -> list[Item]:
        return [_item(row) for row in self._all(_ITEMS_DECIDED, collective_id=collective_id, limit=limit)]

    def find_open(self, collective_id: int, topic: str, key: str, value: str) -> Item | None:
        rows = self._all(_ITEMS_OPEN_OF_TOPIC, collective_id=collective_id, topic=topic)
        return next((item for item in map(_item, rows) if item.data.get(key) == value), None)


def _item_values(item: Item) -> dict:
    values = {name: getattr(item, name) for name in _ITEM_FIELDS}
    values["decided_at"] = item.decided_at
    values["data"] = json.dumps(item.data, sort_keys=True)
    return values


def _item(row) -> Item:
    return _record(Item, row, data=json.loads(row.data))


# --- rounds and responses -------------------------------------------------

_ROUND = _by(round_t, "id")
_ROUND_LATEST = _by(round_t, "item_id").order_by(round_t.c.number.desc()).limit(1)
_ROUNDS_OF_ITEM = _by(round_t, "item_id").order_by(round_t.c.number)
_ROUNDS_OF_ITEMS = select(round_t).where(round_t.c.item_id.in_(bindparam("item_ids", expanding=True)))
_ROUND_FINISH = (
    update(round_t)
    .where(round_t.c.id == bindparam("key_id"), round_t.c.status == ROUND_OPEN)
    .values(status=bindparam("new_status"), closed_at=bindparam("now"))
)
_ROUND_FIELDS = (
    "item_id",
    "number",
    "title",
    "body",
    "opened_at",
    "closes_at",
    "status",
    "closed_at",
    "rule",
    "adopted",
    "outcome",
    "mode",
    "extensions",
)
_ROUND_UPDATE = _update_by(round_t, "id")
_ROLL = select(roll_t.c.member_id).where(roll_t.c.round_id == bindparam("round_id"))
_ROLL_FREEZE = (
    update(roll_t)
    .where(roll_t.c.round_id == bindparam("key_round_id"))
    .values(counted=select(member_t.c.active).where(member_t.c.id == roll_t.c.member_id).scalar_subquery())
)
_RESPONSE_ON_ROLL = (response_t.c.round_id == roll_t.c.round_id) & (response_t.c.member_id == roll_t.c.member_id)


def _rolls_with_responses(*columns):
    """The rounds' rolls (``round_ids``): members still in the collective (for a
    round that ended: those who were at its end), each with their response if
    they gave one."""
    return (
        select(*columns)
        .select_from(roll_t)
        .join(member_t, member_t.c.id == roll_t.c.member_id)
        .outerjoin(response_t, _RESPONSE_ON_ROLL)
        .where(
            roll_t.c.round_id.in_(bindparam("round_ids", expanding=True)),
            func.coalesce(roll_t.c.counted, member_t.c.active),  # frozen at the round's end, else as it is now
        )
    )


_COUNTS = _rolls_with_responses(roll_t.c.round_id, response_t.c.kind, func.count().label("count")).group_by(
    roll_t.c.round_id, response_t.c.kind
)
_LATEST_WITH_ENTRY = (
    select(
        round_t,
        roll_t.c.member_id.label("on_roll"),
        response_t.c.kind.label("response_kind"),
    )
    .outerjoin(roll_t, (roll_t.c.round_id == round_t.c.id) & (roll_t.c.member_id == bindparam("member_id")))
    .outerjoin(response_t, (response_t.c.round_id == round_t.c.id) & (response_t.c.member_id == bindparam("member_id")))
    .where(round_t.c.item_id == bindparam("item_id"))
    .order_by(round_t.c.number.desc())
    .limit(1)
)
# The whole standing of several rounds in one query.
_STANDINGS = _rolls_with_responses(
    roll_t.c.round_id,
    member_t,
    response_t.c.kind.label("response_kind"),
    response_t.c.reason.label("response_reason"),
    response_t.c.at.label("response_at"),
    response_t.c.first_at.label("response_first_at"),
).order_by(member_t.c.joined_at, member_t.c.id)


class SqlRounds(_Repository):
    def add(self, round_: Round, roll: list[int]) -> Round:
        round_.id = self._insert(round_t, _round_values(round_))
        if roll:
            self.connection.execute(
                insert(roll_t), [{"round_id": round_.id, "member_id": member_id} for member_id in roll]
            )
        return round_

    def get(self, round_id: int) -> Round:
        return _round(self.connection.execute(_ROUND, {"id": round_id}).one())

    def find(self, round_id: int) -> Round | None:
        row = self._first(_ROUND, id=round_id)
        return _round(row) if row else None

    def latest(self, item_id: int) -> Round:
        return _round(self.connection.execute(_ROUND_LATEST, {"item_id": item_id}).one())

    def of_item(self, item_id: int) -> list[Round]:
        return [_round(row) for row in self._all(_ROUNDS_OF_ITEM, item_id=item_id)]

    def save(self, round_: Round) -> None:
        self.connection.execute(_ROUND_UPDATE, {"key_id": round_.id, **_round_values(round_)})

    def finish(self, round_id: int, status: str, now: datetime) -> bool:
        params = {"key_id": round_id, "new_status": status, "now": now}
        return self.connection.execute(_ROUND_FINISH, params).rowcount == 1

    def roll(self, round_id: int) -> list[int]:
        return list(self.connection.execute(_ROLL, {"round_id": round_id}).scalars())

    def freeze_roll(self, round_id: int) -> None:
        self.connection.execute(_ROLL_FREEZE, {"key_round_id": round_id})

    def latest_for(self, item_ids: list[int]) -> dict[int, Round]:
        latest: dict[int, Round] = {}
        for row in self._all(_ROUNDS_OF_ITEMS, item_ids=item_ids):
            if row.item_id not in latest or row.number > latest[row.item_id].number:
                latest[row.item_id] = _round(row)
        return latest

    def counts(self, round_ids: list[int]) -> dict[int, tuple[int, dict[str, int]]]:
        rolls = dict.fromkeys(round_ids, 0)
        kinds: dict[int, dict[str, int]] = {round_id: {} for round_id in round_ids}
        for round_id, kind, count in self._all(_COUNTS, round_ids=round_ids):
            rolls[round_id] += count
            if kind is not None:
                kinds[round_id][kind] = count
        return {round_id: (rolls[round_id], kinds[round_id]) for round_id in round_ids}

    def latest_with_entry(self, item_id: int, member_id: int) -> tuple[Round, bool, str | None]:
        row = self.connection.execute(_LATEST_WITH_ENTRY, {"item_id": item_id, "member_id": member_id}).one()
        return _round(row), row.on_roll is not None, row.response_kind

    def standings(self, round_ids: list[int]) -> dict[int, tuple[list[Member], list[Response]]]:
        found: dict[int, tuple[list[Member], list[tuple[datetime, Response]]]] = {
            round_id: ([], []) for round_id in round_ids
        }
        for row in self._all(_STANDINGS, round_ids=round_ids):
            roll, given = found[row.round_id]
            roll.append(_member(row))
            if row.response_kind is not None:
                response = Response(row.round_id, row.id, row.response_kind, row.response_reason, row.response_at)
                given.append((row.response_first_at, response))
        return {
            # by when each was first given, then by member: never by anything that changes later (a rejoining)
            round_id: (roll, [response for _, response in sorted(given, key=lambda pair: (pair[0], pair[1].member_id))])
            for round_id, (roll, given) in found.items()
        }


def _round_values(round_: Round) -> dict:
    values = {name: getattr(round_, name) for name in _ROUND_FIELDS}
    values["terms"] = json.dumps(round_.terms, sort_keys=True)
    return values


def _round(row) -> Round:
    return _record(Round, row, terms=json.loads(row.terms))


_RESPONSES_OF_ROUND = _by(response_t, "round_id").order_by(response_t.c.first_at)
_RESPONSE_REMOVE = delete(response_t).where(
    response_t.c.round_id == bindparam("round_id"),
    response_t.c.member_id == bindparam("member_id"),
    response_t.c.kind == bindparam("kind"),
)


class SqlResponses(_Repository):
    def put(self, response: Response) -> None:
        # One statement; a replaced response keeps the time it was first given.
        statement = _upsert(
            self.connection.dialect.name, response_t, ("round_id", "member_id"), ("kind", "reason", "at")
        )
        values = {
            "round_id": response.round_id,
            "member_id": response.member_id,
            "kind": response.kind,
            "reason": response.reason,
            "first_at": response.at,
            "at": response.at,
        }
        self.connection.execute(statement, values)

    def of_round(self, round_id: int) -> list[Response]:
        return [_response(row) for row in self._all(_RESPONSES_OF_ROUND, round_id=round_id)]

    def remove(self, round_id: int, member_id: int, kind: str) -> bool:
        params = {"round_id": round_id, "member_id": member_id, "kind": kind}
        return self.connection.execute(_RESPONSE_REMOVE, params).rowcount == 1


def _response(row) -> Response:
    return Response(row.round_id, row.member_id, row.kind, row.reason, row.at)


# --- needs and the ledger -------------------------------------------------

_NEED = _by(need_t, "item_id")
_NEED_FIELDS = ("amount", "category", "private", "stage", "approved_at")
_NEED_UPDATE = _update_by(need_t, "item_id")
_NEED_MOVE = (
    update(need_t)
    .where(need_t.c.item_id == bindparam("key_item_id"), need_t.c.stage == bindparam("old"))
    .values(stage=bindparam("new"))
)
_NEEDS_IN_STAGE = (
    _ITEMS.add_columns(*(need_t.c[name].label(f"need_{name}") for name in ("item_id", *_NEED_FIELDS)))
    .join(need_t, need_t.c.item_id == item_t.c.id)
    .where(item_t.c.collective_id == bindparam("collective_id"), need_t.c.stage == bindparam("stage"))
    .order_by(item_t.c.created_at, item_t.c.number)
)
_OFFERS = _by(offer_t, "item_id").order_by(offer_t.c.at)


class SqlNeeds(_Repository):
    def add(self, need: Need) -> None:
        self._insert(need_t, _need_values(need))

    def get(self, item_id: int) -> Need:
        return _need(self.connection.execute(_NEED, {"item_id": item_id}).one())

    def save(self, need: Need) -> None:
        self.connection.execute(_NEED_UPDATE, {**_need_values(need), "key_item_id": need.item_id})

    def move(self, item_id: int, old_stage: str, new_stage: str) -> bool:
        params = {"key_item_id": item_id, "old": old_stage, "new": new_stage}
        return self.connection.execute(_NEED_MOVE, params).rowcount == 1

    def in_stage(self, collective_id: int, stage: str) -> list[tuple[Item, Need]]:
        rows = self._all(_NEEDS_IN_STAGE, collective_id=collective_id, stage=stage)
        return [(_item(row), _need(row, "need_")) for row in rows]

    def add_offer(self, offer: Offer) -> None:
        values = {"item_id": offer.item_id, "member_id": offer.member_id, "note": offer.note, "at": offer.at}
        self._upsert(offer_t, values, ("item_id", "member_id"))

    def offers(self, item_id: int) -> list[Offer]:
        return [Offer(row.item_id, row.member_id, row.note, row.at) for row in self._all(_OFFERS, item_id=item_id)]


def _need_values(need: Need) -> dict:
    return {"item_id": need.item_id, **{name: getattr(need, name) for name in _NEED_FIELDS}}


def _need(row, prefix: str = "") -> Need:
    field = row._mapping
    return Need(*(field[prefix + name] for name in ("item_id", *_NEED_FIELDS)))


_LEDGER_TOTALS = (
    select(ledger_t.c.kind, func.sum(ledger_t.c.amount))
    .where(ledger_t.c.collective_id == bindparam("collective_id"))
    .group_by(ledger_t.c.kind)
)
_LEDGER_FOR_ITEM = (
    select(ledger_t.c.kind, func.sum(ledger_t.c.amount))
    .where(ledger_t.c.item_id == bindparam("item_id"))
    .group_by(ledger_t.c.kind)
)
_LEDGER_RECENT = _by(ledger_t, "collective_id").order_by(ledger_t.c.id.desc()).limit(bindparam("limit"))
_LEDGER_NUMBERED = _by(ledger_t, "collective_id", "number")
_LEDGER_ENTRY = _by(ledger_t, "id")
_LEDGER_REVERSAL = _by(ledger_t, "reverses")
_LEDGER_LAST_NUMBER = select(func.coalesce(func.max(ledger_t.c.number), 0)).where(
    ledger_t.c.collective_id == bindparam("collective_id")
)
_LEDGER_FIELDS = tuple(field.name for field in dataclasses.fields(LedgerEntry) if field.name != "id")


class SqlLedger(_Repository):
    def append(self, entry: LedgerEntry) -> LedgerEntry:
        last = self.connection.execute(_LEDGER_LAST_NUMBER, {"collective_id": entry.collective_id}).scalar()
        entry.number = last + 1  # taken under the unit of work's write lock
        entry.id = self._insert(ledger_t, {name: getattr(entry, name) for name in _LEDGER_FIELDS})
        return entry

    def numbered(self, collective_id: int, number: int) -> LedgerEntry | None:
        row = self._first(_LEDGER_NUMBERED, collective_id=collective_id, number=number)
        return _ledger_entry(row) if row else None

    def get(self, entry_id: int) -> LedgerEntry:
        return _ledger_entry(self.connection.execute(_LEDGER_ENTRY, {"id": entry_id}).one())

    def reversal_of(self, entry_id: int) -> LedgerEntry | None:
        row = self._first(_LEDGER_REVERSAL, reverses=entry_id)
        return _ledger_entry(row) if row else None

    def totals(self, collective_id: int) -> dict[str, int]:
        return {kind: int(total) for kind, total in self._all(_LEDGER_TOTALS, collective_id=collective_id)}

    def reserved_for(self, item_id: int) -> int:
        totals = {kind: int(total) for kind, total in self._all(_LEDGER_FOR_ITEM, item_id=item_id)}
        return totals.get(RESERVATION, 0) - totals.get(RELEASE, 0) - totals.get(PAYOUT, 0)

    def recent(self, collective_id: int, limit: int) -> list[LedgerEntry]:
        return [_ledger_entry(row) for row in self._all(_LEDGER_RECENT, collective_id=collective_id, limit=limit)]


def _ledger_entry(row) -> LedgerEntry:
    return _record(LedgerEntry, row)


_DECISIONS_RECENT = (
    _by(decision_t, "collective_id")
    .order_by(decision_t.c.at.desc(), decision_t.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_DECISIONS_COUNT = select(func.count()).where(decision_t.c.collective_id == bindparam("collective_id"))
_DECISION_FIELDS = tuple(field.name for field in dataclasses.fields(Decision))


class SqlDecisions(_Repository):
    def add(self, decision: Decision) -> None:
        self._insert(decision_t, {name: getattr(decision, name) for name in _DECISION_FIELDS})

    def recent(self, collective_id: int, limit: int, offset: int = 0) -> list[Decision]:
        rows = self._all(_DECISIONS_RECENT, collective_id=collective_id, limit=limit, offset=offset)
        return [_record(Decision, row) for row in rows]

    def count(self, collective_id: int) -> int:
        return self.connection.execute(_DECISIONS_COUNT, {"collective_id": collective_id}).scalar()


# --- roles ----------------------------------------------------------------

_ROLE = _by(role_t, "id")
_ROLE_NAMED = _by(role_t, "collective_id", "name")
_ROLES = _by(role_t, "collective_id").order_by(role_t.c.id)
_ROLE_FIELDS = (
    "collective_id",
    "name",
    "every_seconds",
    "weekday",
    "at_hour",
    "at_minute",
    "created_at",
    "holder_id",
    "term_started_at",
    "next_handover_at",
    "vacancy_announced",
)
_ROLE_UPDATE = _update_by(role_t, "id")
_ROSTER = select(roster_t.c.member_id).where(roster_t.c.role_id == bindparam("role_id")).order_by(roster_t.c.joined_at)
_ROSTER_ENTRY = _by(roster_t, "role_id", "member_id")
_ROSTER_LEAVE = delete(roster_t).where(
    roster_t.c.role_id == bindparam("role_id"), roster_t.c.member_id == bindparam("member_id")
)
_TURNS = _by(turn_t, "role_id").order_by(turn_t.c.id)
_CURRENT_TURN = update(turn_t).where(turn_t.c.role_id == bindparam("key_role_id"), turn_t.c.ended_at.is_(None))
_PENDING_SWAPS = _by(swap_t, "role_id").where(swap_t.c.status == SWAP_PENDING).order_by(swap_t.c.id)


class SqlRoles(_Repository):
    def add(self, role: Role) -> Role:
        role.id = self._insert(role_t, _role_values(role))
        return role

    def get(self, role_id: int) -> Role:
        return _role(self.connection.execute(_ROLE, {"id": role_id}).one())

    def named(self, collective_id: int, name: str) -> Role | None:
        row = self._first(_ROLE_NAMED, collective_id=collective_id, name=name)
        return _role(row) if row else None

    def of_collective(self, collective_id: int) -> list[Role]:
        return [_role(row) for row in self._all(_ROLES, collective_id=collective_id)]

    def save(self, role: Role) -> None:
        self.connection.execute(_ROLE_UPDATE, {"key_id": role.id, **_role_values(role)})

    def roster(self, role_id: int) -> list[int]:
        return list(self.connection.execute(_ROSTER, {"role_id": role_id}).scalars())

    def join(self, role_id: int, member_id: int, now: datetime) -> bool:
        if self._first(_ROSTER_ENTRY, role_id=role_id, member_id=member_id) is not None:
            return False
        self._insert(roster_t, {"role_id": role_id, "member_id": member_id, "joined_at": now})
        return True

    def leave(self, role_id: int, member_id: int) -> bool:
        return self.connection.execute(_ROSTER_LEAVE, {"role_id": role_id, "member_id": member_id}).rowcount == 1

    def turns(self, role_id: int) -> list[Turn]:
        rows = self._all(_TURNS, role_id=role_id)
        return [Turn(row.role_id, row.member_id, row.started_at, row.ended_at) for row in rows]

    def start_turn(self, turn: Turn) -> None:
        self._insert(turn_t, {"role_id": turn.role_id, "member_id": turn.member_id, "started_at": turn.started_at})

    def end_turn(self, role_id: int, now: datetime) -> None:
        self.connection.execute(_CURRENT_TURN, {"key_role_id": role_id, "ended_at": now})

    def hand_current_turn(self, role_id: int, member_id: int) -> None:
        self.connection.execute(_CURRENT_TURN, {"key_role_id": role_id, "member_id": member_id})

    def add_swap(self, swap: Swap) -> Swap:
        swap.id = self._insert(
            swap_t,
            {
                "role_id": swap.role_id,
                "from_member_id": swap.from_member_id,
                "to_member_id": swap.to_member_id,
                "requested_at": swap.requested_at,
                "status": swap.status,
            },
        )
        return swap

    def pending_swaps(self, role_id: int) -> list[Swap]:
        rows = self._all(_PENDING_SWAPS, role_id=role_id)
        return [Swap(r.id, r.role_id, r.from_member_id, r.to_member_id, r.requested_at, r.status) for r in rows]

    def save_swap(self, swap: Swap) -> None:
        self.connection.execute(update(swap_t).where(swap_t.c.id == swap.id).values(status=swap.status))


def _role_values(role: Role) -> dict:
    at_hour, at_minute = role.at if role.at else (None, None)
    return {
        "collective_id": role.collective_id,
        "name": role.name,
        "every_seconds": int(role.every.total_seconds()),
        "weekday": role.weekday,
        "at_hour": at_hour,
        "at_minute": at_minute,
        "created_at": role.created_at,
        "holder_id": role.holder_id,
        "term_started_at": role.term_started_at,
        "next_handover_at": role.next_handover_at,
        "vacancy_announced": role.vacancy_announced,
    }


def _role(row) -> Role:
    return Role(
        id=row.id,
        collective_id=row.collective_id,
        name=row.name,
        every=timedelta(seconds=row.every_seconds),
        weekday=row.weekday,
        at=(row.at_hour, row.at_minute) if row.at_hour is not None else None,
        created_at=row.created_at,
        holder_id=row.holder_id,
        term_started_at=row.term_started_at,
        next_handover_at=row.next_handover_at,
        vacancy_announced=row.vacancy_announced,
    )


# --- where asks were posted -----------------------------------------------

_SENT_ASK_KEY = select(sent_ask_t.c.key).where(
    sent_ask_t.c.platform == bindparam("platform"),
    sent_ask_t.c.chat_id == bindparam("chat_id"),
    sent_ask_t.c.message_ref == bindparam("message_ref"),
)
_SENT_ASK_REFS = select(sent_ask_t.c.message_ref).where(
    sent_ask_t.c.platform == bindparam("platform"),
    sent_ask_t.c.chat_id == bindparam("chat_id"),
    sent_ask_t.c.key == bindparam("key"),
)


class SqlSentAsks(_Repository):
    def remember(self, platform: str, chat_id: str, key: str, message_ref: str) -> None:
        values = {"platform": platform, "chat_id": chat_id, "message_ref": message_ref, "key": key}
        self._upsert(sent_ask_t, values, ("platform", "chat_id", "message_ref"))

    def refs(self, platform: str, chat_id: str, key: str) -> list[str]:
        params = {"platform": platform, "chat_id": chat_id, "key": key}
        return list(self.connection.execute(_SENT_ASK_REFS, params).scalars())

    def key_of(self, platform: str, chat_id: str, message_ref: str) -> str | None:
        params = {"platform": platform, "chat_id": chat_id, "message_ref": message_ref}
        return self.connection.execute(_SENT_ASK_KEY, params).scalar()


class SqlUnitOfWork:
    """One transaction on one connection; leaving it without commit() rolls back.
    ``read_only``: a plain read transaction that never takes the write lock (see
    ``storage.engine.read_only``), for lookups that change nothing."""

    def __init__(self, engine: Engine, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only

    def __enter__(self) -> SqlUnitOfWork:
        if self._read_only:
            self._reading = read_only(self._engine)
            self.connection = connection = self._reading.__enter__()
        else:
            self._reading = None
            self.connection = connection = self._engine.connect()
        self.collectives = SqlCollectives(connection)
        self.members = SqlMembers(connection)
        self.settings = SqlSettings(connection)
        self.seen = SqlSeenMessages(connection)
        self.due = SqlDueWork(connection)
        self.items = SqlItems(connection)
        self.rounds = SqlRounds(connection)
        self.responses = SqlResponses(connection)
        self.needs = SqlNeeds(connection)
        self.ledger = SqlLedger(connection)
        self.decisions = SqlDecisions(connection)
        self.roles = SqlRoles(connection)
        self.asks = SqlSentAsks(connection)
        self.outbox = SqlOutbox(connection)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._reading is not None:
            self._reading.__exit__(None, None, None)
            return
        self.connection.rollback()
        self.connection.close()

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()
        self.collectives = SqlCollectives(self.connection)  # nothing remembered from the undone work
