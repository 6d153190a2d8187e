"""/reverse: a mistaken ledger entry is never edited; an adopted proposal
appends its reversal, and needs it had funded go back to the queue in order."""

from __future__ import annotations

from bot.commands import Arg, command
from bot.context import Context
from bot.errors import Refusal
from bot.kinds import ReversalProposal, heading
from bot.model import Member
from bot.pool import apply_reversal, money, reversal_problem
from bot.proposals import MAX_TITLE, new_item
from bot.rounds import open_round
from bot.text import cmd, one_line

MAX_REASON = 300


def entry_number(text: str) -> int:
    digits = text[1:] if text.startswith("#") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12 or int(digits) == 0:
        raise ValueError(f"'{text}' is not a ledger entry number; {cmd('ledger')} shows each entry's number.")
    return int(digits)


@command(
    "reverse",
    "propose undoing a mistaken ledger entry",
    args=(Arg("entry", "ENTRY", entry_number), Arg("reason", "REASON", rest=True)),
    details=f"ENTRY is the number {cmd('ledger')} shows. The entry stays in the ledger; when the proposal is adopted, "
    "a reversal is appended, and needs it had funded go back to the queue in order.",
    section="Pool and needs",
)
def reverse(ctx: Context, member: Member, entry: int, reason: str) -> None:
    collective = ctx.require_collective()
    reason = one_line(reason)
    if not reason:
        raise Refusal(f"Say why the entry was a mistake: {cmd('reverse')} ENTRY REASON")
    if len(reason) > MAX_REASON:
        raise Refusal(f"Please keep the reason under {MAX_REASON} characters.")
    original = ctx.uow.ledger.numbered(collective.id, entry)
    if original is None:
        raise Refusal(f"There is no ledger entry {entry}. {cmd('ledger')} shows the entries with their numbers.")
    if problem := reversal_problem(ctx, original):
        raise Refusal(problem)
    pending = ctx.uow.items.find_open(collective.id, ReversalProposal.topic, "entry", original.id)
    if pending is not None:
        raise Refusal(f"{heading(pending)} proposes that already; respond to it, or wait for its outcome.")
    if len(ctx.uow.members.active(collective.id)) == 1:
        ctx.reply(
            "You are the only member, so it applies at once: " + apply_reversal(ctx, original.id, reason, member.id)
        )
        return
    what = f"{original.kind} of {money(ctx, original.amount)}"
    title = f"Reverse ledger entry {entry} ({what}): {reason}"
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    data = {"entry": original.id, "number": entry, "reason": reason}
    item = new_item(ctx, ReversalProposal.topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)
