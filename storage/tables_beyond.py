"""The tables of collectives beyond one chat: link codes and linked accounts (one collective in several
chats, one member with several accounts), federations, their joint items and mutual aid. Declared with the
others in one SQLModel metadata (``storage.tables`` imports this module)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class LinkCodeRow(SQLModel, table=True):
    """A one-time code for linking a chat to a collective (``chat``) or two accounts into one member
    (``identity``): only its SHA-256 is kept, it is used once, and it expires (bot/linking.py)."""

    __tablename__ = "link_code"

    code_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=16)
    collective_id: int | None = Field(default=None, foreign_key="collective.id")  # a chat code: which collective
    platform: str | None = Field(default=None, max_length=32)  # an identity code: whose account
    user_id: str | None = Field(default=None, max_length=255)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class AccountRow(SQLModel, table=True):
    """An account linked with /iam to others as one person: memberships are kept under the person's
    account (``person_platform``, ``person_user_id``); ``last_used_at`` says where direct messages go."""

    __tablename__ = "account"
    __table_args__ = (Index("ix_account_person", "person_platform", "person_user_id"),)

    platform: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=255)
    person_platform: str = Field(max_length=32)
    person_user_id: str = Field(max_length=255)
    linked_at: datetime
    last_used_at: datetime


# --- federation (storage/federation.py) -------------------------------------


class FederationRow(SQLModel, table=True):
    __tablename__ = "federation"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    rule: str = Field(max_length=16)


class FederationMemberRow(SQLModel, table=True):
    """A collective's place in a federation: one at a time; leaving removes the row (the record keeps why)."""

    __tablename__ = "federation_member"

    collective_id: int = Field(foreign_key="collective.id", primary_key=True)
    federation_id: int = Field(foreign_key="federation.id", index=True)
    joined_at: datetime


class FederationCodeRow(SQLModel, table=True):
    __tablename__ = "federation_code"

    code: str = Field(primary_key=True, max_length=32)
    collective_id: int = Field(foreign_key="collective.id")
    created_at: datetime
    expires_at: datetime
    used_by: int | None = Field(default=None, foreign_key="collective.id")


class JointItemRow(SQLModel, table=True):
    __tablename__ = "joint_item"

    id: int | None = Field(default=None, primary_key=True)
    federation_id: int = Field(foreign_key="federation.id", index=True)
    title: str = Field(max_length=300)
    opened_at: datetime
    closes_at: datetime
    rule: str = Field(max_length=16)
    status: str = Field(max_length=16)
    decided_at: datetime | None = None
    data: str = Field(default="{}")


class JointBallotRow(SQLModel, table=True):
    __tablename__ = "joint_ballot"

    joint_id: int = Field(foreign_key="joint_item.id", primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", primary_key=True)
    item_id: int = Field(foreign_key="item.id", unique=True)
    ballot: str | None = Field(default=None, max_length=16)


class AidRequestRow(SQLModel, table=True):
    __tablename__ = "aid_request"

    id: int | None = Field(default=None, primary_key=True)
    federation_id: int = Field(foreign_key="federation.id", index=True)
    collective_id: int = Field(foreign_key="collective.id")
    item_id: int = Field(foreign_key="item.id", index=True)
    amount: int
    currency: str = Field(max_length=3)
    created_at: datetime
    status: str = Field(max_length=16)
    funded_by: int | None = Field(default=None, foreign_key="collective.id")


__all__ = [
    "AccountRow",
    "AidRequestRow",
    "FederationCodeRow",
    "FederationMemberRow",
    "FederationRow",
    "JointBallotRow",
    "JointItemRow",
    "LinkCodeRow",
]


# --- proxies and assemblies (storage/live.py) ---------------------------------


class ProxyRow(SQLModel, table=True):
    """A member's response given to another for a term (bot.proxies); kept after it ended, for the record."""

    __tablename__ = "proxy"
    __table_args__ = (Index("ix_proxy_collective_status", "collective_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id")
    giver_id: int = Field(foreign_key="member.id")
    holder_id: int = Field(foreign_key="member.id")
    term_seconds: int
    offered_at: datetime
    item_id: int | None = Field(default=None, foreign_key="item.id")
    status: str = Field(max_length=16)
    accepted_at: datetime | None = None
    ends_at: datetime | None = None
    ended_at: datetime | None = None


class AssemblyRow(SQLModel, table=True):
    """A live meeting (bot.assembly): its agenda, where it is, and its minutes once it ended."""

    __tablename__ = "assembly"
    __table_args__ = (Index("ix_assembly_number", "collective_id", "number", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id")
    number: int
    opened_by: int = Field(foreign_key="member.id")
    started_at: datetime
    agenda: str = Field(default="[]")  # item ids, JSON
    position: int = 0
    ended_at: datetime | None = None
    minutes: str | None = None


class AttendanceRow(SQLModel, table=True):
    """Who attended an assembly: spoke to the bot or responded in the group while it met."""

    __tablename__ = "assembly_attendance"

    assembly_id: int = Field(foreign_key="assembly.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    first_seen_at: datetime
