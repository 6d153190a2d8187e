"""A collective's settings: keys, defaults and how each value is checked.

Values are stored as the text a member typed (normalised); ``CollectiveSettings``
holds them parsed once, typed. Only ``/set`` proposals change them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.addressing import shown_place
from bot.durations import format_duration, parse_duration
from bot.language import LANGUAGES, N_, _
from bot.money import is_currency
from bot.text import one_line

RULES = ("consensus", "consent", "majority", "supermajority")
CATEGORIES = ("health", "housing", "food", "childcare", "care", "transport", "education", "other")

JOIN_MODES = ("open", "consent")

log = logging.getLogger(__name__)


def _choice(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError(
                _(
                    "'{text}' is not allowed here; choose one of: {choices}.",
                    text=one_line(text),
                    choices=", ".join(allowed),
                )
            )
        return value

    return parse


_DECIMAL = re.compile(r"[0-9]{0,3}(?:\.[0-9]{1,6})?")


def _fraction(text: str) -> str:
    value = text.strip()
    if not value or not _DECIMAL.fullmatch(value) or value == ".":  # no exponents, nan, inf, ² or ٠٫٥
        raise ValueError(_("'{text}' is not a number; give a fraction such as 0.5 or 0.75.", text=one_line(text)))
    fraction = Fraction(value)
    if not 0 < fraction <= 1:
        raise ValueError(_("Give a fraction greater than 0 and at most 1, such as 0.5 or 0.75."))
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
        raise ValueError(
            _("'{text}' is not a number of rounds; give a whole number from 0 (never) to 100.", text=one_line(text))
        )
    return str(rounds)


def _duration(text: str) -> str:
    return format_duration(parse_duration(text))


def _amount_limit(text: str) -> str:
    # Whole units of the pool's currency.
    value = _whole(text)
    if value is None or value > 1_000_000_000:
        raise ValueError(
            _(
                "'{text}' is not an amount; give a whole number of the pool's currency, such as 100.",
                text=one_line(text),
            )
        )
    return str(value)


def _priorities(text: str) -> str:
    names = [part.strip().lower() for part in text.replace(" ", ",").split(",") if part.strip()]
    unknown = [n for n in names if n not in CATEGORIES]
    if not names or unknown or len(set(names)) != len(names):
        raise ValueError(
            _(
                "Give the categories in priority order, separated by commas, each once; the categories are: "
                "{categories}.",
                categories=", ".join(CATEGORIES),
            )
        )
    return ",".join(names)


def _currency(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not is_currency(code):
        raise ValueError(
            _(
                "'{text}' is not a currency in use; give its three-letter ISO 4217 code, such as EUR, USD or JPY.",
                text=one_line(text),
            )
        )
    return code


def _timezone(text: str) -> str:
    name = text.strip()
    if name not in available_timezones() and name != "UTC":
        raise ValueError(
            _("'{text}' is not a time zone; give an IANA name such as Europe/Berlin or UTC.", text=one_line(text))
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_("'{text}' is not a time zone I know.", text=one_line(text))) from None
    return name


def _announce_in(text: str) -> str:
    # A topic or thread is chosen where it is, with /announce here: an id typed by hand could name anything.
    if text.strip().lower() != "main":
        raise ValueError(
            _(
                "Choose where announcements go with /announce here, typed in that topic or thread; "
                "/set announce_in main brings them back to the main chat."
            )
        )
    return "main"


@dataclass(frozen=True, slots=True)
class SettingKey:
    """``parse`` checks what a member typed and gives the text stored; ``typed`` the value the core uses.
    ``meaning`` is marked for the catalog and translated where it is shown: ``_(key.meaning)``."""

    name: str
    default: str
    parse: Callable[[str], str]
    meaning: str
    typed: Callable[[str], object] = str


def _categories(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


KEYS: dict[str, SettingKey] = {
    key.name: key
    for key in (
        SettingKey("decision_rule", "consensus", _choice(RULES), N_("how a round's outcome is decided")),
        SettingKey("quorum", "0.5", _fraction, N_("share of the roll that must respond"), Fraction),
        # Translators: "agree" is the kind of response; "supermajority" the decision rule as typed in /set.
        SettingKey("supermajority", "0.75", _fraction, N_("share of agree needed under supermajority"), Fraction),
        SettingKey(
            "fallback_after_rounds",
            "0",
            _rounds,
            # Translators: "supermajority" is the decision rule as typed in /set: keep it as it is.
            N_("blocked rounds before supermajority decides (0 = never)"),
            int,
        ),
        SettingKey("proposal_duration", "3d", _duration, N_("how long a round stays open by default"), parse_duration),
        SettingKey(
            "reminder_before", "24h", _duration, N_("when to remind those who have not responded"), parse_duration
        ),
        SettingKey("need_window", "48h", _duration, N_("how long a small need waits for objections"), parse_duration),
        SettingKey("need_auto_limit", "100", _amount_limit, N_("largest need approved without a round"), int),
        SettingKey(
            "need_priorities",
            ",".join(CATEGORIES),
            _priorities,
            N_("order in which queued needs are funded"),
            _categories,
        ),
        SettingKey("currency", "EUR", _currency, N_("the pool's currency")),
        SettingKey("timezone", "UTC", _timezone, N_("the collective's time zone"), ZoneInfo),
        SettingKey("language", "en", _choice(LANGUAGES), N_("the bot's language")),
        # Translators: "open" and "consent" are this setting's values as typed in /set: keep them as they are.
        SettingKey("join", "open", _choice(JOIN_MODES), N_("open, or consent: a join opens a membership proposal")),
        SettingKey(
            "announce_in",
            "main",
            _announce_in,
            N_("where collective-wide announcements go; /announce here sets it"),
        ),
    )
}


def shown_setting(key: str, value: str) -> str:
    """A setting's value as a member reads it."""
    return shown_place(value) if key == "announce_in" else value


