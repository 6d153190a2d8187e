"""The balance-over-time chart, drawn on the server as the coordinates of an inline SVG (the template draws it):
a step line of what the pool held after each ledger entry, up to now. No JavaScript, no image request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.language import _, spoken

WIDTH, HEIGHT = 600, 220  # the viewBox; the SVG scales to the screen's width
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 24, 28  # room for the labels
MOST_STEPS = 500  # a long ledger is drawn with at most this many steps (the last balance of each stretch)
# How each language writes a day under the chart (CLDR patterns): 3 Mar 2026, 3. März 2026.
_DAY = {"en": "d MMM y", "es": "d MMM y", "de": "d. MMM y", "fr": "d MMM y"}


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    line: str  # the step line's points, "x,y x,y …"
    area: str  # the same, closed down to the zero line
    zero_y: float
    top_label: str  # the highest balance
    low_label: str  # the lowest balance (zero, or below it)
    first_label: str  # the date of the first entry
    last_label: str  # now
    summary: str  # the chart in words, for screen readers and as a title


def balance_chart(
    points: list[tuple[datetime, int]], now: datetime, money: Callable[[int], str], zone: ZoneInfo
) -> Chart:
    """``points``: (time of an entry, the balance after it), oldest first."""
    points = _fewer(points)
    start, end = points[0][0], max(now, points[-1][0])
    high = max(0, *(held for moment, held in points))
    low = min(0, *(held for moment, held in points))
    span = (end - start).total_seconds() or 1.0
    rise = (high - low) or 1

    def x(moment: datetime) -> float:
        return round(LEFT + (moment - start).total_seconds() / span * (WIDTH - LEFT - RIGHT), 1)

    def y(held: int) -> float:
        return round(TOP + (high - held) / rise * (HEIGHT - TOP - BOTTOM), 1)

    coordinates = []
    previous = None
    for moment, held in points:
        if previous is not None:
            coordinates.append((x(moment), y(previous)))  # a step: flat until the entry, then up or down
        coordinates.append((x(moment), y(held)))
        previous = held
    coordinates.append((x(end), y(previous)))
    line = " ".join(f"{cx},{cy}" for cx, cy in coordinates)
    zero = y(0)
    area = f"{coordinates[0][0]},{zero} {line} {coordinates[-1][0]},{zero}"
    first = _day(start.astimezone(zone))
    last = _day(end.astimezone(zone))
    return Chart(
        WIDTH,
        HEIGHT,
        line,
        area,
        zero,
        money(high),
        money(low),
        first,
        last,
        _(
            "The pool's balance from {first} to {last}: highest {highest}, now {now}.",
            first=first,
            last=last,
            highest=money(high),
            now=money(points[-1][1]),
        ),
    )


def _day(moment: datetime) -> str:
    """The day of ``moment`` (in its own time zone), written the spoken language's way."""
    language = spoken()
    return format_date(moment, _DAY.get(language, _DAY["en"]), locale=language)


def _fewer(points: list[tuple[datetime, int]]) -> list[tuple[datetime, int]]:
    """At most ``MOST_STEPS`` points: of each stretch of entries, the last (with the highest and lowest kept)."""
    if len(points) <= MOST_STEPS:
        return points
    stretch = -(-len(points) // MOST_STEPS)
    kept = [points[min(i + stretch, len(points)) - 1] for i in range(0, len(points), stretch)]
    highest, lowest = max(points, key=lambda p: p[1]), min(points, key=lambda p: p[1])
    return sorted({*kept, highest, lowest, points[0]}, key=lambda p: p[0])
