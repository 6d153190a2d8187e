"""Proposals: raising, listing, showing, amending, withdrawing, extending and
closing them, and the log of decisions."""

from __future__ import annotations

from datetime import timedelta

from bot.chain import witnessed
from bot.closing import settle_if_due
from bot.commands import Arg, Where, command
from bot.context import Context
from bot.durations import looks_like_duration, parse_duration
from bot.errors import Refusal
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import KINDS, GeneralProposal, author_name, heading, kind_of
from bot.model import ROUND_AMENDED, ROUND_OPEN, ROUND_WITHDRAWN, Item, Member, Round, Stage, Status, Topic
from bot.pool import withdraw_need
from bot.recurring_needs import complete, schedule_lines, stop_recurring
from bot.responses import refuse_unless_open
from bot.review import review_note, under_review
from bot.review_dates import refuse_unusable, split_review
from bot.rounds import NOUNS, counts, end, open_round, standing, tally_line, voice
from bot.text import block, cmd, one_line, quoted

MAX_TITLE = 200
MAX_TEXT = 4000


def split_text(text: str) -> tuple[str, str]:
    """The first line is the title; the lines after it are the detail. Invisible
    and direction characters go, so a title always reads as what it is."""
    title, _, body = block(text).partition("\n")
    title, body = one_line(title), body.strip()
    if not title:
        raise Refusal(f"A title needs some visible words: {cmd('propose')} [DURATION] TITLE")
    if len(title) > MAX_TITLE:
        raise Refusal(f"Please keep the title under {MAX_TITLE} characters; put the detail on the lines after it.")
    if len(body) > MAX_TEXT:
        raise Refusal(f"Please keep the detail under {MAX_TEXT} characters.")
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


_N = Arg("number", "N", item_number, optional=True, looks=looks_like_item_number)
_SECTION = "Proposals"


@command(
    "propose",
    "raise a proposal; further lines are its detail",
    args=(
        Arg("duration", "DURATION", parse_duration, optional=True, looks=looks_like_duration),
        Arg("text", "TITLE", rest=True),
    ),
    details="DURATION (like 12h, 3d, 2w) is how long the round stays open; by default the collective's "
    "proposal_duration. A last line 'review in 26w' or 'review on 2027-06-01' brings it back for review then "
    "(counted from its adoption; months in weeks or as a date): not adopted again, it lapses. "
    f"{cmd('propose')} joint [DURATION] TITLE opens a joint item in every collective of the federation.",
    section=_SECTION,
)
def propose(ctx: Context, member: Member, duration: timedelta | None, text: str) -> None:
    text, review = split_review(text)
    refuse_unusable(review, ctx.now, ctx.settings.timezone)
    first, rest = _first_word(text)
    if duration is None and first == "joint":  # (a title that begins "Joint …" is an ordinary proposal)
        from bot.joint import propose_joint  # (joint items build on this module)

        if review:
            raise Refusal("A joint item is decided by every collective of the federation: it has no review date.")
        propose_joint(ctx, member, rest.strip())
        return
    title, body = split_text(text)
    item = new_item(ctx, GeneralProposal.topic, title, body, data={"review": review} if review else None)
    open_round(ctx, item, duration or ctx.settings.proposal_duration)


