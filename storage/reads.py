"""The read port (``bot.ports.Reads``): the queries that join several aggregates to answer one question in one
go, each with a named result type."""

from __future__ import annotations

import json

from sqlalchemy import bindparam, func, select

from bot.model import Response, Round
from bot.ports_reads import ChatScene, Decided, MemberEntry, RollStanding, RoundCount
from storage.decisions import DECISION, RESPONSE, ROUND
from storage.people import COLLECTIVE, MEMBER
from storage.sql import (
    _Repository,
    chat_t,
    collective_t,
    decision_t,
    item_t,
    member_t,
    response_t,
    roll_t,
    round_t,
    setting_t,
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
            *(collective_t.c[name].label(f"collective__{name}") for name in COLLECTIVE.columns),
            settings.label("collective_settings"),
            member_t,
        )
        .select_from(chat_t)
        .join(collective_t, collective_t.c.id == chat_t.c.collective_id)
        .outerjoin(
            member_t,
            (member_t.c.collective_id == collective_t.c.id)
            & (member_t.c.platform == bindparam("person_platform"))
            & (member_t.c.user_id == bindparam("user_id")),
        )
        .where(chat_t.c.platform == bindparam("platform"), chat_t.c.chat_id == bindparam("chat_id"))
    )


_CHAT_SCENE = {"sqlite": _chat_scene(func.json_group_object), "postgresql": _chat_scene(func.json_object_agg)}
_ROUNDS_OF_ITEMS = select(round_t).where(round_t.c.item_id.in_(bindparam("item_ids", expanding=True)))
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


_COUNTS = _rolls_with_responses(
    roll_t.c.round_id, response_t.c.kind, func.count().label("count"), func.count(response_t.c.by_proxy)
).group_by(roll_t.c.round_id, response_t.c.kind)
_LATEST_WITH_ENTRY = (
    select(
        round_t,
        roll_t.c.member_id.label("on_roll"),
        response_t.c.kind.label("response_kind"),
        response_t.c.by_proxy.label("response_by_proxy"),
    )
    .outerjoin(roll_t, (roll_t.c.round_id == round_t.c.id) & (roll_t.c.member_id == bindparam("member_id")))
    .outerjoin(response_t, (response_t.c.round_id == round_t.c.id) & (response_t.c.member_id == bindparam("member_id")))
    .where(round_t.c.item_id == bindparam("item_id"))
    .order_by(round_t.c.number.desc())
    .limit(1)
)
# The whole standing of several rounds in one query.
_STANDINGS = _rolls_with_responses(
    roll_t.c.round_id.label("roll_round_id"),
    member_t,
    *(response_t.c[name].label(f"response__{name}") for name in (*RESPONSE.columns, "first_at")),
).order_by(member_t.c.joined_at, member_t.c.id)
# Only the responses of the standings, in the order they are shown: no member rows, no sorting afterwards.
_REASONS = (
    _rolls_with_responses(*(response_t.c[name] for name in RESPONSE.columns))
    .where(response_t.c.kind.is_not(None))
    .order_by(response_t.c.round_id, response_t.c.first_at, response_t.c.member_id)
)

# The newest outcomes, each with its item's number and the round that decided it, in one query.
_DECIDED = (
    select(decision_t, item_t.c.number.label("item_number"), round_t.c.id.label("round_id"))
    .join(item_t, item_t.c.id == decision_t.c.item_id)
    .outerjoin(round_t, (round_t.c.item_id == decision_t.c.item_id) & (round_t.c.number == decision_t.c.round_number))
    .where(decision_t.c.collective_id == bindparam("collective_id"))
    .order_by(decision_t.c.at.desc(), decision_t.c.id.desc())
    .limit(bindparam("limit"))
)


class SqlReads(_Repository):
    def with_member(self, platform: str, chat_id: str, user_id: str, person_platform: str | None = None) -> ChatScene:
        self.locks.lock_chat(platform, chat_id)  # (a chat not known yet: the lock under which it becomes one)
        statement = _CHAT_SCENE[self.connection.dialect.name]
        person = {"user_id": user_id, "person_platform": person_platform or platform}
        row = self._first(statement, platform=platform, chat_id=chat_id, **person)
        if row is None:
            return ChatScene(None, None, {})
        collective = COLLECTIVE.record(row, "collective__")
        settings = row.collective_settings  # text on SQLite, already read on PostgreSQL, None there when empty
        settings = json.loads(settings) if isinstance(settings, str) else settings or {}
        return ChatScene(collective, MEMBER.record(row) if row.id is not None else None, settings)

    def latest_for(self, item_ids: list[int]) -> dict[int, Round]:
        latest: dict[int, Round] = {}
        for row in self._all(_ROUNDS_OF_ITEMS, item_ids=item_ids):
            if row.item_id not in latest or row.number > latest[row.item_id].number:
                latest[row.item_id] = ROUND.record(row)
        return latest

    def counts(self, round_ids: list[int]) -> dict[int, RoundCount]:
        rolls = dict.fromkeys(round_ids, 0)
        kinds: dict[int, dict[str, int]] = {round_id: {} for round_id in round_ids}
        proxied = dict.fromkeys(round_ids, 0)
        for round_id, kind, count, by_proxy in self._all(_COUNTS, round_ids=round_ids):
            rolls[round_id] += count
            proxied[round_id] += by_proxy
            if kind is not None:
                kinds[round_id][kind] = count
        return {round_id: RoundCount(rolls[round_id], kinds[round_id], proxied[round_id]) for round_id in round_ids}

    def latest_with_entry(self, item_id: int, member_id: int) -> MemberEntry:
        row = self.connection.execute(_LATEST_WITH_ENTRY, {"item_id": item_id, "member_id": member_id}).one()
        return MemberEntry(ROUND.record(row), row.on_roll is not None, row.response_kind, row.response_by_proxy)

    def standings(self, round_ids: list[int]) -> dict[int, RollStanding]:
        found = {round_id: RollStanding([], []) for round_id in round_ids}
        first_given = {}
        for row in self._all(_STANDINGS, round_ids=round_ids):
            roll, given = found[row.roll_round_id]
            roll.append(MEMBER.record(row))
            if row.response__kind is not None:
                response = RESPONSE.record(row, "response__")
                given.append(response)
                first_given[id(response)] = row.response__first_at
        for _, given in found.values():
            # by when each was first given, then by member: never by anything that changes later (a rejoining)
            given.sort(key=lambda response: (first_given[id(response)], response.member_id))
        return found

    def reasons(self, round_ids: list[int]) -> dict[int, list[Response]]:
        found: dict[int, list[Response]] = {round_id: [] for round_id in round_ids}
        for row in self._all(_REASONS, round_ids=round_ids):
            found[row.round_id].append(RESPONSE.record(row))
        return found

    def decided(self, collective_id: int, limit: int) -> list[Decided]:
        return [
            Decided(DECISION.record(row), row.item_number, row.round_id)
            for row in self._all(_DECIDED, collective_id=collective_id, limit=limit)
        ]
