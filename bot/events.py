"""Inbound events: what happened on a chat platform, in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Chat:
    """Where something was said: a group chat or a direct chat with the bot, and
    within a group, the Telegram forum topic or Matrix thread it was said in
    (``thread``: the topic's id, the thread root's event id; None for the main
    chat). A chat is its (platform, chat_id): its answers wait in one queue
    whatever thread they go to."""

    platform: str
    chat_id: str
    is_direct: bool = False
    thread: str | None = None

    @property
    def main(self) -> Chat:
        """The chat itself, outside any thread."""
        return Chat(self.platform, self.chat_id, self.is_direct) if self.thread is not None else self


@dataclass(frozen=True, slots=True)
class Sender:
    """Who said it. A person is identified by (platform, user_id)."""

    platform: str
    user_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class MessageReceived:
    """A member typed text in a chat. ``reply_to`` is the platform ref of the message this one answers."""

    chat: Chat
    sender: Sender
    text: str
    message_ref: str
    sent_at: datetime
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class ChoiceMade:
    """A member chose an option of an earlier ask, by button, reaction or number.

    ``ask_key`` names the ask as the core created it (see ``bot.actions.Ask``)
    where the platform carries it (a button's data); otherwise it is empty and
    ``answers``, the platform ref of the message chosen on (a reaction's
    target), is resolved to the ask inside the core's unit of work.
    ``choice`` is the id of the chosen option.
    """

    chat: Chat
    sender: Sender
    ask_key: str
    choice: str
    message_ref: str
    sent_at: datetime
    answers: str | None = None


@dataclass(frozen=True, slots=True)
class ChoiceWithdrawn:
    """A member took back a choice (a Matrix reaction redacted): their response
    of that kind, if it is still their current one, is withdrawn."""

    chat: Chat
    sender: Sender
    ask_key: str
    choice: str
    message_ref: str
    sent_at: datetime
    answers: str | None = None  # as in ChoiceMade


@dataclass(frozen=True, slots=True)
class ChatMoved:
    """A chat got a new id on its platform (a Telegram group became a
    supergroup, a Matrix room was upgraded): its collective, members and
    items move with it. ``chat`` is the chat under its old id."""

    chat: Chat
    new_chat_id: str
    message_ref: str
    sent_at: datetime


Event = MessageReceived | ChoiceMade | ChoiceWithdrawn | ChatMoved
