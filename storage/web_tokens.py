"""The web page's and calendar feed's links (``bot.web_links``): tokens kept as SHA-256 hashes, one of each
purpose per membership."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, delete, insert, select

from bot.model import Member
from storage.people import MEMBER
from storage.sql import _Repository, member_t
from storage.tables_web import WebTokenRow

token_t: Table = WebTokenRow.__table__

_DROP = delete(token_t).where(token_t.c.member_id == bindparam("member_id"), token_t.c.purpose == bindparam("purpose"))
_DROP_ALL = delete(token_t).where(token_t.c.member_id == bindparam("member_id"))
# The membership a token opens: only while it is a current, unmerged membership.
_HOLDER = (
    select(member_t)
    .select_from(token_t)
    .join(member_t, member_t.c.id == token_t.c.member_id)
    .where(
        token_t.c.token_hash == bindparam("token_hash"),
        token_t.c.purpose == bindparam("purpose"),
        member_t.c.active.is_(True),
        member_t.c.merged_into.is_(None),
    )
)


class SqlWebTokens(_Repository):
    def issue(self, member: Member, purpose: str, token_hash: str, now: datetime) -> None:
        self.connection.execute(_DROP, {"member_id": member.id, "purpose": purpose})
        values = {
            "token_hash": token_hash,
            "purpose": purpose,
            "member_id": member.id,
            "collective_id": member.collective_id,
            "created_at": now,
        }
        self.connection.execute(insert(token_t), values)

    def revoke(self, member_id: int) -> int:
        return self.connection.execute(_DROP_ALL, {"member_id": member_id}).rowcount

    def holder(self, token_hash: str, purpose: str) -> Member | None:
        row = self._first(_HOLDER, token_hash=token_hash, purpose=purpose)
        return MEMBER.record(row) if row else None
