"""/roles, /rotation, /swap and /whoasked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.commands import Arg, UsageError, Where, command, group
from bot.context import Context
from bot.durations import parse_duration
from bot.errors import Refusal
from bot.fairness import Cadence, parse_clock, parse_weekday
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import RoleProposal, heading
from bot.model import (
    FUNDED,
    KNOWN_ROLES,
    QUEUED,
    SWAP_ACCEPTED,
    SWAP_DECLINED,
    SWAP_EXPIRED,
    TREASURER,
    Member,
    Role,
    Swap,
)
from bot.naming import find_member
from bot.proposals import new_item
from bot.review_dates import refuse_unusable, split_review
from bot.rotation import (
    create_role,
    describe,
    expire_swaps,
    fill,
    holder_of,
    holding,
    next_in_line,
    role_spec,
    schedule_handover,
)
from bot.rounds import open_round
from bot.text import cmd

_ROLE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_SECTION = "Rotation"
EXAMPLE = f"{cmd('rotation')} add dishes 1w at mon 18:00"


def role_name(text: str) -> str:
    name = text.strip().lower()
    if not _ROLE_NAME.fullmatch(name):
        raise ValueError(f"'{text}' is not a role name; use one word such as facilitator, treasurer or dishes.")
    return name


@command("roles", "each role, who holds it, who is next and when", section=_SECTION)
def roles(ctx: Context) -> None:
    collective = ctx.require_collective()
    found = ctx.uow.roles.of_collective(collective.id)
    if not found:
        ctx.reply(f"No rotating roles yet. {cmd('rotation')} add facilitator 1w starts one.")
        return
    lines = ["Roles:"]
    shown = ctx.name
    for role in found:
        roster = [shown(ctx.uow.members.get(member_id)) for member_id in ctx.uow.roles.roster(role.id)]
        if role.holder_id is None:
            line = f"• {describe(role)} — vacant"
        else:
            holder = shown(ctx.uow.members.get(role.holder_id))
            line = f"• {describe(role)} — {holder}, until {ctx.time(role.next_handover_at)}"
            following = next_in_line(ctx, role)
            if following is not None and following.id != role.holder_id:
                line += f"; next: {shown(following)}"
        line += f". Roster: {', '.join(roster) if roster else 'empty'}."
        lines.append(line)
    ctx.reply("\n".join(lines))


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a new role changes hands, as typed after its name: ``1w at mon 18:00``."""

    every: timedelta
    every_text: str
    weekday: int | None
    at: tuple[int, int] | None
    review: dict | None = None  # a review date on its last line (a role with powers: bot.review)


def schedule_of(text: str) -> Schedule:
    """ValueError for words that do not read as a schedule (answered with the usage); Refusal for a schedule
    that reads but cannot be (answered as it is)."""
    text, review = split_review(text)
    words = text.split()
    has_at = "at" in [word.lower() for word in words]
    split = [word.lower() for word in words].index("at") if has_at else len(words)
    every_text, at_words = " ".join(words[:split]), words[split + 1 :]
    every = parse_duration(every_text or "")
    if every < parse_duration("1h"):
        raise Refusal("A role changes hands at most once an hour.")
    weekday = at = None
    if has_at and not at_words:
        raise ValueError("Say when after 'at': at mon 09:00, or at 09:00 for a daily handover.")
    if len(at_words) == 2:
        weekday, at = parse_weekday(at_words[0]), parse_clock(at_words[1])
    elif len(at_words) == 1:
        at = parse_clock(at_words[0])
    elif at_words:
        raise ValueError("Write the handover time like: at mon 09:00, or at 09:00.")
    if weekday is not None and every % timedelta(weeks=1):
        raise Refusal(f"A handover on a weekday needs a cadence in whole weeks (1w, 2w, …), not {every_text}.")
    if at is not None and every % timedelta(days=1):
        raise Refusal(f"A handover at a time of day needs a cadence in whole days or weeks, not {every_text}.")
    return Schedule(every, every_text, weekday, at, review)


rotation = group(
    "rotation",
    "add a rotating role, or join or leave its roster",
    details="facilitator, treasurer and delegate carry powers for their term; any other name is a chore. "
    f"E.g. {cmd('rotation')} add treasurer 4w, {EXAMPLE}.",
    section=_SECTION,
)
_ROLE = Arg("name", "ROLE", role_name)


