"""The pooled fund: contributions, the pool's balance and queue, and the
append-only ledger with its numbered entries."""

from __future__ import annotations

from bot.chain import witnessed
from bot.commands import Arg, Where, command
from bot.context import Context
from bot.errors import Refusal
from bot.kinds import heading
from bot.language import N_, _, ngettext
from bot.model import (
    CONTRIBUTION,
    PAYOUT,
    RELEASE,
    RESERVATION,
    REVERSAL,
    TRANSFER_IN,
    TRANSFER_OUT,
    LedgerEntry,
    Member,
)
from bot.needs import MAX_NOTE
from bot.pool import balance_line, balances, fund_queue, money, queue
from bot.recurring_needs import pool_lines
from bot.text import one_line
from bot.typed_amounts import amount_of, with_currency_word

LEDGER_SHOWN = 20
# What each kind of ledger entry is called where the ledger is shown (translated there: _(KIND_WORDS[kind])).
KIND_WORDS = {
    # Translators: a kind of ledger entry, as the ledger lists them: money given to the pool.
    CONTRIBUTION: N_("contribution"),
    # Translators: a kind of ledger entry, as the ledger lists them: money set aside for an approved need.
    RESERVATION: N_("reserved"),
    # Translators: a kind of ledger entry, as the ledger lists them: money set aside, given back to the pool.
    RELEASE: N_("released"),
    # Translators: a kind of ledger entry, as the ledger lists them: money handed out for a need.
    PAYOUT: N_("paid out"),
    # Translators: a kind of ledger entry, as the ledger lists them: a mistaken contribution undone.
    REVERSAL: N_("reversal"),
    # Translators: a kind of ledger entry, as the ledger lists them: money given to another collective.
    TRANSFER_OUT: N_("mutual aid sent"),
    # Translators: a kind of ledger entry, as the ledger lists them: money given by another collective.
    TRANSFER_IN: N_("mutual aid received"),
}
_SECTION = N_("Pool and needs")


@command(
    "contribute",
    N_("record a contribution to the pool"),
    # Translators: stand for an amount and a note in a command's usage line (/contribute AMOUNT [NOTE]).
    args=(Arg("amount", N_("AMOUNT")), Arg("note", N_("NOTE"), rest=True, optional=True)),
    details=N_("AMOUNT like 50 or 12.50 (12,50 works too), in the collective's currency."),
    section=_SECTION,
)
def contribute(ctx: Context, member: Member, amount: str, note: str | None) -> None:
    amount, note = with_currency_word(ctx, amount, note or "")
    minor = amount_of(ctx, amount)
    note = one_line(note or "")
    if len(note) > MAX_NOTE:
        raise Refusal(
            ngettext(
                "Please keep the note under {count} character.",
                "Please keep the note under {count} characters.",
                MAX_NOTE,
            )
        )
    ctx.uow.ledger.append(LedgerEntry(None, ctx.collective.id, CONTRIBUTION, minor, ctx.now, member.id, note=note))
    thanks = _("Thank you, {name}: {amount} is in the pool.", name=ctx.name(member), amount=money(ctx, minor))
    answer = thanks + " " + balance_line(ctx)
    ctx.reply(witnessed(answer, ctx.collective.id))
    fund_queue(ctx)


@command("pool", N_("the balance, what is reserved, and needs waiting for funds"), section=_SECTION, where=Where.ANY)
def pool(ctx: Context) -> None:
    ctx.require_collective()
    now = balances(ctx)
    lines = [
        _(
            "The pool holds {held}: {reserved} reserved for approved needs, {available} available.",
            held=money(ctx, now.held),
            reserved=money(ctx, now.reserved),
            available=money(ctx, now.available),
        )
    ]
    waiting = queue(ctx)
    if waiting:
        lines.append(_("Approved needs waiting for funds, in the order they will be funded:"))
        lines += [f"{n}. {heading(item)}" for n, (item, __) in enumerate(waiting, 1)]
    else:
        lines.append(_("No approved need is waiting for funds."))
    lines += pool_lines(ctx)
    ctx.reply("\n".join(lines))


@command("ledger", N_("recent ledger entries and the balance"), section=_SECTION, where=Where.ANY)
def ledger(ctx: Context) -> None:
    ctx.require_collective()
    entries = ctx.uow.ledger.recent(ctx.collective.id, LEDGER_SHOWN)
    if not entries:
        ctx.reply(_("The ledger is empty. /contribute AMOUNT adds to the pool."))
        return
    lines = [
        # Translators: the heading of /ledger; {count} is how many entries follow.
        ngettext(
            "Ledger, newest first (last {count}):",
            "Ledger, newest first (last {count}):",
            min(len(entries), LEDGER_SHOWN),
        )
    ]
    for entry in entries:
        line = f"• {entry.number}. {ctx.time(entry.at)} — {_entry_text(ctx, entry)}"
        if entry.note:
            line += f": {one_line(entry.note)}"  # as it was written: a member's, or the bot's then
        lines.append(line)
    lines.append(balance_line(ctx))
    ctx.reply("\n".join(lines))


def _entry_text(ctx: Context, entry: LedgerEntry) -> str:
    """What a ledger entry is, in a line of /ledger: ``paid out €12.00 for #4, recorded by Bob``."""
    values: dict[str, object] = {"amount": money(ctx, entry.amount)}
    if entry.item_id is not None:
        values["number"] = ctx.uow.items.get(entry.item_id).number
    if entry.member_id is not None and entry.kind in (CONTRIBUTION, PAYOUT):
        values["name"] = ctx.name(ctx.uow.members.get(entry.member_id))
    if entry.kind == REVERSAL and entry.reverses is not None:
        values["entry"] = ctx.uow.ledger.get(entry.reverses).number
    return _(_entry_template(entry.kind, frozenset(values) - {"amount"}), **values)


def _entry_template(kind: str, parts: frozenset[str]) -> str:
    """The line for each kind of entry, with what it names: a need's number, a member, the entry reversed."""
    item, name = "number" in parts, "name" in parts
    if kind == CONTRIBUTION:
        if item and name:
            return N_("contribution {amount} for #{number} from {name}")
        if item:
            return N_("contribution {amount} for #{number}")
        return N_("contribution {amount} from {name}") if name else N_("contribution {amount}")
    if kind == PAYOUT:
        if item and name:
            return N_("paid out {amount} for #{number}, recorded by {name}")
        if item:
            return N_("paid out {amount} for #{number}")
        return N_("paid out {amount}, recorded by {name}") if name else N_("paid out {amount}")
    if kind == REVERSAL:
        if item and "entry" in parts:
            return N_("reversal {amount} for #{number} of entry {entry}")
        if item:
            return N_("reversal {amount} for #{number}")
        return N_("reversal {amount} of entry {entry}") if "entry" in parts else N_("reversal {amount}")
    if kind == RESERVATION:
        return N_("reserved {amount} for #{number}") if item else N_("reserved {amount}")
    if kind == RELEASE:
        return N_("released {amount} for #{number}") if item else N_("released {amount}")
    if kind == TRANSFER_OUT:
        return N_("mutual aid sent {amount} for #{number}") if item else N_("mutual aid sent {amount}")
    if kind == TRANSFER_IN:
        return N_("mutual aid received {amount} for #{number}") if item else N_("mutual aid received {amount}")
    raise LookupError(f"no ledger line for an entry of kind {kind!r}")
