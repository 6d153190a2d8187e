"""Review dates as members write them: a proposal's last line ``review in 26w`` or ``review on 2027-06-01``,
and the WHEN of ``/review N WHEN``. Durations are read as everywhere (``m`` is minutes), so a review is at
least a day away and months are written in weeks or as a date; a malformed review line is refused, never
taken as part of the text.

An item keeps what was typed in ``data["review"]`` until it is adopted (``{"in": seconds}`` or
``{"on": "2027-06-01"}``); adopted, the moment it comes up is ``data["review_at"]`` (``bot.review``)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.durations import describe_duration, later, looks_like_duration, parse_duration
from bot.errors import Refusal
from bot.language import N_, _, ngettext

REVIEW_AT = time(9, 0)  # a review "on" a date opens at 09:00 in the collective's time zone
SHORTEST = timedelta(days=1)
FURTHEST_YEARS = 5
# Translators: how a member writes a review date; "review in" and "review on" are typed as they are, in English.
FORMS = N_("review in 26w, or review on 2027-06-01")  # shown with _(FORMS)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_SHAPE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")


def looks_like_review_line(line: str) -> bool:
    """``review in …``, ``review on …``, or ``review`` and a word that looks like a duration or a date: meant as
    a review date, valid or not."""
    words = line.split()
    if len(words) < 2 or words[0].lower() != "review":
        return False
    second = words[1].lower()
    return second in ("in", "on", "after", "every") or looks_like_duration(second) or bool(_DATE_SHAPE.match(second))


def parse_when(text: str) -> dict:
    """``in 26w`` or ``on 2027-06-01`` → what an item keeps; ValueError with the member-readable reason."""
    words = text.split()
    if len(words) != 2 or words[0].lower() not in ("in", "on"):
        # Translators: {forms} shows how a review date is written ("review in 26w, or review on 2027-06-01").
        raise ValueError(_("Write a review date like this: {forms}.", forms=_(FORMS)))
    how, what = words[0].lower(), words[1]
    if how == "in":
        duration = parse_duration(what)
        if duration < SHORTEST:
            raise ValueError(
                # Translators: {text} is what the member typed (12h), {duration} how long that is (12 hours).
                _(
                    "'{text}' is {duration}: a review is at least a day away "
                    "(write months in weeks, like 26w, or give a date).",
                    text=what,
                    duration=describe_duration(duration),
                )
            )
        return {"in": int(duration.total_seconds())}
    if not _DATE.fullmatch(what):
        raise ValueError(_("'{text}' is not a date: write it like 2027-06-01 (year-month-day).", text=what))
    try:
        day = date.fromisoformat(what)
    except ValueError:
        raise ValueError(_("There is no such day as {date}.", date=what)) from None
    return {"on": day.isoformat()}


def split_review(text: str) -> tuple[str, dict | None]:
    """The text without its last line when that line is a review date, and the review date; a last line
    meant as one but malformed is refused. A one-line text is all title."""
    lines = text.rstrip().split("\n")
    if len(lines) < 2 or not looks_like_review_line(lines[-1].strip()):
        return text, None
    try:
        when = parse_when(lines[-1].strip().split(None, 1)[1])
    except ValueError as error:
        # Translators: {error} is a sentence saying what is wrong with it.
        raise Refusal(_("The last line reads as a review date but is not one: {error}", error=error)) from None
    return "\n".join(lines[:-1]).rstrip(), when


def has_review_line(text: str) -> bool:
    lines = text.rstrip().split("\n")
    return len(lines) >= 2 and looks_like_review_line(lines[-1].strip())


def review_moment(when: dict, now: datetime, zone: ZoneInfo) -> datetime:
    """When a review date typed as ``when`` falls, counted from ``now`` (the adoption)."""
    if "in" in when:
        return later(now, timedelta(seconds=when["in"]), zone)
    moment = datetime.combine(date.fromisoformat(when["on"]), REVIEW_AT).replace(tzinfo=zone)
    return moment.astimezone(now.tzinfo)


def too_far_or_past(when: dict, now: datetime, zone: ZoneInfo) -> str | None:
    """Why a review date cannot be set now, or None."""
    if "in" in when:
        return None  # a duration is a year at most (bot.durations)
    # By the day first: a date near the calendar's ends (0001-01-01, 9999-12-31) has no moment in every zone.
    day, today = date.fromisoformat(when["on"]), now.astimezone(zone).date()
    if day < today:
        return _passed(when)
    if (day - today).days > 366 * FURTHEST_YEARS:
        return _too_far(when)
    moment = review_moment(when, now, zone)
    if moment <= now:
        return _passed(when)
    if moment - now > timedelta(days=366 * FURTHEST_YEARS):
        return _too_far(when)
    return None


def _passed(when: dict) -> str:
    return _("{date} has passed; a review date is in the future.", date=when["on"])


def _too_far(when: dict) -> str:
    return ngettext(
        "{date} is more than {count} year away; a decision is reviewed sooner than that.",
        "{date} is more than {count} years away; a decision is reviewed sooner than that.",
        FURTHEST_YEARS,
        date=when["on"],
    )


def refuse_unusable(when: dict | None, now: datetime, zone: ZoneInfo) -> None:
    """A proposal's review date that could never be: refused when the proposal is raised."""
    if when is not None and (problem := too_far_or_past(when, now, zone)):
        # Translators: {problem} is a sentence saying why the date cannot be.
        raise Refusal(_("The last line is a review date that cannot be: {problem}", problem=problem))


def describe_when(when: dict) -> str:
    """``26 weeks after it is adopted`` or ``on 2027-06-01``."""
    if "in" in when:
        # Translators: a review date, shown after "Review date:"; {duration} is e.g. "26 weeks".
        return _("{duration} after it is adopted", duration=describe_duration(timedelta(seconds=when["in"])))
    # Translators: a review date, shown after "Review date:"; {date} as typed (2027-06-01).
    return _("on {date}", date=when["on"])
