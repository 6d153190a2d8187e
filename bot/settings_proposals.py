"""Settings: shown to all, changed only by an adopted proposal."""

from __future__ import annotations

from bot.addressing import place_of, shown_place
from bot.commands import Arg, command
from bot.context import Context
from bot.errors import Refusal
from bot.kinds import SettingProposal, heading
from bot.language import LANGUAGES, N_, _, language_name
from bot.model import Member
from bot.outcomes import CANNOT_CHANGE, apply_setting, currency_problem
from bot.proposals import new_item
from bot.review_dates import refuse_unusable, split_review
from bot.rounds import open_round
from bot.settings import KEYS, normalise, shown_setting

_SECTION = N_("Settings")


@command("settings", N_("the collective's settings"), section=_SECTION)
def settings(ctx: Context) -> None:
    ctx.require_collective()
    lines = [_("Settings (change one with /set KEY VALUE, which opens a proposal):")]
    for key in KEYS.values():
        value = ctx.settings.text(key.name)
        values = {"key": key.name, "value": shown_setting(key.name, value), "meaning": _(key.meaning)}
        if value == key.default:
            # Translators: one setting: its key and value as typed in /set, then what it means.
            lines.append(_("• {key} = {value} — {meaning}", **values))
        else:
            default = shown_setting(key.name, key.default)
            # Translators: one setting: its key and value as typed in /set, its default value, and what it means.
            lines.append(_("• {key} = {value} (default {default}) — {meaning}", default=default, **values))
        if key.name == "language":  # the codes to choose from, each with the language's own name for itself
            codes = ", ".join(f"{code} ({language_name(code)})" for code in LANGUAGES)
            lines.append("  " + _("Languages: {languages}", languages=codes))
    ctx.reply("\n".join(lines))


@command(
    "set",
    N_("propose a change to a setting"),
    args=(Arg("key", N_("KEY")), Arg("value", N_("VALUE"), rest=True)),
    details=N_(
        "It takes effect when the proposal is adopted. /settings lists the keys. A last line "
        "'review in 26w' or 'review on 2027-06-01' brings it back for review then: not adopted again, the previous "
        "value returns."
    ),
    section=_SECTION,
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
        ctx.reply(_("{key} is already {value}.", key=key, value=shown_setting(key, current)))
        return
    if key == "currency" and (problem := currency_problem(ctx)):
        raise Refusal(_(CANNOT_CHANGE[problem], currency=ctx.settings.currency))
    if len(ctx.uow.members.active(collective.id)) == 1:
        said = apply_setting(ctx, key, normal)  # (a new language is spoken from here on)
        applied = _("You are the only member, so it applies at once: {outcome}", outcome=said)
        if review:
            applied += " " + _("(With no proposal, there is nothing to review: no review date.)")
        ctx.reply(applied)
        return
    pending = ctx.uow.items.find_open(collective.id, SettingProposal.topic, "key", key)
    if pending is not None:
        raise Refusal(
            _(
                "{heading} about {key} is still open; respond to it, or wait for its outcome.",
                heading=heading(pending),
                key=key,
            )
        )
    # The title is kept as written now, in the language spoken.
    title = title or _(
        "Set {key} to {value} (now {current})",
        key=key,
        value=shown_setting(key, normal),
        current=shown_setting(key, current),
    )
    data = {"key": key, "value": normal} | ({"review": review} if review else {})
    item = new_item(ctx, SettingProposal.topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)


def _here(text: str) -> str:
    if text.strip().lower() != "here":
        raise ValueError(_("Type /announce here in the topic or thread where announcements should go."))
    return "here"


@command(
    "announce",
    N_("propose where collective-wide announcements go"),
    args=(Arg("where", "here", _here),),
    details=N_(
        "Typed in a Telegram forum topic or a Matrix thread, it proposes that handovers, vacancies and other "
        "collective-wide announcements go there (typed in the main chat: back to the main chat). An item's own "
        "messages always go to the topic or thread it was raised in. It takes effect when the proposal is "
        "adopted, like /set."
    ),
    section=_SECTION,
)
def announce(ctx: Context, member: Member, where: str) -> None:
    """``/announce here``: collective-wide announcements go to the topic or thread this is typed in (the main
    chat when typed there), by proposal like any setting."""
    place = place_of(ctx.chat)
    now = shown_place(ctx.settings.announce_in)
    if place == "main":
        title = _("Post collective-wide announcements in the main chat (now {place})", place=now)
    else:
        title = _("Post collective-wide announcements in this topic or thread (now {place})", place=now)
    propose_setting(ctx, "announce_in", place, title)