@rotation.subcommand(
    "add",
    args=(_ROLE, Arg("schedule", "EVERY [at WEEKDAY HH:MM]", rest=True, judges_empty=True)),
    example=EXAMPLE,
)
def add_role(ctx: Context, member: Member, name: str, schedule: str) -> None:
    # Whether the role exists comes first: "there is one already" says more than a quibble with the schedule.
    if ctx.uow.roles.named(ctx.collective.id, name) is not None:
        raise Refusal(f"There is a {name} role already. {cmd('roles')} shows it.")
    try:
        spec = schedule_of(schedule)
    except ValueError as error:
        raise UsageError(str(error)) from None
    data = role_spec(name, spec.every, spec.weekday, spec.at)
    refuse_unusable(spec.review, ctx.now, ctx.settings.timezone)
    if name not in KNOWN_ROLES:
        if spec.review:
            raise Refusal(
                f"{name} is a chore, made at once and not by proposal, so it has no review date to come back at."
            )
        ctx.reply(create_role(ctx, data))
        return
    # A role with powers is given only by the collective: a proposal, never one member's word.
    if len(ctx.uow.members.active(ctx.collective.id)) == 1:
        unreviewed = " (With no proposal, there is nothing to review: no review date.)" if spec.review else ""
        ctx.reply("You are the only member, so it applies at once: " + create_role(ctx, data) + unreviewed)
        return
    if spec.review:
        data["review"] = spec.review
    pending = ctx.uow.items.find_open(ctx.collective.id, RoleProposal.topic, "name", name)
    if pending is not None:
        raise Refusal(
            f"{heading(pending)} about the {name} role is still open; respond to it, or wait for its outcome."
        )
    when = Cadence(spec.every, spec.weekday, spec.at).describe()
    title = f"Create the {name} role, rotating {when} among all members"
    item = new_item(ctx, RoleProposal.topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)


def _existing(ctx: Context, name: str) -> Role:
    role = ctx.uow.roles.named(ctx.collective.id, name)
    if role is None:
        raise Refusal(
            f"There is no {name} role. {cmd('roles')} lists them; {cmd('rotation')} add {name} EVERY starts one."
        )
    return role


@rotation.subcommand("join", args=(_ROLE,))
def join_roster(ctx: Context, member: Member, name: str) -> None:
    role = _existing(ctx, name)
    if not ctx.uow.roles.join(role.id, member.id, ctx.now):
        ctx.reply(f"You are on the {role.name} roster already.")
        return
    ctx.reply(f"{ctx.name(member)} joins the {role.name} roster.")
    if role.holder_id is None:
        schedule_handover(ctx, role, ctx.now)
        fill(ctx, role, "")


@rotation.subcommand("leave", args=(_ROLE,))
def leave_roster(ctx: Context, member: Member, name: str) -> None:
    role = _existing(ctx, name)
    if not ctx.uow.roles.leave(role.id, member.id):
        ctx.reply(f"You are not on the {role.name} roster.")
        return
    ctx.reply(f"{ctx.name(member)} leaves the {role.name} roster.")
    if role.holder_id == member.id:
        fill(ctx, role, f"{ctx.name(member)} stepped down, so ")


swap = group("swap", "ask a member to take your current turn; answer with accept or decline", section=_SECTION)


@swap.default(args=(Arg("name", "ROLE", role_name), Arg("who", "@member", optional=True)))
def ask_swap(ctx: Context, member: Member, name: str, who: str | None) -> None:
    role = ctx.uow.roles.named(ctx.collective.id, name)
    if role is None:
        raise Refusal(f"There is no {name} role. {cmd('roles')} lists them.")
    if role.holder_id != member.id:
        raise Refusal(f"Only the current holder of the {role.name} turn can ask to swap it.")
    if who is None:
        raise Refusal(f"Who should take it? {cmd('swap')} {role.name} @member")
    other = find_member(ctx, who)
    if other.id == member.id:
        raise Refusal("That is you.")
    if ctx.uow.roles.pending_swaps(role.id):
        raise Refusal(f"A swap of the {role.name} turn is already waiting for an answer.")
    ctx.uow.roles.add_swap(Swap(None, role.id, member.id, other.id, ctx.now))
    ctx.reply(
        f"{ctx.name(member)} asks {ctx.name(other)} to take the current {role.name} turn "
        f"(until {ctx.time(role.next_handover_at)}). {ctx.name(other)}: {cmd('swap')} accept or {cmd('swap')} decline."
    )


