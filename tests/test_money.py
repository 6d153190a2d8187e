"""Amounts as members type them: accepted forms and every refusal."""

import pytest

from bot.money import format_amount, parse_amount


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("12.50", "EUR", 1250),
        ("12,50", "EUR", 1250),
        ("12", "EUR", 1200),
        ("0.01", "EUR", 1),
        (" 7 ", "EUR", 700),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
        ("1000000000", "EUR", 100_000_000_000),
    ],
)
def test_accepted_amounts(typed, currency, minor):
    assert parse_amount(typed, currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("-5", "EUR", "more than zero"),
        ("-0", "EUR", "more than zero"),
        ("0", "EUR", "more than zero"),
        ("0.00", "EUR", "more than zero"),
        ("abc", "EUR", "'abc' is not an amount; write it like 12.50."),
        ("nan", "EUR", "not an amount"),
        ("NaN", "EUR", "not an amount"),
        ("inf", "EUR", "not an amount"),
        ("1e309", "EUR", "not an amount"),
        ("0x10", "EUR", "not an amount"),
        ("12.505", "EUR", "EUR has 2 decimal places at most."),
        ("5.5", "JPY", "JPY has no smaller unit; write a whole number."),
        ("1000000001", "EUR", "more than 1,000,000,000 EUR"),
        ("99999999999999999999", "EUR", "not an amount"),
        ("1,000.50", "EUR", "not an amount"),
        ("١٢", "EUR", "not an amount"),
        ("12 EUR", "EUR", "not an amount"),
        ("", "EUR", "not an amount"),
    ],
)
def test_refused_amounts_say_why(typed, currency, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_amount(typed, currency)


def test_amounts_are_shown_with_the_currencys_own_decimals():
    assert format_amount(123456, "EUR") == "1,234.56 EUR"
    assert format_amount(500, "JPY") == "500 JPY"
    assert format_amount(1234, "KWD") == "1.234 KWD"
    assert format_amount(5, "EUR") == "0.05 EUR"
