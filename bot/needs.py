"""Needs: asking the pool (with an amount) or the members (without one),
offers of help, and payouts."""

from __future__ import annotations

from bot.actions import DirectMessage
from bot.chain import witnessed
from bot.closing import requester_left
from bot.commands import Arg, Where, command
from bot.context import Context
from bot.errors import PrivateRefusal, Refusal
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import HelpNeed, MoneyNeed, author_name, heading, kind_of
from bot.model import (
    ASKING,
    DECIDING,
    FUNDED,
    MET,
    PAID,
    PAYOUT,
    QUEUED,
    TREASURER,
    Item,
    LedgerEntry,
    Member,
    Need,
    Offer,
    Status,
)
from bot.money import exponent
from bot.pool import balance_line, money
from bot.proposals import MAX_TEXT, MAX_TITLE, new_item, refuse_private_in_group
from bot.record import log_decision
from bot.recurring import describe, split_recurrence
from bot.recurring_needs import complete
from bot.rotation import holder_of
from bot.rounds import FULL, SILENT, open_round
from bot.settings import CATEGORIES
from bot.text import block, cmd, one_line, quoted
from bot.typed_amounts import money_first, split_word, with_currency_word

MAX_NOTE = 300
_SECTION = "Pool and needs"
_N = Arg("number", "N", item_number, optional=True, looks=looks_like_item_number)


@command(
    "need",
    "ask the pool (with an amount) or the members (without one)",
    args=(Arg("text", "[AMOUNT] DESCRIPTION [#category]", rest=True),),
    details="Small needs are approved unless someone objects within need_window; larger ones are decided by a "
    "round. Send it to me in a direct message to ask without your name being shown. A need for money may recur: "
    f"add every month, every week or every 2w, and for N (e.g. {cmd('need')} 50 rent every month for 6 months "
    "#housing); "
    "it is approved once on its total and funded each period, for a year when no N is given, two years at most; "
    f"{cmd('withdraw')} N stops the rest. "
    "Categories: " + ", ".join("#" + c for c in CATEGORIES) + ".",
    section=_SECTION,
    where=Where.ANY,
)
def need(ctx: Context, member: Member, text: str) -> None:
    """``/need AMOUNT DESCRIPTION [#category]`` or ``/need DESCRIPTION [#category]``."""
    first, rest = split_word(block(text))
    first, rest = with_currency_word(ctx, first, rest)
    amount = money_first(ctx, first, rest)
    if amount is not None:
        text = rest
    description, category = _category(block(text))
    if description.lower().startswith("help:"):
        description = description[5:].strip()
    if not description:
        raise Refusal(
            f"Say what the need is: {cmd('need')} AMOUNT DESCRIPTION [#category], "
            f"or {cmd('need')} DESCRIPTION for help."
        )
    title, _, body = description.partition("\n")
    title, recurring = split_recurrence(one_line(title))
    if recurring and amount is None:
        raise Refusal(f"Only a need for money recurs: {cmd('need')} AMOUNT DESCRIPTION every month [for N months].")
    if recurring and category == "other":  # "… #housing every month": the category came before the period
        title, category = _category(title)
    if not title:
        raise Refusal(f"Say what the need is in visible words: {cmd('need')} AMOUNT DESCRIPTION [#category].")
    if len(title) > MAX_TITLE or len(body) > MAX_TEXT:
        raise Refusal(f"Please keep the description under {MAX_TITLE} characters on its first line.")
    private = ctx.chat.is_direct
    topic = HelpNeed.topic if amount is None else MoneyNeed.topic
    shown = title if amount is None else f"{money(ctx, amount)} — {title}"
    data = {"private": True} if private else {}
    total = amount
    if recurring:
        total = amount * recurring["periods"]  # approved once, on the total over its term
        shown = f"{money(ctx, amount)} {describe(recurring)} ({money(ctx, total)} in all) — {title}"
        data["recurring"] = recurring
    item = new_item(ctx, topic, f"{shown} ({category})", body.strip(), data)
    if amount is None:
        ctx.uow.needs.add(Need(item.id, None, category, private, ASKING))
        ctx.announce(_help_text(ctx, item), about=item)
    else:
        ctx.uow.needs.add(Need(item.id, amount, category, private, DECIDING))
        limit = ctx.settings.need_auto_limit * 10 ** exponent(ctx.settings.currency)
        if total <= limit:
            open_round(ctx, item, ctx.settings.need_window, mode=SILENT)
        else:
            open_round(ctx, item, ctx.settings.proposal_duration, mode=FULL)
    if private:
        ctx.reply(f"Your need is posted in the group as #{item.number}, without your name.")


def _category(text: str) -> tuple[str, str]:
    words = text.strip().split(" ")
    last = words[-1].strip() if words else ""
    if last.startswith("#") and len(last) > 1 and not last[1:].isdigit():
        name = last[1:].lower()
        if name not in CATEGORIES:
            raise Refusal(f"'{last}' is not a category; the categories are: {', '.join('#' + c for c in CATEGORIES)}.")
        return " ".join(words[:-1]).strip(), name
    return text.strip(), "other"


def _help_text(ctx: Context, item: Item) -> str:
    asker = author_name(ctx, item)
    return (
        f"Need #{item.number} asked by {asker}: {item.title}"
        + (f"\n{quoted(item.body)}" if item.body else "")
        + f"\nCan you help? {cmd('offer')} {item.number} [note]"
    )


