"""Rotating roles: rosters, turns and swaps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update

from bot.model import (
    SWAP_PENDING,
    Role,
    Swap,
    Turn,
)
from storage.sql import (
    _by,
    _Repository,
    _update_by,
    role_t,
    roster_t,
    swap_t,
    turn_t,
)

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
