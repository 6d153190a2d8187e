"""The SQLModel tables. Datetime fields are SQLModel's UTCDateTime: aware UTC in
and out, whatever the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class CollectiveRow(SQLModel, table=True):
    __tablename__ = "collective"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    principles: str | None = None
    last_item_number: int = 0  # items are #1, #2, … per collective
    # The assembly meeting now (bot.assembly); a plain id, without a foreign key (the tables point at each other).
    assembly_id: int | None = None


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
    # Another member's name looks the same (bot.record.skeleton): shown with the user id.
    twin: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # The membership of the same person it was made one with (/iam): kept for the record, never shown as a member.
    # (A member id, without a foreign key: adding one would make SQLite rebuild the table every row points at.)
    merged_into: int | None = None


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


class ItemRow(SQLModel, table=True):
    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("collective_id", "number", name="uq_item_number"),
        Index("ix_item_collective_status", "collective_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id")
    number: int
    kind: str = Field(max_length=16)
    topic: str = Field(max_length=16)
    author_id: int | None = Field(default=None, foreign_key="member.id")
    title: str = Field(max_length=300)
    body: str
    created_at: datetime
    status: str = Field(max_length=16)
    decided_at: datetime | None = None
    data: str = Field(default="{}")
    raised_platform: str | None = Field(default=None, max_length=32)  # where it was raised (see Item)
    raised_chat: str | None = Field(default=None, max_length=255)
    raised_thread: str | None = Field(default=None, max_length=255)


class RoundRow(SQLModel, table=True):
    __tablename__ = "round"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_round_number"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    number: int
    title: str = Field(max_length=300)
    body: str
    opened_at: datetime
    closes_at: datetime
    status: str = Field(max_length=16)
    mode: str = Field(default="full", max_length=16, sa_column_kwargs={"server_default": "full"})
    terms: str = Field(default="{}", sa_column_kwargs={"server_default": "{}"})  # the rules in force when it opened
    extensions: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # how often /extend moved it
    closed_at: datetime | None = None
    rule: str | None = Field(default=None, max_length=16)
    adopted: bool | None = None
    outcome: str | None = None


class RollRow(SQLModel, table=True):
    """The members on a round's roll, frozen when the round opens."""

    __tablename__ = "roll"

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    # Set when the round ends: whether the member was still a member then, so the
    # record of a closed round never changes when someone leaves later.
    counted: bool | None = None


class ResponseRow(SQLModel, table=True):
    """A member's current response in a round (a new one replaces it)."""

    __tablename__ = "response"

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    kind: str = Field(max_length=16)
    reason: str
    first_at: datetime
    at: datetime
    # The member who gave it for ``member_id`` as their proxy (bot.proxies); None: the member did.
    # (A member id without a foreign key: adding one would make SQLite rebuild the table.)
    by_proxy: int | None = None


class NeedRow(SQLModel, table=True):
    __tablename__ = "need"

    item_id: int = Field(foreign_key="item.id", primary_key=True)
    amount: int | None = None  # minor units; None: help that is not money
    category: str = Field(max_length=32)
    private: bool = False
    stage: str = Field(max_length=16, index=True)
    approved_at: datetime | None = None


