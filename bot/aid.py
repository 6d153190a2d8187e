"""Mutual aid: ``/aid N`` (by the treasurer) puts an approved need that the collective's own pool cannot fund to
its federation. Every other member collective with the same currency gets an aid request, decided by its own
rule; the first to adopt it with enough money available transfers the amount: its ledger records an outgoing
transfer, the asking collective's an incoming one, and the need is funded (the money reserved for it). The
other collectives' requests are then withdrawn. No ledger goes negative: a collective without enough available
money transfers nothing, and the request stays open for the others. A private need's requester is never named:
other collectives read only its title and amount."""

from __future__ import annotations

from bot.chain import witnessed
from bot.commands import Arg, command
from bot.context import Context, Scope
from bot.errors import Refusal
from bot.federation import SECTION, label, require_federation, scope_of
from bot.federation_records import AidRequest
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import AidProposal, MoneyNeed, heading
from bot.model import (
    FUNDED,
    QUEUED,
    RESERVATION,
    ROUND_OPEN,
    ROUND_WITHDRAWN,
    TRANSFER_IN,
    TRANSFER_OUT,
    TREASURER,
    Item,
    ItemKind,
    LedgerEntry,
    Member,
    Status,
)
from bot.pool import balance_line, balances, fund_queue, money
from bot.rotation import holder_of
from bot.text import cmd

_N = Arg("number", "N", item_number, optional=True, looks=looks_like_item_number)


@command(
    "aid",
    "put an approved need the pool cannot fund to the federation (the treasurer)",
    args=(_N,),
    section=SECTION,
    details="Every other collective of the federation with the same currency decides an aid request by its own "
    "rule; the first to adopt it with enough money available transfers the amount.",
)
def aid(ctx: Context, member: Member, number: int | None) -> None:
    from bot.rounds import open_round

    treasurer = holder_of(ctx.uow, ctx.collective.id, TREASURER)
    if treasurer is None or treasurer.id != member.id:
        who = f"the treasurer ({ctx.name(treasurer)}, this term)" if treasurer else "the treasurer (there is none yet)"
        raise Refusal(f"Only {who} puts a need to the federation.")
    federation = require_federation(ctx)
    item = resolve(ctx, number, "aid")
    if item.topic != MoneyNeed.topic:
        raise Refusal(f"#{item.number} is not a need for money; only those can be put to the federation.")
    need = ctx.uow.needs.get(item.id)
    if need.stage != QUEUED:
        raise Refusal(
            f"#{item.number} is {need.stage}; only an approved need waiting for money can be put to the federation."
        )
    available = balances(ctx).available
    if need.amount <= available:
        raise Refusal(
            f"Our pool has {money(ctx, available)} available, enough for #{item.number}: it is funded in its turn."
        )
    earlier = ctx.uow.federations.aid_of_need(item.id)
    if earlier is not None and earlier.status == "open":
        if _still_asked(ctx, earlier, besides=ctx.collective.id):
            raise Refusal(f"#{item.number} is put to the federation already.")
        ctx.uow.federations.end_aid(earlier.id, "closed")  # every collective asked decided it, none gave: ask again
    currency = ctx.settings.currency
    others = [c for c in ctx.uow.federations.members(federation.id) if c != ctx.collective.id]
    same = [c for c in others if scope_of(ctx, c).settings.currency == currency]
    different = [
        f"{label(ctx, c)} keeps its pool in {scope_of(ctx, c).settings.currency}" for c in others if c not in same
    ]
    if not same:
        why = "; ".join(different) if different else "the federation has no other collective"
        raise Refusal(
            f"No other collective of the federation keeps its pool in {currency} ({why}), and aid is "
            "never converted between currencies."
        )
    ctx.uow.lock_collectives([ctx.collective.id, *same])
    request = ctx.uow.federations.add_aid(
        AidRequest(None, federation.id, ctx.collective.id, item.id, need.amount, currency, ctx.now)
    )
    asker = label(ctx, ctx.collective.id)
    asked = []
    for collective_id in same:
        scope = scope_of(ctx, collective_id)
        title = f"Mutual aid to {asker} for its need #{item.number}: {item.title}"
        number = ctx.uow.items.next_number(collective_id)
        request_item = Item(None, collective_id, number, ItemKind.PROPOSAL, AidProposal.topic, None, title, "", ctx.now)
        request_item.data = {"aid": request.id, "from": asker}
        request_item = ctx.uow.items.add(request_item)
        open_round(scope, request_item, scope.settings.proposal_duration)
        asked.append(f"{label(ctx, collective_id)} (#{number} there)")
    lines = [
        f"{heading(item)} is put to the federation: aid requests are open in "
        + ", ".join(asked)
        + ". The first to adopt it with enough money available transfers it."
    ]
    if different:
        lines.append("Not asked, for a different currency: " + "; ".join(different) + ".")
    ctx.announce("\n".join(lines), about=item)


