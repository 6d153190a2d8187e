"""Assemblies: a live meeting of the collective over its open items. ``/assembly start`` (the facilitator,
or any member when there is none) posts the agenda — the items open for a decision, in order — and the
first item's card; ``/next`` moves on; responses count as usual, and ``/close`` (with N left out: the item
on the agenda now) closes under the round's own rules. ``/assembly end`` — or, left open, the bot itself
after twelve hours — posts the minutes: who attended (anyone who spoke to the bot or responded in the group
while it met), each item's outcome and the reasons given. ``/minutes [N]`` shows them again."""

from __future__ import annotations

from datetime import timedelta

from bot.actions import Ask, Post
from bot.chain import witnessed
from bot.commands import Arg, command, group
from bot.context import Context, Scope
from bot.duework import DueScope
from bot.errors import Refusal
from bot.kinds import kind_of
from bot.language import N_, _, ngettext, number
from bot.live_records import Assembly
from bot.model import (
    BLOCK,
    FACILITATOR,
    OBJECT,
    ROUND_OPEN,
    ROUND_WITHDRAWN,
    STAND_ASIDE,
    DueWork,
    Item,
    Member,
    Round,
    Status,
)
from bot.rotation import holder_of
from bot.rounds import NOUNS, ask_key, ask_text, choices, counts, standing, tally_line, voice
from bot.text import one_line

ENDS_AFTER = timedelta(hours=12)  # an assembly left open ends by itself, with its minutes
ASSEMBLY_ENDS = "assembly_ends"
_SECTION = N_("Assemblies")

assembly = group(
    "assembly",
    N_("a live meeting over the open items: start it; end it with its minutes"),
    section=_SECTION,
    details=N_(
        "The facilitator starts and ends it (any member when there is no facilitator). The agenda is the items "
        "open for a decision, in order; /next moves on. Left open, it ends by itself after 12 hours."
    ),
)

# What only the chair may do, as the refusal to anyone else says it ({name}: the facilitator).
_CHAIR_ONLY = {
    "start": N_("Only the facilitator ({name}, this term) can start an assembly."),
    "next": N_("Only the facilitator ({name}, this term) can move on in an assembly."),
    "end": N_("Only the facilitator ({name}, this term) can end an assembly."),
}


def _chair(ctx: Context, member: Member, action: str) -> None:
    """The facilitator chairs; with no facilitator, any member."""
    facilitator = holder_of(ctx.uow, ctx.collective.id, FACILITATOR)
    if facilitator is not None and facilitator.id != member.id:
        raise Refusal(_(_CHAIR_ONLY[action], name=ctx.name(facilitator)))


def meeting(scope: Scope) -> Assembly | None:
    """The assembly meeting now in the scope's collective, if one is."""
    if scope.collective is None or scope.collective.assembly_id is None:
        return None
    return scope.uow.assemblies.get(scope.collective.assembly_id)


def current_item(scope: Scope) -> Item | None:
    """The item on the agenda now, if an assembly meets and has one."""
    found = meeting(scope)
    if found is None or found.position >= len(found.agenda):
        return None
    return scope.uow.items.get(found.agenda[found.position])


@assembly.subcommand("start")
def start(ctx: Context, member: Member) -> None:
    _chair(ctx, member, "start")
    collective = ctx.collective
    if (now_meeting := meeting(ctx)) is not None:
        raise Refusal(
            _(
                "Assembly {number} is meeting since {when}: one at a time. /assembly end closes it.",
                number=now_meeting.number,
                when=ctx.time(now_meeting.started_at),
            )
        )
    open_items = ctx.uow.items.open(collective.id)
    latest = ctx.uow.reads.latest_for([item.id for item in open_items if kind_of(item).has_round])
    agenda = [item for item in open_items if item.id in latest and latest[item.id].status == ROUND_OPEN]
    before = ctx.uow.assemblies.latest(collective.id)
    held = ctx.uow.assemblies.add(
        Assembly(None, collective.id, before.number + 1 if before else 1, member.id, ctx.now, [i.id for i in agenda])
    )
    collective.assembly_id = held.id
    ctx.uow.collectives.save(collective)
    ctx.uow.assemblies.attend(held.id, member.id, ctx.now)
    ends = ctx.now + ENDS_AFTER
    ctx.uow.due.add(DueWork(None, collective.id, ASSEMBLY_ENDS, held.id, ends))
    lines = [
        _(
            "Assembly {number} is open, chaired by {name}. It ends by itself {when}.",
            number=held.number,
            name=ctx.name(member),
            when=ctx.time(ends),
        )
    ]
    if agenda:
        lines.append(_("Agenda:"))
        lines += [f"{n}. #{item.number} {one_line(item.title)}" for n, item in enumerate(agenda, 1)]
        lines.append(_("/next moves on; /assembly end closes the meeting with its minutes."))
    else:
        lines.append(_("No item is open for a decision: the agenda is empty. /assembly end closes the meeting."))
    ctx.announce("\n".join(lines))
    _present(ctx, held)


