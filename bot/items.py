"""Item numbers as members type them (``3`` or ``#3``), and finding the item meant."""

from __future__ import annotations

import re

from bot.context import Context
from bot.errors import Refusal
from bot.language import _
from bot.model import Item, Status
from bot.rounds import round_id_of
from bot.text import cmd

# What a member may have meant as an item number, valid or not: #x, 1, 1.5, 0, 99999999999.
_SHAPE = re.compile(r"#\S*|-?\d+(?:[.,:;!?)\]]+\d*)?|\d+(?:st|nd|rd|th)[.,:;!?]?", re.IGNORECASE)


def looks_like_item_number(word: str) -> bool:
    """Also any word of digits that are not plain ASCII ones (², ٣)."""
    return _SHAPE.fullmatch(word) is not None or (
        any(c.isdigit() for c in word) and not word.isascii() and not any(c.isalpha() for c in word)
    )


def item_number(text: str) -> int:
    digits = text[1:] if text.startswith("#") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9 or int(digits) == 0:
        raise ValueError(_("'{text}' is not an item number; items are written like 3 or #3.", text=text))
    return int(digits)


def resolve(ctx: Context, number: int | None, command: str) -> Item:
    """The item ``#number``; with no number, the item a replied-to message shows, the item on an assembly's
    agenda now, or the only open item."""
    collective = ctx.require_collective()
    if number is not None:
        item = ctx.uow.items.by_number(collective.id, number)
        if item is None:
            raise Refusal(_("There is no #{number} here. /proposals lists the open items.", number=number))
        return item
    if ctx.replied_ask is not None:  # a reply to a round's message names its item
        round_id = round_id_of(ctx.replied_ask)
        replied = ctx.uow.rounds.find(round_id) if round_id is not None else None
        if replied is not None:
            item = ctx.uow.items.get(replied.item_id)
            if item.collective_id == collective.id:
                return item
    if collective.assembly_id is not None:  # an assembly meets: the item on its agenda now
        held = ctx.uow.assemblies.get(collective.assembly_id)
        if held.position < len(held.agenda):
            item = ctx.uow.items.get(held.agenda[held.position])
            if item.status == Status.OPEN:
                return item
    open_items = ctx.uow.items.open(collective.id)
    if len(open_items) == 1:
        return open_items[0]
    if not open_items:
        raise Refusal(_("There is no open item right now."))
    numbers = ", ".join(f"#{item.number}" for item in open_items)
    raise Refusal(
        _(
            "Which item? Open now: {numbers}. Say it like {command} {number} …",
            numbers=numbers,
            command=cmd(command),
            number=open_items[0].number,
        )
    )
