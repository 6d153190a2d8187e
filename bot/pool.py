"""The pooled fund: balances derived from the append-only ledger, and funding
approved needs in priority order as money arrives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.chain import witnessed
from bot.context import Scope
from bot.language import N_, _, spoken
from bot.model import (
    CONTRIBUTION,
    FUNDED,
    PAYOUT,
    QUEUED,
    REJECTED,
    RELEASE,
    RESERVATION,
    REVERSAL,
    TRANSFER_IN,
    TRANSFER_OUT,
    Item,
    LedgerEntry,
    Need,
    Stage,
    Status,
)
from bot.money import format_amount
from bot.record import log_decision
from bot.recurring import period_start


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
    return balances_of(scope.uow.ledger.totals(scope.collective.id))


def balances_of(totals: dict[str, int]) -> Balances:
    """The balances from the ledger's sum of each kind of entry."""
    paid = totals.get(PAYOUT, 0)
    reserved = totals.get(RESERVATION, 0) - totals.get(RELEASE, 0) - paid
    # Mutual aid (bot.aid) moves money between collectives' pools: what arrived counts as contributed here.
    transferred = totals.get(TRANSFER_IN, 0) - totals.get(TRANSFER_OUT, 0)
    return Balances(totals.get(CONTRIBUTION, 0) - totals.get(REVERSAL, 0) + transferred, paid, reserved)


def money(scope: Scope, minor: int) -> str:
    """An amount of the collective's currency, written the way of the language spoken."""
    return format_amount(minor, scope.settings.currency, spoken())


def balance_line(scope: Scope) -> str:
    now = balances(scope)
    held, reserved = money(scope, now.held), money(scope, now.reserved)
    return _("The pool holds {held}, of which {reserved} is reserved for approved needs.", held=held, reserved=reserved)


def queue(scope: Scope) -> list[tuple[Item, Need]]:
    """Approved needs waiting for money: by category priority, then by age."""
    return sorted(scope.uow.needs.in_stage(scope.collective.id, QUEUED), key=queue_order(scope))


def queue_order(scope: Scope):
    """The queue's order: by category priority, then by age (a recurring need's: since its first period
    not yet funded fell due)."""
    order = {name: rank for rank, name in enumerate(scope.settings.need_priorities)}
    return lambda pair: (order.get(pair[1].category, len(order)), waiting_since(scope, *pair), pair[0].number)


def funded_periods(scope: Scope, item: Item, need: Need) -> int:
    """How many of a recurring need's periods were funded (paid out or still reserved)."""
    return scope.uow.ledger.funded_for(item.id) // need.amount


def waiting_since(scope: Scope, item: Item, need: Need):
    recurring = item.data.get("recurring")
    if not recurring or "anchor" not in item.data:
        return item.created_at
    anchor = datetime.fromisoformat(item.data["anchor"])
    return period_start(recurring, anchor, funded_periods(scope, item, need) + 1, scope.settings.timezone)


def fund_queue(scope: Scope) -> list[Item]:
    """Reserve money for queued needs, strictly in queue order: a need that does
    not fit yet stops the queue, so small needs never overtake urgent ones."""
    funded = []
    available = balances(scope).available
    for item, need in queue(scope):
        if item.data.get("requester_left"):
            continue  # withdrawn silently when whoever asked left: never funded (the group hears at its due moment)
        if item.data.get("recurring"):
            available, complete = _fund_periods(scope, item, need, available)
            if not complete:
                break  # its next period does not fit yet: it stops the queue like any need
            funded.append(item)
            continue
        if need.amount > available:
            break
        if not scope.uow.needs.move(item.id, QUEUED, FUNDED):
            continue  # funded by a concurrent unit of work a moment ago
        scope.uow.ledger.append(
            LedgerEntry(None, scope.collective.id, RESERVATION, need.amount, scope.now, item_id=item.id)
        )
        available -= need.amount
        funded.append(item)
        funded_text = _(
            "#{number} is funded: {amount} is reserved for it from the pool. "
            "The treasurer records the payout with /paid {number}.",
            number=item.number,
            amount=money(scope, need.amount),
        )
        scope.announce(witnessed(funded_text, item.collective_id), about=item)
    return funded