def _present(scope: Scope, held: Assembly) -> None:
    """The item on the agenda now: its card, with live buttons while its round is open."""
    if held.position >= len(held.agenda):
        return
    item = scope.uow.items.get(held.agenda[held.position])
    round_ = scope.uow.rounds.latest(item.id)
    # Translators: above the item an assembly is on now: "Now (2 of 5):".
    now = _("Now ({position} of {total}):", position=number(held.position + 1), total=number(len(held.agenda)))
    text = now + "\n" + ask_text(scope, item, round_)
    for chat in scope.places(scope.collective.id):
        if round_.status == ROUND_OPEN:
            scope.actions.append(Ask(chat, ask_key(round_), text, choices()))
        else:
            scope.actions.append(Post(chat, text))


@command("next", N_("in an assembly: move on to the next item on the agenda"), section=_SECTION)
def next_item(ctx: Context, member: Member) -> None:
    _chair(ctx, member, "next")
    held = meeting(ctx)
    if held is None:
        raise Refusal(_("No assembly is meeting. /assembly start opens one."))
    if held.position + 1 >= len(held.agenda):
        raise Refusal(_("That was the last item on the agenda. /assembly end closes the meeting with its minutes."))
    held.position += 1
    ctx.uow.assemblies.save(held)
    _present(ctx, held)


@assembly.subcommand("end")
def end_now(ctx: Context, member: Member) -> None:
    _chair(ctx, member, "end")
    held = meeting(ctx)
    if held is None:
        raise Refusal(_("No assembly is meeting. /assembly start opens one."))
    ctx.uow.assemblies.attend(held.id, member.id, ctx.now)
    finish(ctx, held, member)


def finish(scope: Scope, held: Assembly, ended_by: Member | None) -> None:
    """End the assembly (``ended_by`` a member, or None: by itself): its minutes are written, kept and posted."""
    held.ended_at = scope.now
    held.minutes = minutes(scope, held, ended_by)
    scope.uow.assemblies.save(held)
    scope.collective.assembly_id = None
    scope.uow.collectives.save(scope.collective)
    scope.uow.due.cancel(scope.collective.id, ASSEMBLY_ENDS, held.id)
    scope.announce(witnessed(held.minutes, scope.collective.id))  # kept in the record: the chat witnesses it


