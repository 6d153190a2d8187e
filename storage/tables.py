"""The SQLModel tables. Datetime fields are SQLModel's UTCDateTime: aware UTC in
and out, whatever the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class CollectiveRow(SQLModel, table=True):
    __tablename__ = "collective"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    principles: str | None = None


class ChatRow(SQLModel, table=True):
    __tablename__ = "chat"

    platform: str = Field(primary_key=True, max_length=32)
    chat_id: str = Field(primary_key=True, max_length=255)
    collective_id: int = Field(foreign_key="collective.id", index=True)
    linked_at: datetime


class MemberRow(SQLModel, table=True):
    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("collective_id", "platform", "user_id", name="uq_member_person"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", index=True)
    platform: str = Field(max_length=32)
    user_id: str = Field(max_length=255)
    display_name: str = Field(max_length=255)
    joined_at: datetime
    active: bool = True
    away_until: datetime | None = None
    left_at: datetime | None = None


class SettingRow(SQLModel, table=True):
    __tablename__ = "setting"

    collective_id: int = Field(foreign_key="collective.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=1000)


class SeenMessageRow(SQLModel, table=True):
    """Platform messages already handled, so a redelivery is applied once."""

    __tablename__ = "seen_message"

    platform: str = Field(primary_key=True, max_length=32)
    chat_id: str = Field(primary_key=True, max_length=255)
    message_ref: str = Field(primary_key=True, max_length=255)
    seen_at: datetime


class DueWorkRow(SQLModel, table=True):
    __tablename__ = "due_work"
    __table_args__ = (
        Index("ix_due_work_status_due_at", "status", "due_at"),
        Index("ix_due_work_subject", "collective_id", "kind", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id")
    kind: str = Field(max_length=64)
    subject_id: int | None = None
    due_at: datetime
    status: str = Field(default="pending", max_length=16)
    fired_at: datetime | None = None
    data: str = Field(default="{}")
    note: str | None = Field(default=None, max_length=500)
