"""The SQL unit of work: one transaction, with the repositories the core's
ports (``bot.ports``) ask for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

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
from storage.tables import (
    ChatRow,
    CollectiveRow,
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


class SqlCollectives:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_chat(self, platform: str, chat_id: str) -> Collective | None:
        row = self.session.exec(
            select(CollectiveRow).join(ChatRow).where(ChatRow.platform == platform, ChatRow.chat_id == chat_id)
        ).first()
        return _collective(row) if row else None

    def create_for_chat(self, platform: str, chat_id: str, now: datetime) -> Collective:
        row = CollectiveRow(created_at=now)
        self.session.add(row)
        self.session.flush()
        self.session.add(ChatRow(platform=platform, chat_id=chat_id, collective_id=row.id, linked_at=now))
        self.session.flush()
        return _collective(row)

    def get(self, collective_id: int) -> Collective:
        return _collective(self.session.get_one(CollectiveRow, collective_id))

    def chats(self, collective_id: int) -> list[tuple[str, str]]:
        rows = self.session.exec(
            select(ChatRow).where(ChatRow.collective_id == collective_id).order_by(ChatRow.linked_at)
        )
        return [(row.platform, row.chat_id) for row in rows]

    def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str, now: datetime) -> bool:
        old = self.session.get(ChatRow, (platform, old_chat_id))
        if old is None:
            return False
        if self.session.get(ChatRow, (platform, new_chat_id)) is None:
            self.session.add(
                ChatRow(platform=platform, chat_id=new_chat_id, collective_id=old.collective_id, linked_at=now)
            )
        self.session.delete(old)
        self.session.flush()
        return True

    def save(self, collective: Collective) -> None:
        row = self.session.get_one(CollectiveRow, collective.id)
        row.principles = collective.principles
        self.session.add(row)
        self.session.flush()


def _collective(row: CollectiveRow) -> Collective:
    return Collective(row.id, row.created_at, row.principles)


class SqlMembers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, collective_id: int, platform: str, user_id: str) -> Member | None:
        row = self.session.exec(
            select(MemberRow).where(
                MemberRow.collective_id == collective_id, MemberRow.platform == platform, MemberRow.user_id == user_id
            )
        ).first()
        return _member(row) if row else None

    def get(self, member_id: int) -> Member:
        return _member(self.session.get_one(MemberRow, member_id))

    def active(self, collective_id: int) -> list[Member]:
        rows = self.session.exec(
            select(MemberRow)
            .where(MemberRow.collective_id == collective_id, MemberRow.active)
            .order_by(MemberRow.joined_at, MemberRow.id)
        )
        return [_member(row) for row in rows]

    def memberships(self, platform: str, user_id: str) -> list[Member]:
        rows = self.session.exec(
            select(MemberRow).where(MemberRow.platform == platform, MemberRow.user_id == user_id, MemberRow.active)
        )
        return [_member(row) for row in rows]

    def save(self, member: Member) -> Member:
        row = self.session.get(MemberRow, member.id) if member.id is not None else MemberRow()
        row.collective_id = member.collective_id
        row.platform, row.user_id, row.display_name = member.platform, member.user_id, member.display_name
        row.joined_at, row.active = member.joined_at, member.active
        row.away_until, row.left_at = member.away_until, member.left_at
        self.session.add(row)
        self.session.flush()
        member.id = row.id
        return member


def _member(row: MemberRow) -> Member:
    return Member(
        id=row.id,
        collective_id=row.collective_id,
        platform=row.platform,
        user_id=row.user_id,
        display_name=row.display_name,
        joined_at=row.joined_at,
        active=row.active,
        away_until=row.away_until,
        left_at=row.left_at,
    )


class SqlSettings:
    def __init__(self, session: Session) -> None:
        self.session = session

    def values(self, collective_id: int) -> dict[str, str]:
        rows = self.session.exec(select(SettingRow).where(SettingRow.collective_id == collective_id))
        return {row.key: row.value for row in rows}

    def put(self, collective_id: int, key: str, value: str) -> None:
        row = self.session.get(SettingRow, (collective_id, key)) or SettingRow(collective_id=collective_id, key=key)
        row.value = value
        self.session.add(row)
        self.session.flush()


class SqlSeenMessages:
    def __init__(self, session: Session) -> None:
        self.session = session

    def remember(self, platform: str, chat_id: str, message_ref: str, now: datetime) -> bool:
        # One statement: insert unless present. A concurrent duplicate waits on
        # the row (PostgreSQL) or the write lock (SQLite) and then inserts nothing.
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(SeenMessageRow)
            .values(platform=platform, chat_id=chat_id, message_ref=message_ref, seen_at=now)
            .on_conflict_do_nothing()
            .returning(SeenMessageRow.message_ref)  # rowcount is -1 on PostgreSQL: ask for the row
        )
        return self.session.execute(statement).first() is not None


class SqlDueWork:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, work: DueWork) -> DueWork:
        row = DueWorkRow(
            collective_id=work.collective_id,
            kind=work.kind,
            subject_id=work.subject_id,
            due_at=work.due_at,
            status=work.status,
            data=json.dumps(work.data),
        )
        self.session.add(row)
        self.session.flush()
        work.id = row.id
        return work

    def get(self, work_id: int) -> DueWork:
        return _due(self.session.get_one(DueWorkRow, work_id))

    def due(self, now: datetime, limit: int) -> list[DueWork]:
        rows = self.session.exec(
            select(DueWorkRow)
            .where(DueWorkRow.status == PENDING, DueWorkRow.due_at <= now)
            .order_by(DueWorkRow.due_at, DueWorkRow.id)
            .limit(limit)
        )
        return [_due(row) for row in rows]

    def claim(self, work_id: int, now: datetime) -> bool:
        return self._move(work_id, PENDING, DONE, now) == 1

    def fail(self, work_id: int, now: datetime, note: str) -> None:
        self.session.exec(
            update(DueWorkRow).where(DueWorkRow.id == work_id).values(status=FAILED, fired_at=now, note=note)
        )

    def retry(self, work_id: int, due_at: datetime, attempts: int, note: str) -> None:
        row = self.session.get_one(DueWorkRow, work_id)
        data = json.loads(row.data)
        data["attempts"] = attempts
        self.session.exec(
            update(DueWorkRow)
            .where(DueWorkRow.id == work_id)
            .values(status=PENDING, due_at=due_at, data=json.dumps(data), note=note)
        )

    def _move(self, work_id: int, old: str, new: str, now: datetime) -> int:
        result = self.session.exec(
            update(DueWorkRow)
            .where(DueWorkRow.id == work_id, DueWorkRow.status == old)
            .values(status=new, fired_at=now)
        )
        return result.rowcount

    def cancel(self, collective_id: int, kind: str, subject_id: int | None) -> int:
        result = self.session.exec(
            update(DueWorkRow)
            .where(
                DueWorkRow.collective_id == collective_id,
                DueWorkRow.kind == kind,
                DueWorkRow.subject_id == subject_id,
                DueWorkRow.status == PENDING,
            )
            .values(status=CANCELLED)
        )
        return result.rowcount

    def next_due_at(self) -> datetime | None:
        query = select(DueWorkRow.due_at).where(DueWorkRow.status == PENDING).order_by(DueWorkRow.due_at).limit(1)
        return self.session.exec(query).first()


def _due(row: DueWorkRow) -> DueWork:
    return DueWork(
        id=row.id,
        collective_id=row.collective_id,
        kind=row.kind,
        subject_id=row.subject_id,
        due_at=row.due_at,
        status=row.status,
        fired_at=row.fired_at,
        data=json.loads(row.data),
        note=row.note,
    )


class SqlItems:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self, collective_id: int) -> int:
        # One UPDATE takes the number and locks the collective's row until commit.
        self.session.exec(
            update(CollectiveRow)
            .where(CollectiveRow.id == collective_id)
            .values(last_item_number=CollectiveRow.last_item_number + 1)
        )
        return self.session.exec(select(CollectiveRow.last_item_number).where(CollectiveRow.id == collective_id)).one()

    def add(self, item: Item) -> Item:
        row = ItemRow()
        _item_to_row(item, row)
        self.session.add(row)
        self.session.flush()
        item.id = row.id
        return item

    def get(self, item_id: int) -> Item:
        return _item(self.session.get_one(ItemRow, item_id))

    def by_number(self, collective_id: int, number: int) -> Item | None:
        row = self.session.exec(
            select(ItemRow).where(ItemRow.collective_id == collective_id, ItemRow.number == number)
        ).first()
        return _item(row) if row else None

    def save(self, item: Item) -> None:
        row = self.session.get_one(ItemRow, item.id)
        _item_to_row(item, row)
        self.session.add(row)
        self.session.flush()

    def open(self, collective_id: int) -> list[Item]:
        rows = self.session.exec(
            select(ItemRow)
            .where(ItemRow.collective_id == collective_id, ItemRow.status == OPEN)
            .order_by(ItemRow.number)
        )
        return [_item(row) for row in rows]

    def decided(self, collective_id: int, limit: int) -> list[Item]:
        rows = self.session.exec(
            select(ItemRow)
            .where(ItemRow.collective_id == collective_id, ItemRow.status.in_((ADOPTED, NOT_ADOPTED)))
            .order_by(ItemRow.decided_at.desc(), ItemRow.number.desc())
            .limit(limit)
        )
        return [_item(row) for row in rows]

    def find_open(self, collective_id: int, topic: str, key: str, value: str) -> Item | None:
        rows = self.session.exec(
            select(ItemRow).where(
                ItemRow.collective_id == collective_id, ItemRow.status == OPEN, ItemRow.topic == topic
            )
        )
        return next((item for item in map(_item, rows) if item.data.get(key) == value), None)


def _item_to_row(item: Item, row: ItemRow) -> None:
    row.collective_id, row.number, row.kind, row.topic = item.collective_id, item.number, item.kind, item.topic
    row.author_id, row.title, row.body = item.author_id, item.title, item.body
    row.created_at, row.status, row.decided_at = item.created_at, item.status, item.decided_at
    row.data = json.dumps(item.data, sort_keys=True)


def _item(row: ItemRow) -> Item:
    return Item(
        id=row.id,
        collective_id=row.collective_id,
        number=row.number,
        kind=row.kind,
        topic=row.topic,
        author_id=row.author_id,
        title=row.title,
        body=row.body,
        created_at=row.created_at,
        status=row.status,
        decided_at=row.decided_at,
        data=json.loads(row.data),
    )


class SqlRounds:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, round_: Round, roll: list[int]) -> Round:
        row = RoundRow()
        _round_to_row(round_, row)
        self.session.add(row)
        self.session.flush()
        self.session.add_all(RollRow(round_id=row.id, member_id=member_id) for member_id in roll)
        self.session.flush()
        round_.id = row.id
        return round_

    def get(self, round_id: int) -> Round:
        return _round(self.session.get_one(RoundRow, round_id))

    def find(self, round_id: int) -> Round | None:
        row = self.session.get(RoundRow, round_id)
        return _round(row) if row else None

    def latest(self, item_id: int) -> Round:
        row = self.session.exec(
            select(RoundRow).where(RoundRow.item_id == item_id).order_by(RoundRow.number.desc()).limit(1)
        ).one()
        return _round(row)

    def of_item(self, item_id: int) -> list[Round]:
        rows = self.session.exec(select(RoundRow).where(RoundRow.item_id == item_id).order_by(RoundRow.number))
        return [_round(row) for row in rows]

    def save(self, round_: Round) -> None:
        row = self.session.get_one(RoundRow, round_.id)
        _round_to_row(round_, row)
        self.session.add(row)
        self.session.flush()

    def finish(self, round_id: int, status: str, now: datetime) -> bool:
        result = self.session.exec(
            update(RoundRow)
            .where(RoundRow.id == round_id, RoundRow.status == ROUND_OPEN)
            .values(status=status, closed_at=now)
        )
        self.session.expire_all()
        return result.rowcount == 1

    def roll(self, round_id: int) -> list[int]:
        return list(self.session.exec(select(RollRow.member_id).where(RollRow.round_id == round_id)))

    def latest_for(self, item_ids: list[int]) -> dict[int, Round]:
        latest: dict[int, Round] = {}
        for row in self.session.exec(select(RoundRow).where(RoundRow.item_id.in_(item_ids))):
            if row.item_id not in latest or row.number > latest[row.item_id].number:
                latest[row.item_id] = _round(row)
        return latest

    def rolls(self, round_ids: list[int]) -> dict[int, list[int]]:
        rolls: dict[int, list[int]] = {round_id: [] for round_id in round_ids}
        for round_id, member_id in self.session.exec(
            select(RollRow.round_id, RollRow.member_id).where(RollRow.round_id.in_(round_ids))
        ):
            rolls[round_id].append(member_id)
        return rolls


def _round_to_row(round_: Round, row: RoundRow) -> None:
    row.item_id, row.number, row.title, row.body = round_.item_id, round_.number, round_.title, round_.body
    row.opened_at, row.closes_at, row.status, row.closed_at = (
        round_.opened_at,
        round_.closes_at,
        round_.status,
        round_.closed_at,
    )
    row.rule, row.adopted, row.outcome, row.mode = round_.rule, round_.adopted, round_.outcome, round_.mode
    row.terms = json.dumps(round_.terms, sort_keys=True)


def _round(row: RoundRow) -> Round:
    return Round(
        id=row.id,
        item_id=row.item_id,
        number=row.number,
        title=row.title,
        body=row.body,
        opened_at=row.opened_at,
        closes_at=row.closes_at,
        status=row.status,
        closed_at=row.closed_at,
        rule=row.rule,
        adopted=row.adopted,
        outcome=row.outcome,
        mode=row.mode,
        terms=json.loads(row.terms),
    )


class SqlResponses:
    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, response: Response) -> str | None:
        row = self.session.get(ResponseRow, (response.round_id, response.member_id))
        replaced = row.kind if row else None
        if row is None:
            row = ResponseRow(round_id=response.round_id, member_id=response.member_id, first_at=response.at)
        row.kind, row.reason, row.at = response.kind, response.reason, response.at
        self.session.add(row)
        self.session.flush()
        return replaced

    def of_round(self, round_id: int) -> list[Response]:
        rows = self.session.exec(
            select(ResponseRow).where(ResponseRow.round_id == round_id).order_by(ResponseRow.first_at)
        )
        return [Response(row.round_id, row.member_id, row.kind, row.reason, row.at) for row in rows]

    def of_rounds(self, round_ids: list[int]) -> dict[int, list[Response]]:
        found: dict[int, list[Response]] = {round_id: [] for round_id in round_ids}
        rows = self.session.exec(
            select(ResponseRow).where(ResponseRow.round_id.in_(round_ids)).order_by(ResponseRow.first_at)
        )
        for row in rows:
            found[row.round_id].append(Response(row.round_id, row.member_id, row.kind, row.reason, row.at))
        return found

    def remove(self, round_id: int, member_id: int, kind: str) -> bool:
        row = self.session.get(ResponseRow, (round_id, member_id))
        if row is None or row.kind != kind:
            return False
        self.session.delete(row)
        self.session.flush()
        return True


class SqlNeeds:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, need: Need) -> None:
        self.session.add(NeedRow(**_fields(need)))
        self.session.flush()

    def get(self, item_id: int) -> Need:
        return _need(self.session.get_one(NeedRow, item_id))

    def save(self, need: Need) -> None:
        row = self.session.get_one(NeedRow, need.item_id)
        for name, value in _fields(need).items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.flush()

    def move(self, item_id: int, old_stage: str, new_stage: str) -> bool:
        result = self.session.exec(
            update(NeedRow).where(NeedRow.item_id == item_id, NeedRow.stage == old_stage).values(stage=new_stage)
        )
        return result.rowcount == 1

    def in_stage(self, collective_id: int, stage: str) -> list[tuple[Item, Need]]:
        rows = self.session.exec(
            select(ItemRow, NeedRow)
            .join(NeedRow, NeedRow.item_id == ItemRow.id)
            .where(ItemRow.collective_id == collective_id, NeedRow.stage == stage)
            .order_by(ItemRow.created_at, ItemRow.number)
        )
        return [(_item(item), _need(need)) for item, need in rows]

    def add_offer(self, offer: Offer) -> None:
        row = self.session.get(OfferRow, (offer.item_id, offer.member_id)) or OfferRow(
            item_id=offer.item_id, member_id=offer.member_id
        )
        row.note, row.at = offer.note, offer.at
        self.session.add(row)
        self.session.flush()

    def offers(self, item_id: int) -> list[Offer]:
        rows = self.session.exec(select(OfferRow).where(OfferRow.item_id == item_id).order_by(OfferRow.at))
        return [Offer(row.item_id, row.member_id, row.note, row.at) for row in rows]


def _fields(need: Need) -> dict:
    return {
        "item_id": need.item_id,
        "amount": need.amount,
        "category": need.category,
        "private": need.private,
        "stage": need.stage,
        "approved_at": need.approved_at,
    }


def _need(row: NeedRow) -> Need:
    return Need(row.item_id, row.amount, row.category, row.private, row.stage, row.approved_at)


class SqlLedger:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, entry: LedgerEntry) -> LedgerEntry:
        row = LedgerRow(
            collective_id=entry.collective_id,
            kind=entry.kind,
            amount=entry.amount,
            at=entry.at,
            member_id=entry.member_id,
            item_id=entry.item_id,
            note=entry.note,
        )
        self.session.add(row)
        self.session.flush()
        entry.id = row.id
        return entry

    def totals(self, collective_id: int) -> dict[str, int]:
        rows = self.session.exec(
            select(LedgerRow.kind, func.sum(LedgerRow.amount))
            .where(LedgerRow.collective_id == collective_id)
            .group_by(LedgerRow.kind)
        )
        return {kind: int(total) for kind, total in rows}

    def reserved_for(self, item_id: int) -> int:
        rows = self.session.exec(
            select(LedgerRow.kind, func.sum(LedgerRow.amount))
            .where(LedgerRow.item_id == item_id)
            .group_by(LedgerRow.kind)
        )
        totals = {kind: int(total) for kind, total in rows}
        return totals.get(RESERVATION, 0) - totals.get(RELEASE, 0) - totals.get(PAYOUT, 0)

    def recent(self, collective_id: int, limit: int) -> list[LedgerEntry]:
        rows = self.session.exec(
            select(LedgerRow).where(LedgerRow.collective_id == collective_id).order_by(LedgerRow.id.desc()).limit(limit)
        )
        return [
            LedgerEntry(row.id, row.collective_id, row.kind, row.amount, row.at, row.member_id, row.item_id, row.note)
            for row in rows
        ]


class SqlRoles:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, role: Role) -> Role:
        row = RoleRow()
        _role_to_row(role, row)
        self.session.add(row)
        self.session.flush()
        role.id = row.id
        return role

    def get(self, role_id: int) -> Role:
        return _role(self.session.get_one(RoleRow, role_id))

    def named(self, collective_id: int, name: str) -> Role | None:
        row = self.session.exec(
            select(RoleRow).where(RoleRow.collective_id == collective_id, RoleRow.name == name)
        ).first()
        return _role(row) if row else None

    def of_collective(self, collective_id: int) -> list[Role]:
        rows = self.session.exec(select(RoleRow).where(RoleRow.collective_id == collective_id).order_by(RoleRow.id))
        return [_role(row) for row in rows]

    def save(self, role: Role) -> None:
        row = self.session.get_one(RoleRow, role.id)
        _role_to_row(role, row)
        self.session.add(row)
        self.session.flush()

    def roster(self, role_id: int) -> list[int]:
        rows = self.session.exec(
            select(RosterRow.member_id).where(RosterRow.role_id == role_id).order_by(RosterRow.joined_at)
        )
        return list(rows)

    def join(self, role_id: int, member_id: int, now: datetime) -> bool:
        if self.session.get(RosterRow, (role_id, member_id)) is not None:
            return False
        self.session.add(RosterRow(role_id=role_id, member_id=member_id, joined_at=now))
        self.session.flush()
        return True

    def leave(self, role_id: int, member_id: int) -> bool:
        row = self.session.get(RosterRow, (role_id, member_id))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def turns(self, role_id: int) -> list[Turn]:
        rows = self.session.exec(select(TurnRow).where(TurnRow.role_id == role_id).order_by(TurnRow.id))
        return [Turn(row.role_id, row.member_id, row.started_at, row.ended_at) for row in rows]

    def start_turn(self, turn: Turn) -> None:
        self.session.add(TurnRow(role_id=turn.role_id, member_id=turn.member_id, started_at=turn.started_at))
        self.session.flush()

    def end_turn(self, role_id: int, now: datetime) -> None:
        self.session.exec(
            update(TurnRow).where(TurnRow.role_id == role_id, TurnRow.ended_at.is_(None)).values(ended_at=now)
        )

    def hand_current_turn(self, role_id: int, member_id: int) -> None:
        self.session.exec(
            update(TurnRow).where(TurnRow.role_id == role_id, TurnRow.ended_at.is_(None)).values(member_id=member_id)
        )

    def add_swap(self, swap: Swap) -> Swap:
        row = SwapRow(
            role_id=swap.role_id,
            from_member_id=swap.from_member_id,
            to_member_id=swap.to_member_id,
            requested_at=swap.requested_at,
            status=swap.status,
        )
        self.session.add(row)
        self.session.flush()
        swap.id = row.id
        return swap

    def pending_swaps(self, role_id: int) -> list[Swap]:
        rows = self.session.exec(
            select(SwapRow).where(SwapRow.role_id == role_id, SwapRow.status == SWAP_PENDING).order_by(SwapRow.id)
        )
        return [Swap(r.id, r.role_id, r.from_member_id, r.to_member_id, r.requested_at, r.status) for r in rows]

    def save_swap(self, swap: Swap) -> None:
        row = self.session.get_one(SwapRow, swap.id)
        row.status = swap.status
        self.session.add(row)
        self.session.flush()


def _role_to_row(role: Role, row: RoleRow) -> None:
    row.collective_id, row.name = role.collective_id, role.name
    row.every_seconds = int(role.every.total_seconds())
    row.weekday = role.weekday
    row.at_hour, row.at_minute = role.at if role.at else (None, None)
    row.created_at, row.holder_id, row.term_started_at = role.created_at, role.holder_id, role.term_started_at
    row.next_handover_at, row.vacancy_announced = role.next_handover_at, role.vacancy_announced


def _role(row: RoleRow) -> Role:
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


class SqlSentAsks:
    def __init__(self, session: Session) -> None:
        self.session = session

    def remember(self, platform: str, chat_id: str, key: str, message_ref: str) -> None:
        row = self.session.get(SentAskRow, (platform, chat_id, message_ref)) or SentAskRow(
            platform=platform, chat_id=chat_id, message_ref=message_ref
        )
        row.key = key
        self.session.add(row)
        self.session.flush()

    def refs(self, platform: str, chat_id: str, key: str) -> list[str]:
        rows = self.session.exec(
            select(SentAskRow.message_ref).where(
                SentAskRow.platform == platform, SentAskRow.chat_id == chat_id, SentAskRow.key == key
            )
        )
        return list(rows)

    def key_of(self, platform: str, chat_id: str, message_ref: str) -> str | None:
        row = self.session.get(SentAskRow, (platform, chat_id, message_ref))
        return row.key if row else None


class SqlUnitOfWork:
    """One transaction on one session; leaving it without commit() rolls back."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self._engine, expire_on_commit=False)
        self.collectives = SqlCollectives(self.session)
        self.members = SqlMembers(self.session)
        self.settings = SqlSettings(self.session)
        self.seen = SqlSeenMessages(self.session)
        self.due = SqlDueWork(self.session)
        self.items = SqlItems(self.session)
        self.rounds = SqlRounds(self.session)
        self.responses = SqlResponses(self.session)
        self.needs = SqlNeeds(self.session)
        self.ledger = SqlLedger(self.session)
        self.roles = SqlRoles(self.session)
        self.asks = SqlSentAsks(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    @contextmanager
    def savepoint(self) -> Iterator[object]:
        nested = self.session.begin_nested()
        try:
            yield nested
        except BaseException:
            if nested.is_active:
                nested.rollback()
            raise
        if nested.is_active:
            nested.commit()
