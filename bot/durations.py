"""Durations as members type them (30m, 12h, 3d, 2w) and back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.language import _, ngettext

_UNITS = {"m": ("minute", 60), "h": ("hour", 3600), "d": ("day", 86400), "w": ("week", 604800)}
_PATTERN = re.compile(r"(\d{1,6})([mhdw])")
# What a member may have meant as a duration, valid or not: 0d, 53w, 1.5d, -2h, 3days.
_SHAPE = re.compile(
    r"[+-]?\d+(?:[.,]\d+)?(?:m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)"
    r"(?![a-z])\S*",  # and whatever sticks to it: 3d. 1w! 1h30m 3d12h
    re.IGNORECASE,
)
LONGEST = timedelta(days=366)


def parse_duration(text: str) -> timedelta:
    """Parse ``30m``, ``12h``, ``3d``, ``2w``; raise ValueError with a member-readable message."""
    match = _PATTERN.fullmatch(text.strip().lower())
    if not match:
        raise ValueError(
            _("'{text}' is not a duration: use a whole number and a unit, e.g. 30m, 12h, 3d or 2w.", text=text)
        )
    amount, unit = int(match.group(1)), match.group(2)
    if amount == 0:
        raise ValueError(_("A duration must be longer than zero."))
    duration = timedelta(seconds=amount * _UNITS[unit][1])
    if duration > LONGEST:
        raise ValueError(_("That is too long: durations go up to a year (52w)."))
    return duration


def looks_like_duration(word: str) -> bool:
    return _SHAPE.fullmatch(word.strip()) is not None


def later(moment: datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    """``moment`` plus ``duration``. Whole days and weeks keep the local clock time
    across a daylight-saving change (3 days from Friday 10:00 is Monday 10:00);
    hours and minutes are exact."""
    if duration % timedelta(days=1):
        return moment + duration
    local = moment.astimezone(zone)
    wall = (local.replace(tzinfo=None) + duration).replace(tzinfo=zone)
    return wall.astimezone(moment.tzinfo)


def describe_duration(duration: timedelta) -> str:
    """``timedelta(days=3)`` → ``3 days``; picks the largest unit that divides it."""
    count, unit = _largest_unit(duration)
    if unit == "w":
        return ngettext("{count} week", "{count} weeks", count)
    if unit == "d":
        return ngettext("{count} day", "{count} days", count)
    if unit == "h":
        return ngettext("{count} hour", "{count} hours", count)
    if unit == "m":
        return ngettext("{count} minute", "{count} minutes", count)
    return ngettext("{count} second", "{count} seconds", count)


def describe_period(duration: timedelta) -> str:
    """How often something recurs: ``every week``, ``every 2 weeks``, ``every 3 days`` (never "every 1 week")."""
    count, unit = _largest_unit(duration)
    if unit == "w":
        # Translators: how often something recurs (a role's handover, a recurring need).
        return ngettext("every week", "every {count} weeks", count)
    if unit == "d":
        return ngettext("every day", "every {count} days", count)
    if unit == "h":
        return ngettext("every hour", "every {count} hours", count)
    if unit == "m":
        return ngettext("every minute", "every {count} minutes", count)
    return ngettext("every second", "every {count} seconds", count)


def _largest_unit(duration: timedelta) -> tuple[int, str]:
    """A duration as a count of the largest unit that divides it: (3, "d"); seconds ("s") when none does."""
    seconds = int(duration.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return seconds // size, unit
    return seconds, "s"


def format_duration(duration: timedelta) -> str:
    """``timedelta(days=3)`` → ``3d``: the form a member types."""
    seconds = int(duration.total_seconds())
    for letter, (_name, size) in sorted(_UNITS.items(), key=lambda kv: -kv[1][1]):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{letter}"
    return f"{max(1, seconds // 60)}m"
