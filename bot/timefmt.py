"""Times as members read them: in the collective's time zone, with its abbreviation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    """``Mon 30 Nov 2026, 14:00 CET``."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def format_lateness(late_by: timedelta) -> str:
    minutes = int(late_by.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"
