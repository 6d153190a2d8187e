"""Reading Telegram updates as the core's events.

Refs: a message's ref is its ``message_id`` (unique within its chat, which is
how the core remembers what it handled); a button press's ref is its callback
query id. A redelivered update therefore carries the same refs and the core
applies it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import CallbackQuery, MaybeInaccessibleMessage, Message, Update, User
from telegram import Chat as TgChat

from adapters.telegram.rendering import parse_callback_data
from bot.commands import split_command
from bot.events import Chat, ChoiceMade, MessageReceived, Sender

PLATFORM = "telegram"
# What the bot asks Telegram for: edits of members' messages are ignored, so not fetched at all.
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)


@dataclass(frozen=True, slots=True)
class Migration:
    """A group became a supergroup with a new chat id."""

    old_chat_id: str
    new_chat_id: str


def read(update: Update, bot_username: str | None) -> MessageReceived | ChoiceMade | Migration | None:
    """The event an update means for the core, or None when it means nothing to it."""
    if update.message is not None:
        return _message(update.message, bot_username)
    if update.callback_query is not None:
        return _choice(update.callback_query)
    return None


def lane(update: Update) -> int:
    """Updates in the same lane are handled in order: one lane per chat."""
    message = update.message or (update.callback_query.message if update.callback_query else None)
    return message.chat.id if message is not None else -update.update_id


def migration(update: Update) -> tuple[int, int] | None:
    """A group's upgrade to a supergroup (either side's service message): its old and new chat ids."""
    message = update.message
    if message is None:
        return None
    if message.migrate_to_chat_id:
        return message.chat.id, message.migrate_to_chat_id
    if message.migrate_from_chat_id:
        return message.migrate_from_chat_id, message.chat.id
    return None


def _message(message: Message, bot_username: str | None) -> MessageReceived | Migration | None:
    if message.migrate_to_chat_id:
        return Migration(str(message.chat.id), str(message.migrate_to_chat_id))
    if message.migrate_from_chat_id:
        return Migration(str(message.migrate_from_chat_id), str(message.chat.id))
    user = message.from_user
    text = message.text
    parsed = split_command(text) if text else None
    if user is None or user.is_bot or parsed is None:
        return None  # other bots (and this one), service messages, media, ordinary conversation
    if parsed.bot and bot_username and parsed.bot.lower() != bot_username.lower():
        return None  # /cmd@OtherBot: addressed to another bot in the same group
    reply_to = message.reply_to_message
    if reply_to is not None and reply_to.forum_topic_created is not None:
        reply_to = None  # in a topic, a message not replying to anything "replies" to the topic's creation
    return MessageReceived(
        chat=chat_of(message.chat, message),
        sender=sender_of(user),
        text=text,
        message_ref=str(message.message_id),
        sent_at=message.date or datetime.now(UTC),
        reply_to=str(reply_to.message_id) if reply_to is not None else None,
    )


def _choice(query: CallbackQuery) -> ChoiceMade | None:
    parsed = parse_callback_data(query.data)
    message = query.message
    if parsed is None or message is None or query.from_user.is_bot:
        return None
    key, choice = parsed
    return ChoiceMade(
        chat=chat_of(message.chat, message),
        sender=sender_of(query.from_user),
        ask_key=key,
        choice=choice,
        message_ref=f"cb{query.id}",  # never equal to a message_id in the same chat
        sent_at=datetime.now(UTC),
    )


def chat_of(chat: TgChat, message: Message | MaybeInaccessibleMessage | None = None) -> Chat:
    """The chat, and the forum topic the message is in (``message_thread_id`` counts only with
    ``is_topic_message``: a supergroup's reply threads outside forums are no topics to answer in)."""
    thread = None
    if isinstance(message, Message) and message.is_topic_message and message.message_thread_id is not None:
        thread = str(message.message_thread_id)
    return Chat(PLATFORM, str(chat.id), is_direct=chat.type == TgChat.PRIVATE, thread=thread)


def sender_of(user: User) -> Sender:
    name = " ".join(part for part in (user.first_name, user.last_name) if part) or str(user.id)
    return Sender(PLATFORM, str(user.id), name)
