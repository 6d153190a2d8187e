"""Proposals: raising, listing, showing (``bot.showing`` writes what /show says), amending and withdrawing
them."""

from __future__ import annotations

from datetime import timedelta

from bot.chain import witnessed
from bot.closing import settle_if_due
from bot.commands import Arg, Where, command
from bot.context import Context
from bot.durations import looks_like_duration, parse_duration
from bot.errors import Refusal
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import KINDS, GeneralProposal, heading, kind_of
from bot.language import N_, _, ngettext
from bot.model import ROUND_AMENDED, ROUND_OPEN, ROUND_WITHDRAWN, Item, Member, Round, Stage, Status, Topic
from bot.pool import withdraw_need
from bot.recurring_needs import complete, stop_recurring
from bot.responses import refuse_unless_open
from bot.review import under_review
from bot.review_dates import refuse_unusable, split_review
from bot.rounds import counts, end, open_round, tally_line
from bot.showing import shown
from bot.text import block, cmd, one_line

MAX_TITLE = 200
MAX_TEXT = 4000


def split_text(text: str) -> tuple[str, str]:
    """The first line is the title; the lines after it are the detail. Invisible
    and direction characters go, so a title always reads as what it is."""
    title, __, body = block(text).partition("\n")
    title, body = one_line(title), body.strip()
    if not title:
        raise Refusal(_("A title needs some visible words: /propose [DURATION] TITLE"))
    if len(title) > MAX_TITLE:
        raise Refusal(
            _("Please keep the title under {count} characters; put the detail on the lines after it.", count=MAX_TITLE)
        )
    if len(body) > MAX_TEXT:
        raise Refusal(_("Please keep the detail under {count} characters.", count=MAX_TEXT))
    return title, body


def new_item(ctx: Context, topic: Topic, title: str, body: str = "", data: dict | None = None, author=True) -> Item:
    """A new item of the kind ``topic`` names, taking the collective's next ``#N`` (proposals and needs share
    them)."""
    collective = ctx.require_collective()
    number = ctx.uow.items.next_number(collective.id)
    author_id = ctx.member.id if author and ctx.member else None
    kind = KINDS[topic].item_kind
    item = Item(None, collective.id, number, kind, topic, author_id, title, body, ctx.now, data=data or {})
    if not ctx.chat.is_direct:  # where it was raised: its messages go there (see bot.addressing)
        item.raised_platform, item.raised_chat = ctx.chat.platform, ctx.chat.chat_id
        item.raised_thread = ctx.chat.thread
    return ctx.uow.items.add(item)


_N = Arg("number", N_("N"), item_number, optional=True, looks=looks_like_item_number)
_SECTION = N_("Proposals")


@command(
    "propose",
    N_("raise a proposal; further lines are its detail"),
    args=(
        Arg("duration", N_("DURATION"), parse_duration, optional=True, looks=looks_like_duration),
        Arg("text", N_("TITLE"), rest=True),
    ),
    details=N_(
        "DURATION (like 12h, 3d, 2w) is how long the round stays open; by default the collective's "
        "proposal_duration. A last line 'review in 26w' or 'review on 2027-06-01' brings it back for review then "
        "(counted from its adoption; months in weeks or as a date): not adopted again, it lapses. "
        "/propose joint [DURATION] TITLE opens a joint item in every collective of the federation."
    ),
    section=_SECTION,
)
def propose(ctx: Context, member: Member, duration: timedelta | None, text: str) -> None:
    text, review = split_review(text)
    refuse_unusable(review, ctx.now, ctx.settings.timezone)
    first, rest = _first_word(text)
    if duration is None and first == "joint":  # (a title that begins "Joint …" is an ordinary proposal)
        from bot.joint import propose_joint  # (joint items build on this module)

        if review:
            raise Refusal(_("A joint item is decided by every collective of the federation: it has no review date."))
        propose_joint(ctx, member, rest.strip())
        return
    title, body = split_text(text)
    item = new_item(ctx, GeneralProposal.topic, title, body, data={"review": review} if review else None)
    open_round(ctx, item, duration or ctx.settings.proposal_duration)