def _first_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any space or line break (the rest keeps its lines)."""
    parts = text.split(None, 1)
    return (parts[0], parts[1] if len(parts) > 1 else "") if parts else ("", "")


PAGE = 20  # open items per /proposals message: a longer list floods the chat


def page_number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) == 0:
        raise ValueError(f"'{text}' is not a page number; pages are 1, 2, 3, …")
    return int(text)


@command(
    "proposals",
    "open items with their tallies",
    args=(Arg("page", "PAGE", page_number, optional=True),),
    section=_SECTION,
    details=f"{PAGE} items to a page, lowest number first.",
)
def proposals(ctx: Context, page: int | None) -> None:
    ctx.reply(_open_items(ctx, page))


def _open_items(ctx: Context, page: int | None) -> str:
    collective = ctx.require_collective()
    total = ctx.uow.items.count_open(collective.id)
    if not total:
        return f"No open items. {cmd('propose')} TITLE starts one."
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
        lines.append(
            f"{heading(item)} — round {round_.number}, closes {ctx.time(round_.closes_at)}\n"
            f"   {tally_line(tallies[round_.id])}"
        )
    if pages == 1:
        return "Open items:\n" + "\n".join(lines)
    first = (page - 1) * PAGE + 1
    heading_line = f"Open items {first}–{first + len(items) - 1} of {total}:"
    more = f"{cmd('proposals')} {page + 1} for the next page." if page < pages else "That is the last page."
    return "\n".join([heading_line, *lines, more])


@command("show", "an item's text, every response and who has not responded", args=(_N,), section=_SECTION)
def show(ctx: Context, number: int | None) -> None:
    ctx.reply(_shown(ctx, resolve(ctx, number, "show")))


def _shown(ctx: Context, item: Item) -> str:
    kind = kind_of(item)
    if not kind.has_round:
        return kind.show(ctx, item)
    rounds = ctx.uow.rounds.of_item(item.id)
    if settle_if_due(ctx, item, rounds[-1]):  # past its deadline: the outcome first, then the record
        rounds = ctx.uow.rounds.of_item(item.id)
    round_ = rounds[-1]
    author = author_name(ctx, item) or kind.raiser(item)
    status = {ROUND_OPEN: f"open, closes {ctx.time(round_.closes_at)}"}.get(
        round_.status, item.status.replace("_", " ")
    )
    raised = "Asked" if kind.is_need else "Proposed"
    lines = [f"#{item.number} {round_.title}", f"{raised} by {author}. Round {round_.number}: {status}."]
    if note := review_note(ctx, item):
        lines.append(note)
    if kind.is_need:
        lines += schedule_lines(ctx, item)
    if round_.body:
        lines.append(quoted(round_.body))
    state = standing(ctx, round_)
    shown = ctx.name
    lines.append(f"Responses ({len(state.responses)} of {len(state.roll)}):")
    for member, response in state.responses:
        reason = f": {one_line(response.reason)}" if response.reason else ""
        lines.append(f"• {voice(ctx, member, response)} — {NOUNS[response.kind]}{reason}")
    if round_.status == ROUND_OPEN and item.data.get("private"):
        lines.append(f"Not yet responded: {len(state.silent)} of {len(state.roll)}.")  # names would tell who asked
    elif round_.status == ROUND_OPEN:
        silent = ", ".join(shown(member) for member in state.silent) or "no one"
        lines.append(f"Not yet responded: {silent}.")
    if round_.outcome:
        lines.append("Outcome:\n" + round_.outcome)
    earlier_counts = counts(ctx, rounds[:-1])
    for earlier in rounds[:-1]:
        lines.append(
            f"Round {earlier.number} ({earlier.status}): {earlier.title} — {tally_line(earlier_counts[earlier.id])}"
        )
    return "\n".join(lines)


def _own_item(ctx: Context, member: Member, number: int | None, verb: str) -> Item:
    item = resolve(ctx, number, verb)
    refuse_private_in_group(ctx, item, verb)
    if item.author_id != member.id:
        raise Refusal(f"Only the author of #{item.number} can {verb} it.")
    return item


def refuse_private_in_group(ctx: Context, item: Item, command: str) -> None:
    """A private need is withdrawn or marked done only by direct message: in the
    group everyone gets the same answer, so the answer tells no one who asked."""
    if item.data.get("private") and not ctx.chat.is_direct:
        raise Refusal(
            f"#{item.number} was asked privately: whoever asked can {cmd(command)} {item.number} "
            "in a direct message with me."
        )


def current_round(ctx: Context, item: Item) -> Round:
    """The item's latest round; help that is not money has none."""
    if not kind_of(item).has_round:
        raise Refusal(
            f"#{item.number} asks for help, not for a decision, so it has no round. {cmd('offer')} {item.number} helps."
        )
    return ctx.uow.rounds.latest(item.id)