def _fund_periods(scope: Scope, item: Item, need: Need, available: int) -> tuple[int, bool]:
    """Fund a recurring need's periods that fell due and are not funded yet, one reservation and one
    announcement each; what is still available, and whether all of them were funded."""
    recurring = item.data["recurring"]
    done, due = funded_periods(scope, item, need), item.data.get("due", 1)
    while done < due:
        if need.amount > available:
            return available, False
        scope.uow.ledger.append(
            LedgerEntry(None, scope.collective.id, RESERVATION, need.amount, scope.now, item_id=item.id)
        )
        available -= need.amount
        done += 1
        # Translators: a recurring need is funded once a period (a month, a week): {period} of {periods}.
        funded_text = _(
            "#{number} is funded for period {period} of {periods}: {amount} is reserved for it from the pool. "
            "The treasurer records the payout with /paid {number}.",
            number=item.number,
            period=done,
            periods=recurring["periods"],
            amount=money(scope, need.amount),
        )
        scope.announce(witnessed(funded_text, item.collective_id), about=item)
    scope.uow.needs.move(item.id, QUEUED, FUNDED)
    return available, True


def approve(scope: Scope, item: Item) -> str:
    """An approved need joins the queue and is funded if its turn has come; a recurring one's first period
    is due now, and the next ones are scheduled."""
    need = scope.uow.needs.get(item.id)
    need.stage, need.approved_at = QUEUED, scope.now
    scope.uow.needs.save(need)
    if item.data.get("recurring"):
        from bot.recurring_needs import start_schedule  # (recurring needs build on the pool)

        start_schedule(scope, item)
    if item.id in {funded.id for funded in fund_queue(scope)}:
        return ""  # the funding announcement follows
    available = money(scope, balances(scope).available)
    # Translators: said of an approved need, after the sentence that says it is approved.
    return _("It waits for funds: {amount} is available now. /pool shows the queue.", amount=available)


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
    if not scope.uow.needs.move(item.id, need.stage, Stage.WITHDRAWN):
        return
    if reserved:
        scope.uow.ledger.append(
            LedgerEntry(None, scope.collective.id, RELEASE, reserved, scope.now, item_id=item.id, note=reason)
        )
    item.status, item.decided_at = Status.WITHDRAWN, scope.now
    scope.uow.items.save(item)
    log_decision(scope, item, "withdrawn")
    withdrawn = _withdrawn_text(item_heading(item), reason, money(scope, reserved) if reserved else "")
    scope.announce(witnessed(withdrawn, item.collective_id), about=item)
    fund_queue(scope)


def _withdrawn_text(heading: str, reason: str, released: str) -> str:
    """``#4 New glasses is withdrawn (no longer needed); €12.00 goes back to the pool.``"""
    if reason and released:
        # Translators: {heading} is a need's number and title (#4 New glasses), {reason} why it is withdrawn.
        return _(
            "{heading} is withdrawn ({reason}); {amount} goes back to the pool.",
            heading=heading,
            reason=reason,
            amount=released,
        )
    if released:
        return _("{heading} is withdrawn; {amount} goes back to the pool.", heading=heading, amount=released)
    if reason:
        return _("{heading} is withdrawn ({reason}).", heading=heading, reason=reason)
    return _("{heading} is withdrawn.", heading=heading)


def unfund_beyond_balance(scope: Scope) -> list[Item]:
    """After a reversal took money out: needs with money reserved give it back,
    the last in the queue's order first, until what is reserved fits in what is
    held; they go back to the queue, in order, to be funded again as money comes.
    Any need holding a reservation counts, whatever its stage: a recurring need
    waits in the queue for its next period while an earlier one is reserved, unpaid."""
    now = balances(scope)
    excess = now.reserved - now.held
    if excess <= 0:
        return []
    holding = [
        (item, need)
        for stage in (FUNDED, QUEUED)
        for item, need in scope.uow.needs.in_stage(scope.collective.id, stage)
        if scope.uow.ledger.reserved_for(item.id) > 0
    ]
    unfunded = []
    for item, need in sorted(holding, key=queue_order(scope), reverse=True):
        if excess <= 0:
            break
        reserved = scope.uow.ledger.reserved_for(item.id)
        if need.stage == FUNDED and not scope.uow.needs.move(item.id, FUNDED, QUEUED):
            continue
        scope.uow.ledger.append(
            # Translators: a ledger entry's note: money reserved for a need was released because of a reversal.
            LedgerEntry(None, scope.collective.id, RELEASE, reserved, scope.now, item_id=item.id, note=_("reversal"))
        )
        excess -= reserved
        unfunded.append(item)
        back = _(
            "{heading} goes back to the queue: the money reserved for it ({amount}) was undone by the reversal. "
            "It is funded again, in its turn, as money comes in.",
            heading=item_heading(item),
            amount=money(scope, reserved),
        )
        scope.announce(witnessed(back, item.collective_id), about=item)
    return unfunded


