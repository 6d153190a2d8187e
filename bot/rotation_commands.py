"""/roles, /rotation, /swap and /whoasked."""

from __future__ import annotations

from bot.commands import Arg, UsageError, Where, command, group
from bot.context import Context
from bot.errors import Refusal
from bot.fairness import Cadence
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import RoleProposal, heading
from bot.language import N_, _
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
    Stage,
    Swap,
)
from bot.naming import find_member
from bot.proposals import new_item
from bot.review_dates import refuse_unusable
from bot.role_schedules import role_name, schedule_of
from bot.rotation import (
    STEPPED_DOWN,
    create_role,
    describe,
    expire_swaps,
    fill,
    holder_of,
    next_in_line,
    role_spec,
    schedule_handover,
)
from bot.rounds import open_round
from bot.text import cmd

_SECTION = N_("Rotation")
# Translators: a command as members type it: keep "/rotation add" and "at"; "dishes" is the name of a chore, "1w"
# one week, "mon 18:00" Mondays at six in the evening (keep "mon": the weekday as the command takes it).
EXAMPLE = N_("/rotation add dishes 1w at mon 18:00")
# Translators: a role's name in a usage line (/swap ROLE @member).
_ROLE_METAVAR = N_("ROLE")


@command("roles", N_("each role, who holds it, who is next and when"), section=_SECTION)
def roles(ctx: Context) -> None:
    collective = ctx.require_collective()
    found = ctx.uow.roles.of_collective(collective.id)
    if not found:
        # Translators: keep "/rotation add facilitator 1w" as it is: a command members type.
        ctx.reply(_("No rotating roles yet. /rotation add facilitator 1w starts one."))
        return
    lines = [_("Roles:")]
    shown = ctx.name
    for role in found:
        roster = [shown(ctx.uow.members.get(member_id)) for member_id in ctx.uow.roles.roster(role.id)]
        following = next_in_line(ctx, role) if role.holder_id is not None else None
        if role.holder_id is None:
            # Translators: a line of /roles; {role} is the role's name (a chore's says so: "dishes (chore)").
            line = _("• {role} — vacant.", role=describe(role))
        elif following is not None and following.id != role.holder_id:
            line = _(
                "• {role} — {name}, until {when}; next: {next}.",
                role=describe(role),
                name=shown(ctx.uow.members.get(role.holder_id)),
                when=ctx.time(role.next_handover_at),
                next=shown(following),
            )
        else:
            line = _(
                "• {role} — {name}, until {when}.",
                role=describe(role),
                name=shown(ctx.uow.members.get(role.holder_id)),
                when=ctx.time(role.next_handover_at),
            )
        # Translators: after a line of /roles: the members on the role's roster, who take turns in it.
        roster_text = _("Roster: {names}.", names=", ".join(roster)) if roster else _("Roster: empty.")
        lines.append(f"{line} {roster_text}")
    ctx.reply("\n".join(lines))


rotation = group(
    "rotation",
    N_("add a rotating role, or join or leave its roster"),
    # Translators: facilitator, treasurer and delegate are role names as members type them, and the examples are
    # commands (see "/rotation add dishes 1w at mon 18:00"): keep what is typed as it is.
    details=N_(
        "facilitator, treasurer and delegate carry powers for their term; any other name is a chore. "
        "E.g. /rotation add treasurer 4w, /rotation add dishes 1w at mon 18:00."
    ),
    section=_SECTION,
)
_ROLE = Arg("name", _ROLE_METAVAR, role_name)
# Translators: the schedule in the usage line of /rotation add; keep "at" (it is typed).
_SCHEDULE = N_("EVERY [at WEEKDAY HH:MM]")


