"""A collective's settings: keys, defaults and how each value is checked.

Values are stored as the text a member typed (normalised); ``CollectiveSettings``
gives them typed. Only ``/set`` proposals change them (see the consensus issue).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.addressing import shown_place
from bot.durations import format_duration, parse_duration
from bot.money import is_currency
from bot.text import one_line

RULES = ("consensus", "consent", "majority", "supermajority")
CATEGORIES = ("health", "housing", "food", "childcare", "care", "transport", "education", "other")
LANGUAGES = ("en",)
JOIN_MODES = ("open", "consent")


def _choice(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError(f"'{one_line(text)}' is not allowed here; choose one of: {', '.join(allowed)}.")
        return value

    return parse


_DECIMAL = re.compile(r"[0-9]{0,3}(?:\.[0-9]{1,6})?")


def _fraction(text: str) -> str:
    value = text.strip()
    if not value or not _DECIMAL.fullmatch(value) or value == ".":  # no exponents, nan, inf, ² or ٠٫٥
        raise ValueError(f"'{one_line(text)}' is not a number; give a fraction such as 0.5 or 0.75.")
    fraction = Fraction(value)
    if not 0 < fraction <= 1:
        raise ValueError("Give a fraction greater than 0 and at most 1, such as 0.5 or 0.75.")
    return f"{float(fraction):g}"


def _whole(text: str) -> int | None:
    """A whole number typed in ASCII digits, or None."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    return int(value)


def _rounds(text: str) -> str:
    rounds = _whole(text)
    if rounds is None or rounds > 100:
        raise ValueError(f"'{one_line(text)}' is not a number of rounds; give a whole number from 0 (never) to 100.")
    return str(rounds)


def _duration(text: str) -> str:
    return format_duration(parse_duration(text))


def _amount_limit(text: str) -> str:
    # Whole units of the pool's currency.
    value = _whole(text)
    if value is None or value > 1_000_000_000:
        raise ValueError(
            f"'{one_line(text)}' is not an amount; give a whole number of the pool's currency, such as 100."
        )
    return str(value)


def _priorities(text: str) -> str:
    names = [part.strip().lower() for part in text.replace(" ", ",").split(",") if part.strip()]
    unknown = [n for n in names if n not in CATEGORIES]
    if not names or unknown or len(set(names)) != len(names):
        raise ValueError(
            "Give the categories in priority order, separated by commas, each once; "
            f"the categories are: {', '.join(CATEGORIES)}."
        )
    return ",".join(names)


def _currency(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not is_currency(code):
        raise ValueError(
            f"'{one_line(text)}' is not a currency in use; give its three-letter ISO 4217 code, such as EUR, USD "
            "or JPY."
        )
    return code


def _timezone(text: str) -> str:
    name = text.strip()
    if name not in available_timezones() and name != "UTC":
        raise ValueError(f"'{one_line(text)}' is not a time zone; give an IANA name such as Europe/Berlin or UTC.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{one_line(text)}' is not a time zone I know.") from None
    return name


def _announce_in(text: str) -> str:
    # A topic or thread is chosen where it is, with /announce here: an id typed by hand could name anything.
    if text.strip().lower() != "main":
        raise ValueError(
            "Choose where announcements go with /announce here, typed in that topic or thread; "
            "/set announce_in main brings them back to the main chat."
        )
    return "main"


@dataclass(frozen=True, slots=True)
class SettingKey:
    name: str
    default: str
    parse: Callable[[str], str]
    meaning: str


KEYS: dict[str, SettingKey] = {
    key.name: key
    for key in (
        SettingKey("decision_rule", "consensus", _choice(RULES), "how a round's outcome is decided"),
        SettingKey("quorum", "0.5", _fraction, "share of the roll that must respond"),
        SettingKey("supermajority", "0.75", _fraction, "share of agree needed under supermajority"),
        SettingKey("fallback_after_rounds", "0", _rounds, "blocked rounds before supermajority decides (0 = never)"),
        SettingKey("proposal_duration", "3d", _duration, "how long a round stays open by default"),
        SettingKey("reminder_before", "24h", _duration, "when to remind those who have not responded"),
        SettingKey("need_window", "48h", _duration, "how long a small need waits for objections"),
        SettingKey("need_auto_limit", "100", _amount_limit, "largest need approved without a round"),
        SettingKey("need_priorities", ",".join(CATEGORIES), _priorities, "order in which queued needs are funded"),
        SettingKey("currency", "EUR", _currency, "the pool's currency"),
        SettingKey("timezone", "UTC", _timezone, "the collective's time zone"),
        SettingKey("language", "en", _choice(LANGUAGES), "the bot's language"),
        SettingKey("join", "open", _choice(JOIN_MODES), "open, or consent: a join opens a membership proposal"),
        SettingKey(
            "announce_in", "main", _announce_in, "where collective-wide announcements go; /announce here sets it"
        ),
    )
}


def shown_setting(key: str, value: str) -> str:
    """A setting's value as a member reads it."""
    return shown_place(value) if key == "announce_in" else value


def normalise(key: str, value: str) -> str:
    """Check a value for a key; raise ValueError with a member-readable message."""
    if key not in KEYS:
        raise ValueError(f"'{key}' is not a setting; the settings are: {', '.join(KEYS)}.")
    return KEYS[key].parse(value)


DECISION_KEYS = ("decision_rule", "quorum", "supermajority", "fallback_after_rounds")


@dataclass(frozen=True, slots=True)
class CollectiveSettings:
    """The settings in force for one collective: stored values over defaults."""

    stored: dict[str, str]

    def decision_terms(self) -> dict[str, str]:
        """What decides a round, frozen into it when it opens."""
        return {key: self.text(key) for key in DECISION_KEYS}

    def under(self, terms: dict[str, str]) -> CollectiveSettings:
        """These settings with a round's frozen terms in place of the current ones."""
        return CollectiveSettings({**self.stored, **terms})

    def text(self, key: str) -> str:
        return self.stored.get(key, KEYS[key].default)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.text("timezone"))

    @property
    def decision_rule(self) -> str:
        return self.text("decision_rule")

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.text("quorum"))

    @property
    def supermajority(self) -> Fraction:
        return Fraction(self.text("supermajority"))

    @property
    def fallback_after_rounds(self) -> int:
        return int(self.text("fallback_after_rounds"))

    @property
    def proposal_duration(self) -> timedelta:
        return parse_duration(self.text("proposal_duration"))

    @property
    def reminder_before(self) -> timedelta:
        return parse_duration(self.text("reminder_before"))

    @property
    def need_window(self) -> timedelta:
        return parse_duration(self.text("need_window"))

    @property
    def join(self) -> str:
        return self.text("join")
