"""What the chain records of each table, and how a row reads as an entry's ``row``: one ``Kind`` per kind of
entry, with the one query that reads its rows (with the collective each belongs to) and the function that makes a
row into the plain dict the chain holds. Appending (``storage.chain``) and checking use these same definitions,
so what is written and what is checked can never drift apart.

Left out on purpose: what is not the record but the bot's own bookkeeping (due work, the outbox, seen messages,
asks, adapter state, a collective's item counter, a member's twin mark and away date, a role's vacancy flag) and
federation-level rows (federations, joint items, aid requests), which belong to no one collective; a
collective's own place in a federation is in its record (``federation``), and an aid transfer in each
collective's ledger."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.chain import commitment
from storage.chain_kinds_beyond import ASSEMBLY, ATTENDANCE, FEDERATION, PROXY
from storage.chain_rows import Kind, json_field, rows_matching, rows_of
from storage.sql import (
    collective_t,
    decision_t,
    item_t,
    ledger_t,
    member_t,
    need_t,
    offer_t,
    response_t,
    role_t,
    roll_t,
    roster_t,
    round_t,
    setting_t,
    swap_t,
    turn_t,
)
from storage.tables_chain import ChainSaltRow

__all__ = ["KINDS", "MADE_AT", "Kind", "rows_matching", "rows_of", "salt_t"]

salt_t = ChainSaltRow.__table__


def _member(row, member_id, where: str):
    """A member on a private need's entries (its author, a ledger entry's member) as a commitment of its own
    (``bot.chain.commitment``) — whoever it is, so a commitment does not mark the requester; anyone elsewhere as
    their member id."""
    if member_id is not None and row.private_item:
        return {"commitment": commitment(row.salt, member_id, where) if row.salt else None}
    return member_id


def _merges(connection, rows) -> dict[str, int]:
    """For a private need's item: how many memberships of its collective were made one with another (/iam).
    Its author's commitment is made anew at each (``author N``), for every private need alike, so the one whose
    author was merged does not stand out beside the merge."""
    collectives = {row.cid for row in rows if row.private_item}
    if not collectives:
        return {}
    merged = dict(
        connection.execute(
            select(member_t.c.collective_id, func.count())
            .where(member_t.c.collective_id.in_(collectives), member_t.c.merged_into.is_not(None))
            .group_by(member_t.c.collective_id)
        ).all()
    )
    return {str(row.id): merged.get(row.cid, 0) for row in rows if row.private_item}


_private = item_t.c.data.like('%"private": true%')

_item_number = item_t.c.number.label("item")

COLLECTIVE = Kind(
    "collective",
    select(collective_t.c.id.label("cid"), collective_t.c.created_at, collective_t.c.principles),
    (collective_t.c.id,),
    lambda row, extra: {"created_at": row.created_at, "principles": row.principles},
    collective_t.c.id,
)

MEMBER = Kind(
    "member",
    select(member_t.c.collective_id.label("cid"), member_t),
    (member_t.c.id,),
    lambda row, extra: {
        "platform": row.platform,
        "user_id": row.user_id,
        "display_name": row.display_name,
        "joined_at": row.joined_at,
        "active": row.active,
        "left_at": row.left_at,
        "merged_into": row.merged_into,
    },
    member_t.c.collective_id,
)

SETTING = Kind(
    "setting",
    select(setting_t.c.collective_id.label("cid"), setting_t.c.key, setting_t.c.value),
    (setting_t.c.collective_id, setting_t.c.key),
    lambda row, extra: {"key": row.key, "value": row.value},
    setting_t.c.collective_id,
)

ITEM = Kind(
    "item",
    select(
        item_t.c.collective_id.label("cid"),
        item_t,
        _private.label("private_item"),
        item_t.c.author_id.label("private_author"),
        salt_t.c.salt,
    ).select_from(item_t.outerjoin(salt_t, salt_t.c.item_id == item_t.c.id)),
    (item_t.c.id,),
    lambda row, merges: {
        "number": row.number,
        "kind": row.kind,
        "topic": row.topic,
        "author": _member(row, row.author_id, f"author {merges or 0}"),
        "title": row.title,
        "body": row.body,
        "created_at": row.created_at,
        "status": row.status,
        "decided_at": row.decided_at,
        "data": json_field(row.data),
    },
    item_t.c.collective_id,
    _merges,
)


def _rolls(connection, rows) -> dict[str, list]:
    ids = [row.id for row in rows]
    rolls: dict[str, list] = {}
    for start in range(0, len(ids), 500):
        query = (
            select(roll_t.c.round_id, roll_t.c.member_id, roll_t.c.counted)
            .where(roll_t.c.round_id.in_(ids[start : start + 500]))
            .order_by(roll_t.c.round_id, roll_t.c.member_id)
        )
        for round_id, member_id, counted in connection.execute(query):
            rolls.setdefault(str(round_id), []).append([member_id, counted])
    return rolls


def _roll(row, roll) -> list:
    """Who is on a round's roll, and counted. A private need's requester is not on its roll (bot.rounds), so on
    its rounds each member is a commitment of its own, in the order of the commitments: the roll's size shows,
    not who is missing from it."""
    if not row.private_item:
        return roll or []
    if not row.salt:
        return [[None, counted] for _, counted in roll or []]
    return sorted([commitment(row.salt, member_id, f"roll {row.id}"), counted] for member_id, counted in roll or [])


ROUND = Kind(
    "round",
    select(
        item_t.c.collective_id.label("cid"), round_t, _item_number, _private.label("private_item"), salt_t.c.salt
    ).select_from(
        round_t.join(item_t, item_t.c.id == round_t.c.item_id).outerjoin(salt_t, salt_t.c.item_id == round_t.c.item_id)
    ),
    (round_t.c.id,),
    lambda row, roll: {
        "item": row.item,
        "number": row.number,
        "title": row.title,
        "body": row.body,
        "opened_at": row.opened_at,
        "closes_at": row.closes_at,
        "status": row.status,
        "mode": row.mode,
        "terms": json_field(row.terms),
        "extensions": row.extensions,
        "closed_at": row.closed_at,
        "rule": row.rule,
        "adopted": row.adopted,
        "outcome": row.outcome,
        "roll": _roll(row, roll),
    },
    item_t.c.collective_id,
    _rolls,
)

RESPONSE = Kind(
    "response",
    select(
        item_t.c.collective_id.label("cid"), response_t, _item_number, round_t.c.number.label("round_number")
    ).select_from(
        response_t.join(round_t, round_t.c.id == response_t.c.round_id).join(item_t, item_t.c.id == round_t.c.item_id)
    ),
    (response_t.c.round_id, response_t.c.member_id),
    lambda row, extra: {
        "item": row.item,
        "round": row.round_number,
        "member": row.member_id,
        "kind": row.kind,
        "reason": row.reason,
        "first_at": row.first_at,
        "at": row.at,
        "by_proxy": row.by_proxy,  # the member who gave it as this member's proxy (bot.proxies)
    },
    item_t.c.collective_id,
)

NEED = Kind(
    "need",
    select(item_t.c.collective_id.label("cid"), need_t, _item_number, item_t.c.created_at).select_from(
        need_t.join(item_t, item_t.c.id == need_t.c.item_id)
    ),
    (need_t.c.item_id,),
    lambda row, extra: {
        "item": row.item,
        "amount": row.amount,
        "category": row.category,
        "private": row.private,
        "stage": row.stage,
        "approved_at": row.approved_at,
    },
    item_t.c.collective_id,
)

OFFER = Kind(
    "offer",
    select(item_t.c.collective_id.label("cid"), offer_t, _item_number).select_from(
        offer_t.join(item_t, item_t.c.id == offer_t.c.item_id)
    ),
    (offer_t.c.item_id, offer_t.c.member_id),
    lambda row, extra: {"item": row.item, "member": row.member_id, "note": row.note, "at": row.at},
    item_t.c.collective_id,
)

LEDGER = Kind(
    "ledger",
    select(
        ledger_t.c.collective_id.label("cid"),
        ledger_t,
        _item_number,
        _private.label("private_item"),
        item_t.c.author_id.label("private_author"),
        salt_t.c.salt,
    ).select_from(
        ledger_t.outerjoin(item_t, item_t.c.id == ledger_t.c.item_id).outerjoin(
            salt_t, salt_t.c.item_id == ledger_t.c.item_id
        )
    ),
    (ledger_t.c.id,),
    lambda row, extra: {
        "number": row.number,
        "kind": row.kind,
        "amount": row.amount,
        "at": row.at,
        "member": _member(row, row.member_id, f"ledger {row.number}"),
        "item": row.item,
        "note": row.note,
        "reverses": row.reverses,
    },
    ledger_t.c.collective_id,
)

DECISION = Kind(
    "decision",
    select(decision_t.c.collective_id.label("cid"), decision_t, _item_number).select_from(
        decision_t.join(item_t, item_t.c.id == decision_t.c.item_id)
    ),
    (decision_t.c.id,),
    lambda row, extra: {
        "item": row.item,
        "round_number": row.round_number,
        "verdict": row.verdict,
        "rule": row.rule,
        "title": row.title,
        "at": row.at,
    },
    decision_t.c.collective_id,
)


def _rosters(connection, rows) -> dict[str, list]:
    ids = [row.id for row in rows]
    rosters: dict[str, list] = {}
    for start in range(0, len(ids), 500):
        query = (
            select(roster_t.c.role_id, roster_t.c.member_id, roster_t.c.joined_at)
            .where(roster_t.c.role_id.in_(ids[start : start + 500]))
            .order_by(roster_t.c.role_id, roster_t.c.member_id)
        )
        for role_id, member_id, joined_at in connection.execute(query):
            rosters.setdefault(str(role_id), []).append([member_id, joined_at])
    return rosters


ROLE = Kind(
    "role",
    select(role_t.c.collective_id.label("cid"), role_t),
    (role_t.c.id,),
    lambda row, roster: {
        "name": row.name,
        "every_seconds": row.every_seconds,
        "weekday": row.weekday,
        "at_hour": row.at_hour,
        "at_minute": row.at_minute,
        "created_at": row.created_at,
        "holder": row.holder_id,
        "term_started_at": row.term_started_at,
        "next_handover_at": row.next_handover_at,
        "retired_at": row.retired_at,  # removed when its proposal lapsed on review (bot.review)
        "roster": roster or [],
    },
    role_t.c.collective_id,
    _rosters,
)

TURN = Kind(
    "turn",
    select(role_t.c.collective_id.label("cid"), turn_t, role_t.c.name.label("role")).select_from(
        turn_t.join(role_t, role_t.c.id == turn_t.c.role_id)
    ),
    (turn_t.c.id,),
    lambda row, extra: {
        "role": row.role,
        "member": row.member_id,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
    },
    role_t.c.collective_id,
)

SWAP = Kind(
    "swap",
    select(role_t.c.collective_id.label("cid"), swap_t, role_t.c.name.label("role")).select_from(
        swap_t.join(role_t, role_t.c.id == swap_t.c.role_id)
    ),
    (swap_t.c.id,),
    lambda row, extra: {
        "role": row.role,
        "from": row.from_member_id,
        "to": row.to_member_id,
        "requested_at": row.requested_at,
        "status": row.status,
    },
    role_t.c.collective_id,
)

# In the order a backfill appends what happened at one moment: who before what they did.
KINDS = {
    kind.name: kind
    for kind in (
        COLLECTIVE,
        MEMBER,
        SETTING,
        ROLE,
        ITEM,
        ROUND,
        NEED,
        RESPONSE,
        OFFER,
        DECISION,
        LEDGER,
        TURN,
        SWAP,
        PROXY,
        ASSEMBLY,
        ATTENDANCE,
        FEDERATION,
    )
}

# The time a row was made, for the order of a backfill.
MADE_AT = {
    "collective": "created_at",
    "member": "joined_at",
    "setting": None,  # (after everything else: no time is kept)
    "role": "created_at",
    "item": "created_at",
    "round": "opened_at",
    "need": "created_at",  # its item's
    "response": "first_at",
    "offer": "at",
    "decision": "at",
    "ledger": "at",
    "turn": "started_at",
    "swap": "requested_at",
    "proxy": "offered_at",
    "assembly": "started_at",
    "attendance": "first_seen_at",
    "federation": "joined_at",
}
