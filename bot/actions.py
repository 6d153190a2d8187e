"""Outbound actions: what the core asks an adapter to do, in the imperative. Each says the language it is
written in (the one spoken where it was made), so that what an adapter adds to it is written in it too."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.events import Chat
from bot.language import spoken


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of an ask: a short stable id, the label a member sees, and the symbol that stands for it
    where a platform answers by reaction (Matrix seeds an ask's symbols under it; see ``bot.choices``)."""

    id: str
    label: str
    symbol: str = ""


@dataclass(frozen=True, slots=True)
class Mention:
    """A member named in a message's text by ``name``: adapters that can turn
    the name into a proper mention (a Matrix pill, a Telegram link) do so."""

    user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Post:
    """Post a new message in a chat."""

    chat: Chat
    text: str
    mentions: tuple[Mention, ...] = ()
    language: str = field(default_factory=spoken)  # the language it is in (and what an adapter adds to it)


@dataclass(frozen=True, slots=True)
class Reply:
    """Answer a member's message (``to_ref`` is the platform ref of it)."""

    chat: Chat
    to_ref: str
    text: str
    language: str = field(default_factory=spoken)  # the language it is in (and what an adapter adds to it)


@dataclass(frozen=True, slots=True)
class Ask:
    """Post a message with choices; each adapter renders them its own way
    (buttons, reactions, numbers) and turns the answer into ``ChoiceMade``
    carrying ``key``."""

    chat: Chat
    key: str
    text: str
    choices: tuple[Choice, ...]
    language: str = field(default_factory=spoken)  # the language it is in (and what an adapter adds to it)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of the bot's earlier ask ``key`` (a live tally); the
    choices stay as they were (``choices`` repeats them for platforms that
    must send them again).

    The core resolves where the ask is inside its unit of work: ``refs`` are
    the platform messages carrying it, ``after`` the outbox deliveries of it
    not yet sent (their messages are edited once they are)."""

    chat: Chat
    key: str
    text: str
    choices: tuple[Choice, ...] = ()
    refs: tuple[str, ...] = ()
    after: tuple[int, ...] = ()
    language: str = field(default_factory=spoken)  # the language it is in (and what an adapter adds to it)


@dataclass(frozen=True, slots=True)
class Acknowledge:
    """A short answer that only the member who pressed a button or reacted
    sees, where the platform can show one (Telegram's pop-up); elsewhere it is
    left out, since the live tally already shows the response. It keeps a
    busy vote from filling the group (and its rate limit) with confirmations."""

    chat: Chat
    user_id: str
    text: str
    refusal: bool = False  # a refused press: where no pop-up can show it, it goes by direct message
    to_ref: str = ""  # the press or reaction it answers (filled in by the core)
    language: str = field(default_factory=spoken)  # the language it is in (and what an adapter adds to it)


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """Write to one person privately. Where the platform forbids it, the
    adapter mentions them in ``fallback`` instead, if given."""

    platform: str
    user_id: str
    text: str
    fallback: Chat | None = None
    name: str = ""  # how to mention them in the fallback
    language: str = field(default_factory=spoken)  # the language it is in (and what an adapter adds to it)


Action = Post | Reply | Ask | Edit | DirectMessage | Acknowledge
