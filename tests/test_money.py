"""Amounts as members type them, read in the collective's language and currency by
a locale library: accepted forms and every refusal."""

import pytest

from bot.money import format_amount, is_currency, parse_amount


@pytest.mark.parametrize(
    ("typed", "currency", "language", "minor"),
    [
        ("12.50", "EUR", "en", 1250),
        ("12,50", "EUR", "en", 1250),  # one separator and two digits: only a decimal mark makes sense
        ("12", "EUR", "en", 1200),
        ("0.01", "EUR", "en", 1),
        (" 7 ", "EUR", "en", 700),
        ("1,000", "EUR", "en", 100_000),  # a thousand where "," groups thousands
        ("1,000.50", "EUR", "en", 100_050),
        ("500", "JPY", "en", 500),
        ("1.234", "KWD", "en", 1234),
        ("1,000", "KWD", "en", 1_000_000),  # a thousand dinars, not one
        ("5€50", "EUR", "en", 550),
        ("€5", "EUR", "en", 500),
        ("5€", "EUR", "en", 500),
        ("12 EUR", "EUR", "en", 1200),
        ("eur12", "EUR", "en", 1200),
        ("1000000000", "EUR", "en", 100_000_000_000),
        ("1.234,50", "EUR", "de", 123_450),
        ("1 234,50", "EUR", "fr", 123_450),
        ("12,50", "EUR", "de", 1250),
    ],
)
def test_accepted_amounts(typed, currency, language, minor):
    assert parse_amount(typed, currency, language) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("-5", "EUR", "more than zero"),
        ("-0", "EUR", "more than zero"),
        ("0", "EUR", "more than zero"),
        ("0.00", "EUR", "more than zero"),
        ("abc", "EUR", "'abc' is not an amount; write it like €12.50."),
        ("nan", "EUR", "not an amount"),
        ("NaN", "EUR", "not an amount"),
        ("inf", "EUR", "not an amount"),
        ("1e309", "EUR", "not an amount"),
        ("0x10", "EUR", "not an amount"),
        ("12.505", "EUR", "EUR has 2 decimal places at most."),
        ("5.5", "JPY", "JPY has no smaller unit; write a whole number."),
        ("1000000001", "EUR", "more than €1,000,000,000.00"),
        ("99999999999999999999", "EUR", "more than"),
        ("١٢", "EUR", "not an amount"),
        ("²", "EUR", "not an amount"),
        ("$5", "EUR", "The pool is kept in EUR"),
        ("5 USD", "EUR", "The pool is kept in EUR"),
        ("1.2.3", "EUR", "not an amount"),
        ("", "EUR", "not an amount"),
    ],
)
def test_refused_amounts_say_why(typed, currency, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.").replace("$", r"\$")):
        parse_amount(typed, currency)


def test_amounts_are_shown_in_the_collectives_language_with_the_currencys_own_decimals():
    assert format_amount(123456, "EUR") == "€1,234.56"
    assert format_amount(500, "JPY") == "¥500"
    assert format_amount(1234, "KWD") == "KWD1.234"
    assert format_amount(5, "EUR") == "€0.05"
    assert format_amount(123450, "EUR", "de") == "1.234,50\xa0€"
    assert format_amount(123450, "EUR", "fr") == "1\u202f234,50\xa0€"


def test_only_currencies_in_use_are_currencies():
    assert is_currency("EUR") and is_currency("JPY") and is_currency("KWD")
    assert not is_currency("DEM")  # historic
    assert not is_currency("XXX") and not is_currency("ABC")
