"""The ports through which the core reaches storage. ``storage`` implements
them with SQLModel; the core only sees these protocols and ``bot.model``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple, Protocol

from bot.actions import Action
from bot.chain import Verdict
from bot.model import (
    Collective,
    Decision,
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
from bot.ports_beyond import Assemblies, Federations, Identities, Links, Proxies, WebTokens
from bot.ports_reads import Reads
from bot.results import Delivery


class MemberName(NamedTuple):
    id: int
    name: str


class LinkedChat(NamedTuple):
    platform: str
    chat_id: str


class NeedInStage(NamedTuple):
    item: Item
    need: Need


class WhereAsked(NamedTuple):
    refs: list[str]  # the platform messages carrying an ask
    unsent: list[int]  # its deliveries not sent yet


class Collectives(Protocol):
    def for_chat(self, platform: str, chat_id: str) -> Collective | None: ...
    def create_for_chat(self, platform: str, chat_id: str, now: datetime) -> Collective: ...
    def get(self, collective_id: int) -> Collective: ...
    def chats(self, collective_id: int) -> list[LinkedChat]:
        """Every group chat linked to the collective."""

    def save(self, collective: Collective) -> None: ...
    def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str, now: datetime) -> bool:
        """The chat got a new id on its platform (a Telegram supergroup, an
        upgraded Matrix room); False when the old one was unknown."""

    def create_apart(self, now: datetime) -> int:
        """A new collective with no chat yet; returns its id."""

    def relink_chat(self, platform: str, chat_id: str, collective_id: int, now: datetime) -> None:
        """The chat now belongs to another collective (/link CODE, /unlink)."""


class Members(Protocol):
    def find(self, collective_id: int, platform: str, user_id: str) -> Member | None: ...
    def get(self, member_id: int) -> Member: ...
    def active(self, collective_id: int) -> list[Member]:
        """Current members, earliest joined first."""

    def save(self, member: Member) -> Member:
        """Insert or update; returns the member with its id."""

    def names(self, collective_id: int) -> list[MemberName]:
        """The display name of every member the collective has, or had."""

    def mark_twins(self, collective_id: int, ids: set[int]) -> None:
        """These members' names look like another's; no other member's does."""

    def memberships(self, platform: str, user_id: str) -> list[Member]:
        """Every active membership of one person, across collectives."""


class Settings(Protocol):
    def values(self, collective_id: int) -> dict[str, str]:
        """The settings a collective changed from the defaults, as stored text."""

    def put(self, collective_id: int, key: str, value: str) -> None: ...


class SeenMessages(Protocol):
    def remember(self, platform: str, chat_id: str, message_ref: str, now: datetime) -> bool:
        """Record a platform message; False when it was seen before."""


class DueWorkRows(Protocol):
    changed: bool  # whether this unit of work added, claimed, retried or cancelled due work

    def add(self, work: DueWork) -> DueWork: ...
    def get(self, work_id: int) -> DueWork: ...
    def due(self, now: datetime, limit: int) -> list[DueWork]:
        """Pending work due at or before ``now``, earliest first."""

    def claim(self, work_id: int, now: datetime, wait: bool = True) -> bool | None:
        """Mark pending work done; False when it was no longer pending (another
        tick took it, or it was cancelled). ``wait=False``: None when its
        collective is busy right now (roll back and try it again later)."""

    def fail(self, work_id: int, now: datetime, note: str) -> None: ...
    def retry(self, work_id: int, due_at: datetime, attempts: int, note: str) -> None:
        """Put failed work back as pending, due again at ``due_at``."""

    def cancel(self, collective_id: int, kind: str, subject_id: int | None) -> int:
        """Cancel pending work of a kind about a subject; returns how many."""

    def next_due_at(self) -> datetime | None: ...


