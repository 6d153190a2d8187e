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
from bot.language import N_, _, speaking
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

_N = Arg("number", N_("N"), item_number, optional=True, looks=looks_like_item_number)


@command(
    "aid",
    N_("put an approved need the pool cannot fund to the federation (the treasurer)"),
    args=(_N,),
    section=SECTION,
    details=N_(
        "Every other collective of the federation with the same currency decides an aid request by its own "
        "rule; the first to adopt it with enough money available transfers the amount."
    ),
)
def aid(ctx: Context, member: Member, number: int | None) -> None:
    from bot.rounds import open_round

    treasurer = holder_of(ctx.uow, ctx.collective.id, TREASURER)
    if treasurer is None or treasurer.id != member.id:
        if treasurer:
            raise Refusal(
                _("Only the treasurer ({name}, this term) puts a need to the federation.", name=ctx.name(treasurer))
            )
        raise Refusal(_("Only the treasurer (there is none yet) puts a need to the federation."))
    federation = require_federation(ctx)
    item = resolve(ctx, number, "aid")
    if item.topic != MoneyNeed.topic:
        raise Refusal(
            _("#{number} is not a need for money; only those can be put to the federation.", number=item.number)
        )
    need = ctx.uow.needs.get(item.id)
    if need.stage != QUEUED:
        raise Refusal(
            # Translators: {stage} is where the need stands, as stored: deciding, funded, paid, rejected, withdrawn.
            _(
                "#{number} is {stage}; only an approved need waiting for money can be put to the federation.",
                number=item.number,
                stage=need.stage,
            )
        )
    available = balances(ctx).available
    if need.amount <= available:
        raise Refusal(
            _(
                "Our pool has {amount} available, enough for #{number}: it is funded in its turn.",
                amount=money(ctx, available),
                number=item.number,
            )
        )
    earlier = ctx.uow.federations.aid_of_need(item.id)
    if earlier is not None and earlier.status == "open":
        if _still_asked(ctx, earlier, besides=ctx.collective.id):
            raise Refusal(_("#{number} is put to the federation already.", number=item.number))
        ctx.uow.federations.end_aid(earlier.id, "closed")  # every collective asked decided it, none gave: ask again
    currency = ctx.settings.currency
    others = [c for c in ctx.uow.federations.members(federation.id) if c != ctx.collective.id]
    same = [c for c in others if scope_of(ctx, c).settings.currency == currency]
    different = [
        _(
            "{collective} keeps its pool in {currency}",
            collective=label(ctx, c),
            currency=scope_of(ctx, c).settings.currency,
        )
        for c in others
        if c not in same
    ]
    if not same and different:
        raise Refusal(
            _(
                "No other collective of the federation keeps its pool in {currency} ({reasons}), and aid is never "
                "converted between currencies.",
                currency=currency,
                reasons="; ".join(different),
            )
        )
    if not same:
        raise Refusal(
            _(
                "No other collective of the federation keeps its pool in {currency} (the federation has no other "
                "collective), and aid is never converted between currencies.",
                currency=currency,
            )
        )
    ctx.uow.lock_collectives([ctx.collective.id, *same])
    request = ctx.uow.federations.add_aid(
        AidRequest(None, federation.id, ctx.collective.id, item.id, need.amount, currency, ctx.now)
    )
    asked = []
    for collective_id in same:
        scope = scope_of(ctx, collective_id)
        with speaking(scope.settings.language):  # the request is written in the language of the collective asked
            asker = label(ctx, ctx.collective.id)
            title = _(
                "Mutual aid to {collective} for its need #{number}: {title}",
                collective=asker,
                number=item.number,
                title=item.title,
            )
            there = ctx.uow.items.next_number(collective_id)
            request_item = Item(
                None, collective_id, there, ItemKind.PROPOSAL, AidProposal.topic, None, title, "", ctx.now
            )
            request_item.data = {"aid": request.id, "from": asker}
            request_item = ctx.uow.items.add(request_item)
            open_round(scope, request_item, scope.settings.proposal_duration)
        asked.append(_("{collective} (#{number} there)", collective=label(ctx, collective_id), number=there))
    lines = [
        _(
            "{need} is put to the federation: aid requests are open in {collectives}. The first to adopt it with "
            "enough money available transfers it.",
            need=heading(item),
            collectives=", ".join(asked),
        )
    ]
    if different:
        lines.append(_("Not asked, for a different currency: {reasons}.", reasons="; ".join(different)))
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
            home = scope_of(scope, request.collective_id)
            with speaking(home.settings.language):
                home.announce(
                    _(
                        "No collective of the federation gave the aid for {need}; it waits in our own queue, and the "
                        "treasurer may put it to the federation again with /aid {number}.",
                        need=heading(need_item),
                        number=need_item.number,
                    ),
                    about=need_item,
                )
        return ""
    asker = label(scope, request.collective_id)
    if request.status != "open":
        if request.funded_by:
            return _(
                "But the aid was given already by {collective}: nothing is transferred.",
                collective=label(scope, request.funded_by),
            )
        return _("But the aid was given already: nothing is transferred.")
    scope.uow.lock_collectives([scope.collective.id, request.collective_id])
    members = federations.members(request.federation_id)
    if scope.collective.id not in members or request.collective_id not in members:
        federations.end_aid(request.id, "closed") if request.collective_id not in members else None
        return _("But the two collectives are no longer in one federation: nothing is transferred.")
    home = scope_of(scope, request.collective_id)
    if not scope.settings.currency == request.currency == home.settings.currency:
        # A pool's currency may have changed while the request was open: money is never converted.
        if home.settings.currency != request.currency:
            federations.end_aid(request.id, "closed")
        if home.settings.currency != request.currency:
            return _(
                "But the request is for {currency} and our pool is kept in {ours} (and {collective}'s in {theirs}): "
                "money is never converted, so nothing is transferred.",
                currency=request.currency,
                ours=scope.settings.currency,
                collective=asker,
                theirs=home.settings.currency,
            )
        return _(
            "But the request is for {currency} and our pool is kept in {ours}: money is never converted, so nothing "
            "is transferred.",
            currency=request.currency,
            ours=scope.settings.currency,
        )
    need_item = scope.uow.items.get(request.item_id)
    need = scope.uow.needs.get(need_item.id)
    if need.stage != QUEUED or need_item.data.get("requester_left"):
        federations.end_aid(request.id, "closed")
        return _("But {collective}'s need no longer waits for money: nothing is transferred.", collective=asker)
    available = balances(scope).available
    if request.amount > available:
        return _(
            "But our pool has only {available} available, less than {amount}: nothing is transferred, and the request "
            "stays open for the other collectives.",
            available=money(scope, available),
            amount=money(scope, request.amount),
        )
    if not federations.end_aid(request.id, "funded", scope.collective.id) or not scope.uow.needs.move(
        need_item.id, QUEUED, FUNDED
    ):
        return _("But the aid was given a moment ago: nothing is transferred.")
    # Translators: a ledger entry's note: money this collective gave to another one's need.
    note_out = _("aid to {collective} for its #{number}", collective=asker, number=need_item.number)
    scope.uow.ledger.append(
        LedgerEntry(None, scope.collective.id, TRANSFER_OUT, request.amount, scope.now, item_id=item.id, note=note_out)
    )
    with speaking(home.settings.language):  # the asking collective's ledger and chat, in its language
        giver = label(scope, scope.collective.id)
        # Translators: a ledger entry's note: money another collective gave to one of ours.
        note_in = _("aid from {collective}", collective=giver)
        ledger = scope.uow.ledger
        ledger.append(
            LedgerEntry(
                None, home.collective.id, TRANSFER_IN, request.amount, scope.now, item_id=need_item.id, note=note_in
            )
        )
        ledger.append(
            LedgerEntry(None, home.collective.id, RESERVATION, request.amount, scope.now, item_id=need_item.id)
        )
        funded_text = _(
            "{need} is funded by mutual aid: {collective} transferred {amount}, reserved for it. The treasurer records "
            "the payout with /paid {number}.",
            need=heading(need_item),
            collective=giver,
            amount=money(home, request.amount),
            number=need_item.number,
        )
        home.announce(witnessed(funded_text, home.collective.id), about=need_item)
    _withdraw_other_requests(scope, request)
    with speaking(home.settings.language):
        fund_queue(home)  # what the pool held for this need now funds the needs waiting behind it
    return (
        _("{amount} is transferred to {collective}.", amount=money(scope, request.amount), collective=asker)
        + " "
        + balance_line(scope)
    )


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
        with speaking(other.settings.language):
            if round_.status == ROUND_OPEN and end(other, item, round_, ROUND_WITHDRAWN):
                item.status, item.decided_at = Status.WITHDRAWN, scope.now
                scope.uow.items.save(item)
                other.announce(
                    _(
                        "{item} is withdrawn: {collective} gave the aid.",
                        item=heading(item),
                        collective=label(scope, scope.collective.id),
                    ),
                    about=item,
                )
