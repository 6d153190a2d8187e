"""Members' own links to the read-only web page of their collective (``/page``) and to their calendar feed
(``/calendar``), asked for in a direct message. A link carries a random token; only its SHA-256 is kept, so
the database never holds a working link. One link of each kind per membership: asking again gives a fresh
one and the one before stops working (a link shared by mistake is undone by asking again); leaving stops
both. The page and the feed themselves are served by an adapter (``adapters/web``), which finds the member
by the token's hash."""

from __future__ import annotations

import hashlib
import secrets

from bot.commands import Arg, Where, command
from bot.context import Context
from bot.errors import Refusal
from bot.language import N_, _, ngettext
from bot.model import Member
from bot.text import cmd

PAGE, CALENDAR = "page", "calendar"
_SECTION = N_("Transparency")


def token_hash(token: str) -> str:
    """How a link's token is kept and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def _collective_number(text: str) -> int:
    if not text.isdigit():
        raise ValueError(_("{text} is not a collective's number (the numbers are in my answer to /page)", text=text))
    return int(text)


# Translators: an argument as usage lines show it (/page [COLLECTIVE]): which collective, by its number.
_WHICH = Arg("collective", N_("COLLECTIVE"), _collective_number, optional=True)


@command(
    "page",
    N_("your own link to the collective's read-only web page"),
    args=(_WHICH,),
    details=N_(
        "The page shows open items with their tallies, decisions with every reason, the ledger with a "
        "balance chart, roles and the coming turns. The link is yours alone: /page again gives a new one "
        "and the old one stops working; it also stops when you leave. Belonging to several collectives, "
        "name which one by the number I give."
    ),
    where=Where.DIRECT,
    section=_SECTION,
)
def page(ctx: Context, collective: int | None) -> None:
    member = _membership(ctx, "page", collective)
    url = f"{_base(ctx)}/p/{_issue(ctx, member, PAGE)}"
    ctx.reply(
        _(
            "Your own link to the collective's page (read-only): {url}\n"
            "Anyone who has it can read the page, so keep it to yourself. /page again gives a new link and "
            "this one stops working; it also stops when you leave the collective.",
            url=url,
        )
    )


@command(
    "calendar",
    N_("your own calendar feed: your turns, handovers and proposal deadlines"),
    args=(_WHICH,),
    details=N_(
        "Add the address to your calendar app as a subscription (by URL): it shows your coming turns, the "
        "handovers and the deadlines of open items, and updates itself. /calendar again gives a new address "
        "and the old one stops working; it also stops when you leave."
    ),
    where=Where.DIRECT,
    section=_SECTION,
)
def calendar(ctx: Context, collective: int | None) -> None:
    member = _membership(ctx, "calendar", collective)
    url = f"{_base(ctx)}/c/{_issue(ctx, member, CALENDAR)}.ics"
    ctx.reply(
        _(
            "Your own calendar feed: {url}\n"
            "Add it to your calendar app as a subscription by URL. It is yours alone; /calendar again gives a "
            "new address and this one stops working; it also stops when you leave the collective.",
            url=url,
        )
    )


def _base(ctx: Context) -> str:
    if not ctx.web_base_url:
        raise Refusal(
            _(
                "The web page and calendar feeds are not turned on: whoever runs the bot has not enabled them "
                "([web] in its configuration)."
            )
        )
    return ctx.web_base_url.rstrip("/")


def _membership(ctx: Context, name: str, collective: int | None) -> Member:
    """The membership the link is for: the one collective the person belongs to, or the one they named."""
    _base(ctx)
    memberships = ctx.uow.members.memberships(*ctx.person)
    if not memberships:
        raise Refusal(_("You are not a member of any collective: /join in your collective's group chat first."))
    if collective is not None:
        chosen = next((member for member in memberships if member.collective_id == collective), None)
        if chosen is None:
            refusal = _("You are not a member of collective {number}.", number=collective)
            raise Refusal(f"{refusal} {_which(ctx, name, memberships)}")
        return chosen
    if len(memberships) == 1:
        return memberships[0]
    belong = ngettext("You belong to {count} collective.", "You belong to {count} collectives.", len(memberships))
    raise Refusal(f"{belong} {_which(ctx, name, memberships)}")


def _which(ctx: Context, name: str, memberships: list[Member]) -> str:
    # Translators: asks which collective a link is for; the lines after it are the commands to send, one each.
    lines = [_("Which one's? Send:")]
    for member in memberships:
        chats = ctx.uow.collectives.chats(member.collective_id)
        said = {"command": cmd(name), "number": member.collective_id}
        if not chats:
            lines.append(_("{command} {number} — the collective of no chat", **said))
            continue
        # Translators: a chat a collective is in, e.g. "telegram chat -1001234"; listed with ", ".
        where = ", ".join(_("{platform} chat {chat}", platform=chat.platform, chat=chat.chat_id) for chat in chats)
        # Translators: {command} {number} is what to send ("/page 2"); {chats} lists the collective's chats.
        lines.append(_("{command} {number} — the collective of {chats}", chats=where, **said))
    return "\n".join(lines)


def _issue(ctx: Context, member: Member, purpose: str) -> str:
    token = secrets.token_urlsafe(32)
    ctx.uow.tokens.issue(member, purpose, token_hash(token), ctx.now)
    return token
