"""Joining, leaving, the member list and time away."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import proxies
from bot.chain import witnessed
from bot.commands import Arg, command
from bot.context import Context
from bot.duework import DueScope
from bot.durations import describe_duration, parse_duration
from bot.errors import Refusal
from bot.kinds import MembershipProposal, heading
from bot.language import N_, _
from bot.model import ASKING, DECIDING, FUNDED, PAID, QUEUED, ROUND_WITHDRAWN, DueWork, Item, Member, Stage, Status
from bot.outcomes import admit
from bot.pool import withdraw_need
from bot.principles import DEFAULT_GIST
from bot.proposals import new_item
from bot.record import log_decision
from bot.recurring_needs import running, stop_recurring
from bot.rotation import on_leave
from bot.rounds import end, open_round

AWAY_ENDS = "away_ends"
REQUESTER_LEFT = "requester_left"
QUIET_AFTER = timedelta(hours=12)
# Translators: why a need ends when its requester leaves, shown in brackets: "#4 Bike repair is withdrawn (…)."
ASKER_LEFT = N_("whoever asked has left")


_SECTION = N_("Membership")


@command("join", N_("become a member, accepting our principles"), section=_SECTION)
def join(ctx: Context) -> None:
    collective = ctx.require_collective()
    if ctx.member is not None:
        ctx.reply(_("You are already a member, {name}.", name=ctx.name(ctx.member)))
        return
    sender = ctx.sender
    if ctx.settings.join == "consent" and ctx.uow.members.active(collective.id):
        _ask_to_join(ctx)
        return
    member = admit(ctx, *ctx.person, sender.display_name)
    count = len(ctx.uow.members.active(collective.id))
    if collective.principles:
        # Translators: {number} says which member they are: the third to join is member 3.
        welcome = _(
            "Welcome, {name}! You are member {number} of this collective.\n"
            "By joining you accept our principles (read them with /principles).",
            name=ctx.name(member),
            number=count,
        )
    else:
        # Translators: {number} says which member they are; {gist} is the default principles in a few words.
        welcome = _(
            "Welcome, {name}! You are member {number} of this collective.\n"
            "By joining you accept our principles — {gist} (read them with /principles).",
            name=ctx.name(member),
            number=count,
            gist=_(DEFAULT_GIST),
        )
    ctx.reply(welcome)


def _ask_to_join(ctx: Context) -> None:
    sender = ctx.sender
    platform, user_id = ctx.person
    person = f"{platform}:{user_id}"
    pending = ctx.uow.items.find_open(ctx.collective.id, MembershipProposal.topic, "person", person)
    if pending is not None:
        raise Refusal(
            _("Your request to join is open as {heading}; the members are deciding.", heading=heading(pending))
        )
    candidate = {"platform": platform, "user_id": user_id, "name": sender.display_name}
    # Translators: a proposal's title; {name} is who asks to join.
    title = _("Admit {name} as a member (accepting our principles)", name=sender.display_name)
    item = new_item(ctx, MembershipProposal.topic, title, data={"person": person, "candidate": candidate}, author=False)
    ctx.reply(
        _(
            "{name}, this collective admits members by consent: your request is proposal #{number}, and you become "
            "a member when it is adopted.",
            name=sender.display_name,
            number=item.number,
        )
    )
    open_round(ctx, item, ctx.settings.proposal_duration)


@command("leave", N_("stop being a member"), section=_SECTION)
def leave(ctx: Context, member: Member) -> None:
    member.active, member.left_at, member.away_until = False, ctx.now, None
    ctx.uow.members.save(member)
    ctx.uow.due.cancel(member.collective_id, AWAY_ENDS, member.id)
    ctx.uow.tokens.revoke(member.id)  # their page and calendar links stop working (bot.web_links)
    ctx.reply(
        _(
            "{name} has left the collective. What you said and decided stays in the record; /join again whenever "
            "you like.",
            name=ctx.name(member),
        )
    )
    on_leave(ctx, member)
    proxies.on_leave(ctx, member)
    for stage in (DECIDING, QUEUED, FUNDED, ASKING):
        for item, _need in ctx.uow.needs.in_stage(member.collective_id, stage):
            if item.author_id != member.id:
                continue
            if not item.data.get("private"):
                withdraw_any(ctx, item, stage, _(ASKER_LEFT))
                continue
            # Silently now: a message right after "… has left" would say who asked. Marked, it is never
            # funded, paid or decided, even if they come back; the group hears at its next due moment.
            item.data["requester_left"] = True
            ctx.uow.items.save(item)
            if stage != DECIDING:  # a round's own close is its next due moment
                moment = quiet_moment(ctx.now, ctx.settings.timezone)
                ctx.uow.due.add(DueWork(None, member.collective_id, REQUESTER_LEFT, item.id, moment))
    for item, _need in ctx.uow.needs.in_stage(member.collective_id, PAID):
        # A recurring need between periods (the last one paid out, the next not due yet) ends too.
        if item.author_id != member.id or not running(item):
            continue
        if item.data.get("private"):  # marked, its next period is its due moment: it stops then, quietly
            item.data["requester_left"] = True
            ctx.uow.items.save(item)
        else:
            stop_recurring(ctx, item, _(ASKER_LEFT), release=True)


def quiet_moment(now: datetime, zone: ZoneInfo) -> datetime:
    """When the group hears that a private need's requester left: the first local
    midnight at least twelve hours on, apart from the leaving."""
    local = (now + QUIET_AFTER).astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 0)).replace(tzinfo=zone)
    return midnight.astimezone(now.tzinfo)


def withdraw_any(scope, item: Item, stage: str, reason: str) -> None:
    """Withdraw a need in whatever stage it is, and say so."""
    if stage in (QUEUED, FUNDED):
        withdraw_need(scope, item, reason)
        return
    if stage == DECIDING and not end(scope, item, scope.uow.rounds.latest(item.id), ROUND_WITHDRAWN):
        return
    need = scope.uow.needs.get(item.id)
    need.stage = Stage.WITHDRAWN
    scope.uow.needs.save(need)
    item.status, item.decided_at = Status.WITHDRAWN, scope.now
    scope.uow.items.save(item)
    if stage == ASKING:
        log_decision(scope, item, "withdrawn")
    if reason:
        # Translators: {heading} is a need ("#4 Bike repair"), {reason} why it is withdrawn.
        said = _("{heading} is withdrawn ({reason}).", heading=heading(item), reason=reason)
    else:
        said = _("{heading} is withdrawn.", heading=heading(item))
    scope.announce(witnessed(said, item.collective_id), about=item)


def requester_left(scope: DueScope) -> None:
    """A private need's next due moment after its requester left: now it is withdrawn."""
    item = scope.uow.items.get(scope.work.subject_id)
    need = scope.uow.needs.get(item.id)
    if need.stage not in (QUEUED, FUNDED, ASKING):
        return  # it ended another way meanwhile
    withdraw_any(scope, item, need.stage, "")  # worded as any private withdrawal: nothing ties it to a leaving