class Items(Protocol):
    def next_number(self, collective_id: int) -> int:
        """Take the next ``#N`` of the collective (shared by proposals and needs)."""

    def add(self, item: Item) -> Item: ...
    def get(self, item_id: int) -> Item: ...
    def by_number(self, collective_id: int, number: int) -> Item | None: ...
    def save(self, item: Item) -> None: ...
    def open(self, collective_id: int, limit: int | None = None, offset: int = 0) -> list[Item]:
        """Open items, lowest number first (``limit`` of them from ``offset``)."""

    def count_open(self, collective_id: int) -> int: ...

    def decided(self, collective_id: int, limit: int) -> list[Item]:
        """Adopted or not adopted items, most recently decided first."""

    def find_open(self, collective_id: int, topic: str, key: str, value: str) -> Item | None:
        """An open item of a topic whose ``data[key]`` equals ``value``."""

    def of_topic(self, collective_id: int, topic: str, key: str, value: str) -> list[Item]:
        """Every item of a topic whose ``data[key]`` equals ``value``, whatever its status, lowest number first."""


class Rounds(Protocol):
    def add(self, round_: Round, roll: list[int]) -> Round:
        """Store a new round with its frozen roll (member ids)."""

    def get(self, round_id: int) -> Round: ...
    def find(self, round_id: int) -> Round | None: ...
    def latest(self, item_id: int) -> Round: ...
    def of_item(self, item_id: int) -> list[Round]:
        """Every round of an item, first round first."""

    def save(self, round_: Round) -> None: ...
    def finish(self, round_id: int, status: str, now: datetime) -> bool:
        """Move an open round to ``status``; False when it was no longer open,
        so two closes give one outcome."""

    def roll(self, round_id: int) -> list[int]: ...
    def freeze_roll(self, round_id: int) -> None:
        """At a round's end: who of its roll is still a member is kept with it, so
        its record (standings, counts) never changes when someone leaves later."""


class Responses(Protocol):
    def put(self, response: Response) -> None:
        """Store a member's response, replacing an earlier one in the same
        round (which keeps its place in the order responses were first given)."""

    def of_round(self, round_id: int) -> list[Response]:
        """Responses in the order they were first given."""

    def remove(self, round_id: int, member_id: int, kind: str) -> bool:
        """Withdraw a member's own response if it is of ``kind``; False otherwise."""

    def take_back(self, member_id: int, by_proxy: int, ended_at: datetime) -> list[int]:
        """Withdraw the responses ``by_proxy`` gave for ``member_id`` in rounds still open whose deadline
        is not before ``ended_at`` (a round due before the proxy ended keeps them for its close); the rounds' ids."""


class Needs(Protocol):
    def add(self, need: Need) -> None: ...
    def get(self, item_id: int) -> Need: ...
    def save(self, need: Need) -> None: ...
    def move(self, item_id: int, old_stage: str, new_stage: str) -> bool:
        """Move a need between stages only if it is still in ``old_stage``, so
        two concurrent fundings or payouts cannot both happen."""

    def in_stage(self, collective_id: int, stage: str) -> list[NeedInStage]:
        """Needs of a collective in one stage, oldest item first."""

    def add_offer(self, offer: Offer) -> None: ...
    def offers(self, item_id: int) -> list[Offer]: ...


class Ledger(Protocol):
    def append(self, entry: LedgerEntry) -> LedgerEntry: ...
    def totals(self, collective_id: int) -> dict[str, int]:
        """The sum of each kind of entry."""

    def reserved_for(self, item_id: int) -> int:
        """Reserved for one need and not yet released or paid out."""

    def funded_for(self, item_id: int) -> int:
        """Reserved for one need and not released: paid out or still reserved (a recurring need's fundings)."""

    def numbered(self, collective_id: int, number: int) -> LedgerEntry | None:
        """The collective's entry with that number, as /ledger shows it."""

    def get(self, entry_id: int) -> LedgerEntry: ...
    def reversal_of(self, entry_id: int) -> LedgerEntry | None: ...
    def recent(self, collective_id: int, limit: int) -> list[LedgerEntry]:
        """Newest first."""

    def daily(self, collective_id: int, after: int = 0) -> list[tuple[int, datetime, datetime, str, int]]:
        """The entries after the one with id ``after``, summed by UTC day and kind, oldest day first: the id
        of the day's last entry of that kind, the times of its first and last, the kind, the sum (the balance
        over time, a step a day)."""


