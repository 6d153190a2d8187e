"""What is typed to make a rotating role: its name (``dishes``) and when it changes hands (``1w at mon 18:00``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.durations import parse_duration
from bot.errors import Refusal
from bot.fairness import parse_clock, parse_weekday
from bot.language import _
from bot.review_dates import split_review

_ROLE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def role_name(text: str) -> str:
    name = text.strip().lower()
    if not _ROLE_NAME.fullmatch(name):
        raise ValueError(
            # Translators: facilitator and treasurer are role names as members type them: keep them. dishes is an
            # example of a chore's name (one word, a to z, digits, - and _).
            _("'{text}' is not a role name; use one word such as facilitator, treasurer or dishes.", text=text)
        )
    return name


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a new role changes hands, as typed after its name: ``1w at mon 18:00``."""

    every: timedelta
    every_text: str
    weekday: int | None
    at: tuple[int, int] | None
    review: dict | None = None  # a review date on its last line (a role with powers: bot.review)


def schedule_of(text: str) -> Schedule:
    """ValueError for words that do not read as a schedule (answered with the usage); Refusal for a schedule
    that reads but cannot be (answered as it is)."""
    text, review = split_review(text)
    words = text.split()
    has_at = "at" in [word.lower() for word in words]
    split = [word.lower() for word in words].index("at") if has_at else len(words)
    every_text, at_words = " ".join(words[:split]), words[split + 1 :]
    every = parse_duration(every_text or "")
    if every < parse_duration("1h"):
        raise Refusal(_("A role changes hands at most once an hour."))
    weekday = at = None
    if has_at and not at_words:
        # Translators: "at mon 09:00" is typed in commands as it is: keep "at" and the weekday "mon".
        raise ValueError(_("Say when after 'at': at mon 09:00, or at 09:00 for a daily handover."))
    if len(at_words) == 2:
        weekday, at = parse_weekday(at_words[0]), parse_clock(at_words[1])
    elif len(at_words) == 1:
        at = parse_clock(at_words[0])
    elif at_words:
        # Translators: "at mon 09:00" is typed in commands as it is: keep "at" and the weekday "mon".
        raise ValueError(_("Write the handover time like: at mon 09:00, or at 09:00."))
    if weekday is not None and every % timedelta(weeks=1):
        raise Refusal(
            # Translators: {cadence} is how often, as the member typed it (3d); 1w and 2w are typed as they are.
            _("A handover on a weekday needs a cadence in whole weeks (1w, 2w, …), not {cadence}.", cadence=every_text)
        )
    if at is not None and every % timedelta(days=1):
        raise Refusal(
            # Translators: {cadence} is how often, as the member typed it (12h).
            _("A handover at a time of day needs a cadence in whole days or weeks, not {cadence}.", cadence=every_text)
        )
    return Schedule(every, every_text, weekday, at, review)
