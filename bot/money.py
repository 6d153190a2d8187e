"""Money as members type it and read it, in the collective's language and
currency. Babel (CLDR's locale data) decides separators, symbols and each
currency's minor unit; amounts are stored as integers of that minor unit
(cents; yen have none)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.core import get_global
from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_name,
    get_currency_precision,
    get_currency_symbol,
    get_territory_currencies,
    parse_decimal,
)

from bot.language import _, ngettext

MAX_MAJOR_UNITS = 1_000_000_000  # anything larger is a typo, not a contribution
# A number as typed: digits with the separators some locale uses between them.
_NUMBER = re.compile(r"[0-9]+(?:[.,'\u00a0\u202f ][0-9]+)*")
# Signs that mark an amount as money, whatever the pool's currency.
_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "₺": "TRY", "₴": "UAH", "₽": "RUB", "₪": "ILS"}


@cache
def currencies_in_use() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today (not historic ones like DEM)."""
    today = date.today()
    territories = get_global("territory_currencies").keys()
    return frozenset(code for t in territories for code in get_territory_currencies(t, today, tender=True))


def is_currency(code: str) -> bool:
    return code in currencies_in_use()


def exponent(currency: str) -> int:
    return get_currency_precision(currency)


def format_amount(minor: int, currency: str, language: str = "en") -> str:
    """1250 EUR → ``€12.50`` in English, ``12,50 €`` in German."""
    major = Decimal(minor).scaleb(-exponent(currency))
    return format_currency(major, currency, locale=language)


class Amount:
    """What a word says about money: ``marked`` when it carries a currency sign or
    code, ``minor`` its value when it is a well-formed amount."""

    def __init__(self, minor: int, marked: bool, fraction: bool) -> None:
        self.minor, self.marked, self.fraction = minor, marked, fraction


def _markers(currency: str, language: str) -> dict[str, str]:
    """Every sign or code a member might write, and the currency it means."""
    marks = {sign: code for sign, code in _SIGNS.items()}
    marks[get_currency_symbol(currency, locale=language)] = currency
    return marks


def _strip_marks(text: str, currency: str, language: str) -> tuple[str, str | None, bool]:
    """The text without its currency mark, the currency it named (if any), and
    whether the mark stood between the whole and the fraction (``5€50``)."""
    named = None
    upper = text.upper()
    code = re.fullmatch(r"([A-Z]{3})\s*(.+)|(.+?)\s*([A-Z]{3})", upper)
    if code and is_currency(code.group(1) or code.group(4)):
        named = code.group(1) or code.group(4)
        return (code.group(2) or code.group(3)).strip(), named, False
    for mark, meant in sorted(_markers(currency, language).items(), key=lambda pair: -len(pair[0])):
        if mark and mark in text:
            before, __, after = text.partition(mark)
            before, after = before.strip(), after.strip()
            if before and after:  # 5€50
                return f"{before}\u0000{after}", meant, True
            return (before or after), meant, False
    return text, None, False


def names_currency(word: str) -> bool:
    """Whether a word carries a currency's sign or code (``50USD``, ``€5``)."""
    upper = word.upper()
    return any(sign in word for sign in _SIGNS) or is_currency(upper[:3]) or is_currency(upper[-3:])


def is_currency_word(word: str) -> bool:
    """A word that is only a currency's code or sign (``EUR``, ``€``)."""
    return word in _SIGNS or (len(word) == 3 and is_currency(word.upper()))


# Locales whose currency signs are words a member may type after an amount.
_SYMBOL_LOCALES = ("sv", "da", "nb", "is", "pl", "cs", "hu", "ro", "ru", "uk", "tr", "de_CH", "pt_BR")


@cache
def _currency_words(language: str) -> dict[str, frozenset[str]]:
    """The words that name currencies in a language (``euros``, ``dollars``), each
    with the codes it may mean."""
    words: dict[str, set[str]] = {}
    for code in currencies_in_use():
        for count in (1, 2):
            name = get_currency_name(code, count=count, locale=language).casefold()
            for word in {name, name.split()[-1]}:
                words.setdefault(word, set()).add(code)
        for where in (language, *_SYMBOL_LOCALES):  # kr is Swedish, Danish and Norwegian; zł Polish
            symbol = get_currency_symbol(code, locale=where).casefold()
            if symbol.isalpha() and symbol != code.casefold():
                words.setdefault(symbol, set()).add(code)
    return {word: frozenset(codes) for word, codes in words.items()}


