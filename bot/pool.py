"""The pooled fund: balances derived from the append-only ledger, and funding
approved needs in priority order as money arrives."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import Scope
from bot.model import (
    CONTRIBUTION,
    FUNDED,
    PAYOUT,
    QUEUED,
    REJECTED,
    RELEASE,
    RESERVATION,
    WITHDRAWN,
    Item,
    LedgerEntry,
    Need,
)
from bot.money import format_amount


@dataclass(frozen=True, slots=True)
class Balances:
    contributed: int
    paid_out: int
    reserved: int

    @property
    def held(self) -> int:
        """Money in the pool: everything contributed less everything paid out."""
        return self.contributed - self.paid_out

    @property
    def available(self) -> int:
        """Held and not set aside for an approved need."""
        return self.held - self.reserved


def balances(scope: Scope) -> Balances:
    totals = scope.uow.ledger.totals(scope.collective.id)
    paid = totals.get(PAYOUT, 0)
    reserved = totals.get(RESERVATION, 0) - totals.get(RELEASE, 0) - paid
    return Balances(totals.get(CONTRIBUTION, 0), paid, reserved)


def money(scope: Scope, minor: int) -> str:
    return format_amount(minor, scope.settings.text("currency"))


def queue(scope: Scope) -> list[tuple[Item, Need]]:
    """Approved needs waiting for money: by category priority, then by age."""
    order = {name: rank for rank, name in enumerate(scope.settings.text("need_priorities").split(","))}
    waiting = scope.uow.needs.in_stage(scope.collective.id, QUEUED)
    return sorted(
        waiting, key=lambda pair: (order.get(pair[1].category, len(order)), pair[0].created_at, pair[0].number)
    )


def fund_queue(scope: Scope) -> list[Item]:
    """Reserve money for queued needs, strictly in queue order: a need that does
    not fit yet stops the queue, so small needs never overtake urgent ones."""
    funded = []
    available = balances(scope).available
    for item, need in queue(scope):
        if need.amount > available:
            break
        if not scope.uow.needs.move(item.id, QUEUED, FUNDED):
            continue  # funded by a concurrent unit of work a moment ago
        scope.uow.ledger.append(
            LedgerEntry(None, scope.collective.id, RESERVATION, need.amount, scope.now, item_id=item.id)
        )
        available -= need.amount
        funded.append(item)
        scope.announce(
            f"#{item.number} is funded: {money(scope, need.amount)} is reserved for it from the pool. "
            f"The treasurer records the payout with /paid {item.number}."
        )
    return funded


def approve(scope: Scope, item: Item) -> str:
    """An approved need joins the queue and is funded if its turn has come."""
    need = scope.uow.needs.get(item.id)
    need.stage, need.approved_at = QUEUED, scope.now
    scope.uow.needs.save(need)
    if item.id in {funded.id for funded in fund_queue(scope)}:
        return ""  # the funding announcement follows
    return f"It waits for funds: {money(scope, balances(scope).available)} is available now. /pool shows the queue."


def reject(scope: Scope, item: Item) -> str:
    need = scope.uow.needs.get(item.id)
    need.stage = REJECTED
    scope.uow.needs.save(need)
    return ""


def withdraw_need(scope: Scope, item: Item, reason: str) -> None:
    """Take an approved need off the queue, or release what was reserved for
    it, and fund whatever can be funded now."""
    need = scope.uow.needs.get(item.id)
    if need.stage not in (QUEUED, FUNDED):
        return
    reserved = scope.uow.ledger.reserved_for(item.id)
    if not scope.uow.needs.move(item.id, need.stage, WITHDRAWN):
        return
    if reserved:
        scope.uow.ledger.append(
            LedgerEntry(None, scope.collective.id, RELEASE, reserved, scope.now, item_id=item.id, note=reason)
        )
    item.status = WITHDRAWN
    scope.uow.items.save(item)
    released = f"; {money(scope, reserved)} goes back to the pool" if reserved else ""
    scope.announce(f"{item_heading(item)} is withdrawn ({reason}){released}.")
    fund_queue(scope)


def item_heading(item: Item) -> str:
    return f"#{item.number} {item.title}"
