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
from bot.language import N_, _, ngettext, pgettext
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
    Stage,
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
from bot.text import block, one_line, quoted
from bot.typed_amounts import money_first, split_word, with_currency_word

MAX_NOTE = 300
_SECTION = N_("Pool and needs")
# Translators: stands for an item's number in a command's usage line (/offer [N] [NOTE]).
_N = Arg("number", N_("N"), item_number, optional=True, looks=looks_like_item_number)
# Translators: /need's help. need_window is a setting's name; the bot reads "every month", "every week",
# "every 2w", "for N" and the #categories in English only, so keep them as they are.
_NEED_DETAILS = N_(
    "Small needs are approved unless someone objects within need_window; larger ones are decided by a round. "
    "Send it to me in a direct message to ask without your name being shown. A need for money may recur: add every "
    "month, every week or every 2w, and for N (e.g. /need 50 rent every month for 6 months #housing); it is "
    "approved once on its total and funded each period, for a year when no N is given, two years at most; "
    "/withdraw N stops the rest. Categories: #health, #housing, #food, #childcare, #care, #transport, #education, "
    "#other."
)
assert _NEED_DETAILS.endswith(" Categories: " + ", ".join("#" + c for c in CATEGORIES) + "."), "name every category"


@command(
    "need",
    N_("ask the pool (with an amount) or the members (without one)"),
    # Translators: /need's arguments in its usage line; #category is typed as it is.
    args=(Arg("text", N_("[AMOUNT] DESCRIPTION [#category]"), rest=True),),
    details=_NEED_DETAILS,
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
        raise Refusal(_("Say what the need is: /need AMOUNT DESCRIPTION [#category], or /need DESCRIPTION for help."))
    title, __, body = description.partition("\n")
    title, recurring = split_recurrence(one_line(title))
    if recurring and amount is None:
        # Translators: "every month [for N months]" is typed as it is: the bot reads it in English only.
        raise Refusal(_("Only a need for money recurs: /need AMOUNT DESCRIPTION every month [for N months]."))
    if recurring and category == "other":  # "… #housing every month": the category came before the period
        title, category = _category(title)
    if not title:
        raise Refusal(_("Say what the need is in visible words: /need AMOUNT DESCRIPTION [#category]."))
    if len(title) > MAX_TITLE or len(body) > MAX_TEXT:
        raise Refusal(
            ngettext(
                "Please keep the description under {count} character on its first line.",
                "Please keep the description under {count} characters on its first line.",
                MAX_TITLE,
            )
        )
    private = ctx.chat.is_direct
    topic = HelpNeed.topic if amount is None else MoneyNeed.topic
    shown = title if amount is None else f"{money(ctx, amount)} — {title}"
    data = {"private": True} if private else {}
    total = amount
    if recurring:
        total = amount * recurring["periods"]  # approved once, on the total over its term
        # Translators: a recurring need's title: "€50.00 every month, 6 times (€300.00 in all) — rent".
        shown = _(
            "{amount} {every} ({total} in all) — {title}",
            amount=money(ctx, amount),
            every=describe(recurring),
            total=money(ctx, total),
            title=title,
        )
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
        ctx.reply(_("Your need is posted in the group as #{number}, without your name.", number=item.number))


def _category(text: str) -> tuple[str, str]:
    words = text.strip().split(" ")
    last = words[-1].strip() if words else ""
    if last.startswith("#") and len(last) > 1 and not last[1:].isdigit():
        name = last[1:].lower()
        if name not in CATEGORIES:
            categories = ", ".join("#" + c for c in CATEGORIES)
            # Translators: {word} is what the member typed (#fun); {categories} lists the categories there are.
            refusal = _(
                "'{word}' is not a category; the categories are: {categories}.", word=last, categories=categories
            )
            raise Refusal(refusal)
        return " ".join(words[:-1]).strip(), name
    return text.strip(), "other"


def _help_text(ctx: Context, item: Item) -> str:
    asker = author_name(ctx, item)
    lines = [_("Need #{number} asked by {name}: {title}", number=item.number, name=asker, title=item.title)]
    if item.body:
        lines.append(quoted(item.body))
    # Translators: [note] stands for a note the member may add to their offer.
    lines.append(_("Can you help? /offer {number} [note]", number=item.number))
    return "\n".join(lines)


def stage_word(stage: Stage) -> str:
    """Where a need stands, in a sentence: ``it is queued``."""
    words = {
        Stage.DECIDING: pgettext("stage of a need", "deciding"),
        Stage.QUEUED: pgettext("stage of a need", "queued"),
        Stage.FUNDED: pgettext("stage of a need", "funded"),
        Stage.PAID: pgettext("stage of a need", "paid"),
        Stage.REJECTED: pgettext("stage of a need", "rejected"),
        Stage.WITHDRAWN: pgettext("stage of a need", "withdrawn"),
        Stage.ASKING: pgettext("stage of a need", "asking"),
        Stage.MET: pgettext("stage of a need", "done"),
    }
    return words.get(stage, stage)


def _need_item(ctx: Context, number: int | None, command: str) -> tuple[Item, Need]:
    item = resolve(ctx, number, command)
    if not kind_of(item).is_need:
        raise Refusal(_("#{number} is a proposal, not a need.", number=item.number))
    return item, ctx.uow.needs.get(item.id)


@command(
    "offer",
    N_("offer to meet a need for help"),
    # Translators: stands for a note in a command's usage line (/offer [N] [NOTE]).
    args=(_N, Arg("note", N_("NOTE"), rest=True, optional=True)),
    section=_SECTION,
)
def offer(ctx: Context, member: Member, number: int | None, note: str | None) -> None:
    item, need_ = _need_item(ctx, number, "offer")
    if need_.stage != ASKING:
        stage = stage_word(need_.stage)
        # Translators: {stage} is where the need stands: deciding, queued, funded, paid, rejected, withdrawn, done.
        raise Refusal(_("#{number} is not asking for help: it is {stage}.", number=item.number, stage=stage))
    private = bool(item.data.get("private"))
    # On a private need the group reads the same line whoever offers, the requester included.
    passed_on = _("Thank you: your offer for #{number} went to whoever asked, privately.", number=item.number)
    if item.author_id == member.id:
        own = _("#{number} is your own need.", number=item.number)
        if not private:
            raise Refusal(own)
        if ctx.chat.is_direct:
            raise PrivateRefusal(own)
        ctx.reply(passed_on)
        ctx.actions.append(DirectMessage(ctx.sender.platform, ctx.sender.user_id, own))
        return
    note = one_line(note or "")[:MAX_NOTE]
    ctx.uow.needs.add_offer(Offer(item.id, member.id, note, ctx.now))
    name = ctx.name(member)
    if private:
        ctx.reply(passed_on)
    elif note:
        ctx.reply(_("{name} offers to help with #{number}: {note}", name=name, number=item.number, note=note))
    else:
        ctx.reply(_("{name} offers to help with #{number}.", name=name, number=item.number))
    asker = ctx.uow.members.get(item.author_id)
    if note:
        offered = _(
            "{name} offers to help with your need #{number}: {note}. When it is met, say /done {number}.",
            name=name,
            number=item.number,
            note=note,
        )
    else:
        offered = _(
            "{name} offers to help with your need #{number}. When it is met, say /done {number}.",
            name=name,
            number=item.number,
        )
    ctx.tell(asker, offered, private=private, about=item)


@command("done", N_("say your need for help is met"), args=(_N,), section=_SECTION, where=Where.ANY)
def done(ctx: Context, member: Member, number: int | None) -> None:
    item, need_ = _need_item(ctx, number, "done")
    refuse_private_in_group(ctx, item, "done")
    if item.author_id != member.id:
        raise Refusal(_("Only whoever asked can say #{number} is met.", number=item.number))
    if need_.stage != ASKING:
        stage = stage_word(need_.stage)
        # Translators: {stage} is where the need stands: deciding, queued, funded, paid, rejected, withdrawn, done.
        raise Refusal(_("#{number} is not open help: it is {stage}.", number=item.number, stage=stage))
    need_.stage = MET
    ctx.uow.needs.save(need_)
    item.status, item.decided_at = Status.MET, ctx.now
    ctx.uow.items.save(item)
    log_decision(ctx, item, "met")
    shown = ctx.name
    helpers = [shown(ctx.uow.members.get(o.member_id)) for o in ctx.uow.needs.offers(item.id)]
    if helpers:
        # Translators: {names} are the members who offered help, separated by commas.
        met = _(
            "#{number} {title} is met. Thank you, {names}!",
            number=item.number,
            title=item.title,
            names=", ".join(helpers),
        )
    else:
        met = _("#{number} {title} is met.", number=item.number, title=item.title)
    ctx.announce(witnessed(met, item.collective_id), about=item)
    if ctx.chat.is_direct:
        ctx.reply(_("Marked as met."))


def may_pay_out(ctx: Context, member: Member, item: Item) -> None:
    """The current treasurer, where the role is filled; otherwise any member.
    Whoever asked does not pay themselves out — except for a private need,
    where a different answer would tell the group who asked."""
    treasurer = holder_of(ctx.uow, ctx.collective.id, TREASURER)
    if item.data.get("private"):
        if treasurer is not None and treasurer.id != member.id:
            raise Refusal(_("The treasurer ({name}, this term) records payouts.", name=ctx.name(treasurer)))
        return
    if item.author_id == member.id:
        raise Refusal(_("Someone other than whoever asked records the payout of #{number}.", number=item.number))
    if treasurer is not None and treasurer.id not in (member.id, item.author_id):
        raise Refusal(_("The treasurer ({name}, this term) records payouts.", name=ctx.name(treasurer)))


@command("paid", N_("record that a funded need was paid out"), args=(_N,), section=_SECTION)
def paid(ctx: Context, member: Member, number: int | None) -> None:
    item, need_ = _need_item(ctx, number, "paid")
    may_pay_out(ctx, member, item)
    if need_.stage == PAID:
        raise Refusal(_("#{number} was paid out already.", number=item.number))
    # A recurring need may wait for its next period's funds while an earlier one is reserved, unpaid.
    earlier_period = bool(item.data.get("recurring")) and need_.stage == QUEUED and ctx.uow.ledger.reserved_for(item.id)
    if need_.stage == QUEUED and not earlier_period:
        raise Refusal(_("#{number} waits for funds; only a funded need can be paid out.", number=item.number))
    if need_.stage != FUNDED and not earlier_period:
        stage = stage_word(need_.stage)
        # Translators: {stage} is where the need stands: deciding, rejected, withdrawn, asking, done.
        raise Refusal(_("#{number} is {stage}; only a funded need can be paid out.", number=item.number, stage=stage))
    if requester_left(ctx, item):
        refusal = _("#{number} can no longer be paid out: it is being withdrawn.", number=item.number)
        raise PrivateRefusal(refusal) if item.data.get("private") else Refusal(refusal)
    if not earlier_period and not ctx.uow.needs.move(item.id, FUNDED, PAID):
        raise Refusal(_("#{number} was paid out a moment ago.", number=item.number))
    amount = ctx.uow.ledger.reserved_for(item.id)
    ctx.uow.ledger.append(LedgerEntry(None, ctx.collective.id, PAYOUT, amount, ctx.now, member.id, item.id))
    log_decision(ctx, item, "paid")
    sentences = [
        # Translators: {heading} is a need's number and title (#4 New glasses); {name} who recorded the payout.
        _(
            "{heading} is paid out ({amount}), recorded by {name}.",
            heading=heading(item),
            amount=money(ctx, amount),
            name=ctx.name(member),
        )
    ]
    if complete(ctx, item):
        sentences.append(_("That was its last period: it is complete."))
    sentences.append(balance_line(ctx))
    ctx.announce(witnessed(" ".join(sentences), item.collective_id), about=item)
