"""The table of the read-only web page's links: each member's secret tokens for their page and calendar feed
(``bot.web_links``). Declared with the others in one SQLModel metadata (``storage.tables`` imports this module)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class WebTokenRow(SQLModel, table=True):
    """A member's link to their collective's page (``page``) or their calendar feed (``calendar``): only the
    token's SHA-256 is kept. One of each per membership; asking again replaces it, leaving deletes it."""

    __tablename__ = "web_token"
    __table_args__ = (UniqueConstraint("member_id", "purpose", name="uq_web_token_member_purpose"),)

    token_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=16)
    member_id: int = Field(foreign_key="member.id")
    collective_id: int = Field(foreign_key="collective.id", index=True)
    created_at: datetime