def _first_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any space or line break (the rest keeps its lines)."""
    parts = text.split(None, 1)
    return (parts[0], parts[1] if len(parts) > 1 else "") if parts else ("", "")


PAGE = 20  # open items per /proposals message: a longer list floods the chat (its help says 20)


def page_number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) == 0:
        raise ValueError(_("'{text}' is not a page number; pages are 1, 2, 3, …", text=text))
    return int(text)


@command(
    "proposals",
    N_("open items with their tallies"),
    args=(Arg("page", N_("PAGE"), page_number, optional=True),),
    section=_SECTION,
    details=N_("20 items to a page, lowest number first."),
)
def proposals(ctx: Context, page: int | None) -> None:
    ctx.reply(_open_items(ctx, page))


def _open_items(ctx: Context, page: int | None) -> str:
    collective = ctx.require_collective()
    total = ctx.uow.items.count_open(collective.id)
    if not total:
        return _("No open items. /propose TITLE starts one.")
    pages = -(-total // PAGE)
    page = min(page or 1, pages)
    items = ctx.uow.items.open(collective.id, limit=PAGE, offset=(page - 1) * PAGE)
    latest = ctx.uow.reads.latest_for([item.id for item in items if kind_of(item).has_round])
    if any(settle_if_due(ctx, item, latest[item.id]) for item in items if item.id in latest):
        return _open_items(ctx, page)  # a round past its deadline closed first: list what is open now
    tallies = counts(ctx, list(latest.values()))
    lines = []
    for item in items:
        if not kind_of(item).has_round:
            lines.append(kind_of(item).listing(ctx, item))
            continue
        round_ = latest[item.id]
        listed = _(
            "{heading} — round {round}, closes {when}",
            heading=heading(item),
            round=round_.number,
            when=ctx.time(round_.closes_at),
        )
        lines.append(f"{listed}\n   {tally_line(tallies[round_.id])}")
    if pages == 1:
        return _("Open items:") + "\n" + "\n".join(lines)
    first = (page - 1) * PAGE + 1
    heading_line = _("Open items {first}–{last} of {total}:", first=first, last=first + len(items) - 1, total=total)
    more = _("/proposals {page} for the next page.", page=page + 1) if page < pages else _("That is the last page.")
    return "\n".join([heading_line, *lines, more])


@command("show", N_("an item's text, every response and who has not responded"), args=(_N,), section=_SECTION)
def show(ctx: Context, number: int | None) -> None:
    ctx.reply(shown(ctx, resolve(ctx, number, "show")))


_ONLY_THE_AUTHOR = {
    "amend": N_("Only the author of #{number} can amend it."),
    "withdraw": N_("Only the author of #{number} can withdraw it."),
}


def _own_item(ctx: Context, member: Member, number: int | None, verb: str) -> Item:
    item = resolve(ctx, number, verb)
    refuse_private_in_group(ctx, item, verb)
    if item.author_id != member.id:
        raise Refusal(_(_ONLY_THE_AUTHOR[verb], number=item.number))
    return item


def refuse_private_in_group(ctx: Context, item: Item, command: str) -> None:
    """A private need is withdrawn or marked done only by direct message: in the
    group everyone gets the same answer, so the answer tells no one who asked."""
    if item.data.get("private") and not ctx.chat.is_direct:
        raise Refusal(
            _(
                "#{number} was asked privately: whoever asked can {command} {number} in a direct message with me.",
                number=item.number,
                command=cmd(command),
            )
        )


def current_round(ctx: Context, item: Item) -> Round:
    """The item's latest round; help that is not money has none."""
    if not kind_of(item).has_round:
        raise Refusal(
            _(
                "#{number} asks for help, not for a decision, so it has no round. /offer {number} helps.",
                number=item.number,
            )
        )
    return ctx.uow.rounds.latest(item.id)