def currencies_named(word: str, language: str = "en") -> frozenset[str]:
    """The currencies a word after an amount names (``50 dollars``); empty for other words."""
    return _currency_words(language).get(word.strip(".,;:!?").casefold(), frozenset())


def read_amount(text: str, currency: str, language: str = "en") -> Amount:
    """Parse an amount in the pool's currency as the collective's language writes
    it (``1,000`` is a thousand where ``,`` groups thousands; ``5€50`` is 5.50);
    ValueError with a member-readable message for anything else."""
    places = exponent(currency)
    example = format_amount(1250 * 10 ** max(places - 2, 0) if places >= 2 else 12, currency, language)
    cleaned = text.strip()
    if cleaned.startswith("-") or cleaned.startswith("−"):
        raise ValueError(_("An amount must be more than zero."))
    bare, named, split = _strip_marks(cleaned, currency, language)
    if named is not None and named != currency:
        raise ValueError(_("The pool is kept in {currency}; give the amount in {currency}.", currency=currency))
    if bare.startswith("-") or bare.startswith("−"):
        raise ValueError(_("An amount must be more than zero."))
    if split:
        whole, __, fraction = bare.partition("\u0000")
        if not (whole.isascii() and whole.isdigit() and fraction.isascii() and fraction.isdigit()):
            raise ValueError(_not_an_amount(text, example))
        value = Decimal(f"{whole}.{fraction}")
    else:
        if not _NUMBER.fullmatch(bare):
            raise ValueError(_not_an_amount(text, example))
        value = _number(bare, language, text, example)
    minor = value.scaleb(places)
    # More decimals than the currency has, zeros too: 1.000 is not a euro, it is a typo or a thousand.
    if minor != minor.to_integral_value() or -value.as_tuple().exponent > places:
        if places == 0:
            # Translators: {currency} is a currency's code (JPY): it has no cents.
            raise ValueError(_("{currency} has no smaller unit; write a whole number.", currency=currency))
        # Translators: {currency} is a currency's code (EUR). The English singular keeps the plural's words.
        raise ValueError(
            ngettext(
                "{currency} has {count} decimal places at most.",
                "{currency} has {count} decimal places at most.",
                places,
                currency=currency,
            )
        )
    if minor == 0:
        raise ValueError(_("An amount must be more than zero."))
    if value > MAX_MAJOR_UNITS:
        limit = format_amount(MAX_MAJOR_UNITS * 10**places, currency, language)
        raise ValueError(_("That is more than {limit}; please check the amount.", limit=limit))
    return Amount(int(minor), named is not None, value.as_tuple().exponent < 0)


def _number(bare: str, language: str, typed: str, example: str) -> Decimal:
    group = Locale.parse(language).number_symbols["latn"]["group"]
    if group.isspace():  # French groups with a narrow space; members type any space
        bare = re.sub(r"[ \u00a0\u202f]", group, bare)
    try:
        return parse_decimal(bare, locale=language, strict=True)
    except (NumberFormatError, InvalidOperation):
        pass
    # One separator followed by other than three digits can only be a decimal
    # mark, whichever the locale uses (``12,50`` in English, ``12.50`` in German).
    separators = [c for c in bare if not c.isdigit()]
    if len(separators) == 1 and separators[0] in ".,":
        whole, fraction = re.split(r"[.,]", bare)
        if len(fraction) != 3:
            return Decimal(f"{whole}.{fraction}")
    decimal_mark = Locale.parse(language).number_symbols["latn"]["decimal"]
    raise ValueError(
        # Translators: {text} is what the member typed, {example} an amount written right (€12.50), {mark} the
        # decimal mark of the collective's language (. or ,).
        _(
            "'{text}' is not an amount; write it like {example} (the decimal mark is '{mark}').",
            text=typed,
            example=example,
            mark=decimal_mark,
        )
    )


def _not_an_amount(typed: str, example: str) -> str:
    # Translators: {text} is what the member typed, {example} an amount written right (€12.50).
    return _("'{text}' is not an amount; write it like {example}.", text=typed, example=example)


def parse_amount(text: str, currency: str, language: str = "en") -> int:
    """``12.50`` → 1250 (minor units)."""
    return read_amount(text, currency, language).minor
