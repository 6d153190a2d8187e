"""The record as members read it: names that cannot be confused, and the log of
decisions that /decisions shows."""

from __future__ import annotations

from collections.abc import Callable

from bot.context import Scope
from bot.model import Decision, Item, Member, Round


def namer(scope: Scope, collective_id: int) -> Callable[[Member], str]:
    """How to show members: by display name, and where another member of the
    collective has (or had) the same name, with their user id too, so no one
    can pass for someone else by taking their name."""
    twins = scope.uow.members.twin_names(collective_id)

    def shown(member: Member) -> str:
        if member.display_name.casefold() in twins:
            return f"{member.display_name} ({member.user_id})"
        return member.display_name

    return shown


def log_decision(scope: Scope, item: Item, verdict: str, round_: Round | None = None, rule: str | None = None) -> None:
    """Append an outcome to the log of decisions; it never changes afterwards."""
    title = round_.title if round_ is not None else item.title
    number = round_.number if round_ is not None else None
    scope.uow.decisions.add(Decision(item.collective_id, item.id, verdict, title, scope.now, number, rule))
