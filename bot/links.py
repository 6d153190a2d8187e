"""Linked chats: one collective in several group chats, on any platforms. ``/link`` proposes it and, adopted,
gives a code; ``/link CODE`` in the other chat redeems it; ``/unlink`` (a proposal, from the chat to leave)
ends it. What adoption does and the codes themselves are in ``bot.linking``."""

from __future__ import annotations

from bot.commands import Arg, command
from bot.context import Context
from bot.errors import Refusal
from bot.kinds import LinkProposal, UnlinkProposal, heading
from bot.language import N_, _, ngettext, switch_to
from bot.linking import CHAT, SECTION, redeem
from bot.model import Member
from bot.proposals import new_item
from bot.rounds import open_round
from bot.settings import CollectiveSettings


@command(
    "link",
    N_("propose linking another group chat to this collective; with CODE, link this chat"),
    args=(Arg("code", N_("CODE"), optional=True),),
    details=N_(
        "/link opens a proposal; once it is adopted I give a code valid for 24 hours. /link CODE, typed in another "
        "group chat (on any platform) that has no members or items of its own yet, makes it one of the collective's "
        "chats: every announcement appears in each, and commands work from any of them."
    ),
    section=SECTION,
)
def link(ctx: Context, code: str | None) -> None:
    if code is None:
        _propose_link(ctx)
    else:
        _redeem(ctx, code)


def _propose_link(ctx: Context) -> None:
    ctx.require_member()  # a typed /link CODE needs no member (the chat it links has none yet); a proposal does
    collective = ctx.require_collective()
    pending = ctx.uow.items.find_open(collective.id, LinkProposal.topic, "purpose", CHAT)
    if pending is not None:
        raise Refusal(_("{item} is open already; respond to it, or wait for its outcome.", item=heading(pending)))
    title = _("Link another group chat to this collective")
    item = new_item(ctx, LinkProposal.topic, title, data={"purpose": CHAT})
    open_round(ctx, item, ctx.settings.proposal_duration)


def _redeem(ctx: Context, code: str) -> None:
    here = ctx.require_collective()
    found = redeem(ctx, code, CHAT, _("Ask for a new one with /link in the collective's chat."))
    if found.collective_id == here.id:
        raise Refusal(_("This chat is one of that collective's chats already."))
    chat = ctx.chat
    if ctx.uow.links.has_own(here.id) or len(ctx.uow.collectives.chats(here.id)) > 1:
        raise Refusal(
            _(
                "This chat has members or items of its own, so it can't join another collective: a chat is linked "
                "before anything happens in it. Use a new group chat, or link the other way round."
            )
        )
    ctx.uow.collectives.relink_chat(chat.platform, chat.chat_id, found.collective_id, ctx.now)
    ctx.uow.links.drop_empty(here.id)
    ctx.collective = ctx.uow.collectives.get(found.collective_id)
    ctx.settings = CollectiveSettings.of(ctx.uow.settings.values(found.collective_id))
    switch_to(ctx.settings.language)  # this chat is the collective's now: the rest is in the collective's language
    count = len(ctx.uow.collectives.chats(found.collective_id))
    works = _(
        "Every announcement appears in each, responses from any of them count once, and commands work from all. "
        "Members need not /join again; /iam in a direct message makes your accounts on two platforms one member."
    )
    ctx.announce(_joined(chat.platform, count) + " " + works)


def _joined(platform: str, count: int) -> str:
    """A chat on ``platform`` joined the collective, which now lives in ``count`` chats (one sentence per platform:
    a chat's name and its article differ by language)."""
    if platform == "telegram":
        return ngettext(
            "This collective now lives in {count} linked chat: a Telegram group joined it.",
            "This collective now lives in {count} linked chats: a Telegram group joined it.",
            count,
        )
    if platform == "matrix":
        return ngettext(
            "This collective now lives in {count} linked chat: a Matrix room joined it.",
            "This collective now lives in {count} linked chats: a Matrix room joined it.",
            count,
        )
    return ngettext(
        "This collective now lives in {count} linked chat: a {platform} chat joined it.",
        "This collective now lives in {count} linked chats: a {platform} chat joined it.",
        count,
        platform=platform,
    )


@command(
    "unlink",
    N_("propose that this chat leaves the collective"),
    details=N_("Typed in the chat that should leave; the collective's last chat cannot be unlinked."),
    section=SECTION,
)
def unlink(ctx: Context, member: Member) -> None:
    collective = ctx.require_collective()
    chat = ctx.chat
    if len(ctx.uow.collectives.chats(collective.id)) < 2:
        raise Refusal(_("This is the collective's only chat; there is nothing to unlink it from."))
    pending = ctx.uow.items.find_open(collective.id, UnlinkProposal.topic, "chat_id", chat.chat_id)
    if pending is not None:
        raise Refusal(_("{item} is open already; respond to it, or wait for its outcome.", item=heading(pending)))
    if chat.platform == "telegram":
        title = _("Unlink the Telegram group {chat} from the collective", chat=chat.chat_id)
    elif chat.platform == "matrix":
        title = _("Unlink the Matrix room {chat} from the collective", chat=chat.chat_id)
    else:
        title = _("Unlink the {platform} chat {chat} from the collective", platform=chat.platform, chat=chat.chat_id)
    item = new_item(ctx, UnlinkProposal.topic, title, data={"platform": chat.platform, "chat_id": chat.chat_id})
    open_round(ctx, item, ctx.settings.proposal_duration)