def normalise(key: str, value: str) -> str:
    """Check a value for a key; raise ValueError with a member-readable message."""
    if key not in KEYS:
        raise ValueError(_("'{key}' is not a setting; the settings are: {keys}.", key=key, keys=", ".join(KEYS)))
    return KEYS[key].parse(value)


DECISION_KEYS = ("decision_rule", "quorum", "supermajority", "fallback_after_rounds")


@dataclass(frozen=True, slots=True)
class CollectiveSettings:
    """The settings in force for one collective, parsed once: stored values over defaults, typed. One field
    per key of ``KEYS``; ``of`` builds it (and keeps the texts, which /settings shows and rounds freeze)."""

    decision_rule: str
    quorum: Fraction
    supermajority: Fraction
    fallback_after_rounds: int
    proposal_duration: timedelta
    reminder_before: timedelta
    need_window: timedelta
    need_auto_limit: int  # whole units of the currency
    need_priorities: tuple[str, ...]
    currency: str
    timezone: ZoneInfo
    language: str
    join: str
    announce_in: str  # "main", or a topic or thread (see bot.addressing)
    texts: Mapping[str, str]  # every key's text in force

    @staticmethod
    def of(stored: Mapping[str, str]) -> CollectiveSettings:
        """The settings for the stored values (keys not stored take their defaults)."""
        return _parsed(tuple((name, stored.get(name, key.default)) for name, key in KEYS.items()))

    def text(self, key: str) -> str:
        """A setting as its text (what /settings shows, and what a /set proposal compares with)."""
        return self.texts[key]

    def decision_terms(self) -> dict[str, str]:
        """What decides a round, frozen into it when it opens."""
        return {key: self.text(key) for key in DECISION_KEYS}

    def under(self, terms: Mapping[str, str]) -> CollectiveSettings:
        """These settings with a round's frozen terms in place of the current ones."""
        return CollectiveSettings.of({**self.texts, **terms})

    def with_value(self, key: str, value: str) -> CollectiveSettings:
        return CollectiveSettings.of({**self.texts, key: value})


@lru_cache(maxsize=4096)
def _parsed(texts: tuple[tuple[str, str], ...]) -> CollectiveSettings:
    """Parsing once per distinct set of values: collectives mostly share them, and they rarely change."""
    readable = dict(_readable(name, text) for name, text in texts)
    typed = {name: KEYS[name].typed(text) for name, text in readable.items()}
    return CollectiveSettings(**typed, texts=MappingProxyType(readable))


def _readable(name: str, text: str) -> tuple[str, str]:
    """A stored value that can no longer be read (a time zone gone from the zone database, a hand-edited row)
    gives way to the key's default, so that one bad value does not stop every command of its collective — and
    a /set can put it right."""
    try:
        KEYS[name].typed(text)
    except Exception:
        log.warning("the stored %s setting %r cannot be read; its default %r is used", name, text, KEYS[name].default)
        return name, KEYS[name].default
    return name, text


assert [f.name for f in fields(CollectiveSettings)] == [*KEYS, "texts"], "a field for every setting, in order"
