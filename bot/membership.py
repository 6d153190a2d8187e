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
from bot.model import ASKING, DECIDING, FUNDED, PAID, QUEUED, ROUND_WITHDRAWN, DueWork, Item, Member, Stage, Status
from bot.outcomes import admit
from bot.pool import withdraw_need
from bot.principles import DEFAULT_GIST
from bot.proposals import new_item
from bot.record import log_decision
from bot.recurring_needs import running, stop_recurring
from bot.rotation import on_leave
from bot.rounds import end, open_round
from bot.text import cmd

AWAY_ENDS = "away_ends"
REQUESTER_LEFT = "requester_left"
QUIET_AFTER = timedelta(hours=12)


_SECTION = "Membership"


@command("join", "become a member, accepting our principles", section=_SECTION)
def join(ctx: Context) -> None:
    collective = ctx.require_collective()
    if ctx.member is not None:
        ctx.reply(f"You are already a member, {ctx.name(ctx.member)}.")
        return
    sender = ctx.sender
    if ctx.settings.join == "consent" and ctx.uow.members.active(collective.id):
        _ask_to_join(ctx)
        return
    member = admit(ctx, *ctx.person, sender.display_name)
    count = len(ctx.uow.members.active(collective.id))
    gist = "our principles" if collective.principles else f"our principles — {DEFAULT_GIST}"
    ctx.reply(
        f"Welcome, {ctx.name(member)}! You are member {count} of this collective.\n"
        f"By joining you accept {gist} (read them with {cmd('principles')})."
    )


def _ask_to_join(ctx: Context) -> None:
    sender = ctx.sender
    platform, user_id = ctx.person
    person = f"{platform}:{user_id}"
    pending = ctx.uow.items.find_open(ctx.collective.id, MembershipProposal.topic, "person", person)
    if pending is not None:
        raise Refusal(f"Your request to join is open as {heading(pending)}; the members are deciding.")
    candidate = {"platform": platform, "user_id": user_id, "name": sender.display_name}
    title = f"Admit {sender.display_name} as a member (accepting our principles)"
    item = new_item(ctx, MembershipProposal.topic, title, data={"person": person, "candidate": candidate}, author=False)
    ctx.reply(
        f"{sender.display_name}, this collective admits members by consent: your request is proposal "
        f"#{item.number}, and you become a member when it is adopted."
    )
    open_round(ctx, item, ctx.settings.proposal_duration)


@command("leave", "stop being a member", section=_SECTION)
def leave(ctx: Context, member: Member) -> None:
    member.active, member.left_at, member.away_until = False, ctx.now, None
    ctx.uow.members.save(member)
    ctx.uow.due.cancel(member.collective_id, AWAY_ENDS, member.id)
    ctx.uow.tokens.revoke(member.id)  # their page and calendar links stop working (bot.web_links)
    ctx.reply(
        f"{ctx.name(member)} has left the collective. What you said and decided stays in the record; "
        f"{cmd('join')} again whenever you like."
    )
    on_leave(ctx, member)
    proxies.on_leave(ctx, member)
    for stage in (DECIDING, QUEUED, FUNDED, ASKING):
        for item, _ in ctx.uow.needs.in_stage(member.collective_id, stage):
            if item.author_id != member.id:
                continue
            if not item.data.get("private"):
                withdraw_any(ctx, item, stage, "whoever asked has left")
                continue
            # Silently now: a message right after "… has left" would say who asked. Marked, it is never
            # funded, paid or decided, even if they come back; the group hears at its next due moment.
            item.data["requester_left"] = True
            ctx.uow.items.save(item)
            if stage != DECIDING:  # a round's own close is its next due moment
                moment = quiet_moment(ctx.now, ctx.settings.timezone)
                ctx.uow.due.add(DueWork(None, member.collective_id, REQUESTER_LEFT, item.id, moment))
    for item, _ in ctx.uow.needs.in_stage(member.collective_id, PAID):
        # A recurring need between periods (the last one paid out, the next not due yet) ends too.
        if item.author_id != member.id or not running(item):
            continue
        if item.data.get("private"):  # marked, its next period is its due moment: it stops then, quietly
            item.data["requester_left"] = True
            ctx.uow.items.save(item)
        else:
            stop_recurring(ctx, item, "whoever asked has left", release=True)


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
    because = f" ({reason})" if reason else ""
    scope.announce(witnessed(f"{heading(item)} is withdrawn{because}.", item.collective_id), about=item)


def requester_left(scope: DueScope) -> None:
    """A private need's next due moment after its requester left: now it is withdrawn."""
    item = scope.uow.items.get(scope.work.subject_id)
    need = scope.uow.needs.get(item.id)
    if need.stage not in (QUEUED, FUNDED, ASKING):
        return  # it ended another way meanwhile
    withdraw_any(scope, item, need.stage, "")  # worded as any private withdrawal: nothing ties it to a leaving


@command("members", "who the members are", section=_SECTION)
def members(ctx: Context) -> None:
    collective = ctx.require_collective()
    current = ctx.uow.members.active(collective.id)
    if not current:
        ctx.reply(f"No members yet. {cmd('principles')}, then {cmd('join')} to be the first.")
        return
    lines = [f"Members ({len(current)}):"]
    shown = ctx.name
    for member in current:
        note = f" — away until {ctx.time(member.away_until)}" if member.is_away(ctx.now) else ""
        lines.append(f"• {shown(member)}{note}")
    ctx.reply("\n".join(lines))


def _away_argument(text: str) -> timedelta | None:
    if text.lower() == "off":
        return None
    return parse_duration(text)


@command(
    "away",
    "be skipped by rotations for a while",
    args=(Arg("duration", "DURATION|off", _away_argument),),
    details=f"DURATION is like 30m, 12h, 3d or 2w; {cmd('away')} off ends it early.",
    section=_SECTION,
)
def away(ctx: Context, member: Member, duration: timedelta | None) -> None:
    ctx.uow.due.cancel(member.collective_id, AWAY_ENDS, member.id)
    if duration is None:
        was_away = member.is_away(ctx.now)
        member.away_until = None
        ctx.uow.members.save(member)
        if not was_away:
            ctx.reply("You were not marked away; nothing changed.")
        else:
            ctx.reply(f"Welcome back, {ctx.name(member)}: rotations include you again.")
        return
    member.away_until = ctx.now + duration
    ctx.uow.members.save(member)
    ctx.uow.due.add(DueWork(None, member.collective_id, AWAY_ENDS, member.id, member.away_until))
    ctx.reply(
        f"{ctx.name(member)}, you are away for {describe_duration(duration)}, until "
        f"{ctx.time(member.away_until)}. Rotations skip you meanwhile; {cmd('away')} off ends it early."
    )


def away_ends(scope: DueScope) -> None:
    member = scope.uow.members.get(scope.work.subject_id)
    if not member.active or member.away_until is None or member.away_until > scope.now:
        return  # left, came back early, or went away again meanwhile
    member.away_until = None
    scope.uow.members.save(member)
    scope.announce(f"{scope.name(member)} is back from time away; rotations include them again.")


DUE_HANDLERS = {AWAY_ENDS: away_ends, REQUESTER_LEFT: requester_left}