@rotation.subcommand("add", args=(_ROLE, Arg("schedule", _SCHEDULE, rest=True, judges_empty=True)), example=EXAMPLE)
def add_role(ctx: Context, member: Member, name: str, schedule: str) -> None:
    # Whether the role exists comes first: "there is one already" says more than a quibble with the schedule.
    if ctx.uow.roles.named(ctx.collective.id, name) is not None:
        raise Refusal(_("There is a {role} role already. /roles shows it.", role=name))
    try:
        spec = schedule_of(schedule)
    except ValueError as error:
        raise UsageError(str(error)) from None
    data = role_spec(name, spec.every, spec.weekday, spec.at)
    refuse_unusable(spec.review, ctx.now, ctx.settings.timezone)
    if name not in KNOWN_ROLES:
        if spec.review:
            raise Refusal(
                _(
                    "{role} is a chore, made at once and not by proposal, so it has no review date to come back at.",
                    role=name,
                )
            )
        ctx.reply(create_role(ctx, data))
        return
    # A role with powers is given only by the collective: a proposal, never one member's word.
    if len(ctx.uow.members.active(ctx.collective.id)) == 1:
        # Translators: {outcome} is a sentence saying the role is made ("The facilitator role rotates …").
        said = _("You are the only member, so it applies at once: {outcome}", outcome=create_role(ctx, data))
        if spec.review:
            said += " " + _("(With no proposal, there is nothing to review: no review date.)")
        ctx.reply(said)
        return
    if spec.review:
        data["review"] = spec.review
    pending = ctx.uow.items.find_open(ctx.collective.id, RoleProposal.topic, "name", name)
    if pending is not None:
        raise Refusal(
            _(
                "{heading} about the {role} role is still open; respond to it, or wait for its outcome.",
                heading=heading(pending),
                role=name,
            )
        )
    when = Cadence(spec.every, spec.weekday, spec.at).describe()
    # Translators: a proposal's title; {when} says how often ("every week, Mondays at 18:00").
    title = _("Create the {role} role, rotating {when} among all members", role=name, when=when)
    item = new_item(ctx, RoleProposal.topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)


def _existing(ctx: Context, name: str) -> Role:
    role = ctx.uow.roles.named(ctx.collective.id, name)
    if role is None:
        raise Refusal(
            _("There is no {role} role. /roles lists them; /rotation add {role} EVERY starts one.", role=name)
        )
    return role


@rotation.subcommand("join", args=(_ROLE,))
def join_roster(ctx: Context, member: Member, name: str) -> None:
    role = _existing(ctx, name)
    if not ctx.uow.roles.join(role.id, member.id, ctx.now):
        ctx.reply(_("You are on the {role} roster already.", role=role.name))
        return
    ctx.reply(_("{name} joins the {role} roster.", name=ctx.name(member), role=role.name))
    if role.holder_id is None:
        schedule_handover(ctx, role, ctx.now)
        fill(ctx, role)


@rotation.subcommand("leave", args=(_ROLE,))
def leave_roster(ctx: Context, member: Member, name: str) -> None:
    role = _existing(ctx, name)
    if not ctx.uow.roles.leave(role.id, member.id):
        ctx.reply(_("You are not on the {role} roster.", role=role.name))
        return
    ctx.reply(_("{name} leaves the {role} roster.", name=ctx.name(member), role=role.name))
    if role.holder_id == member.id:
        fill(ctx, role, STEPPED_DOWN, ctx.name(member))


# Translators: accept and decline are typed after /swap: keep them.
swap = group("swap", N_("ask a member to take your current turn; answer with accept or decline"), section=_SECTION)
# Translators: a member named in a usage line (/swap ROLE @member).
_MEMBER_METAVAR = N_("@member")


@swap.default(args=(Arg("name", _ROLE_METAVAR, role_name), Arg("who", _MEMBER_METAVAR, optional=True)))
def ask_swap(ctx: Context, member: Member, name: str, who: str | None) -> None:
    role = ctx.uow.roles.named(ctx.collective.id, name)
    if role is None:
        raise Refusal(_("There is no {role} role. /roles lists them.", role=name))
    if role.holder_id != member.id:
        raise Refusal(_("Only the current holder of the {role} turn can ask to swap it.", role=role.name))
    if who is None:
        raise Refusal(_("Who should take it? /swap {role} @member", role=role.name))
    other = find_member(ctx, who)
    if other.id == member.id:
        raise Refusal(_("That is you."))
    if ctx.uow.roles.pending_swaps(role.id):
        raise Refusal(_("A swap of the {role} turn is already waiting for an answer.", role=role.name))
    ctx.uow.roles.add_swap(Swap(None, role.id, member.id, other.id, ctx.now))
    # Translators: {name} asks {other}; keep "/swap accept" and "/swap decline" (commands).
    asked = _(
        "{name} asks {other} to take the current {role} turn (until {when}). {other}: /swap accept or /swap decline.",
        name=ctx.name(member),
        other=ctx.name(other),
        role=role.name,
        when=ctx.time(role.next_handover_at),
    )
    ctx.reply(asked)


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
            ctx.reply(_("No one has asked you to swap a {role} turn.", role=named))
            return None
    if not asked:
        ctx.reply(_("No one has asked you to swap a turn."))
        return None
    if len(asked) > 1:
        names = ", ".join(role.name for role, unused in asked)
        raise Refusal(
            # Translators: {names} are role names; {command} is "/swap accept" or "/swap decline", {role} one of
            # the names.
            _(
                "Several swaps wait for you ({names}): say which, like {command} {role}.",
                names=names,
                command=cmd(f"swap {verb}"),
                role=asked[0][0].name,
            )
        )
    role, request = asked[0]
    asker = ctx.uow.members.get(request.from_member_id)
    if role.holder_id != request.from_member_id:
        request.status = SWAP_EXPIRED
        ctx.uow.roles.save_swap(request)
        ctx.reply(
            _("That request lapsed: {name} no longer holds the {role} turn.", name=ctx.name(asker), role=role.name)
        )
        return None
    return role, request, asker


