"""Who serves next, and when the next handover is: pure functions.

The next holder is the roster member who served the role least recently
(never is least recent), then who served it fewest times, then who joined the
collective earliest; members away are skipped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.language import N_, _

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class Candidate:
    member_id: int
    joined_at: datetime
    last_served: datetime | None  # when their latest turn of this role began
    turns: int
    away: bool


def next_holder(candidates: Iterable[Candidate]) -> int | None:
    present = [c for c in candidates if not c.away]
    if not present:
        return None
    never = datetime.min.replace(tzinfo=ZoneInfo("UTC"))
    return min(present, key=lambda c: (c.last_served or never, c.turns, c.joined_at, c.member_id)).member_id


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often a role changes hands: every ``every``, optionally at a local
    weekday and time. ``anchor`` is the local time of day that whole-day
    cadences keep when no time is given (when the role began)."""

    every: timedelta
    weekday: int | None = None  # 0 = Monday
    at: tuple[int, int] | None = None  # (hour, minute), local
    anchor: tuple[int, int] | None = None

    def describe(self) -> str:
        """``every week, Mondays at 09:00``; ``every 2 days, at 18:00``."""
        from bot.durations import describe_period

        period = describe_period(self.every)
        if self.at is None:
            return period
        clock = f"{self.at[0]:02d}:{self.at[1]:02d}"
        if self.weekday is not None:
            return _(_ON_WEEKDAYS[self.weekday], period=period, time=clock)
        # Translators: how often a role changes hands; {period} is how often ("every 2 days"): "every day, at 09:00".
        return _("{period}, at {time}", period=period, time=clock)


# How often a role changes hands, on which weekday, at what time: one message for each weekday (0 = Monday).
_ON_WEEKDAYS = (
    # Translators: how often a role changes hands, on which weekday and at what time; {period} is how often
    # ("every week", "every 2 weeks"): "every week, Mondays at 09:00".
    N_("{period}, Mondays at {time}"),
    N_("{period}, Tuesdays at {time}"),
    N_("{period}, Wednesdays at {time}"),
    N_("{period}, Thursdays at {time}"),
    N_("{period}, Fridays at {time}"),
    N_("{period}, Saturdays at {time}"),
    N_("{period}, Sundays at {time}"),
)


def after(moment: datetime, cadence: Cadence, zone: ZoneInfo) -> datetime:
    """The handover that follows one at ``moment``. Whole-day cadences count
    local calendar days and land on the intended local time (09:00 stays 09:00
    across daylight-saving changes; a time in the spring gap is taken just
    after it, and the next one is on time again), then move on to the given
    weekday. Hours and minutes are absolute."""
    if cadence.every % timedelta(days=1):
        return moment + cadence.every
    local = moment.astimezone(zone)
    day = local.date() + timedelta(days=cadence.every.days)
    if cadence.weekday is not None:
        day += timedelta(days=(cadence.weekday - day.weekday()) % 7)
    hour, minute = cadence.at or cadence.anchor or (local.hour, local.minute)
    return _local(datetime.combine(day, time(hour, minute)), zone)


def next_after(moment: datetime, now: datetime, cadence: Cadence, zone: ZoneInfo) -> datetime:
    """The first handover after ``now`` in the series through ``moment`` (after
    a long downtime, one late handover, then back on schedule)."""
    following = after(moment, cadence, zone)
    while following <= now:
        following = after(following, cadence, zone)
    return following


def _local(naive: datetime, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as an aware UTC time. With fold=0 a time skipped
    by the spring change lands just after the gap (02:30 → 03:30), and a time
    repeated in autumn is taken at its first occurrence."""
    return naive.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def parse_weekday(text: str) -> int:
    word = text.strip().lower()
    for number, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return number
    # Translators: {text} is what the member typed; mon … sun are typed as they are (the bot reads them in English).
    raise ValueError(_("'{text}' is not a weekday; write mon, tue, wed, thu, fri, sat or sun.", text=text))


def parse_clock(text: str) -> tuple[int, int]:
    hours, __, minutes = text.strip().partition(":")
    digits = hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()
    if not (digits and len(hours) <= 2 and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
        # Translators: {text} is what the member typed.
        raise ValueError(_("'{text}' is not a time of day; write it like 09:00 or 18:30.", text=text))
    return int(hours), int(minutes)