def minutes(scope: Scope, held: Assembly, ended_by: Member | None) -> str:
    """The minutes, in the language spoken as the assembly ends: kept as they were written."""
    chair = scope.uow.members.get(held.opened_by)
    opened = {"number": held.number, "chair": scope.name(chair), "opened": scope.time(held.started_at)}
    if ended_by is not None:
        head = _(
            "Minutes of assembly {number}: opened by {chair} {opened}, ended by {name} {ended}.",
            name=scope.name(ended_by),
            ended=scope.time(scope.now),
            **opened,
        )
    else:
        head = ngettext(
            "Minutes of assembly {number}: opened by {chair} {opened}, ended by itself after {count} hour, {ended}.",
            "Minutes of assembly {number}: opened by {chair} {opened}, ended by itself after {count} hours, {ended}.",
            int(ENDS_AFTER.total_seconds() // 3600),
            ended=scope.time(scope.now),
            **opened,
        )
    lines = [head]
    present = [scope.uow.members.get(member_id) for member_id in scope.uow.assemblies.attended(held.id)]
    names = ", ".join(scope.name(m) for m in present)
    lines.append(_("Attended ({count}): {names}.", count=number(len(present)), names=names))
    if not held.agenda:
        lines.append(_("The agenda was empty."))
    for item_id in held.agenda:
        lines.append(_item_line(scope, scope.uow.items.get(item_id)))
    return "\n".join(lines)


def _item_line(scope: Scope, item: Item) -> str:
    round_ = scope.uow.rounds.latest(item.id)
    head = f"• #{item.number} {one_line(round_.title)}"
    if round_.status == ROUND_OPEN:
        count = counts(scope, [round_])[round_.id]
        return _(
            "{item} — still open (round {round}, closes {when}): {tally}.",
            item=head,
            round=round_.number,
            when=scope.time(round_.closes_at),
            tally=tally_line(count),
        )
    state = standing(scope, round_)
    line = _(
        _outcome_line(item, round_),
        item=head,
        rule=round_.rule,
        round=round_.number,
        status=round_.status,
        tally=state.tally.line(),
    )
    reasons = [
        # Translators: one reason in an assembly's minutes: "Carol (block): too loud"; {response} is its kind.
        _("{name} ({response}): {reason}", name=voice(scope, m, r), response=_(NOUNS[kind]), reason=one_line(r.reason))
        for kind in (BLOCK, OBJECT, STAND_ASIDE)
        for m, r in state.responses
        if r.kind == kind and r.reason
    ]
    if reasons:
        # Translators: {reasons} are the reasons members gave, each "Name (block): what they said", joined by "; ".
        line += " " + _("Reasons: {reasons}.", reasons="; ".join(reasons))
    return line


def _outcome_line(item: Item, round_: Round) -> str:
    """The minutes' line of a closed round ({item}: its number and title; {rule}: the decision rule as set)."""
    if round_.adopted is None:
        if round_.status == ROUND_WITHDRAWN:
            return N_("{item} — withdrawn: {tally}.")
        # Translators: {status} is the round's status as stored (a word of the code, left as it is).
        return N_("{item} — {status}: {tally}.")
    if not round_.adopted and item.status == Status.LAPSED:  # a review round that did not keep it
        return N_("{item} — lapsed on review ({rule}, round {round}): {tally}.")
    if round_.adopted:
        return N_("{item} — adopted ({rule}, round {round}): {tally}.")
    return N_("{item} — not adopted ({rule}, round {round}): {tally}.")


def assembly_number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) == 0:
        raise ValueError(_("'{text}' is not an assembly number; assemblies are numbered 1, 2, 3, …", text=text))
    return int(text)


@command(
    "minutes",
    N_("the minutes of an assembly (the latest, or assembly N)"),
    args=(Arg("number", N_("N"), assembly_number, optional=True),),
    section=_SECTION,
)
def show_minutes(ctx: Context, number: int | None) -> None:
    collective = ctx.require_collective()
    held = (
        ctx.uow.assemblies.numbered(collective.id, number)
        if number is not None
        else ctx.uow.assemblies.latest(collective.id)
    )
    if held is None:
        ctx.reply(
            _("There is no assembly {number}.", number=number) if number is not None else _("No assembly has met yet.")
        )
        return
    if held.minutes is None:
        now = current_item(ctx)
        since = {"number": held.number, "when": ctx.time(held.started_at)}
        if now is None:
            ctx.reply(_("Assembly {number} is meeting since {when}. Its minutes come when it ends.", **since))
        else:
            ctx.reply(
                _(
                    "Assembly {number} is meeting since {when}; on the agenda now: #{item} {title}. "
                    "Its minutes come when it ends.",
                    item=now.number,
                    title=one_line(now.title),
                    **since,
                )
            )
        return
    ctx.reply(held.minutes)


def note_presence(scope: Context) -> None:
    """Whoever speaks to the bot or responds in the group while an assembly meets attended it."""
    if scope.chat.is_direct or scope.member is None or scope.collective is None:
        return
    if scope.collective.assembly_id is not None and scope.member.active:
        scope.uow.assemblies.attend(scope.collective.assembly_id, scope.member.id, scope.now)


def ends_by_itself(scope: DueScope) -> None:
    held = scope.uow.assemblies.get(scope.work.subject_id)
    if held.ended_at is None and scope.collective.assembly_id == held.id:
        finish(scope, held, None)


DUE_HANDLERS = {ASSEMBLY_ENDS: ends_by_itself}
