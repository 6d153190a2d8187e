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
from bot.live_records import Assembly
from bot.model import BLOCK, FACILITATOR, OBJECT, ROUND_OPEN, STAND_ASIDE, DueWork, Item, Member, Status
from bot.rotation import holder_of
from bot.rounds import CHOICES, ask_key, ask_text, counts, standing, tally_line, voice
from bot.text import cmd, one_line

ENDS_AFTER = timedelta(hours=12)  # an assembly left open ends by itself, with its minutes
ASSEMBLY_ENDS = "assembly_ends"
_SECTION = "Assemblies"

assembly = group(
    "assembly",
    "a live meeting over the open items: start it; end it with its minutes",
    section=_SECTION,
    details=(
        "The facilitator starts and ends it (any member when there is no facilitator). The agenda is the items "
        f"open for a decision, in order; {cmd('next')} moves on. Left open, it ends by itself after 12 hours."
    ),
)


def _chair(ctx: Context, member: Member, verb: str) -> None:
    """The facilitator chairs; with no facilitator, any member."""
    facilitator = holder_of(ctx.uow, ctx.collective.id, FACILITATOR)
    if facilitator is not None and facilitator.id != member.id:
        raise Refusal(f"Only the facilitator ({ctx.name(facilitator)}, this term) can {verb} an assembly.")


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
            f"Assembly {now_meeting.number} is meeting since {ctx.time(now_meeting.started_at)}: one at a time. "
            f"{cmd('assembly')} end closes it."
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
    lines = [f"Assembly {held.number} is open, chaired by {ctx.name(member)}. It ends by itself {ctx.time(ends)}."]
    if agenda:
        lines.append("Agenda:")
        lines += [f"{n}. #{item.number} {one_line(item.title)}" for n, item in enumerate(agenda, 1)]
        lines.append(f"{cmd('next')} moves on; {cmd('assembly')} end closes the meeting with its minutes.")
    else:
        lines.append(f"No item is open for a decision: the agenda is empty. {cmd('assembly')} end closes the meeting.")
    ctx.announce("\n".join(lines))
    _present(ctx, held)


def _present(scope: Scope, held: Assembly) -> None:
    """The item on the agenda now: its card, with live buttons while its round is open."""
    if held.position >= len(held.agenda):
        return
    item = scope.uow.items.get(held.agenda[held.position])
    round_ = scope.uow.rounds.latest(item.id)
    text = f"Now ({held.position + 1} of {len(held.agenda)}):\n" + ask_text(scope, item, round_)
    for chat in scope.places(scope.collective.id):
        if round_.status == ROUND_OPEN:
            scope.actions.append(Ask(chat, ask_key(round_), text, CHOICES))
        else:
            scope.actions.append(Post(chat, text))


@command("next", "in an assembly: move on to the next item on the agenda", section=_SECTION)
def next_item(ctx: Context, member: Member) -> None:
    _chair(ctx, member, "move on in")
    held = meeting(ctx)
    if held is None:
        raise Refusal(f"No assembly is meeting. {cmd('assembly')} start opens one.")
    if held.position + 1 >= len(held.agenda):
        raise Refusal(
            f"That was the last item on the agenda. {cmd('assembly end')} closes the meeting with its minutes."
        )
    held.position += 1
    ctx.uow.assemblies.save(held)
    _present(ctx, held)


@assembly.subcommand("end")
def end_now(ctx: Context, member: Member) -> None:
    _chair(ctx, member, "end")
    held = meeting(ctx)
    if held is None:
        raise Refusal(f"No assembly is meeting. {cmd('assembly')} start opens one.")
    ctx.uow.assemblies.attend(held.id, member.id, ctx.now)
    finish(ctx, held, f"ended by {ctx.name(member)}")


def finish(scope: Scope, held: Assembly, how: str) -> None:
    """End the assembly: its minutes are written, kept and posted."""
    held.ended_at = scope.now
    held.minutes = minutes(scope, held, how)
    scope.uow.assemblies.save(held)
    scope.collective.assembly_id = None
    scope.uow.collectives.save(scope.collective)
    scope.uow.due.cancel(scope.collective.id, ASSEMBLY_ENDS, held.id)
    scope.announce(witnessed(held.minutes, scope.collective.id))  # kept in the record: the chat witnesses it


def minutes(scope: Scope, held: Assembly, how: str) -> str:
    chair = scope.uow.members.get(held.opened_by)
    lines = [
        f"Minutes of assembly {held.number}: opened by {scope.name(chair)} {scope.time(held.started_at)}, "
        f"{how} {scope.time(scope.now)}."
    ]
    present = [scope.uow.members.get(member_id) for member_id in scope.uow.assemblies.attended(held.id)]
    lines.append(f"Attended ({len(present)}): " + ", ".join(scope.name(m) for m in present) + ".")
    if not held.agenda:
        lines.append("The agenda was empty.")
    for item_id in held.agenda:
        lines.append(_item_line(scope, scope.uow.items.get(item_id)))
    return "\n".join(lines)


def _item_line(scope: Scope, item: Item) -> str:
    round_ = scope.uow.rounds.latest(item.id)
    head = f"• #{item.number} {one_line(round_.title)}"
    if round_.status == ROUND_OPEN:
        count = counts(scope, [round_])[round_.id]
        return (
            f"{head} — still open (round {round_.number}, closes {scope.time(round_.closes_at)}): {tally_line(count)}."
        )
    if round_.adopted is None:
        outcome = round_.status  # withdrawn
    else:
        lapsed = not round_.adopted and item.status == Status.LAPSED  # a review round that did not keep it
        verdict = "lapsed on review" if lapsed else "adopted" if round_.adopted else "not adopted"
        outcome = f"{verdict} ({round_.rule}, round {round_.number})"
    state = standing(scope, round_)
    line = f"{head} — {outcome}: {state.tally.line()}."
    reasons = [
        f"{voice(scope, m, r)} ({kind}): {one_line(r.reason)}"
        for kind in (BLOCK, OBJECT, STAND_ASIDE)
        for m, r in state.responses
        if r.kind == kind and r.reason
    ]
    if reasons:
        line += " Reasons: " + "; ".join(reasons) + "."
    return line


def assembly_number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) == 0:
        raise ValueError(f"'{text}' is not an assembly number; assemblies are numbered 1, 2, 3, …")
    return int(text)


@command(
    "minutes",
    "the minutes of an assembly (the latest, or assembly N)",
    args=(Arg("number", "N", assembly_number, optional=True),),
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
        ctx.reply(f"There is no assembly {number}." if number is not None else "No assembly has met yet.")
        return
    if held.minutes is None:
        now = current_item(ctx)
        on = f"; on the agenda now: #{now.number} {one_line(now.title)}" if now else ""
        ctx.reply(
            f"Assembly {held.number} is meeting since {ctx.time(held.started_at)}{on}. Its minutes come when it ends."
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
        finish(scope, held, f"ended by itself after {int(ENDS_AFTER.total_seconds() // 3600)} hours,")


DUE_HANDLERS = {ASSEMBLY_ENDS: ends_by_itself}
