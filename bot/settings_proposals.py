"""Settings: shown to all, changed only by an adopted proposal."""

from __future__ import annotations

from bot.commands import Arg, Command
from bot.context import Context
from bot.errors import Refusal
from bot.outcomes import apply_setting, currency_problem
from bot.proposals import new_item
from bot.rounds import heading, open_round
from bot.settings import KEYS, normalise


def settings(ctx: Context) -> str:
    ctx.require_collective()
    lines = ["Settings (change one with /set KEY VALUE, which opens a proposal):"]
    for key in KEYS.values():
        value = ctx.settings.text(key.name)
        changed = "" if value == key.default else f" (default {key.default})"
        lines.append(f"• {key.name} = {value}{changed} — {key.meaning}")
    return "\n".join(lines)


def set_(ctx: Context, key: str, value: str) -> str | None:
    collective = ctx.require_collective()
    ctx.require_member()
    try:
        normal = normalise(key.lower(), value)
    except ValueError as error:
        raise Refusal(str(error)) from None
    key = key.lower()
    current = ctx.settings.text(key)
    if normal == current:
        return f"{key} is already {current}."
    if key == "currency" and (problem := currency_problem(ctx)):
        raise Refusal(f"The currency can't change now: {problem}.")
    if len(ctx.uow.members.active(collective.id)) == 1:
        return "You are the only member, so it applies at once: " + apply_setting(ctx, key, normal)
    pending = ctx.uow.items.find_open(collective.id, "setting", "key", key)
    if pending is not None:
        raise Refusal(f"{heading(pending)} about {key} is still open; respond to it, or wait for its outcome.")
    item = new_item(ctx, "setting", f"Set {key} to {normal} (now {current})", data={"key": key, "value": normal})
    open_round(ctx, item, ctx.settings.proposal_duration)
    return None


COMMANDS = [
    Command("settings", "the collective's settings", settings, section="Settings", in_direct=False),
    Command(
        "set",
        "propose a change to a setting",
        set_,
        args=(Arg("key", "KEY"), Arg("value", "VALUE", rest=True)),
        details="It takes effect when the proposal is adopted. /settings lists the keys.",
        section="Settings",
        members_only=True,
        in_direct=False,
    ),
]
