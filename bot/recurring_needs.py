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
from bot.language import _, ngettext
from bot.model import FUNDED, PAID, QUEUED, RELEASE, DueWork, Item, LedgerEntry, Stage, Status
from bot.pool import balances, fund_queue, funded_periods, money
from bot.record import log_decision
from bot.recurring import describe, describe_every, period_start

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
        # Translators: why a recurring need stops, shown in brackets: "#4 Rent is withdrawn (whoever asked has left)".
        reason = "" if item.data.get("private") else _("whoever asked has left")
        stop_recurring(scope, item, reason, release=True)
        return
    period, total = scope.work.data["period"], item.data["recurring"]["periods"]
    item.data["due"] = period
    scope.uow.items.save(item)
    _schedule(scope, item, period + 1)
    if need.stage != QUEUED:
        scope.uow.needs.move(item.id, need.stage, QUEUED)
    if item.id in {funded.id for funded in fund_queue(scope)}:
        return  # its funding is announced
    # Translators: {heading} is a need's number and title (#4 Rent); a recurring need is funded once a period.
    waits = _(
        "{heading}: period {period} of {periods} is due and waits for funds ({amount}; {available} is available "
        "now). /pool shows the queue.",
        heading=heading(item),
        period=period,
        periods=total,
        amount=money(scope, need.amount),
        available=money(scope, balances(scope).available),
    )
    scope.announce(waits, about=item)


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
        released, reserved = _("{amount} goes back to the pool.", amount=money(scope, reserved)), 0
    funded, total = funded_periods(scope, item, need), item.data["recurring"]["periods"]
    stage = FUNDED if reserved else Stage.WITHDRAWN
    if need.stage != stage:
        scope.uow.needs.move(item.id, need.stage, stage)
    item.data["stopped"] = True
    item.status, item.decided_at = Status.WITHDRAWN, scope.now
    scope.uow.items.save(item)
    log_decision(scope, item, "withdrawn")
    sentences = [_stopped_text(heading(item), reason, funded, total)]
    if reserved:
        kept = _(
            "{amount} stays reserved for what was funded: /paid {number} records its payout.",
            amount=money(scope, reserved),
            number=item.number,
        )
        sentences.append(kept)
    if released:
        sentences.append(released)
    scope.announce(witnessed(" ".join(sentences), item.collective_id), about=item)
    fund_queue(scope)


def _stopped_text(heading: str, reason: str, funded: int, total: int) -> str:
    """``#4 Rent is withdrawn (no longer needed): the fundings still to come stop (2 of 6 were funded).``"""
    if reason:
        # Translators: {heading} is a need's number and title (#4 Rent), {reason} why it is withdrawn, {count} of
        # {total} how many of its fundings were made. The English singular keeps the plural's words.
        return ngettext(
            "{heading} is withdrawn ({reason}): the fundings still to come stop ({count} of {total} were funded).",
            "{heading} is withdrawn ({reason}): the fundings still to come stop ({count} of {total} were funded).",
            funded,
            heading=heading,
            reason=reason,
            total=total,
        )
    # Translators: {heading} is a need's number and title (#4 Rent), {count} of {total} how many of its fundings
    # were made. The English singular keeps the plural's words.
    return ngettext(
        "{heading} is withdrawn: the fundings still to come stop ({count} of {total} were funded).",
        "{heading} is withdrawn: the fundings still to come stop ({count} of {total} were funded).",
        funded,
        heading=heading,
        total=total,
    )


def schedule_lines(scope: Scope, item: Item) -> list[str]:
    """What /show says of a recurring need's schedule."""
    recurring = item.data.get("recurring")
    if not recurring:
        return []
    need = scope.uow.needs.get(item.id)
    total = recurring["periods"]
    lines = [
        # Translators: {every} says how often and how many times ("every month, 6 times").
        _(
            "Recurring: {amount} {every} ({total} in all).",
            amount=money(scope, need.amount),
            every=describe(recurring),
            total=money(scope, need.amount * total),
        )
    ]
    if "anchor" not in item.data:
        return lines
    due, funded = item.data.get("due", 1), funded_periods(scope, item, need)
    lines.append(
        _(
            "Period {period} of {periods} is due; {funded} of {periods} funded so far.",
            period=due,
            periods=total,
            funded=funded,
        )
    )
    if item.data.get("stopped"):
        lines.append(_("Withdrawn: no more fundings."))
    elif complete(scope, item):
        # Translators: the English singular keeps the plural's words.
        complete_line = ngettext(
            "Complete: all {count} periods were funded and paid out.",
            "Complete: all {count} periods were funded and paid out.",
            total,
        )
        lines.append(complete_line)
    elif due < total:
        following = period_start(recurring, _anchor(item), due + 1, scope.settings.timezone)
        lines.append(
            _(
                "Next funding: {when} (period {period} of {periods}).",
                when=scope.time(following),
                period=due + 1,
                periods=total,
            )
        )
    else:
        lines.append(_("That is its last period."))
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
            # Translators: a line of /pool: "#4 €50.00 every month: period 2 of 6 now; next funding 1 May 09:00."
            line = _(
                "#{number} {amount} {every}: period {period} of {periods} now; next funding {when}.",
                number=item.number,
                amount=money(scope, need.amount),
                every=describe_every(recurring["every"]),
                period=due,
                periods=total,
                when=scope.time(following),
            )
            lines.append(line)
    return [_("Recurring needs:"), *lines] if lines else []


DUE_HANDLERS = {NEED_PERIOD: period_due}