@command("members", N_("who the members are"), section=_SECTION)
def members(ctx: Context) -> None:
    collective = ctx.require_collective()
    current = ctx.uow.members.active(collective.id)
    if not current:
        ctx.reply(_("No members yet. /principles, then /join to be the first."))
        return
    # Translators: the heading of /members; {count} is how many there are.
    lines = [_("Members ({count}):", count=len(current))]
    for member in current:
        if member.is_away(ctx.now):
            lines.append(_("• {name} — away until {when}", name=ctx.name(member), when=ctx.time(member.away_until)))
        else:
            lines.append(f"• {ctx.name(member)}")
    ctx.reply("\n".join(lines))


def _away_argument(text: str) -> timedelta | None:
    if text.lower() == "off":
        return None
    return parse_duration(text)


@command(
    "away",
    N_("be skipped by rotations for a while"),
    # Translators: the argument in the usage line of /away; keep "off" (it is typed).
    args=(Arg("duration", N_("DURATION|off"), _away_argument),),
    # Translators: 30m, 12h, 3d and 2w are durations as typed (minutes, hours, days, weeks); keep "/away off".
    details=N_("DURATION is like 30m, 12h, 3d or 2w; /away off ends it early."),
    section=_SECTION,
)
def away(ctx: Context, member: Member, duration: timedelta | None) -> None:
    ctx.uow.due.cancel(member.collective_id, AWAY_ENDS, member.id)
    if duration is None:
        was_away = member.is_away(ctx.now)
        member.away_until = None
        ctx.uow.members.save(member)
        if not was_away:
            ctx.reply(_("You were not marked away; nothing changed."))
        else:
            ctx.reply(_("Welcome back, {name}: rotations include you again.", name=ctx.name(member)))
        return
    member.away_until = ctx.now + duration
    ctx.uow.members.save(member)
    ctx.uow.due.add(DueWork(None, member.collective_id, AWAY_ENDS, member.id, member.away_until))
    ctx.reply(
        _(
            "{name}, you are away for {duration}, until {when}. Rotations skip you meanwhile; /away off ends it early.",
            name=ctx.name(member),
            duration=describe_duration(duration),
            when=ctx.time(member.away_until),
        )
    )


def away_ends(scope: DueScope) -> None:
    member = scope.uow.members.get(scope.work.subject_id)
    if not member.active or member.away_until is None or member.away_until > scope.now:
        return  # left, came back early, or went away again meanwhile
    member.away_until = None
    scope.uow.members.save(member)
    scope.announce(_("{name} is back from time away; rotations include them again.", name=scope.name(member)))


DUE_HANDLERS = {AWAY_ENDS: away_ends, REQUESTER_LEFT: requester_left}