_NAMED = Arg("name", _ROLE_METAVAR, role_name, optional=True)


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
    values = {"name": ctx.name(member), "role": role.name, "when": ctx.time(role.next_handover_at)}
    if role.name in KNOWN_ROLES:
        # Translators: {name} takes the turn of {other}; {role} is a role's name as typed (facilitator): keep it.
        swapped = _(
            "Swapped: {name} is {role} now, until {when}; {other} takes a later turn in their place.",
            **values,
            other=ctx.name(asker),
        )
    else:
        # Translators: {name} takes the turn of {other}; {role} is a chore's name as typed (dishes): keep it.
        swapped = _(
            "Swapped: {name} is on {role} now, until {when}; {other} takes a later turn in their place.",
            **values,
            other=ctx.name(asker),
        )
    ctx.reply(swapped)


@swap.subcommand("decline", args=(_NAMED,))
def decline_swap(ctx: Context, member: Member, name: str | None) -> None:
    if (found := _asked(ctx, member, name, "decline")) is None:
        return
    role, request, asker = found
    request.status = SWAP_DECLINED
    ctx.uow.roles.save_swap(request)
    ctx.reply(
        _(
            "{name} declines to swap the {role} turn with {other}.",
            name=ctx.name(member),
            role=role.name,
            other=ctx.name(asker),
        )
    )


@command(
    "whoasked",
    N_("the treasurer learns who asked a private need (in a direct message)"),
    # Translators: an item's number in a usage line (/whoasked [N]).
    args=(Arg("number", N_("N"), item_number, optional=True, looks=looks_like_item_number),),
    section=_SECTION,
    where=Where.ANY,
)
def who_asked(ctx: Context, member: Member, number: int | None) -> None:
    treasurer = holder_of(ctx.uow, ctx.collective.id, TREASURER)
    if treasurer is None or treasurer.id != member.id:
        raise Refusal(_("Only the current treasurer can learn who asked a private need."))
    if not ctx.chat.is_direct:
        raise Refusal(_("Ask me that in a direct message, so the answer stays private."))
    item = resolve(ctx, number, "whoasked")
    if not item.data.get("private"):
        raise Refusal(_("#{number} is not private; its requester is shown with it.", number=item.number))
    stage = ctx.uow.needs.get(item.id).stage
    if stage not in (QUEUED, FUNDED):  # only to pay it out: while approved and not yet paid
        raise Refusal(_(_NOT_YET_OR_NO_LONGER[Stage(stage)], number=item.number))
    asker = ctx.name(ctx.uow.members.get(item.author_id))
    ctx.reply(_("#{number} was asked by {name}. Keep it to yourself.", number=item.number, name=asker))


# Why the treasurer may not learn who asked a private need: its stage, each in a sentence of its own.
_NOT_YET_OR_NO_LONGER = {
    # Translators: #{number} is a private need; this and the five below name its stage (as /needs shows it).
    Stage.DECIDING: N_(
        "#{number} is deciding: the treasurer learns who asked only while a private need is approved and not yet "
        "paid out."
    ),
    Stage.PAID: N_(
        "#{number} is paid: the treasurer learns who asked only while a private need is approved and not yet paid out."
    ),
    Stage.REJECTED: N_(
        "#{number} is rejected: the treasurer learns who asked only while a private need is approved and not yet "
        "paid out."
    ),
    Stage.WITHDRAWN: N_(
        "#{number} is withdrawn: the treasurer learns who asked only while a private need is approved and not yet "
        "paid out."
    ),
    Stage.ASKING: N_(
        "#{number} is asking: the treasurer learns who asked only while a private need is approved and not yet "
        "paid out."
    ),
    Stage.MET: N_(
        "#{number} is done: the treasurer learns who asked only while a private need is approved and not yet paid out."
    ),
}
