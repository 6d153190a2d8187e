"""Outbound actions: what the core asks an adapter to do, in the imperative."""

from __future__ import annotations

from dataclasses import dataclass

from bot.events import Chat


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of an ask: a short stable id and the label a member sees."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Post:
    """Post a new message in a chat."""

    chat: Chat
    text: str


@dataclass(frozen=True, slots=True)
class Reply:
    """Answer a member's message (``to_ref`` is the platform ref of it)."""

    chat: Chat
    to_ref: str
    text: str


@dataclass(frozen=True, slots=True)
class Ask:
    """Post a message with choices; each adapter renders them its own way
    (buttons, reactions, numbers) and turns the answer into ``ChoiceMade``
    carrying ``key``."""

    chat: Chat
    key: str
    text: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of the bot's earlier ask ``key`` (a live tally)."""

    chat: Chat
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """Write to one person privately. Where the platform forbids it, the
    adapter mentions them in ``fallback`` instead, if given."""

    platform: str
    user_id: str
    text: str
    fallback: Chat | None = None


Action = Post | Reply | Ask | Edit | DirectMessage
