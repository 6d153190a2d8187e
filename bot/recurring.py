"""Recurring needs as members write them, and their calendar: ``/need 50 rent every month for 6 months``,
``every week``, ``every 2w`` (durations as everywhere: ``m`` is minutes, so a need recurs in whole days or
weeks, or every calendar month).

``every month`` keeps the day of the month of the approval, in the collective's time zone, clamped to a
shorter month's length (approved 31 January: 28 February, then 31 March). Without ``for N`` a need recurs
for a year (12 months, 52 weeks, …), and is approved on that year's total; a longer term is asked for with
``for N``, up to two years, so no support runs on without the collective having weighed all of it.

An item keeps its recurrence in ``data["recurring"]``: ``{"every": "month" or seconds, "periods": N}``."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.durations import describe_duration, later, looks_like_duration, parse_duration
from bot.errors import Refusal

MONTH = "month"
DAY = timedelta(days=1)
LONGEST_TERM = timedelta(days=730)  # two years
MONTHS_AT_MOST = 24
FORMS = "every month, every week or every 2w, then optionally for N (e.g. every month for 6 months)"
_PERIOD_WORDS = {"month", "months", "week", "weeks", "day", "days", "year", "years", "fortnight", "other"}
_COUNT_WORDS = {"times", "time", "periods", "period", "fundings", "funding"}


def _meant_as_period(word: str) -> bool:
    low = word.lower().rstrip(".,;")
    return low in _PERIOD_WORDS or looks_like_duration(low) or low.isdigit()


def split_recurrence(line: str) -> tuple[str, dict | None]:
    """A need's first line without its recurrence, and the recurrence; a recurrence meant but malformed is
    refused. ``every`` followed by anything but a period ("for every child") is part of the text."""
    words = line.split()
    starts = [i for i, word in enumerate(words) if word.lower() == "every" and i + 1 < len(words)]
    start = next((i for i in reversed(starts) if _meant_as_period(words[i + 1])), None)
    if start is None:
        return line, None
    clause = words[start:]
    category = []
    if clause[-1].startswith("#") and len(clause) > 2:  # "… every month #housing"
        category = [clause.pop()]
    every = _every(clause[1])
    periods = _periods(every, clause[2:])
    return " ".join(words[:start] + category), {"every": every, "periods": periods}


def _every(word: str) -> str | int:
    low = word.lower()
    if low in ("month", "months"):
        return MONTH
    if low in ("week", "weeks"):
        return int(timedelta(weeks=1).total_seconds())
    if low in ("day", "days"):
        return int(DAY.total_seconds())
    if low.isdigit():
        raise Refusal(f"Write the period as one word: every {word}w (weeks) or every {word}d (days); or every month.")
    if low in ("year", "years"):
        raise Refusal("A need recurs for two years at most: every month for 24 months, say.")
    try:
        duration = parse_duration(low)
    except ValueError as error:
        raise Refusal(f"'every {word}' is not a period: {error} Write {FORMS}.") from None
    if duration % DAY:
        raise Refusal(
            f"'every {word}' is every {describe_duration(duration)}: a need recurs in whole days or weeks, or every "
            "month (months are not written with m, which is minutes)."
        )
    return int(duration.total_seconds())


def _periods(every: str | int, words: list[str]) -> int:
    at_most = most_periods(every)
    if not words:
        return default_periods(every)
    if words[0].lower() != "for" or len(words) not in (2, 3):
        raise Refusal(f"I could not read '{' '.join(words)}' after the period. Write {FORMS}.")
    count = words[1]
    if not (count.isascii() and count.isdigit()) or int(count) == 0:
        raise Refusal(f"'for {count}' needs a whole number of fundings, like for 6.")
    if len(words) == 3:
        unit = words[2].lower()
        fits = unit in _COUNT_WORDS
        if every == MONTH:
            fits = fits or unit in ("month", "months")
        elif every == int(timedelta(weeks=1).total_seconds()):
            fits = fits or unit in ("week", "weeks")
        elif every == int(DAY.total_seconds()):
            fits = fits or unit in ("day", "days")
        if not fits:
            raise Refusal(
                f"'for {count} {words[2]}' does not say how many fundings: 'for N' counts them (for {count}, or "
                f"for {count} times)."
            )
    if int(count) > at_most:
        raise Refusal(f"A need recurs for two years at most: {at_most} fundings {describe_every(every)}.")
    return int(count)


def most_periods(every: str | int) -> int:
    return MONTHS_AT_MOST if every == MONTH else max(1, LONGEST_TERM // timedelta(seconds=every))


def default_periods(every: str | int) -> int:
    """Without ``for N``: a year's worth."""
    return 12 if every == MONTH else max(1, timedelta(days=365) // timedelta(seconds=every))


def describe_every(every: str | int) -> str:
    if every == MONTH:
        return "every month"
    duration = timedelta(seconds=every)
    if duration in (timedelta(weeks=1), DAY):
        return f"every {describe_duration(duration)[2:]}"  # "every week", "every day"
    return f"every {describe_duration(duration)}"


def describe(recurring: dict) -> str:
    """``every month, 6 times``."""
    count = recurring["periods"]
    return f"{describe_every(recurring['every'])}, {count} time{'s' if count != 1 else ''}"


def period_start(recurring: dict, anchor: datetime, period: int, zone: ZoneInfo) -> datetime:
    """When period ``period`` (1 is the approval) falls due: whole months on the local calendar, the
    anchor's day clamped to the month's length, at the anchor's local clock time; days and weeks as
    everywhere (``bot.durations.later``)."""
    if recurring["every"] != MONTH:
        return later(anchor, timedelta(seconds=recurring["every"] * (period - 1)), zone)
    local = anchor.astimezone(zone)
    months = local.month - 1 + period - 1
    year, month = local.year + months // 12, months % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    wall = local.replace(tzinfo=None).replace(year=year, month=month, day=day)
    return wall.replace(tzinfo=zone).astimezone(anchor.tzinfo)