class OfferRow(SQLModel, table=True):
    __tablename__ = "offer"

    item_id: int = Field(foreign_key="item.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    note: str
    at: datetime


class LedgerRow(SQLModel, table=True):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "ledger"

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", index=True)
    kind: str = Field(max_length=16)
    amount: int
    at: datetime
    member_id: int | None = Field(default=None, foreign_key="member.id")
    item_id: int | None = Field(default=None, foreign_key="item.id", index=True)
    note: str = ""
    number: int | None = None  # the collective's own numbering of its entries, as /ledger shows them
    reverses: int | None = Field(default=None, foreign_key="ledger.id")  # the entry a reversal undoes


class DecisionRow(SQLModel, table=True):
    """The log of outcomes behind /decisions: every round closed, amended or
    withdrawn and every need paid, met or withdrawn, appended as it happens."""

    __tablename__ = "decision"
    # Newest first, without sorting the whole log: /decisions and the web page read it in this order.
    __table_args__ = (Index("ix_decision_collective_at", "collective_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    round_number: int | None = None
    verdict: str = Field(max_length=16)
    rule: str | None = Field(default=None, max_length=16)
    title: str = Field(max_length=300)
    at: datetime


class RoleRow(SQLModel, table=True):
    __tablename__ = "role"
    # One live role of a name per collective; a retired one (its proposal lapsed on review) stays for the
    # record, and the name may be used again.
    __table_args__ = (
        Index(
            "uq_role_live_name",
            "collective_id",
            "name",
            unique=True,
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    collective_id: int = Field(foreign_key="collective.id", index=True)
    name: str = Field(max_length=32)
    every_seconds: int
    weekday: int | None = None
    at_hour: int | None = None
    at_minute: int | None = None
    created_at: datetime
    holder_id: int | None = Field(default=None, foreign_key="member.id")
    term_started_at: datetime | None = None
    next_handover_at: datetime | None = None
    vacancy_announced: bool = False
    retired_at: datetime | None = None


class RosterRow(SQLModel, table=True):
    __tablename__ = "roster"

    role_id: int = Field(foreign_key="role.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    joined_at: datetime


class TurnRow(SQLModel, table=True):
    """Every turn served, kept for the record and for fairness."""

    __tablename__ = "turn"

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="role.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    started_at: datetime
    ended_at: datetime | None = None


class SwapRow(SQLModel, table=True):
    __tablename__ = "swap"

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="role.id", index=True)
    from_member_id: int = Field(foreign_key="member.id")
    to_member_id: int = Field(foreign_key="member.id")
    requested_at: datetime
    status: str = Field(max_length=16)


class SentAskRow(SQLModel, table=True):
    """The platform message that carries an ask in one chat."""

    __tablename__ = "sent_ask"
    __table_args__ = (Index("ix_sent_ask_key", "platform", "chat_id", "key"),)

    platform: str = Field(primary_key=True, max_length=32)
    chat_id: str = Field(primary_key=True, max_length=255)
    message_ref: str = Field(primary_key=True, max_length=255)
    key: str = Field(max_length=64)


class AdapterStateRow(SQLModel, table=True):
    """What an adapter keeps between runs (a Matrix sync token, a device id)."""

    __tablename__ = "adapter_state"

    platform: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=64)
    value: str


class InboxRow(SQLModel, table=True):
    """A platform update taken in but not yet handled, kept so that it could be confirmed to the platform early
    (``storage/inbox.py``): Telegram's long poll confirms every update below the offset it asks for, so a burst in
    one chat is held here rather than holding up the updates of every other chat behind it."""

    __tablename__ = "inbox"

    platform: str = Field(primary_key=True, max_length=32)
    number: int = Field(
        primary_key=True, sa_type=BigInteger
    )  # the platform's number for it (Telegram's update_id), in order
    payload: str  # the update as the platform sent it (JSON)
    held_at: datetime


class OutboxRow(SQLModel, table=True):
    """An answer stored with the effects of its unit of work, until it is delivered. Rows go out in ``id``
    order within their ``queue`` (a chat); ``txn_id`` is the same at every attempt (Matrix applies a
    transaction id once); ``sent_at`` and ``message_ref`` say when it went out and as which message."""

    __tablename__ = "outbox"
    # One index, for an edit finding its ask's unsent deliveries; the unsent rows are read once at start, and
    # sent rows are pruned after a day, so that scan stays short (and every answer updates one index less).
    # And, for several processes, the unsent rows whose claim ran out (a process that died), by platform.
    __table_args__ = (
        Index("ix_outbox_ask", "platform", "queue", "ask_key"),
        Index("ix_outbox_claimed", "platform", "lease_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    queue: str = Field(max_length=255)
    ask_key: str | None = Field(default=None, max_length=64)  # for an ask: edits of it wait for it
    action: str  # the action, as JSON (storage/outbox.py)
    txn_id: str = Field(max_length=64)
    created_at: datetime
    sent_at: datetime | None = None
    message_ref: str | None = Field(default=None, max_length=255)
    # Several processes on PostgreSQL: the process delivering it, and until when (seconds since the epoch, by the
    # database's clock) its claim holds; it renews it while it runs, and another adopts the row once it runs out.
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: float | None = None


class SendSlotRow(SQLModel, table=True):
    """Telegram's flood limits shared by several processes (PostgreSQL): each message a process is about to send
    takes a slot here first, at ``at`` (seconds since the epoch, by the database's clock), into ``chat_id``; a
    slot is refused while the last second, or the group's last minute, is full. Pruned after two minutes."""

    __tablename__ = "send_slot"
    __table_args__ = (Index("ix_send_slot_chat_at", "chat_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=64)
    at: float = Field(index=True)


class MatrixReactionRow(SQLModel, table=True):
    """A member's reaction on Matrix that stands for a choice, kept until it is redacted (a redaction names only
    the event it removes, and a redacted reaction has lost its content) or the round of the ask it is on ends."""

    __tablename__ = "matrix_reaction"
    __table_args__ = (Index("ix_matrix_reaction_on", "room_id", "reacts_to"),)

    event_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(max_length=255)
    reacts_to: str = Field(max_length=255)  # the message reacted to (an ask of the bot's, the core decides)
    user_id: str = Field(max_length=255)
    name: str = Field(sa_type=Text)  # the member's display name when they reacted (Synapse allows 256 characters,
    # and nio adds the user id to a name two members share)
    choice: str = Field(max_length=16)


# The tables of collectives beyond one chat (linked chats, linked accounts, federations) are in
# storage/tables_beyond.py; importing them here puts them in the one metadata migrations compare with.
# The read-only web page's links are in storage/tables_web.py, in the same metadata.
import storage.tables_beyond  # noqa: E402
import storage.tables_chain  # noqa: E402
import storage.tables_web  # noqa: E402, F401
