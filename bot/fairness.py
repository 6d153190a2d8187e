"""Who serves next, and when the next handover is: pure functions.

The next holder is the roster member who served the role least recently
(never is least recent), then who served it fewest times, then who joined the
collective earliest; members away are skipped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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
    weekday and time."""

    every: timedelta
    weekday: int | None = None  # 0 = Monday
    at: tuple[int, int] | None = None  # (hour, minute), local

    def describe(self) -> str:
        from bot.durations import describe_duration

        text = f"every {describe_duration(self.every)}"
        if self.weekday is not None and self.at is not None:
            text += f", {WEEKDAYS[self.weekday].capitalize()}s at {self.at[0]:02d}:{self.at[1]:02d}"
        return text


def after(moment: datetime, cadence: Cadence, zone: ZoneInfo) -> datetime:
    """The handover that follows one at ``moment``: ``every`` later in local
    wall-clock time (so 09:00 stays 09:00 across daylight-saving changes), then
    on to the next given weekday and time."""
    local = moment.astimezone(zone)
    if cadence.every % timedelta(days=1):
        target = moment + cadence.every  # hours and minutes are absolute
    else:
        target = _local(local.replace(tzinfo=None) + cadence.every, zone)
    if cadence.weekday is None or cadence.at is None:
        return target
    candidate = target.astimezone(zone).replace(hour=cadence.at[0], minute=cadence.at[1], second=0, microsecond=0)
    candidate = _local(candidate.replace(tzinfo=None), zone)
    days = (cadence.weekday - candidate.astimezone(zone).weekday()) % 7
    candidate = _local(candidate.astimezone(zone).replace(tzinfo=None) + timedelta(days=days), zone)
    if candidate < target:
        candidate = _local(candidate.astimezone(zone).replace(tzinfo=None) + timedelta(days=7), zone)
    return candidate


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
    raise ValueError(f"'{text}' is not a weekday; write mon, tue, wed, thu, fri, sat or sun.")


def parse_clock(text: str) -> tuple[int, int]:
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"'{text}' is not a time of day; write it like 09:00 or 18:30.")
    return int(hours), int(minutes)
