"""The bot's words in the collective's language: every text the core writes goes through ``_`` (or
``ngettext`` where a number decides the form), looked up in the gettext catalog of the language being spoken.

- The catalogs are ``bot/locales/<language>/LC_MESSAGES/collective_bot.po``, extracted from the code with
  Babel (``pybabel extract``, see the README) and compiled to ``.mo`` when the package is installed.
- A message id is the English text with named placeholders: ``_("Proposal #{number} is adopted.",
  number=4)``. Values are filled in after translation, so whatever a member typed (a title, a reason) is
  never looked up and never read as a placeholder.
- The bot's own command mentions are written plainly in the message id (``/agree``); the translated text is
  marked where it names a command (``bot.text.cmd``) before the values go in, so each platform writes them
  its way, while a member's text filled in stays as typed.
- Which language is spoken is the unit of work's: ``speaking(language)`` around the work of one
  collective. Outside of it the bot speaks English.
- A text made once, before any language is known (a usage line, a setting's meaning), is marked with ``N_``
  for extraction and translated where it is shown: ``_(KEYS[key].meaning)``.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal

from bot.text import COMMAND

DOMAIN = "collective_bot"
LOCALES = Path(__file__).parent / "locales"
ENGLISH = "en"
# The languages shipped with a complete catalog, in the order /help and /settings name them.
LANGUAGES = ("en", "es", "de", "fr")

_spoken: ContextVar[str] = ContextVar("language", default=ENGLISH)
# A command mention in the bot's own (translated) text: "/agree", "(/help)", not "1/2", "https://x/help" or "and/or".
_MENTION = re.compile(r"(?<![\w/!:.\u2063])/(?=[a-z][a-z_]*(?![\w@/]))")


class CatalogMissing(RuntimeError):
    """A shipped language whose compiled catalog is not installed."""


@cache
def catalog(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of ``language``: built when the package is installed (``pip install``)."""
    if language not in LANGUAGES:
        raise LookupError(f"no catalog for the language {language!r}; the bot speaks {', '.join(LANGUAGES)}")
    try:
        return gettext.translation(DOMAIN, LOCALES, languages=[language])
    except FileNotFoundError as missing:
        raise CatalogMissing(
            f"the {language} catalog is not compiled ({LOCALES / language / 'LC_MESSAGES' / (DOMAIN + '.mo')}): "
            "install the package again (pip install -e .), which compiles the catalogs"
        ) from missing


def spoken() -> str:
    """The language the bot is speaking now."""
    return _spoken.get()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block (a collective's, for its unit of work)."""
    token = _spoken.set(language if language in LANGUAGES else ENGLISH)
    try:
        yield
    finally:
        _spoken.reset(token)


def switch_to(language: str) -> None:
    """Speak ``language`` from here to the end of the enclosing ``speaking`` block: a collective that has just
    adopted a new language hears the outcome in it."""
    _spoken.set(language if language in LANGUAGES else ENGLISH)


def N_(message: str) -> str:
    """``message`` marked for the catalog and translated where it is shown."""
    return message


def _(message: str, /, **values: object) -> str:
    """``message`` in the language spoken, with ``values`` filled in."""
    return _filled(catalog(spoken()).gettext(message), values)


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form for ``count`` of a message (one, several, and whatever else the language tells apart), in the
    language spoken. ``{count}`` is the number written the language's way, unless ``values`` give it."""
    values.setdefault("count", number(count))
    return _filled(catalog(spoken()).ngettext(singular, plural, count), values)


def pgettext(context: str, message: str, /, **values: object) -> str:
    """``message`` where the same English words need telling apart (``pgettext("button", "Block")``)."""
    return _filled(catalog(spoken()).pgettext(context, message), values)


def number(value: int) -> str:
    """A whole number the spoken language's way (``1,234``; ``1.234``; ``1 234``)."""
    return _written(value, spoken())


@lru_cache(maxsize=4096)
def _written(value: int, language: str) -> str:
    """Babel takes some 16 µs a number, and a vote writes a tally's half a dozen: the small ones come back."""
    return format_decimal(value, locale=language)


def language_name(code: str) -> str:
    """A language's own name for itself: ``español``, ``Deutsch``."""
    return Locale.parse(code).get_display_name(code) or code


def _filled(template: str, values: dict[str, object]) -> str:
    marked = _MENTION.sub(COMMAND + "/", template)
    return marked.format(**values) if values else marked.replace("{{", "{").replace("}}", "}")