def _need_item(ctx: Context, number: int | None, command: str) -> tuple[Item, Need]:
    item = resolve(ctx, number, command)
    if not kind_of(item).is_need:
        raise Refusal(f"#{item.number} is a proposal, not a need.")
    return item, ctx.uow.needs.get(item.id)


@command(
    "offer", "offer to meet a need for help", args=(_N, Arg("note", "NOTE", rest=True, optional=True)), section=_SECTION
)
def offer(ctx: Context, member: Member, number: int | None, note: str | None) -> None:
    item, need_ = _need_item(ctx, number, "offer")
    if need_.stage != ASKING:
        raise Refusal(f"#{item.number} is not asking for help: it is {need_.stage}.")
    private = bool(item.data.get("private"))
    # On a private need the group reads the same line whoever offers, the requester included.
    passed_on = f"Thank you: your offer for #{item.number} went to whoever asked, privately."
    if item.author_id == member.id:
        own = f"#{item.number} is your own need."
        if not private:
            raise Refusal(own)
        if ctx.chat.is_direct:
            raise PrivateRefusal(own)
        ctx.reply(passed_on)
        ctx.actions.append(DirectMessage(ctx.sender.platform, ctx.sender.user_id, own))
        return
    note = one_line(note or "")[:MAX_NOTE]
    ctx.uow.needs.add_offer(Offer(item.id, member.id, note, ctx.now))
    if private:
        ctx.reply(passed_on)
    else:
        ctx.reply(f"{ctx.name(member)} offers to help with #{item.number}" + (f": {note}" if note else "."))
    asker = ctx.uow.members.get(item.author_id)
    offered = f"{ctx.name(member)} offers to help with your need #{item.number}" + (f": {note}" if note else "")
    ctx.tell(asker, f"{offered}. When it is met, say {cmd('done')} {item.number}.", private=private, about=item)


@command("done", "say your need for help is met", args=(_N,), section=_SECTION, where=Where.ANY)
def done(ctx: Context, member: Member, number: int | None) -> None:
    item, need_ = _need_item(ctx, number, "done")
    refuse_private_in_group(ctx, item, "done")
    if item.author_id != member.id:
        raise Refusal(f"Only whoever asked can say #{item.number} is met.")
    if need_.stage != ASKING:
        raise Refusal(f"#{item.number} is not open help: it is {need_.stage}.")
    need_.stage = MET
    ctx.uow.needs.save(need_)
    item.status, item.decided_at = Status.MET, ctx.now
    ctx.uow.items.save(item)
    log_decision(ctx, item, "met")
    shown = ctx.name
    helpers = [shown(ctx.uow.members.get(o.member_id)) for o in ctx.uow.needs.offers(item.id)]
    thanks = f" Thank you, {', '.join(helpers)}!" if helpers else ""
    ctx.announce(witnessed(f"#{item.number} {item.title} is met.{thanks}", item.collective_id), about=item)
    if ctx.chat.is_direct:
        ctx.reply("Marked as met.")


def may_pay_out(ctx: Context, member: Member, item: Item) -> None:
    """The current treasurer, where the role is filled; otherwise any member.
    Whoever asked does not pay themselves out — except for a private need,
    where a different answer would tell the group who asked."""
    treasurer = holder_of(ctx.uow, ctx.collective.id, TREASURER)
    if item.data.get("private"):
        if treasurer is not None and treasurer.id != member.id:
            raise Refusal(f"The treasurer ({ctx.name(treasurer)}, this term) records payouts.")
        return
    if item.author_id == member.id:
        raise Refusal(f"Someone other than whoever asked records the payout of #{item.number}.")
    if treasurer is not None and treasurer.id not in (member.id, item.author_id):
        raise Refusal(f"The treasurer ({ctx.name(treasurer)}, this term) records payouts.")


@command("paid", "record that a funded need was paid out", args=(_N,), section=_SECTION)
def paid(ctx: Context, member: Member, number: int | None) -> None:
    item, need_ = _need_item(ctx, number, "paid")
    may_pay_out(ctx, member, item)
    if need_.stage == PAID:
        raise Refusal(f"#{item.number} was paid out already.")
    # A recurring need may wait for its next period's funds while an earlier one is reserved, unpaid.
    earlier_period = bool(item.data.get("recurring")) and need_.stage == QUEUED and ctx.uow.ledger.reserved_for(item.id)
    if need_.stage != FUNDED and not earlier_period:
        waiting = "waits for funds" if need_.stage == QUEUED else f"is {need_.stage}"
        raise Refusal(f"#{item.number} {waiting}; only a funded need can be paid out.")
    if requester_left(ctx, item):
        refusal = f"#{item.number} can no longer be paid out: it is being withdrawn."
        raise PrivateRefusal(refusal) if item.data.get("private") else Refusal(refusal)
    if not earlier_period and not ctx.uow.needs.move(item.id, FUNDED, PAID):
        raise Refusal(f"#{item.number} was paid out a moment ago.")
    amount = ctx.uow.ledger.reserved_for(item.id)
    ctx.uow.ledger.append(LedgerEntry(None, ctx.collective.id, PAYOUT, amount, ctx.now, member.id, item.id))
    log_decision(ctx, item, "paid")
    last = " That was its last period: it is complete." if complete(ctx, item) else ""
    paid_out = f"{heading(item)} is paid out ({money(ctx, amount)}), recorded by {ctx.name(member)}.{last} "
    ctx.announce(witnessed(paid_out + balance_line(ctx), item.collective_id), about=item)