def item_heading(item: Item) -> str:
    return f"#{item.number} {item.title}"


def reversal_problem(scope: Scope, entry: LedgerEntry) -> str | None:
    """Why a ledger entry cannot be reversed now, or None when it can."""
    if entry.kind != CONTRIBUTION:
        return _not_a_contribution(entry)
    if scope.uow.ledger.reversal_of(entry.id) is not None:
        return _("Entry {entry} was reversed already.", entry=entry.number)
    held = balances(scope).held
    if entry.amount > held:
        return _(
            "The pool holds {held}, less than the {amount} of entry {entry}: part of it has been paid out, so it "
            "cannot be undone by a reversal.",
            held=money(scope, held),
            amount=money(scope, entry.amount),
            entry=entry.number,
        )
    return None


# Why an entry that is no contribution cannot be reversed: one whole sentence for each kind of entry (so that each
# language can agree its words with the kind).
_NOT_A_CONTRIBUTION = {
    RESERVATION: N_(
        "Entry {entry} is a reservation; only a contribution can be reversed (reservations, releases and "
        "payouts follow from needs and are corrected through them)."
    ),
    RELEASE: N_(
        "Entry {entry} is a release; only a contribution can be reversed (reservations, releases and payouts "
        "follow from needs and are corrected through them)."
    ),
    PAYOUT: N_(
        "Entry {entry} is a payout; only a contribution can be reversed (reservations, releases and payouts "
        "follow from needs and are corrected through them)."
    ),
    REVERSAL: N_(
        "Entry {entry} is a reversal; only a contribution can be reversed (reservations, releases and payouts "
        "follow from needs and are corrected through them)."
    ),
    # Translators: transfer_out is the ledger's word for mutual aid sent to another collective.
    TRANSFER_OUT: N_(
        "Entry {entry} is a transfer_out; only a contribution can be reversed (reservations, releases and "
        "payouts follow from needs and are corrected through them)."
    ),
    # Translators: transfer_in is the ledger's word for mutual aid received from another collective.
    TRANSFER_IN: N_(
        "Entry {entry} is a transfer_in; only a contribution can be reversed (reservations, releases and "
        "payouts follow from needs and are corrected through them)."
    ),
}


def _not_a_contribution(entry: LedgerEntry) -> str:
    return _(_NOT_A_CONTRIBUTION[entry.kind], entry=entry.number)


def apply_reversal(scope: Scope, entry_id: int, reason: str, member_id: int | None) -> str:
    """Append the reversal of a mistaken entry (the entry itself never changes);
    needs it had funded go back to the queue in order."""
    entry = scope.uow.ledger.get(entry_id)
    problem = reversal_problem(scope, entry)
    if problem:
        # Translators: {problem} is a sentence saying why the entry cannot be reversed.
        return _("But it was not reversed: {problem}", problem=problem)
    scope.uow.ledger.append(
        LedgerEntry(
            None, scope.collective.id, REVERSAL, entry.amount, scope.now, member_id, note=reason, reverses=entry.id
        )
    )
    before = len(scope.actions)
    unfund_beyond_balance(scope)
    fund_queue(scope)
    now = balances(scope)
    sentence = _(
        "Entry {entry} ({amount}) is reversed by a new ledger entry; the pool now holds {held}, of which {reserved} "
        "is reserved.",
        entry=entry.number,
        amount=money(scope, entry.amount),
        held=money(scope, now.held),
        reserved=money(scope, now.reserved),
    )
    if len(scope.actions) > before:
        sentence += " " + _("Needs it had funded go back to the queue, below.")
    return sentence
