"""The choices the core's asks offer. Each carries its symbol, so a platform that answers by reaction
(Matrix) puts an ask's own symbols under it and reads a reaction back as the choice it stands for: a new
ask declares its choices here and works on every platform.

A choice's label is in the language spoken when the ask is made: ``responses()`` gives a round's choices
labelled so; ``RESPONSES`` holds them as declared (in English), for what reads only their ids and symbols."""

from __future__ import annotations

from bot.actions import Choice
from bot.language import pgettext
from bot.model import AGREE, BLOCK, OBJECT, STAND_ASIDE

RESPONSES = (
    Choice(AGREE, "👍 Agree", "👍"),
    Choice(STAND_ASIDE, "🤷 Stand aside", "🤷"),
    Choice(OBJECT, "✋ Object", "✋"),
    Choice(BLOCK, "🛑 Block", "🛑"),
)


def responses() -> tuple[Choice, ...]:
    """A round's choices, each labelled in the language spoken: its symbol and the button's word."""
    words = {
        AGREE: pgettext("button", "Agree"),
        STAND_ASIDE: pgettext("button", "Stand aside"),
        OBJECT: pgettext("button", "Object"),
        BLOCK: pgettext("button", "Block"),
    }
    return tuple(Choice(choice.id, f"{choice.symbol} {words[choice.id]}", choice.symbol) for choice in RESPONSES)


EVERY_ASK = (RESPONSES,)  # the choices of each kind of ask the core posts
_BY_SYMBOL = {choice.symbol: choice.id for choices in EVERY_ASK for choice in choices if choice.symbol}
_SYMBOL_OF = {choice.id: choice.symbol for choices in EVERY_ASK for choice in choices if choice.symbol}


def chosen_by(symbol: str) -> str | None:
    """The id of the choice ``symbol`` stands for; None for a symbol no ask offers."""
    return _BY_SYMBOL.get(symbol)


def symbol_of(choice_id: str) -> str:
    """The symbol of the choice ``choice_id`` (an ask stored by a version whose choices carried none)."""
    return _SYMBOL_OF.get(choice_id, "")
