"""Amounts as members type them after a command: a currency's code, sign or
name beside the number, spaces, and the question whether a number that starts
a need is money at all (never guessed where a guess could hurt)."""

from __future__ import annotations

import re

from babel import Locale

from bot.context import Context
from bot.errors import Refusal
from bot.language import _
from bot.money import currencies_named, exponent, is_currency_word, names_currency, read_amount
from bot.pool import money
from bot.text import one_line


def with_currency_word(ctx: Context, first: str, rest: str) -> tuple[str, str]:
    """``100 EUR new glasses``, ``50 euros``: a currency's code, sign or name after
    the number belongs to the amount; another currency's is refused, never ignored."""
    second, after = split_word(rest)
    if is_currency_word(first) and second[:1].isdigit():  # € 50
        return f"{first}{second}", after
    if not first[:1].isdigit():
        return first, rest
    currency = ctx.settings.currency
    if re.fullmatch(r"\d{1,3}", first) and re.fullmatch(r"\d{3}(?:[.,]\d+)?", second):
        group = Locale.parse(ctx.settings.language).number_symbols["latn"]["group"]
        if group.isspace():  # French writes 1 234,50: its own form, read as one amount (a currency may follow)
            first, rest = _grouped_by_spaces(first, rest)
            second, after = split_word(rest)
            if is_currency_word(second):
                return f"{first} {second}", after
            return first, rest
        joined, grouped = first + second, first + group + second
        # Translators: {joined} is the amount typed with a space (1 000) written without it (1000); {grouped} the
        # same with a comma (1,000).
        raise Refusal(
            _(
                "Is that {joined}? Write an amount without spaces, like {joined} or {grouped}.",
                joined=joined,
                grouped=grouped,
            )
        )
    if is_currency_word(second):
        return f"{first} {second}", after
    named = currencies_named(second, ctx.settings.language)
    if named and currency in named:
        return f"{first} {currency}", after
    if named:
        raise Refusal(_("The pool is kept in {currency}; give the amount in {currency}.", currency=currency))
    return first, rest


def _grouped_by_spaces(first: str, rest: str) -> tuple[str, str]:
    """``1 234 567,50 new roof``: the groups of three digits after the first belong to the amount."""
    amount = first
    while True:
        word, after = split_word(rest)
        if not re.fullmatch(r"\d{3}(?:[.,]\d+)?", word):
            return amount, rest
        amount, rest = f"{amount} {word}", after
        if not word.isdigit():  # the decimals end it
            return amount, rest


def split_word(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any whitespace (a line break too)."""
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0], (parts[1] if len(parts) > 1 else "")


def amount_of(ctx: Context, text: str) -> int:
    try:
        return read_amount(text, ctx.settings.currency, ctx.settings.language).minor
    except ValueError as error:
        raise Refusal(str(error)) from None


COUNTED = frozenset(
    {
        "kid",
        "kids",
        "child",
        "children",
        "people",
        "person",
        "persons",
        "adult",
        "adults",
        "hour",
        "hours",
        "hr",
        "hrs",
        "day",
        "days",
        "night",
        "nights",
        "week",
        "weeks",
        "time",
        "times",
        "meal",
        "meals",
        "ride",
        "rides",
        "trip",
        "trips",
        "bag",
        "bags",
        "box",
        "boxes",
        "load",
        "loads",
        "shift",
        "shifts",
        "chair",
        "chairs",
        "room",
        "rooms",
        "bed",
        "beds",
        "seat",
        "seats",
        "pair",
        "pairs",
        "piece",
        "pieces",
        "dozen",
    }
)
SMALL = 10  # a bare number below this that starts a need is asked about: more often a count than money


def money_first(ctx: Context, first: str, rest: str) -> int | None:
    """The amount a need starts with, or None for help that is not money. An
    amount with its currency (``€12``, ``12 EUR``) or with decimals (``12.50``) is
    money; a word that is no number at all (``24h``) starts a description; a bare
    whole number that likely counts something is asked about, never guessed."""
    currency, language = ctx.settings.currency, ctx.settings.language
    if not any(c.isdigit() for c in first) and not first.startswith("-"):
        try:
            read_amount(first, currency, language)
        except ValueError:
            return None  # words: help that is not money
    try:
        amount = read_amount(first, currency, language)
    except ValueError as error:
        if not re.fullmatch(r"[-−]?[0-9.,'\u00a0\u202f]+", first) and not names_currency(first):
            return None  # 24h, 2nd, 3-4: words that start with a digit, not an amount
        raise Refusal(str(error)) from None  # a number that is no good amount: never quietly help
    if amount.marked or amount.fraction:
        return amount.minor
    next_word = rest.split(" ", 1)[0].strip(".,;:!?").casefold()
    if amount.minor < SMALL * 10 ** exponent(currency) or next_word in COUNTED:
        shown = money(ctx, amount.minor)
        rest = one_line(rest)
        raise Refusal(
            # Translators: {typed} is the number a need began with (3), {amount} the same as money (€3.00), {rest}
            # the rest of the need as typed. "help:" is typed as it is.
            _(
                "Is {typed} an amount of money? For {amount} from the pool, write it with the currency: "
                "/need {amount} {rest}\nFor help that is not money, begin with words, e.g. /need help: {typed} {rest}",
                typed=first,
                amount=shown,
                rest=rest,
            )
        )
    return amount.minor
