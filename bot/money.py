"""Money as members type it and read it. Amounts are integers of the
currency's minor unit (cents; yen have none), per ISO 4217."""

from __future__ import annotations

import re

# ISO 4217 currencies whose minor unit is not the usual hundredth.
_EXPONENTS = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}
MAX_MAJOR_UNITS = 1_000_000_000  # anything larger is a typo, not a contribution
_AMOUNT = re.compile(r"([0-9]{1,13})(?:[.,]([0-9]+))?")


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def parse_amount(text: str, currency: str) -> int:
    """``12.50`` or ``12,50`` → 1250 (minor units); ValueError with a
    member-readable message for anything else."""
    places = exponent(currency)
    cleaned = text.strip()
    match = _AMOUNT.fullmatch(cleaned)
    if not match:
        if cleaned.startswith("-"):
            raise ValueError("An amount must be more than zero.")
        example = "12" if places == 0 else "12.50"
        raise ValueError(f"'{text}' is not an amount; write it like {example}.")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > places:
        if places == 0:
            raise ValueError(f"{currency} has no smaller unit; write a whole number.")
        raise ValueError(f"{currency} has {places} decimal places at most.")
    minor = int(whole) * 10**places + int(fraction.ljust(places, "0") or 0)
    if minor == 0:
        raise ValueError("An amount must be more than zero.")
    if minor > MAX_MAJOR_UNITS * 10**places:
        raise ValueError(f"That is more than {MAX_MAJOR_UNITS:,} {currency}; please check the amount.")
    return minor


def format_amount(minor: int, currency: str) -> str:
    """1250 → ``12.50 EUR``; 125000 → ``1,250.00 EUR``."""
    places = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**places)
    text = f"{whole:,}" + (f".{fraction:0{places}d}" if places else "")
    return f"{sign}{text} {currency}"
