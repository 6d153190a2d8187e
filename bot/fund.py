"""The pooled fund: contributions, the pool's balance and queue, and the
append-only ledger with its numbered entries."""

from __future__ import annotations

from bot.chain import witnessed
from bot.commands import Arg, Where, command
from bot.context import Context
from bot.errors import Refusal
from bot.kinds import heading
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
from bot.text import cmd, one_line
from bot.typed_amounts import amount_of, with_currency_word

LEDGER_SHOWN = 20
KIND_WORDS = {
    CONTRIBUTION: "contribution",
    RESERVATION: "reserved",
    RELEASE: "released",
    PAYOUT: "paid out",
    REVERSAL: "reversal",
    TRANSFER_OUT: "mutual aid sent",
    TRANSFER_IN: "mutual aid received",
}


_SECTION = "Pool and needs"


@command(
    "contribute",
    "record a contribution to the pool",
    args=(Arg("amount", "AMOUNT"), Arg("note", "NOTE", rest=True, optional=True)),
    details="AMOUNT like 50 or 12.50 (12,50 works too), in the collective's currency.",
    section=_SECTION,
)
def contribute(ctx: Context, member: Member, amount: str, note: str | None) -> None:
    amount, note = with_currency_word(ctx, amount, note or "")
    minor = amount_of(ctx, amount)
    note = one_line(note or "")
    if len(note) > MAX_NOTE:
        raise Refusal(f"Please keep the note under {MAX_NOTE} characters.")
    ctx.uow.ledger.append(LedgerEntry(None, ctx.collective.id, CONTRIBUTION, minor, ctx.now, member.id, note=note))
    answer = f"Thank you, {ctx.name(member)}: {money(ctx, minor)} is in the pool. " + balance_line(ctx)
    ctx.reply(witnessed(answer, ctx.collective.id))
    fund_queue(ctx)


@command("pool", "the balance, what is reserved, and needs waiting for funds", section=_SECTION, where=Where.ANY)
def pool(ctx: Context) -> None:
    ctx.require_collective()
    now = balances(ctx)
    lines = [
        f"The pool holds {money(ctx, now.held)}: {money(ctx, now.reserved)} reserved for approved needs, "
        f"{money(ctx, now.available)} available."
    ]
    waiting = queue(ctx)
    if waiting:
        lines.append("Approved needs waiting for funds, in the order they will be funded:")
        lines += [f"{n}. {heading(item)}" for n, (item, _) in enumerate(waiting, 1)]
    else:
        lines.append("No approved need is waiting for funds.")
    lines += pool_lines(ctx)
    ctx.reply("\n".join(lines))


@command("ledger", "recent ledger entries and the balance", section=_SECTION, where=Where.ANY)
def ledger(ctx: Context) -> None:
    ctx.require_collective()
    entries = ctx.uow.ledger.recent(ctx.collective.id, LEDGER_SHOWN)
    if not entries:
        ctx.reply(f"The ledger is empty. {cmd('contribute')} AMOUNT adds to the pool.")
        return
    lines = [f"Ledger, newest first (last {min(len(entries), LEDGER_SHOWN)}):"]
    shown = ctx.name
    for entry in entries:
        line = f"• {entry.number}. {ctx.time(entry.at)} — {KIND_WORDS[entry.kind]} {money(ctx, entry.amount)}"
        if entry.item_id is not None:
            line += f" for #{ctx.uow.items.get(entry.item_id).number}"
        if entry.kind == REVERSAL and entry.reverses is not None:
            line += f" of entry {_reversed_number(ctx, entry)}"
        if entry.kind == CONTRIBUTION and entry.member_id is not None:
            line += f" from {shown(ctx.uow.members.get(entry.member_id))}"
        if entry.kind == PAYOUT and entry.member_id is not None:
            line += f", recorded by {shown(ctx.uow.members.get(entry.member_id))}"
        if entry.note:
            line += f": {one_line(entry.note)}"
        lines.append(line)
    lines.append(balance_line(ctx))
    ctx.reply("\n".join(lines))


def _reversed_number(ctx: Context, reversal: LedgerEntry) -> int | None:
    return ctx.uow.ledger.get(reversal.reverses).number
