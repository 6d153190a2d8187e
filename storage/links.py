"""Linked chats and linked identities: one-time codes (kept as hashes), and the accounts linked as one
person (``bot.linking``, ``bot.identities``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, delete, exists, insert, or_, select, update

from bot.ports_beyond import Account, LinkCode
from storage.sql import _Repository, collective_t, item_t, member_t, setting_t
from storage.tables_beyond import AccountRow, LinkCodeRow

code_t: Table = LinkCodeRow.__table__
account_t: Table = AccountRow.__table__

_CODE = select(code_t).where(code_t.c.code_hash == bindparam("code_hash"))
_USE_CODE = (
    update(code_t)
    .where(code_t.c.code_hash == bindparam("key_hash"), code_t.c.used_at.is_(None))
    .values(used_at=bindparam("now"))
)
_HAS_OWN = select(
    or_(
        exists().where(member_t.c.collective_id == bindparam("collective_id")),
        exists().where(item_t.c.collective_id == bindparam("collective_id")),
    )
)
_ACCOUNT = select(account_t).where(
    account_t.c.platform == bindparam("platform"), account_t.c.user_id == bindparam("user_id")
)
_PERSON = (account_t.c.person_platform == bindparam("person_platform")) & (
    account_t.c.person_user_id == bindparam("person_user_id")
)
_ACCOUNTS = select(account_t).where(_PERSON).order_by(account_t.c.last_used_at.desc(), account_t.c.platform)
_TOUCH = (
    update(account_t)
    .where(account_t.c.platform == bindparam("key_platform"), account_t.c.user_id == bindparam("key_user_id"))
    .values(last_used_at=bindparam("now"))
)


class SqlLinks(_Repository):
    # --- codes --------------------------------------------------------------

    def add_code(self, code: LinkCode) -> None:
        self.connection.execute(insert(code_t), code._asdict())

    def code(self, code_hash: str) -> LinkCode | None:
        row = self._first(_CODE, code_hash=code_hash)
        return LinkCode(**row._asdict()) if row else None

    def use_code(self, code_hash: str, now: datetime) -> bool:
        return self.connection.execute(_USE_CODE, {"key_hash": code_hash, "now": now}).rowcount == 1

    # --- chats --------------------------------------------------------------

    def has_own(self, collective_id: int) -> bool:
        return bool(self.connection.execute(_HAS_OWN, {"collective_id": collective_id}).scalar())

    def drop_empty(self, collective_id: int) -> None:
        """A collective made for a chat that joined another one: it had no members or items."""
        self.connection.execute(delete(setting_t).where(setting_t.c.collective_id == collective_id))
        self.connection.execute(delete(code_t).where(code_t.c.collective_id == collective_id))
        self.connection.execute(delete(collective_t).where(collective_t.c.id == collective_id))
        if self.chain is not None:
            self.chain.drop(collective_id)

    # --- accounts -----------------------------------------------------------

    def person_of(self, platform: str, user_id: str, now: datetime | None = None) -> tuple[str, str]:
        """The account a person's memberships are kept under (the account itself when never linked);
        ``now``: remember that this account was the one used last."""
        row = self._first(_ACCOUNT, platform=platform, user_id=user_id)
        if row is None:
            return platform, user_id
        if now is not None:
            self.connection.execute(_TOUCH, {"key_platform": platform, "key_user_id": user_id, "now": now})
        return row.person_platform, row.person_user_id

    def accounts(self, person_platform: str, person_user_id: str) -> list[Account]:
        """A person's linked accounts, the one used last first (none when never linked)."""
        rows = self._all(_ACCOUNTS, person_platform=person_platform, person_user_id=person_user_id)
        return [Account(row.platform, row.user_id, row.last_used_at) for row in rows]

    def link_accounts(self, person: tuple[str, str], other: tuple[str, str], now: datetime) -> None:
        """``other`` (a person's account, with every account linked to it) becomes ``person``'s."""
        self.connection.execute(
            update(account_t)
            .where(account_t.c.person_platform == other[0], account_t.c.person_user_id == other[1])
            .values(person_platform=person[0], person_user_id=person[1])
        )
        for platform, user_id, used in ((*person, now), (*other, now)):
            if self._first(_ACCOUNT, platform=platform, user_id=user_id) is None:
                values = {"platform": platform, "user_id": user_id, "linked_at": now, "last_used_at": used}
                self.connection.execute(
                    insert(account_t), {**values, "person_platform": person[0], "person_user_id": person[1]}
                )
