"""/reverse: a mistaken ledger entry is never edited; an adopted proposal
appends its reversal, and needs it had funded go back to the queue in order."""

from __future__ import annotations

from bot.commands import Arg, command
from bot.context import Context
from bot.errors import Refusal
from bot.kinds import ReversalProposal, heading
from bot.language import N_, _
from bot.model import CONTRIBUTION, Member
from bot.pool import apply_reversal, money, reversal_problem
from bot.proposals import MAX_TITLE, new_item
from bot.rounds import open_round
from bot.text import one_line

MAX_REASON = 300


def entry_number(text: str) -> int:
    digits = text[1:] if text.startswith("#") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12 or int(digits) == 0:
        raise ValueError(_("'{text}' is not a ledger entry number; /ledger shows each entry's number.", text=text))
    return int(digits)


@command(
    "reverse",
    N_("propose undoing a mistaken ledger entry"),
    # Translators: in a usage line, a ledger entry's number (/reverse ENTRY REASON).
    args=(Arg("entry", N_("ENTRY"), entry_number), Arg("reason", N_("REASON"), rest=True)),
    details=N_(
        "ENTRY is the number /ledger shows. The entry stays in the ledger; when the proposal is adopted, "
        "a reversal is appended, and needs it had funded go back to the queue in order."
    ),
    section=N_("Pool and needs"),
)
def reverse(ctx: Context, member: Member, entry: int, reason: str) -> None:
    collective = ctx.require_collective()
    reason = one_line(reason)
    if not reason:
        raise Refusal(_("Say why the entry was a mistake: /reverse ENTRY REASON"))
    if len(reason) > MAX_REASON:
        raise Refusal(_("Please keep the reason under {limit} characters.", limit=MAX_REASON))
    original = ctx.uow.ledger.numbered(collective.id, entry)
    if original is None:
        raise Refusal(_("There is no ledger entry {entry}. /ledger shows the entries with their numbers.", entry=entry))
    if problem := reversal_problem(ctx, original):
        raise Refusal(problem)
    pending = ctx.uow.items.find_open(collective.id, ReversalProposal.topic, "entry", original.id)
    if pending is not None:
        raise Refusal(
            _("{heading} proposes that already; respond to it, or wait for its outcome.", heading=heading(pending))
        )
    if len(ctx.uow.members.active(collective.id)) == 1:
        said = apply_reversal(ctx, original.id, reason, member.id)
        # Translators: {said} is a sentence saying what was done.
        ctx.reply(_("You are the only member, so it applies at once: {said}", said=said))
        return
    amount = money(ctx, original.amount)
    if original.kind == CONTRIBUTION:  # the only kind reversal_problem lets through
        # Translators: a proposal's title.
        title = _(
            "Reverse ledger entry {entry} (contribution of {amount}): {reason}",
            entry=entry,
            amount=amount,
            reason=reason,
        )
    else:
        # Translators: a proposal's title; {kind} is the ledger entry's kind as stored (payout, release, …).
        title = _(
            "Reverse ledger entry {entry} ({kind} of {amount}): {reason}",
            entry=entry,
            kind=original.kind,
            amount=amount,
            reason=reason,
        )
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    data = {"entry": original.id, "number": entry, "reason": reason}
    item = new_item(ctx, ReversalProposal.topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)
