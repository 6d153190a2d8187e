"""What adopted proposals do (each kind in ``bot.kinds`` calls its own): admitting a member, applying a
setting — executable outcomes, so no one changes the rules or the membership alone."""

from __future__ import annotations

from bot.context import Scope
from bot.language import N_, _, switch_to
from bot.model import DECIDING, FUNDED, QUEUED, Member
from bot.pool import fund_queue
from bot.record import recount_twins
from bot.rotation import on_join
from bot.settings import KEYS, shown_setting


def admit(scope: Scope, platform: str, user_id: str, name: str) -> Member:
    """Make a person a member (again): a new membership from now, and a place
    on the facilitator's roster."""
    collective_id = scope.collective.id
    member = scope.uow.members.find(collective_id, platform, user_id)
    if member is None:
        member = Member(None, collective_id, platform, user_id, name, scope.now)
    else:
        member.active, member.joined_at, member.left_at, member.away_until = True, scope.now, None, None
        member.display_name = name
    member = scope.uow.members.save(member)
    member.twin = member.id in recount_twins(scope.uow, collective_id)
    on_join(scope, member)
    return member


# Why the currency cannot change now, as a /set currency is refused (``CANNOT_CHANGE``) and as its adoption
# says it changed nothing (``STAYS``); keyed by what ``currency_problem`` finds.
CANNOT_CHANGE = {
    "ledger": N_(
        "The currency can't change now: the pool's ledger is kept in {currency} already, and its amounts can't "
        "change currency."
    ),
    "needs": N_("The currency can't change now: needs asked in {currency} are still open."),
    "aid": N_(
        "The currency can't change now: an aid request in {currency} from another collective is still open here."
    ),
}
STAYS = {
    "ledger": N_(
        "But the pool's ledger is kept in {currency} already, and its amounts can't change currency, so the "
        "currency stays {currency}."
    ),
    "needs": N_("But needs asked in {currency} are still open, so the currency stays {currency}."),
    "aid": N_(
        "But an aid request in {currency} from another collective is still open here, so the currency stays {currency}."
    ),
}


def currency_problem(scope: Scope) -> str | None:
    """Why the currency cannot change now (a key of ``CANNOT_CHANGE`` and ``STAYS``): amounts already asked or
    recorded are in the current one, and a change would rescale them (50 EUR is not 5,000 JPY)."""
    if scope.uow.ledger.recent(scope.collective.id, 1):
        return "ledger"
    if any(scope.uow.needs.in_stage(scope.collective.id, stage) for stage in (DECIDING, QUEUED, FUNDED)):
        return "needs"
    if any(item.topic == "aid" for item in scope.uow.items.open(scope.collective.id)):
        return "aid"
    return None


def apply_setting(scope: Scope, key: str, value: str) -> str:
    """Carry out an adopted setting and say what it did. A new language is spoken from here on in this unit of
    work: what it says, and the outcome written after it, are in that language."""
    if key == "currency" and (problem := currency_problem(scope)):
        return _(STAYS[problem], currency=scope.settings.currency)
    scope.uow.settings.put(scope.collective.id, key, value)
    if key in ("need_priorities", "language"):
        scope.settings = scope.settings.with_value(key, value)
    if key == "need_priorities":
        fund_queue(scope)
    if key == "language":
        switch_to(value)
    return _(
        "{key} is now {value} ({meaning}).", key=key, value=shown_setting(key, value), meaning=_(KEYS[key].meaning)
    )
