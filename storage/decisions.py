"""Items, their rounds and responses, and the log of decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update

from bot.model import (
    ADOPTED,
    NOT_ADOPTED,
    OPEN,
    ROUND_OPEN,
    Decision,
    Item,
    Response,
    Round,
)
from storage.fields import Persisted, json_text
from storage.sql import (
    _by,
    _Repository,
    _update_by,
    _upsert,
    collective_t,
    decision_t,
    item_t,
    member_t,
    response_t,
    roll_t,
    round_t,
)

ITEM = Persisted(Item, item_t, stored={"data": json_text("data")}, loaded=("author_name", "author_twin"))
ROUND = Persisted(Round, round_t, stored={"terms": json_text("terms")})
RESPONSE = Persisted(Response, response_t, table_only=("first_at",))
DECISION = Persisted(Decision, decision_t, table_only=("id",))

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
_ITEMS_OF_TOPIC = _items_by("collective_id", "topic").order_by(item_t.c.number)
_ITEM_UPDATE = _update_by(item_t, "id")


class SqlItems(_Repository):
    def next_number(self, collective_id: int) -> int:
        # One UPDATE takes the number and locks the collective's row until commit.
        self.connection.execute(_TAKE_NUMBER, {"key_id": collective_id})
        return self.connection.execute(_LAST_NUMBER, {"id": collective_id}).scalar_one()

    def add(self, item: Item) -> Item:
        item.id = self._insert(item_t, _item_values(item))
        self._touch("item", id=item.id)
        return item

    def get(self, item_id: int) -> Item:
        return _item(self.connection.execute(_ITEM, {"id": item_id}).one())

    def by_number(self, collective_id: int, number: int) -> Item | None:
        row = self._first(_ITEM_BY_NUMBER, collective_id=collective_id, number=number)
        return _item(row) if row else None

    def save(self, item: Item) -> None:
        self.connection.execute(_ITEM_UPDATE, {"key_id": item.id, **_item_values(item)})
        self._touch("item", id=item.id)

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

    def of_topic(self, collective_id: int, topic: str, key: str, value: str) -> list[Item]:
        rows = self._all(_ITEMS_OF_TOPIC, collective_id=collective_id, topic=topic)
        return [item for item in map(_item, rows) if item.data.get(key) == value]


_item_values = ITEM.values
_item = ITEM.record


# --- rounds and responses -------------------------------------------------

_ROUND = _by(round_t, "id")
_ROUND_LATEST = _by(round_t, "item_id").order_by(round_t.c.number.desc()).limit(1)
_ROUNDS_OF_ITEM = _by(round_t, "item_id").order_by(round_t.c.number)
_ROUND_FINISH = (
    update(round_t)
    .where(round_t.c.id == bindparam("key_id"), round_t.c.status == ROUND_OPEN)
    .values(status=bindparam("new_status"), closed_at=bindparam("now"))
)
_ROUND_UPDATE = _update_by(round_t, "id")
_ROLL = select(roll_t.c.member_id).where(roll_t.c.round_id == bindparam("round_id"))
_ROLL_FREEZE = (
    update(roll_t)
    .where(roll_t.c.round_id == bindparam("key_round_id"))
    .values(counted=select(member_t.c.active).where(member_t.c.id == roll_t.c.member_id).scalar_subquery())
)


class SqlRounds(_Repository):
    def add(self, round_: Round, roll: list[int]) -> Round:
        round_.id = self._insert(round_t, _round_values(round_))
        if roll:
            self.connection.execute(
                insert(roll_t), [{"round_id": round_.id, "member_id": member_id} for member_id in roll]
            )
        self._touch("round", id=round_.id)
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
        self._touch("round", id=round_.id)

    def finish(self, round_id: int, status: str, now: datetime) -> bool:
        params = {"key_id": round_id, "new_status": status, "now": now}
        self._touch("round", id=round_id)
        return self.connection.execute(_ROUND_FINISH, params).rowcount == 1

    def roll(self, round_id: int) -> list[int]:
        return list(self.connection.execute(_ROLL, {"round_id": round_id}).scalars())

    def freeze_roll(self, round_id: int) -> None:
        self.connection.execute(_ROLL_FREEZE, {"key_round_id": round_id})
        self._touch("round", id=round_id)


_round_values = ROUND.values
_round = ROUND.record


_RESPONSES_OF_ROUND = _by(response_t, "round_id").order_by(response_t.c.first_at)
_RESPONSE_REMOVE = delete(response_t).where(
    response_t.c.round_id == bindparam("round_id"),
    response_t.c.member_id == bindparam("member_id"),
    response_t.c.kind == bindparam("kind"),
    response_t.c.by_proxy.is_(None),  # a reaction taken back takes back one's own response, never a proxy's
)
_PROXIED_OPEN = (
    select(response_t.c.round_id)
    .join(round_t, round_t.c.id == response_t.c.round_id)
    .where(
        response_t.c.member_id == bindparam("member_id"),
        response_t.c.by_proxy == bindparam("by_proxy"),
        round_t.c.status == ROUND_OPEN,
        round_t.c.closes_at >= bindparam("ended_at"),
    )
)
_PROXIED_REMOVE = delete(response_t).where(
    response_t.c.round_id.in_(bindparam("round_ids", expanding=True)),
    response_t.c.member_id == bindparam("member_id"),
    response_t.c.by_proxy == bindparam("by_proxy"),
)


class SqlResponses(_Repository):
    def put(self, response: Response) -> None:
        # One statement; a replaced response keeps the time it was first given.
        statement = _upsert(
            self.connection.dialect.name, response_t, ("round_id", "member_id"), ("kind", "reason", "at", "by_proxy")
        )
        self.connection.execute(statement, {**RESPONSE.values(response), "first_at": response.at})
        self._touch("response", round_id=response.round_id, member_id=response.member_id)

    def of_round(self, round_id: int) -> list[Response]:
        return [_response(row) for row in self._all(_RESPONSES_OF_ROUND, round_id=round_id)]

    def remove(self, round_id: int, member_id: int, kind: str) -> bool:
        params = {"round_id": round_id, "member_id": member_id, "kind": kind}
        self._touch("response", round_id=round_id, member_id=member_id)
        return self.connection.execute(_RESPONSE_REMOVE, params).rowcount == 1

    def take_back(self, member_id: int, by_proxy: int, ended_at: datetime) -> list[int]:
        params = {"member_id": member_id, "by_proxy": by_proxy}
        round_ids = sorted(row.round_id for row in self._all(_PROXIED_OPEN, **params, ended_at=ended_at))
        if round_ids:
            self.connection.execute(_PROXIED_REMOVE, {**params, "round_ids": round_ids})
        for round_id in round_ids:
            self._touch("response", round_id=round_id, member_id=member_id)
        return round_ids


_response = RESPONSE.record


_DECISIONS_RECENT = (
    _by(decision_t, "collective_id")
    .order_by(decision_t.c.at.desc(), decision_t.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_DECISIONS_COUNT = select(func.count()).where(decision_t.c.collective_id == bindparam("collective_id"))


class SqlDecisions(_Repository):
    def add(self, decision: Decision) -> None:
        self._touch("decision", id=self._insert(decision_t, DECISION.values(decision)))

    def recent(self, collective_id: int, limit: int, offset: int = 0) -> list[Decision]:
        rows = self._all(_DECISIONS_RECENT, collective_id=collective_id, limit=limit, offset=offset)
        return [DECISION.record(row) for row in rows]

    def count(self, collective_id: int) -> int:
        return self.connection.execute(_DECISIONS_COUNT, {"collective_id": collective_id}).scalar()
