"""What adopted proposals do (each kind in ``bot.kinds`` calls its own): admitting a member, applying a
setting — executable outcomes, so no one changes the rules or the membership alone."""

from __future__ import annotations

from bot.context import Scope
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


def currency_problem(scope: Scope) -> str | None:
    """Why the currency cannot change now: amounts already asked or recorded are in
    the current one, and a change would rescale them (50 EUR is not 5,000 JPY)."""
    current = scope.settings.currency
    if scope.uow.ledger.recent(scope.collective.id, 1):
        return f"the pool's ledger is kept in {current} already, and its amounts can't change currency"
    if any(scope.uow.needs.in_stage(scope.collective.id, stage) for stage in (DECIDING, QUEUED, FUNDED)):
        return f"needs asked in {current} are still open"
    if any(item.topic == "aid" for item in scope.uow.items.open(scope.collective.id)):
        return f"an aid request in {current} from another collective is still open here"
    return None


def apply_setting(scope: Scope, key: str, value: str) -> str:
    if key == "currency" and (problem := currency_problem(scope)):
        current = scope.settings.currency
        return f"But {problem}, so the currency stays {current}."
    scope.uow.settings.put(scope.collective.id, key, value)
    if key == "need_priorities":
        scope.settings = scope.settings.with_value(key, value)
        fund_queue(scope)
    return f"{key} is now {shown_setting(key, value)} ({KEYS[key].meaning})."
