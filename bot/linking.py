"""One-time codes for linked chats and linked identities, and what an adopted /link or /unlink does.

A code is random (ten characters from 32, about 50 bits), shown once, kept only as its SHA-256, used once,
and valid for 24 hours."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot.actions import Post
from bot.codes import ALPHABET
from bot.context import Scope
from bot.errors import Refusal
from bot.events import Chat
from bot.language import N_, _, ngettext
from bot.model import Item
from bot.ports_beyond import LinkCode

CODE_LIFE = timedelta(hours=24)
# /help's section for linking chats (bot.links) and accounts (bot.identities).
SECTION = N_("Linked chats and accounts")
CHAT, IDENTITY = "chat", "identity"  # what a code links
_LENGTH = 10  # longer than a federation's code: these are kept as hashes, so only guessing could find one


def _hash(typed: str) -> str:
    normal = "".join(typed.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def new_code(
    scope: Scope, purpose: str, collective_id: int | None = None, person: tuple[str, str] | None = None
) -> str:
    """A fresh code, stored as its hash; returns it as shown (``ABCDE-FGHJK``)."""
    code = "".join(secrets.choice(ALPHABET) for __ in range(_LENGTH))  # (never the demo's seeded codes)
    platform, user_id = person or (None, None)
    stored = LinkCode(_hash(code), purpose, collective_id, platform, user_id, scope.now, scope.now + CODE_LIFE)
    scope.uow.links.add_code(stored)
    return f"{code[:5]}-{code[5:]}"


def redeem(scope: Scope, typed: str, purpose: str, again: str) -> LinkCode:
    """Use a code up (undone with the unit of work when what it is for is refused); a refusal says why it
    does not work: unknown, used, or expired. ``again`` says how to get a new one."""
    code = scope.uow.links.code(_hash(typed))
    if code is None or code.purpose != purpose:
        raise Refusal(_("{code} is not a code I gave.", code=typed) + " " + again)
    if code.used_at is not None:
        raise Refusal(
            _("That code was used already ({when}); a code works once.", when=scope.time(code.used_at)) + " " + again
        )
    if scope.now >= code.expires_at:
        expired = _("That code expired at {when} (a code is valid for 24 hours).", when=scope.time(code.expires_at))
        raise Refusal(expired + " " + again)
    if not scope.uow.links.use_code(code.code_hash, scope.now):
        raise Refusal(_("That code was used already; a code works once.") + " " + again)
    return code


def give_link_code(scope: Scope, item: Item) -> str:
    """An adopted /link: the code for the other chat, in the outcome message."""
    code = new_code(scope, CHAT, collective_id=item.collective_id)
    until = scope.time(scope.now + CODE_LIFE)
    # Translators: "!link" is how the command is typed on Matrix; keep it as it is.
    words = _(
        "Link code: {code} — type /link {code} (or !link {code}) in the other group chat, on any platform, before "
        "{when}. It works once, in a chat with no members or items of its own yet.",
        code=code,
        when=until,
    )
    proposer = scope.uow.members.get(item.author_id) if item.author_id is not None else None
    if proposer is None or not proposer.active:
        return words  # no one to hand it to privately: the group has it
    # Whoever proposed it gets the code privately: the outcome is posted in every linked chat and kept in the
    # record (and its export), where a code that lets a chat into the collective does not belong.
    # (Where the platform lets the bot write to no one privately, the code comes as a mention in the group.)
    scope.tell(proposer, _("#{number} is adopted.", number=item.number) + " " + words, about=item)
    return _(
        "{name}, who proposed it, has the link code by direct message (it works once, before {when}; a new /link "
        "proposal gives another).",
        name=scope.name(proposer),
        when=until,
    )


def unlink_chat(scope: Scope, item: Item) -> str:
    """An adopted /unlink: the chat leaves the collective and starts afresh as a collective of its own."""
    platform, chat_id = item.data["platform"], item.data["chat_id"]
    chats = scope.uow.collectives.chats(item.collective_id)
    if (platform, chat_id) not in [tuple(chat) for chat in chats]:
        return _("That chat was no longer linked to the collective.")
    if len(chats) == 1:
        return _("It is the collective's only chat now, so it stays.")
    fresh = scope.uow.collectives.create_apart(scope.now)
    scope.uow.collectives.relink_chat(platform, chat_id, fresh, scope.now)
    scope.actions.append(
        Post(
            Chat(platform, chat_id),
            _(
                "#{number} is adopted: this chat is no longer linked to the collective. Its announcements no longer "
                "come here and commands here no longer reach it; this chat starts afresh (/join to begin).",
                number=item.number,
            ),
        )
    )
    return _unlinked(platform, len(chats) - 1)


def _unlinked(platform: str, count: int) -> str:
    """The chat on ``platform`` left; ``count`` chats remain (one sentence per platform: a chat's name and its
    article differ by language). The English keeps "chat(s)" in both forms."""
    if platform == "telegram":
        # Translators: write the singular and plural forms your language needs ("chat(s)" is the English for both).
        return ngettext(
            "The Telegram group is no longer linked; the collective goes on in {count} chat(s).",
            "The Telegram group is no longer linked; the collective goes on in {count} chat(s).",
            count,
        )
    if platform == "matrix":
        # Translators: write the singular and plural forms your language needs ("chat(s)" is the English for both).
        return ngettext(
            "The Matrix room is no longer linked; the collective goes on in {count} chat(s).",
            "The Matrix room is no longer linked; the collective goes on in {count} chat(s).",
            count,
        )
    # Translators: write the singular and plural forms your language needs ("chat(s)" is the English for both).
    return ngettext(
        "The {platform} chat is no longer linked; the collective goes on in {count} chat(s).",
        "The {platform} chat is no longer linked; the collective goes on in {count} chat(s).",
        count,
        platform=platform,
    )