def carry_out_aid(scope: Scope, item: Item, adopted: bool) -> str:
    """This collective decided an aid request: adopted, it transfers the amount if the request is still open,
    the need still waits for money, and this pool has enough available."""
    federations = scope.uow.federations
    request = federations.aid(item.data["aid"])
    if not adopted:
        if request.status == "open" and not _still_asked(scope, request, besides=scope.collective.id):
            federations.end_aid(request.id, "closed")
            need_item = scope.uow.items.get(request.item_id)
            scope_of(scope, request.collective_id).announce(
                f"No collective of the federation gave the aid for {heading(need_item)}; it waits in our own "
                f"queue, and the treasurer may put it to the federation again with {cmd('aid')} {need_item.number}.",
                about=need_item,
            )
        return ""
    asker = label(scope, request.collective_id)
    if request.status != "open":
        given = f" by {label(scope, request.funded_by)}" if request.funded_by else ""
        return f"But the aid was given already{given}: nothing is transferred."
    scope.uow.lock_collectives([scope.collective.id, request.collective_id])
    members = federations.members(request.federation_id)
    if scope.collective.id not in members or request.collective_id not in members:
        federations.end_aid(request.id, "closed") if request.collective_id not in members else None
        return "But the two collectives are no longer in one federation: nothing is transferred."
    home = scope_of(scope, request.collective_id)
    if not scope.settings.currency == request.currency == home.settings.currency:
        # A pool's currency may have changed while the request was open: money is never converted.
        if home.settings.currency != request.currency:
            federations.end_aid(request.id, "closed")
        return (
            f"But the request is for {request.currency} and our pool is kept in {scope.settings.currency}"
            + (f" (and {asker}'s in {home.settings.currency})" if home.settings.currency != request.currency else "")
            + ": money is never converted, so nothing is transferred."
        )
    need_item = scope.uow.items.get(request.item_id)
    need = scope.uow.needs.get(need_item.id)
    if need.stage != QUEUED or need_item.data.get("requester_left"):
        federations.end_aid(request.id, "closed")
        return f"But {asker}'s need no longer waits for money: nothing is transferred."
    available = balances(scope).available
    if request.amount > available:
        return (
            f"But our pool has only {money(scope, available)} available, less than {money(scope, request.amount)}: "
            "nothing is transferred, and the request stays open for the other collectives."
        )
    if not federations.end_aid(request.id, "funded", scope.collective.id) or not scope.uow.needs.move(
        need_item.id, QUEUED, FUNDED
    ):
        return "But the aid was given a moment ago: nothing is transferred."
    giver = label(scope, scope.collective.id)
    note_out = f"aid to {asker} for its #{need_item.number}"
    scope.uow.ledger.append(
        LedgerEntry(None, scope.collective.id, TRANSFER_OUT, request.amount, scope.now, item_id=item.id, note=note_out)
    )
    note_in = f"aid from {giver}"
    ledger = scope.uow.ledger
    ledger.append(
        LedgerEntry(
            None, home.collective.id, TRANSFER_IN, request.amount, scope.now, item_id=need_item.id, note=note_in
        )
    )
    ledger.append(LedgerEntry(None, home.collective.id, RESERVATION, request.amount, scope.now, item_id=need_item.id))
    funded_text = (
        f"{heading(need_item)} is funded by mutual aid: {giver} transferred {money(home, request.amount)}, reserved "
        f"for it. The treasurer records the payout with {cmd('paid')} {need_item.number}."
    )
    home.announce(witnessed(funded_text, home.collective.id), about=need_item)
    _withdraw_other_requests(scope, request)
    fund_queue(home)  # what the pool held for this need now funds the needs waiting behind it
    return f"{money(scope, request.amount)} is transferred to {asker}. " + balance_line(scope)


def _still_asked(scope: Scope, request: AidRequest, besides: int) -> bool:
    """Whether a collective other than ``besides`` (and the asker) still has the request open to decide."""
    for collective_id in scope.uow.federations.members(request.federation_id):
        if collective_id in (besides, request.collective_id):
            continue
        if scope.uow.items.find_open(collective_id, AidProposal.topic, "aid", request.id) is not None:
            return True
    return False


def _withdraw_other_requests(scope: Scope, request: AidRequest) -> None:
    from bot.rounds import end

    for collective_id in scope.uow.federations.members(request.federation_id):
        if collective_id in (scope.collective.id, request.collective_id):
            continue
        other = scope_of(scope, collective_id)
        item = scope.uow.items.find_open(collective_id, AidProposal.topic, "aid", request.id)
        if item is None or item.topic != AidProposal.topic:
            continue
        round_ = scope.uow.rounds.latest(item.id)
        if round_.status == ROUND_OPEN and end(other, item, round_, ROUND_WITHDRAWN):
            item.status, item.decided_at = Status.WITHDRAWN, scope.now
            scope.uow.items.save(item)
            other.announce(
                f"{heading(item)} is withdrawn: {label(scope, scope.collective.id)} gave the aid.", about=item
            )
