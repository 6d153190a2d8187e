"""Collectives, their chats, members, settings and the messages already seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select, update

from bot.model import (
    Collective,
    Member,
)
from bot.ports import LinkedChat, MemberName
from storage.collective_locks import CollectiveLocks
from storage.fields import Persisted
from storage.sql import (
    _by,
    _Repository,
    _update_by,
    _upsert,
    chat_t,
    collective_t,
    member_t,
    seen_t,
    setting_t,
)

# --- collectives ----------------------------------------------------------

COLLECTIVE = Persisted(Collective, collective_t, table_only=("last_item_number",))
MEMBER = Persisted(Member, member_t)

_COLLECTIVE_FOR_CHAT = (
    select(collective_t)
    .join(chat_t, chat_t.c.collective_id == collective_t.c.id)
    .where(chat_t.c.platform == bindparam("platform"), chat_t.c.chat_id == bindparam("chat_id"))
)


_COLLECTIVE = _by(collective_t, "id")
_CHATS = _by(chat_t, "collective_id").order_by(chat_t.c.linked_at)
_CHAT = _by(chat_t, "platform", "chat_id")


class SqlCollectives(_Repository):
    def __init__(self, connection: Connection, locks: CollectiveLocks | None = None) -> None:
        super().__init__(connection, locks)
        self._chats: dict[int, list[LinkedChat]] = {}  # for this unit of work

    def for_chat(self, platform: str, chat_id: str) -> Collective | None:
        self.locks.lock_chat(platform, chat_id)
        row = self._first(_COLLECTIVE_FOR_CHAT, platform=platform, chat_id=chat_id)
        return _collective(row) if row else None

    def create_for_chat(self, platform: str, chat_id: str, now: datetime) -> Collective:
        self._chats.clear()
        collective_id = self._insert(collective_t, {"created_at": now})
        self.locks.lock(collective_id)
        self._touch("collective", id=collective_id)
        chat = {"platform": platform, "chat_id": chat_id, "collective_id": collective_id, "linked_at": now}
        self._insert(chat_t, chat)
        return Collective(collective_id, now)

    def get(self, collective_id: int) -> Collective:
        self.locks.lock(collective_id)
        return _collective(self.connection.execute(_COLLECTIVE, {"id": collective_id}).one())

    def chats(self, collective_id: int) -> list[LinkedChat]:
        if collective_id not in self._chats:
            rows = self._all(_CHATS, collective_id=collective_id)
            self._chats[collective_id] = [LinkedChat(row.platform, row.chat_id) for row in rows]
        return list(self._chats[collective_id])

    def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str, now: datetime) -> bool:
        self._chats.clear()
        self.locks.lock_chat(platform, old_chat_id)
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

    def create_apart(self, now: datetime) -> int:
        """A new collective with no chat yet (for a chat that leaves another: /unlink)."""
        collective_id = self._insert(collective_t, {"created_at": now})
        self._touch("collective", id=collective_id)
        return collective_id

    def relink_chat(self, platform: str, chat_id: str, collective_id: int, now: datetime) -> None:
        self._chats.clear()
        self.connection.execute(
            update(chat_t)
            .where(chat_t.c.platform == platform, chat_t.c.chat_id == chat_id)
            .values(collective_id=collective_id, linked_at=now)
        )

    def save(self, collective: Collective) -> None:
        self.connection.execute(_COLLECTIVE_UPDATE, {"key_id": collective.id, **COLLECTIVE.values(collective)})
        self._touch("collective", id=collective.id)


_COLLECTIVE_UPDATE = _update_by(collective_t, "id")


def _collective(row) -> Collective:
    return COLLECTIVE.record(row)


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
    member_t.c.collective_id == bindparam("collective_id"), member_t.c.merged_into.is_(None)
)
_MEMBER_TWINS = (
    update(member_t)
    .where(member_t.c.collective_id == bindparam("key_collective_id"))
    .values(twin=member_t.c.id.in_(bindparam("ids", expanding=True)))
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

    def names(self, collective_id: int) -> list[MemberName]:
        return [MemberName(row.id, row.display_name) for row in self._all(_MEMBER_NAMES, collective_id=collective_id)]

    def mark_twins(self, collective_id: int, ids: set[int]) -> None:
        self.connection.execute(_MEMBER_TWINS, {"key_collective_id": collective_id, "ids": sorted(ids) or [-1]})

    def memberships(self, platform: str, user_id: str) -> list[Member]:
        members = [_member(row) for row in self._all(_MEMBERSHIPS, platform=platform, user_id=user_id)]
        if self.locks.enabled and len(members) == 1 and members[0].collective_id not in self.locks.held:
            # A direct message acts for the one collective of its sender: read again under its lock.
            self.locks.lock(members[0].collective_id)
            members = [_member(row) for row in self._all(_MEMBERSHIPS, platform=platform, user_id=user_id)]
        return members

    def save(self, member: Member) -> Member:
        values = MEMBER.values(member)
        if member.id is None:
            member.id = self._insert(member_t, values)
        else:
            self.connection.execute(_MEMBER_UPDATE, {"key_id": member.id, **values})
        self._touch("member", id=member.id)
        return member


def _member(row) -> Member:
    return MEMBER.record(row)


# --- settings -------------------------------------------------------------

_SETTINGS = select(setting_t.c.key, setting_t.c.value).where(setting_t.c.collective_id == bindparam("collective_id"))


class SqlSettings(_Repository):
    def values(self, collective_id: int) -> dict[str, str]:
        return {row.key: row.value for row in self._all(_SETTINGS, collective_id=collective_id)}

    def put(self, collective_id: int, key: str, value: str) -> None:
        self._upsert(setting_t, {"collective_id": collective_id, "key": key, "value": value}, ("collective_id", "key"))
        self._touch("setting", collective_id=collective_id, key=key)


class SqlSeenMessages(_Repository):
    def remember(self, platform: str, chat_id: str, message_ref: str, now: datetime) -> bool:
        # One statement: insert unless present. A concurrent duplicate waits on
        # the row (PostgreSQL) or the write lock (SQLite) and then inserts nothing.
        statement = _upsert(self.connection.dialect.name, seen_t, ("platform", "chat_id", "message_ref"), ())
        values = {"platform": platform, "chat_id": chat_id, "message_ref": message_ref, "seen_at": now}
        return self.connection.execute(statement, values).first() is not None