def _asked(ctx: Context, member: Member, named: str | None, verb: str) -> tuple[Role, Swap, Member] | None:
    """The swap waiting for ``member``'s answer (of the role ``named``, if named), with who asked; None (and
    the answer said) when none waits."""
    asked = [
        (role, s)
        for role in ctx.uow.roles.of_collective(ctx.collective.id)
        for s in ctx.uow.roles.pending_swaps(role.id)
        if s.to_member_id == member.id
    ]
    if named is not None:  # the role named: only a swap of that role is answered
        asked = [(role, s) for role, s in asked if role.name == named]
        if not asked:
            ctx.reply(f"No one has asked you to swap a {named} turn.")
            return None
    if not asked:
        ctx.reply("No one has asked you to swap a turn.")
        return None
    if len(asked) > 1:
        names = ", ".join(role.name for role, _ in asked)
        raise Refusal(f"Several swaps wait for you ({names}): say which, like {cmd('swap')} {verb} {asked[0][0].name}.")
    role, request = asked[0]
    asker = ctx.uow.members.get(request.from_member_id)
    if role.holder_id != request.from_member_id:
        request.status = SWAP_EXPIRED
        ctx.uow.roles.save_swap(request)
        ctx.reply(f"That request lapsed: {ctx.name(asker)} no longer holds the {role.name} turn.")
        return None
    return role, request, asker


_NAMED = Arg("name", "ROLE", role_name, optional=True)


@swap.subcommand("accept", args=(_NAMED,))
def accept_swap(ctx: Context, member: Member, name: str | None) -> None:
    if (found := _asked(ctx, member, name, "accept")) is None:
        return
    role, request, asker = found
    request.status = SWAP_ACCEPTED
    ctx.uow.roles.save_swap(request)
    ctx.uow.roles.hand_current_turn(role.id, member.id)
    role.holder_id = member.id
    ctx.uow.roles.save(role)
    expire_swaps(ctx, role)
    ctx.reply(
        f"Swapped: {holding(ctx.name(member), role)} now, until {ctx.time(role.next_handover_at)}; "
        f"{ctx.name(asker)} takes a later turn in their place."
    )


@swap.subcommand("decline", args=(_NAMED,))
def decline_swap(ctx: Context, member: Member, name: str | None) -> None:
    if (found := _asked(ctx, member, name, "decline")) is None:
        return
    role, request, asker = found
    request.status = SWAP_DECLINED
    ctx.uow.roles.save_swap(request)
    ctx.reply(f"{ctx.name(member)} declines to swap the {role.name} turn with {ctx.name(asker)}.")


@command(
    "whoasked",
    "the treasurer learns who asked a private need (in a direct message)",
    args=(Arg("number", "N", item_number, optional=True, looks=looks_like_item_number),),
    section=_SECTION,
    where=Where.ANY,
)
def who_asked(ctx: Context, member: Member, number: int | None) -> None:
    treasurer = holder_of(ctx.uow, ctx.collective.id, TREASURER)
    if treasurer is None or treasurer.id != member.id:
        raise Refusal("Only the current treasurer can learn who asked a private need.")
    if not ctx.chat.is_direct:
        raise Refusal("Ask me that in a direct message, so the answer stays private.")
    item = resolve(ctx, number, "whoasked")
    if not item.data.get("private"):
        raise Refusal(f"#{item.number} is not private; its requester is shown with it.")
    stage = ctx.uow.needs.get(item.id).stage
    if stage not in (QUEUED, FUNDED):  # only to pay it out: while approved and not yet paid
        raise Refusal(
            f"#{item.number} is {stage}: the treasurer learns who asked only while a private need is approved "
            "and not yet paid out."
        )
    ctx.reply(f"#{item.number} was asked by {ctx.name(ctx.uow.members.get(item.author_id))}. Keep it to yourself.")
