"""A member's calendar feed (iCalendar, built with the ``icalendar`` library): their turns and the handovers
that start or end them, and the deadlines of the collective's open items.

- Every event's UID is derived from what it is — the collective, the role and the turn's number, or the
  item's number and round — so a calendar app that fetches the feed again updates an event instead of adding
  a second one (a deadline extended keeps its UID; a new round is a new deadline). It ends with the host of
  ``[web] base_url`` (``turn-1-2-3@collective.example.org``), so the feeds of two installations, which
  number their collectives alike, never share a UID in one calendar.
- Times are in the collective's time zone (``TZID``, with the ``VTIMEZONE`` definitions the library adds), so
  a turn that starts at 09:00 local stays there across a daylight-saving change.
- Events that ended more than ``KEPT_PAST`` ago are left out, so the feed stays small.
- Its words are in the collective's language (made while it is spoken); role names and titles stay as typed,
  and the commands it mentions are written with ``/``, as on Telegram and the console."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from bot.context import Scope
from bot.fairness import next_after
from bot.language import _
from bot.model import Member, Role
from bot.rotation import cadence, next_in_line
from bot.text import with_commands

KEPT_PAST = timedelta(days=60)
PRODID = "-//collective-bot//calendar feed//EN"


def calendar_feed(scope: Scope, member: Member, host: str) -> bytes:
    feed = Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("x-wr-calname", _("Collective: your turns and deadlines"))
    feed.add("x-wr-timezone", scope.settings.timezone.key)
    oldest = scope.now - KEPT_PAST
    for event in [*_turns(scope, member, host), *_deadlines(scope, host)]:
        ends = event.get("dtend")
        if (ends.dt if ends is not None else event["dtstart"].dt) < oldest:
            continue
        event.add("dtstamp", scope.now)
        feed.add_component(event)
    feed.add_missing_timezones()
    return feed.to_ical()


def uid(scope: Scope, host: str, *parts: object) -> str:
    return "-".join(str(part) for part in (*parts[:1], scope.collective.id, *parts[1:])) + f"@{host}"


def _event(scope: Scope, key: str, summary: str, starts: datetime, ends: datetime | None, description: str = ""):
    event = Event()
    event.add("uid", key)
    event.add("summary", summary)
    zone = scope.settings.timezone
    event.add("dtstart", starts.astimezone(zone))
    if ends is not None:
        event.add("dtend", ends.astimezone(zone))
    if description:
        event.add("description", description)
    return event


def _turns(scope: Scope, member: Member, host: str) -> list[Event]:
    found = []
    for role in scope.uow.roles.of_collective(member.collective_id):
        turns = scope.uow.roles.turns(role.id)
        for number, turn in enumerate(turns, 1):
            if turn.member_id != member.id:
                continue
            ends = turn.ended_at or role.next_handover_at
            key = uid(scope, host, "turn", role.id, number)
            found.append(_event(scope, key, _your_turn(role), turn.started_at, ends))
        if role.next_handover_at is None:
            continue
        coming = len(turns) + 1  # the number the next turn will have
        holds = role.holder_id == member.id
        following = next_in_line(scope, role) if role.holder_id is not None else None
        takes_over = following is not None and following.id == member.id and not holds
        if takes_over:
            zone = scope.settings.timezone
            after = next_after(role.next_handover_at, role.next_handover_at, cadence(role, zone), zone)
            found.append(
                _event(
                    scope,
                    uid(scope, host, "turn", role.id, coming),
                    _your_turn(role),
                    role.next_handover_at,
                    after,
                    _("As things stand now: the fairness rule chooses at the handover."),
                )
            )
        if holds or takes_over:
            if holds:
                summary = _("Handover: you hand {role} over", role=role.name)
            else:
                summary = _("Handover: you take over {role}", role=role.name)
            found.append(
                _event(
                    scope,
                    uid(scope, host, "handover", role.id, coming),
                    summary,
                    role.next_handover_at,
                    None,
                    # Translators: "@member" stands for the member asked, as a member would type it.
                    with_commands(_("Can't? Ask someone to swap: /swap {role} @member", role=role.name)),
                )
            )
    return found


def _your_turn(role: Role) -> str:
    return _("Your turn: {role}", role=role.name)


def _deadlines(scope: Scope, host: str) -> list[Event]:
    items = scope.uow.items.open(scope.collective.id)
    latest = scope.uow.reads.latest_for([item.id for item in items])
    found = []
    for item in items:
        round_ = latest.get(item.id)
        if round_ is None:
            continue
        found.append(
            _event(
                scope,
                uid(scope, host, "deadline", item.number, round_.number),
                _("#{number} closes: {title}", number=item.number, title=round_.title),
                round_.closes_at,
                None,
                with_commands(
                    # Translators: REASON stands for the reason a member types.
                    _(
                        "Respond in the group before then: /agree {number}, /object {number} REASON, …",
                        number=item.number,
                    )
                ),
            )
        )
    return found
