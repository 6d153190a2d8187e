"""Finding the member a command names (``@bob``, ``Bob``)."""

from __future__ import annotations

from bot.context import Context
from bot.errors import Refusal
from bot.language import _
from bot.model import Member


def find_member(ctx: Context, text: str) -> Member:
    """By user id first (unique), then by display name if only one has it."""
    wanted = text.strip().lstrip("@").lower()
    current = ctx.uow.members.active(ctx.collective.id)
    by_id = [m for m in current if m.user_id.lower().lstrip("@") == wanted]
    if by_id:
        return by_id[0]
    by_name = [m for m in current if m.display_name.lower() == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise Refusal(_("More than one member is called {name}; name them by their user id.", name=text.strip()))
    raise Refusal(_("There is no member called {name} here. /members lists them.", name=text.strip()))