@command(
    "amend",
    "replace your proposal's text: a new round begins",
    args=(_N, Arg("text", "NEW TEXT", rest=True)),
    section=_SECTION,
)
def amend(ctx: Context, member: Member, number: int | None, text: str) -> None:
    item = _own_item(ctx, member, number, "amend")
    current = current_round(ctx, item)
    if settle_if_due(ctx, item, current):  # decided at its deadline: too late to amend that round
        ctx.reply(f"{heading(item)} reached its deadline before your change, so it was decided as it stood.")
        return
    if item.status == Status.WITHDRAWN:
        raise Refusal(f"{heading(item)} was withdrawn; propose it again with {cmd('propose')}.")
    if item.status not in (Status.OPEN, Status.NOT_ADOPTED):
        raise Refusal(f"{heading(item)} was adopted; a change to it is a new proposal.")
    if not kind_of(item).amendable:
        raise Refusal(kind_of(item).not_amendable.format(number=item.number))
    if under_review(item):
        raise Refusal(f"{heading(item)} is up for review as it was adopted; a change to it is a new proposal.")
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
    amended = f"#{item.number} is amended: round {current.number + 1} begins; earlier responses stay in the record."
    ctx.reply(witnessed(amended, item.collective_id))
    open_round(ctx, item, duration, number=current.number + 1)
    if current.status == ROUND_OPEN:
        end(ctx, item, current, ROUND_AMENDED)  # its message says so, without buttons


@command(
    "withdraw",
    "withdraw your proposal or need (a private need: in a direct message)",
    args=(_N,),
    section=_SECTION,
    where=Where.ANY,
)
def withdraw(ctx: Context, member: Member, number: int | None) -> None:
    item = _own_item(ctx, member, number, "withdraw")
    kind = kind_of(item)
    if not kind.has_round:
        raise Refusal(f"When #{item.number} is met or no longer needed, say {cmd('done')} {item.number}.")
    if not kind.withdrawable:
        raise Refusal(
            f"#{item.number} is a joint item, decided in every collective of the federation: "
            "it cannot be withdrawn here."
        )
    if kind.is_need and item.data.get("stopped"):
        raise Refusal(f"{heading(item)} was withdrawn already; what was funded before waits for its payout.")
    if kind.is_need and item.status == Status.ADOPTED and complete(ctx, item):
        periods = item.data["recurring"]["periods"]
        raise Refusal(f"{heading(item)} is complete: all {periods} periods were funded and paid out.")
    if kind.is_need and item.data.get("recurring") and item.status == Status.ADOPTED:
        stop_recurring(ctx, item, "" if item.data.get("private") else "no longer needed")  # the rest stop
        if ctx.chat.is_direct:
            ctx.reply("Withdrawn: the fundings still to come stop.")
        return
    if kind.is_need and ctx.uow.needs.get(item.id).stage in (Stage.QUEUED, Stage.FUNDED):
        withdraw_need(ctx, item, "" if item.data.get("private") else "no longer needed")
        if ctx.chat.is_direct:
            ctx.reply("Withdrawn.")
        return
    if under_review(item):
        raise Refusal(
            f"{heading(item)} was adopted by the collective and is up for review: the round decides whether it "
            "stands or lapses."
        )
    round_ = ctx.uow.rounds.latest(item.id)
    if settle_if_due(ctx, item, round_):  # decided at its deadline, before the withdrawal came
        ctx.reply(f"{heading(item)} reached its deadline before your withdrawal, so it was decided as it stood.")
        return
    refuse_unless_open(ctx, item, round_)
    if kind.is_need:
        need = ctx.uow.needs.get(item.id)
        need.stage = Stage.WITHDRAWN
        ctx.uow.needs.save(need)
    end(ctx, item, round_, ROUND_WITHDRAWN)
    item.status, item.decided_at = Status.WITHDRAWN, ctx.now
    ctx.uow.items.save(item)
    by = "whoever asked" if item.data.get("private") else ctx.name(member)
    withdrawn = f"{heading(item)} is withdrawn by {by}. Its responses stay in the record."
    ctx.announce(witnessed(withdrawn, item.collective_id), about=item)
    if ctx.chat.is_direct:
        ctx.reply("Withdrawn.")
