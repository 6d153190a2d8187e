"""Times as members read them: in the collective's time zone, with its abbreviation, and written the way
the language being spoken writes dates (Babel, from CLDR)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.language import ngettext, spoken

# How each language writes a moment: day of the week, date, and the 24-hour clock (CLDR patterns).
_PATTERNS = {
    "en": "EEE d MMM y, HH:mm",  # Mon 30 Nov 2026, 14:00
    "es": "EEE d MMM y, H:mm",  # lun 30 nov 2026, 14:00
    "de": "EEE, d. MMM y, HH:mm",  # Mo., 30. Nov. 2026, 14:00
    "fr": "EEE d MMM y, HH:mm",  # lun. 30 nov. 2026, 14:00
}


def format_time(moment: datetime, zone: ZoneInfo, language: str | None = None) -> str:
    """``Mon 30 Nov 2026, 14:00 CET`` (in English; each language its own way)."""
    return _written(moment, zone, language or spoken())


@lru_cache(maxsize=4096)
def _written(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """Babel takes about 0.1 ms a time; a round's message shows the same deadline at every vote."""
    local = moment.astimezone(zone)
    written = format_datetime(local, _PATTERNS.get(language, _PATTERNS["en"]), locale=language)
    return f"{written} {local.tzname()}"


def format_lateness(late_by: timedelta) -> str:
    minutes = int(late_by.total_seconds() // 60)
    if minutes < 60:
        return ngettext("{count} min", "{count} min", max(minutes, 1))
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if minutes:
            return ngettext("{count} h", "{count} h", hours) + " " + ngettext("{count} min", "{count} min", minutes)
        return ngettext("{count} h", "{count} h", hours)
    return ngettext("{count} day", "{count} days", hours // 24)
