"""Settings: shown to all, changed only by an adopted proposal."""

from __future__ import annotations

from bot.addressing import place_of, shown_place
from bot.commands import Arg, command
from bot.context import Context
from bot.errors import Refusal
from bot.kinds import SettingProposal, heading
from bot.model import Member
from bot.outcomes import apply_setting, currency_problem
from bot.proposals import new_item
from bot.review_dates import refuse_unusable, split_review
from bot.rounds import open_round
from bot.settings import KEYS, normalise, shown_setting
from bot.text import cmd


@command("settings", "the collective's settings", section="Settings")
def settings(ctx: Context) -> None:
    ctx.require_collective()
    lines = [f"Settings (change one with {cmd('set')} KEY VALUE, which opens a proposal):"]
    for key in KEYS.values():
        value = ctx.settings.text(key.name)
        changed = "" if value == key.default else f" (default {shown_setting(key.name, key.default)})"
        lines.append(f"• {key.name} = {shown_setting(key.name, value)}{changed} — {key.meaning}")
    ctx.reply("\n".join(lines))


@command(
    "set",
    "propose a change to a setting",
    args=(Arg("key", "KEY"), Arg("value", "VALUE", rest=True)),
    details=f"It takes effect when the proposal is adopted. {cmd('settings')} lists the keys. A last line "
    "'review in 26w' or 'review on 2027-06-01' brings it back for review then: not adopted again, the previous "
    "value returns.",
    section="Settings",
)
def set_(ctx: Context, member: Member, key: str, value: str) -> None:
    value, review = split_review(value)
    refuse_unusable(review, ctx.now, ctx.settings.timezone)
    try:
        normal = normalise(key.lower(), value)
    except ValueError as error:
        raise Refusal(str(error)) from None
    propose_setting(ctx, key.lower(), normal, review=review)


def propose_setting(ctx: Context, key: str, normal: str, title: str = "", review: dict | None = None) -> None:
    """Open a proposal to set ``key`` to ``normal`` (checked already), or apply it at once for a lone member;
    ``review``: its review date (``bot.review``)."""
    collective = ctx.require_collective()
    current = ctx.settings.text(key)
    if normal == current:
        ctx.reply(f"{key} is already {shown_setting(key, current)}.")
        return
    if key == "currency" and (problem := currency_problem(ctx)):
        raise Refusal(f"The currency can't change now: {problem}.")
    if len(ctx.uow.members.active(collective.id)) == 1:
        unreviewed = " (With no proposal, there is nothing to review: no review date.)" if review else ""
        ctx.reply("You are the only member, so it applies at once: " + apply_setting(ctx, key, normal) + unreviewed)
        return
    pending = ctx.uow.items.find_open(collective.id, SettingProposal.topic, "key", key)
    if pending is not None:
        raise Refusal(f"{heading(pending)} about {key} is still open; respond to it, or wait for its outcome.")
    title = title or f"Set {key} to {shown_setting(key, normal)} (now {shown_setting(key, current)})"
    data = {"key": key, "value": normal} | ({"review": review} if review else {})
    item = new_item(ctx, SettingProposal.topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)


def _here(text: str) -> str:
    if text.strip().lower() != "here":
        raise ValueError(f"Type {cmd('announce')} here in the topic or thread where announcements should go.")
    return "here"


@command(
    "announce",
    "propose where collective-wide announcements go",
    args=(Arg("where", "here", _here),),
    details=(
        "Typed in a Telegram forum topic or a Matrix thread, it proposes that handovers, vacancies and other "
        "collective-wide announcements go there (typed in the main chat: back to the main chat). An item's own "
        "messages always go to the topic or thread it was raised in. It takes effect when the proposal is "
        f"adopted, like {cmd('set')}."
    ),
    section="Settings",
)
def announce(ctx: Context, member: Member, where: str) -> None:
    """``/announce here``: collective-wide announcements go to the topic or thread this is typed in (the main
    chat when typed there), by proposal like any setting."""
    place = place_of(ctx.chat)
    title = f"Post collective-wide announcements in {'this topic or thread' if place != 'main' else 'the main chat'}"
    propose_setting(ctx, "announce_in", place, f"{title} (now {shown_place(ctx.settings.announce_in)})")
