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

from bot.durations import describe_duration, describe_period, later, looks_like_duration, parse_duration
from bot.errors import Refusal
from bot.language import _, ngettext

MONTH = "month"
DAY = timedelta(days=1)
LONGEST_TERM = timedelta(days=730)  # two years
MONTHS_AT_MOST = 24
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
        # Translators: {number} is the number typed after "every"; "every", "w", "d" and "every month" are typed as
        # they are (the bot reads them in English only).
        raise Refusal(
            _(
                "Write the period as one word: every {number}w (weeks) or every {number}d (days); or every month.",
                number=word,
            )
        )
    if low in ("year", "years"):
        # Translators: "every month for 24 months" is typed as it is (the bot reads it in English only).
        raise Refusal(_("A need recurs for two years at most: every month for 24 months, say."))
    try:
        duration = parse_duration(low)
    except ValueError as error:
        # Translators: {word} is what the member typed after "every", {error} a sentence saying what is wrong with
        # it. "every month", "every week", "every 2w" and "for N" are typed as they are (read in English only).
        refusal = _(
            "'every {word}' is not a period: {error} Write every month, every week or every 2w, then optionally for "
            "N (e.g. every month for 6 months).",
            word=word,
            error=error,
        )
        raise Refusal(refusal) from None
    if duration % DAY:
        # Translators: {word} is what the member typed after "every" (3m), {duration} what it means (3 minutes).
        refusal = _(
            "'every {word}' is every {duration}: a need recurs in whole days or weeks, or every month (months are not "
            "written with m, which is minutes).",
            word=word,
            duration=describe_duration(duration),
        )
        raise Refusal(refusal)
    return int(duration.total_seconds())


def _periods(every: str | int, words: list[str]) -> int:
    at_most = most_periods(every)
    if not words:
        return default_periods(every)
    if words[0].lower() != "for" or len(words) not in (2, 3):
        # Translators: {words} is what the member typed after the period. "every month", "every week", "every 2w"
        # and "for N" are typed as they are (read in English only).
        refusal = _(
            "I could not read '{words}' after the period. Write every month, every week or every 2w, then "
            "optionally for N (e.g. every month for 6 months).",
            words=" ".join(words),
        )
        raise Refusal(refusal)
    count = words[1]
    if not (count.isascii() and count.isdigit()) or int(count) == 0:
        # Translators: {number} is what the member typed after "for"; "for 6" is typed as it is.
        raise Refusal(_("'for {number}' needs a whole number of fundings, like for 6.", number=count))
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
            # Translators: {number} and {word} are what the member typed after "for" (for 6 weeks, with every month);
            # "for N", "for {number}" and "for {number} times" are typed as they are (read in English only).
            refusal = _(
                "'for {number} {word}' does not say how many fundings: 'for N' counts them (for {number}, or for "
                "{number} times).",
                number=count,
                word=words[2],
            )
            raise Refusal(refusal)
    if int(count) > at_most:
        # Translators: {every} says how often a need recurs: "every month", "every 2 weeks". The English singular
        # keeps the plural's words.
        refusal = ngettext(
            "A need recurs for two years at most: {count} fundings {every}.",
            "A need recurs for two years at most: {count} fundings {every}.",
            at_most,
            every=describe_every(every),
        )
        raise Refusal(refusal)
    return int(count)


def most_periods(every: str | int) -> int:
    return MONTHS_AT_MOST if every == MONTH else max(1, LONGEST_TERM // timedelta(seconds=every))


def default_periods(every: str | int) -> int:
    """Without ``for N``: a year's worth."""
    return 12 if every == MONTH else max(1, timedelta(days=365) // timedelta(seconds=every))


def describe_every(every: str | int) -> str:
    """How often a need recurs: ``every month``, ``every week``, ``every 2 weeks``."""
    if every == MONTH:
        return _("every month")
    return describe_period(timedelta(seconds=every))


def describe(recurring: dict) -> str:
    """``every month, 6 times``."""
    # Translators: {every} says how often a need recurs ("every month"); {count} how many times in all.
    return ngettext(
        "{every}, {count} time",
        "{every}, {count} times",
        recurring["periods"],
        every=describe_every(recurring["every"]),
    )


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