@command(
    "amend",
    N_("replace your proposal's text: a new round begins"),
    args=(_N, Arg("text", N_("NEW TEXT"), rest=True)),
    section=_SECTION,
)
def amend(ctx: Context, member: Member, number: int | None, text: str) -> None:
    item = _own_item(ctx, member, number, "amend")
    current = current_round(ctx, item)
    if settle_if_due(ctx, item, current):  # decided at its deadline: too late to amend that round
        ctx.reply(
            _(
                "{heading} reached its deadline before your change, so it was decided as it stood.",
                heading=heading(item),
            )
        )
        return
    if item.status == Status.WITHDRAWN:
        raise Refusal(_("{heading} was withdrawn; propose it again with /propose.", heading=heading(item)))
    if item.status not in (Status.OPEN, Status.NOT_ADOPTED):
        raise Refusal(_("{heading} was adopted; a change to it is a new proposal.", heading=heading(item)))
    if not kind_of(item).amendable:
        raise Refusal(_(kind_of(item).not_amendable, number=item.number))
    if under_review(item):
        raise Refusal(
            _("{heading} is up for review as it was adopted; a change to it is a new proposal.", heading=heading(item))
        )
    text, review = split_review(text)  # the new text's review line, if any, replaces the old one
    refuse_unusable(review, ctx.now, ctx.settings.timezone)
    title, body = split_text(text)
    item.data.pop("review", None)
    if review:
        item.data["review"] = review
    item.title, item.body, item.status, item.decided_at = title, body, Status.OPEN, None
    ctx.uow.items.save(item)
    zone = ctx.settings.timezone  # the same span on the local clock, across a daylight-saving change
    duration = current.closes_at.astimezone(zone).replace(tzinfo=None) - current.opened_at.astimezone(zone).replace(
        tzinfo=None
    )
    amended = _(
        "#{number} is amended: round {round} begins; earlier responses stay in the record.",
        number=item.number,
        round=current.number + 1,
    )
    ctx.reply(witnessed(amended, item.collective_id))
    open_round(ctx, item, duration, number=current.number + 1)
    if current.status == ROUND_OPEN:
        end(ctx, item, current, ROUND_AMENDED)  # its message says so, without buttons


@command(
    "withdraw",
    N_("withdraw your proposal or need (a private need: in a direct message)"),
    args=(_N,),
    section=_SECTION,
    where=Where.ANY,
)
def withdraw(ctx: Context, member: Member, number: int | None) -> None:
    item = _own_item(ctx, member, number, "withdraw")
    kind = kind_of(item)
    if not kind.has_round:
        raise Refusal(_("When #{number} is met or no longer needed, say /done {number}.", number=item.number))
    if not kind.withdrawable:
        raise Refusal(
            _(
                "#{number} is a joint item, decided in every collective of the federation: "
                "it cannot be withdrawn here.",
                number=item.number,
            )
        )
    if kind.is_need and item.data.get("stopped"):
        raise Refusal(
            _("{heading} was withdrawn already; what was funded before waits for its payout.", heading=heading(item))
        )
    if kind.is_need and item.status == Status.ADOPTED and complete(ctx, item):
        periods = item.data["recurring"]["periods"]
        raise Refusal(
            ngettext(
                "{heading} is complete: all {count} periods were funded and paid out.",
                "{heading} is complete: all {count} periods were funded and paid out.",
                periods,
                heading=heading(item),
            )
        )
    # Translators: why a need stops or is withdrawn, as its announcement gives it.
    no_longer = "" if item.data.get("private") else _("no longer needed")
    if kind.is_need and item.data.get("recurring") and item.status == Status.ADOPTED:
        stop_recurring(ctx, item, no_longer)  # the rest stop
        if ctx.chat.is_direct:
            ctx.reply(_("Withdrawn: the fundings still to come stop."))
        return
    if kind.is_need and ctx.uow.needs.get(item.id).stage in (Stage.QUEUED, Stage.FUNDED):
        withdraw_need(ctx, item, no_longer)
        if ctx.chat.is_direct:
            ctx.reply(_("Withdrawn."))
        return
    if under_review(item):
        raise Refusal(
            _(
                "{heading} was adopted by the collective and is up for review: the round decides whether it "
                "stands or lapses.",
                heading=heading(item),
            )
        )
    round_ = ctx.uow.rounds.latest(item.id)
    if settle_if_due(ctx, item, round_):  # decided at its deadline, before the withdrawal came
        ctx.reply(
            _(
                "{heading} reached its deadline before your withdrawal, so it was decided as it stood.",
                heading=heading(item),
            )
        )
        return
    refuse_unless_open(ctx, item, round_)
    if kind.is_need:
        need = ctx.uow.needs.get(item.id)
        need.stage = Stage.WITHDRAWN
        ctx.uow.needs.save(need)
    end(ctx, item, round_, ROUND_WITHDRAWN)
    item.status, item.decided_at = Status.WITHDRAWN, ctx.now
    ctx.uow.items.save(item)
    if item.data.get("private"):
        withdrawn = _(
            "{heading} is withdrawn by whoever asked. Its responses stay in the record.", heading=heading(item)
        )
    else:
        withdrawn = _(
            "{heading} is withdrawn by {name}. Its responses stay in the record.",
            heading=heading(item),
            name=ctx.name(member),
        )
    ctx.announce(witnessed(withdrawn, item.collective_id), about=item)
    if ctx.chat.is_direct:
        ctx.reply(_("Withdrawn."))
