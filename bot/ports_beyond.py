"""The ports of collectives beyond one chat — linked chats and accounts, federations — through which the core
reaches storage (``bot.ports`` has the rest and the unit of work that holds them all)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Protocol

from bot.federation_records import AidRequest, Federation, Invitation, JointBallot, JointItem
from bot.live_records import Assembly, Proxy
from bot.model import Member


class LinkCode(NamedTuple):
    """A one-time code (only its hash is kept): ``chat`` links a chat to ``collective_id``, ``identity``
    links an account to the one at ``platform`` and ``user_id``."""

    code_hash: str
    purpose: str
    collective_id: int | None
    platform: str | None
    user_id: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class Account(NamedTuple):
    platform: str
    user_id: str
    last_used_at: datetime


class Links(Protocol):
    """Linked chats and linked accounts (``bot.linking``)."""

    def add_code(self, code: LinkCode) -> None: ...
    def code(self, code_hash: str) -> LinkCode | None: ...
    def use_code(self, code_hash: str, now: datetime) -> bool:
        """Mark a code used; False when it was used already."""

    def has_own(self, collective_id: int) -> bool:
        """Whether the collective has any member (present or past) or any item."""

    def drop_empty(self, collective_id: int) -> None: ...
    def person_of(self, platform: str, user_id: str, now: datetime | None = None) -> tuple[str, str]:
        """The account a person's memberships are kept under; ``now``: this account was used last then."""

    def accounts(self, person_platform: str, person_user_id: str) -> list[Account]:
        """The person's linked accounts, the one used last first; empty when never linked."""

    def link_accounts(self, person: tuple[str, str], other: tuple[str, str], now: datetime) -> None:
        """``other`` and every account linked to it become ``person``'s."""


class Identities(Protocol):
    def both_responded(self, keep: int, drop: int) -> list[int]:
        """Numbers of the items with an open round both memberships responded in."""

    def merge_members(self, keep: int, drop: int) -> None:
        """What ``drop`` holds in open rounds, items, offers and rotation moves to ``keep``."""


class Federations(Protocol):
    """Federations of collectives (``bot.federation``), their joint items and aid requests."""

    def add(self, federation: Federation) -> Federation: ...
    def get(self, federation_id: int) -> Federation: ...
    def save(self, federation: Federation) -> None: ...
    def of_collective(self, collective_id: int) -> Federation | None: ...
    def members(self, federation_id: int) -> list[int]:
        """Its member collectives' ids, first joined first."""

    def join(self, federation_id: int, collective_id: int, now: datetime) -> None: ...
    def leave(self, collective_id: int) -> bool: ...
    def add_invitation(self, invitation: Invitation) -> None: ...
    def invitation(self, code: str) -> Invitation | None: ...
    def use_invitation(self, code: str, collective_id: int) -> bool:
        """Mark a code used by ``collective_id``; False when it was used already."""

    def add_joint(self, joint: JointItem) -> JointItem: ...
    def joint(self, joint_id: int) -> JointItem: ...
    def open_joints(self, federation_id: int) -> list[JointItem]: ...
    def decide_joint(self, joint_id: int, status: str, now: datetime) -> bool:
        """An open joint item decided, once: False when it was decided already."""

    def add_ballot(self, ballot: JointBallot) -> None: ...
    def ballots(self, joint_id: int) -> list[JointBallot]: ...
    def ballot_of_item(self, item_id: int) -> JointBallot | None: ...
    def cast(self, joint_id: int, collective_id: int, ballot: str) -> None: ...
    def add_aid(self, aid: AidRequest) -> AidRequest: ...
    def aid(self, aid_id: int) -> AidRequest: ...
    def aid_of_need(self, item_id: int) -> AidRequest | None:
        """The latest aid request for a need."""

    def end_aid(self, aid_id: int, status: str, funded_by: int | None = None) -> bool:
        """An open aid request ended (funded or closed), once: False when it had ended already."""


class WebTokens(Protocol):
    """Members' secret links to their collective's read-only page and their calendar feed (``bot.web_links``):
    only a token's hash is kept; one of each purpose per membership."""

    def issue(self, member: Member, purpose: str, token_hash: str, now: datetime) -> None:
        """The member's link of this purpose is now this one; the one before stops working."""

    def revoke(self, member_id: int) -> int:
        """Every link of the membership stops working (it left); returns how many."""

    def holder(self, token_hash: str, purpose: str) -> Member | None:
        """The current membership a link of this purpose belongs to; None for a wrong or revoked one."""


class Proxies(Protocol):
    """Proxies (``bot.proxies``): a member's response given to another for a term."""

    def add(self, proxy: Proxy) -> Proxy: ...
    def get(self, proxy_id: int) -> Proxy: ...
    def save(self, proxy: Proxy) -> None: ...
    def pending(self, collective_id: int) -> list[Proxy]:
        """The collective's proxies offered or in force, oldest first."""

    def of_collective(self, collective_id: int) -> list[Proxy]:
        """Every proxy of the collective, oldest first."""


class Assemblies(Protocol):
    """Assemblies (``bot.assembly``) and who attended them."""

    def add(self, assembly: Assembly) -> Assembly: ...
    def get(self, assembly_id: int) -> Assembly: ...
    def save(self, assembly: Assembly) -> None: ...
    def numbered(self, collective_id: int, number: int) -> Assembly | None: ...
    def latest(self, collective_id: int) -> Assembly | None: ...
    def attend(self, assembly_id: int, member_id: int, now: datetime) -> None:
        """Mark a member present (once)."""

    def attended(self, assembly_id: int) -> list[int]:
        """Who attended, by member id, first seen first."""
