"""The read port: questions that join several aggregates, each answered in one query (``storage.reads``), and
their named results."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from bot.model import Collective, Decision, Member, Response, Round


class ChatScene(NamedTuple):
    """Who is where, read for every message."""

    collective: Collective | None  # the chat's collective; None for a chat not linked yet
    member: Member | None  # the sender's membership in it (active or not)
    settings: dict[str, str]  # its stored settings (as ``Settings.values``)


class RoundCount(NamedTuple):
    """A round's tally without names."""

    roll: int  # how many on its roll are still members
    given: dict[str, int]  # how many of them gave each kind of response
    proxied: int = 0  # how many of those responses a proxy gave (bot.proxies)


class MemberEntry(NamedTuple):
    """An item's latest round as one member stands in it."""

    round: Round
    on_roll: bool
    response: str | None  # the kind of their current response; None when they have none
    by_proxy: int | None = None  # who gave that response for them (a proxy's member id); None: they did


class RollStanding(NamedTuple):
    """Who is on a round's roll and what they said."""

    roll: list[Member]  # those on its roll who are still members, earliest joined first
    responses: list[Response]  # theirs, first given first


class Decided(NamedTuple):
    """A line of the log of outcomes with what it takes to show it: its item's number and the id of the round
    that decided it (None when it ended without one, e.g. a need paid)."""

    decision: Decision
    item_number: int
    round_id: int | None


class Reads(Protocol):
    """The read port: questions that join several aggregates, each answered in one query."""

    def with_member(self, platform: str, chat_id: str, user_id: str, person_platform: str | None = None) -> ChatScene:
        """The chat's collective, the membership in it of the person with ``user_id`` on ``person_platform``
        (by default the chat's platform), and the collective's stored settings."""

    def latest_for(self, item_ids: list[int]) -> dict[int, Round]:
        """The latest round of each item."""

    def counts(self, round_ids: list[int]) -> dict[int, RoundCount]: ...
    def latest_with_entry(self, item_id: int, member_id: int) -> MemberEntry: ...
    def standings(self, round_ids: list[int]) -> dict[int, RollStanding]: ...
    def reasons(self, round_ids: list[int]) -> dict[int, list[Response]]:
        """Each round's responses that count (as ``standings`` counts them), first given first, without the
        members on its roll: what a page of many rounds shows, read lightly."""

    def decided(self, collective_id: int, limit: int) -> list[Decided]:
        """The newest lines of the log of outcomes, newest first, each with its item's number and round's id."""