class Decisions(Protocol):
    def add(self, decision: Decision) -> None: ...
    def recent(self, collective_id: int, limit: int, offset: int = 0) -> list[Decision]:
        """Newest first."""

    def count(self, collective_id: int) -> int: ...


class Roles(Protocol):
    def add(self, role: Role) -> Role: ...
    def get(self, role_id: int) -> Role: ...
    def named(self, collective_id: int, name: str) -> Role | None:
        """The live role of that name (a retired one is kept for the record, never found here)."""

    def of_collective(self, collective_id: int) -> list[Role]:
        """The live roles."""

    def save(self, role: Role) -> None: ...
    def roster(self, role_id: int) -> list[int]:
        """Member ids on the role's roster, in the order they joined it."""

    def join(self, role_id: int, member_id: int, now: datetime) -> bool:
        """False when already on the roster."""

    def leave(self, role_id: int, member_id: int) -> bool:
        """False when not on the roster."""

    def turns(self, role_id: int) -> list[Turn]:
        """Every turn of the role, oldest first."""

    def start_turn(self, turn: Turn) -> None: ...
    def end_turn(self, role_id: int, now: datetime) -> None: ...
    def hand_current_turn(self, role_id: int, member_id: int) -> None:
        """A swap: the current turn becomes the other member's."""

    def add_swap(self, swap: Swap) -> Swap: ...
    def pending_swaps(self, role_id: int) -> list[Swap]: ...
    def save_swap(self, swap: Swap) -> None: ...


class SentAsks(Protocol):
    """Where each ask was posted on each platform, so an edit, a reaction or a
    reply can find it."""

    def remember(self, platform: str, chat_id: str, key: str, message_ref: str) -> None: ...
    def refs(self, platform: str, chat_id: str, key: str) -> list[str]: ...
    def key_of(self, platform: str, chat_id: str, message_ref: str) -> str | None: ...


class Outbox(Protocol):
    """The answers of units of work, stored with their effects and delivered after the commit."""

    def add(self, outgoing: list[tuple[Action, str, str]], now: datetime) -> list[Delivery]:
        """Store answers to deliver, each (action, platform, queue), in order: each gets its place (id)
        and a transaction id of its own."""

    def where_asked(self, platform: str, chat_id: str, key: str) -> WhereAsked:
        """Where an ask is in a chat."""


class Chain(Protocol):
    """The record's hash chain (``bot.chain``): storage appends an entry for every recorded row a unit of work
    writes, in that unit of work, whatever the write path."""

    def head(self, collective_id: int) -> str:
        """The collective's head hash, with everything this unit of work wrote appended."""

    def verify(self, collective_id: int, heads: Iterable[str] = ()) -> Verdict:
        """Recompute the chain and check the data against it (and that each of ``heads`` is on it)."""


class UnitOfWork(Protocol):
    """One transaction. Used as a context manager: leaving without
    ``commit()`` rolls back."""

    reads: Reads
    collectives: Collectives
    members: Members
    settings: Settings
    seen: SeenMessages
    due: DueWorkRows
    items: Items
    rounds: Rounds
    responses: Responses
    needs: Needs
    ledger: Ledger
    decisions: Decisions
    roles: Roles
    asks: SentAsks
    outbox: Outbox
    links: Links
    identities: Identities
    federations: Federations
    tokens: WebTokens
    proxies: Proxies
    assemblies: Assemblies
    chain: Chain

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def lock_collectives(self, collective_ids: Iterable[int]) -> None:
        """Lock several collectives at once, in a fixed order (storage locks one as it is first named)."""


class TakeLocksFirst(Exception):
    """Raised by storage when a unit of work needs a collective out of the fixed lock order and it is busy
    (waiting could deadlock): start the unit of work over, locking ``collectives`` first."""

    def __init__(self, collectives: Iterable[int]) -> None:
        super().__init__(f"start over locking collectives {sorted(collectives)} first")
        self.collectives = frozenset(collectives)
        """Lock several collectives at once, in a fixed order (lowest id first), before a unit of work touches
        them all (a joint outcome, an aid transfer, the federation digest)."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
