"""Recurring needs over their term: one approval (on the total), then one funding per period. Each period
falls due as a row of due work, joins the queue like any need (``bot.pool.fund_queue``: by the collective's
priorities, then by how long it has waited) and is announced when funded; ``/withdraw N`` stops the periods
still to come, and what was funded already stays for its payout. A private need recurs just as namelessly:
its periods fall due at times fixed at its approval, so nothing in the group follows from what its
requester does."""

from __future__ import annotations

from datetime import datetime

from bot.chain import witnessed
from bot.closing import requester_left
from bot.context import Scope
from bot.duework import DueScope
from bot.kinds import heading
from bot.model import FUNDED, PAID, QUEUED, RELEASE, DueWork, Item, LedgerEntry, Stage, Status
from bot.pool import balances, fund_queue, funded_periods, money
from bot.record import log_decision
from bot.recurring import describe, describe_every, period_start
from bot.text import cmd

NEED_PERIOD = "need_period"


def _anchor(item: Item) -> datetime:
    return datetime.fromisoformat(item.data["anchor"])


def start_schedule(scope: Scope, item: Item) -> None:
    """At approval: period 1 is due now; the next is scheduled. The item is saved, since the queue reads it
    afresh."""
    item.data["anchor"], item.data["due"] = scope.now.isoformat(), 1
    scope.uow.items.save(item)
    _schedule(scope, item, 2)


def _schedule(scope: Scope, item: Item, period: int) -> None:
    if period > item.data["recurring"]["periods"]:
        return
    moment = period_start(item.data["recurring"], _anchor(item), period, scope.settings.timezone)
    scope.uow.due.add(DueWork(None, item.collective_id, NEED_PERIOD, item.id, moment, data={"period": period}))


def running(item: Item) -> bool:
    """A recurring need adopted whose periods have not all come yet, and not stopped."""
    recurring = item.data.get("recurring")
    return (
        bool(recurring)
        and item.status == Status.ADOPTED
        and not item.data.get("stopped")
        and item.data.get("due", 1) < recurring["periods"]
    )


def complete(scope: Scope, item: Item) -> bool:
    """A recurring need whose every period came, was funded and was paid out: nothing is left of it to stop."""
    recurring = item.data.get("recurring")
    if not recurring or item.data.get("due", 1) < recurring["periods"]:
        return False
    need = scope.uow.needs.get(item.id)
    return funded_periods(scope, item, need) >= recurring["periods"] and need.stage == PAID


def period_due(scope: DueScope) -> None:
    """The next period of a recurring need fell due: it joins the queue and is funded in its turn."""
    item = scope.uow.items.get(scope.work.subject_id)
    need = scope.uow.needs.get(item.id)
    if item.status != Status.ADOPTED or item.data.get("stopped") or need.stage not in (QUEUED, FUNDED, PAID):
        return  # withdrawn meanwhile (its rows are cancelled then; a guard)
    if requester_left(scope, item):  # its next due moment after whoever asked left: it ends, released
        stop_recurring(scope, item, "" if item.data.get("private") else "whoever asked has left", release=True)
        return
    period, total = scope.work.data["period"], item.data["recurring"]["periods"]
    item.data["due"] = period
    scope.uow.items.save(item)
    _schedule(scope, item, period + 1)
    if need.stage != QUEUED:
        scope.uow.needs.move(item.id, need.stage, QUEUED)
    if item.id in {funded.id for funded in fund_queue(scope)}:
        return  # its funding is announced
    scope.announce(
        f"{heading(item)}: period {period} of {total} is due and waits for funds ({money(scope, need.amount)}; "
        f"{money(scope, balances(scope).available)} is available now). {cmd('pool')} shows the queue.",
        about=item,
    )


def stop_recurring(scope: Scope, item: Item, reason: str, release: bool = False) -> None:
    """Stop the periods still to come. What was funded and not paid out stays reserved for its payout —
    unless ``release`` (whoever asked has left: a departed member's need is never paid)."""
    scope.uow.due.cancel(item.collective_id, NEED_PERIOD, item.id)
    need = scope.uow.needs.get(item.id)
    reserved = scope.uow.ledger.reserved_for(item.id)
    released = ""
    if release and reserved:
        scope.uow.ledger.append(
            LedgerEntry(None, scope.collective.id, RELEASE, reserved, scope.now, item_id=item.id, note=reason)
        )
        released, reserved = f" {money(scope, reserved)} goes back to the pool.", 0
    funded, total = funded_periods(scope, item, need), item.data["recurring"]["periods"]
    stage = FUNDED if reserved else Stage.WITHDRAWN
    if need.stage != stage:
        scope.uow.needs.move(item.id, need.stage, stage)
    item.data["stopped"] = True
    item.status, item.decided_at = Status.WITHDRAWN, scope.now
    scope.uow.items.save(item)
    log_decision(scope, item, "withdrawn")
    because = f" ({reason})" if reason else ""
    kept = (
        f" {money(scope, reserved)} stays reserved for what was funded: {cmd('paid')} {item.number} records its payout."
        if reserved
        else ""
    )
    withdrawn = (
        f"{heading(item)} is withdrawn{because}: the fundings still to come stop ({funded} of {total} were "
        f"funded).{kept}{released}"
    )
    scope.announce(witnessed(withdrawn, item.collective_id), about=item)
    fund_queue(scope)


def schedule_lines(scope: Scope, item: Item) -> list[str]:
    """What /show says of a recurring need's schedule."""
    recurring = item.data.get("recurring")
    if not recurring:
        return []
    need = scope.uow.needs.get(item.id)
    total = recurring["periods"]
    lines = [
        f"Recurring: {money(scope, need.amount)} {describe(recurring)} ({money(scope, need.amount * total)} in all)."
    ]
    if "anchor" not in item.data:
        return lines
    due, funded = item.data.get("due", 1), funded_periods(scope, item, need)
    lines.append(f"Period {due} of {total} is due; {funded} of {total} funded so far.")
    if item.data.get("stopped"):
        lines.append("Withdrawn: no more fundings.")
    elif complete(scope, item):
        lines.append(f"Complete: all {total} periods were funded and paid out.")
    elif due < total:
        following = period_start(recurring, _anchor(item), due + 1, scope.settings.timezone)
        lines.append(f"Next funding: {scope.time(following)} (period {due + 1} of {total}).")
    else:
        lines.append("That is its last period.")
    return lines


def pool_lines(scope: Scope) -> list[str]:
    """What /pool says of the recurring needs still running: each one's next funding."""
    lines = []
    for stage in (QUEUED, FUNDED, PAID):
        for item, need in scope.uow.needs.in_stage(scope.collective.id, stage):
            recurring = item.data.get("recurring")
            if not recurring or item.data.get("stopped") or item.status != Status.ADOPTED:
                continue
            due, total = item.data.get("due", 1), recurring["periods"]
            if due >= total:
                continue
            following = period_start(recurring, _anchor(item), due + 1, scope.settings.timezone)
            lines.append(
                f"#{item.number} {money(scope, need.amount)} {describe_every(recurring['every'])}: period {due} of "
                f"{total} now; next funding {scope.time(following)}."
            )
    return ["Recurring needs:", *lines] if lines else []


DUE_HANDLERS = {NEED_PERIOD: period_due}
