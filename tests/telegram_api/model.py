"""What the test server models: its limits and update types, users, chats, topics, messages and records of requests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TOKEN = "123456789:TEST-aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"
_TOKEN_FORMAT = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

MESSAGE_MAX_LENGTH = 4096
CALLBACK_DATA_MAX_BYTES = 64
INLINE_KEYBOARD_MAX_BUTTONS = 100

# Update types a bot gets when it never asked for others (Bot API: all but these three)
ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

# Methods that put a message into a chat, for flood limits and rate checks
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendSticker",
        "sendPoll",
        "sendLocation",
        "sendContact",
        "sendDice",
        "copyMessage",
        "forwardMessage",
    }
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# ------------------------------------------------------------------------------------------- models


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    username: str | None = None
    user: User | None = None  # the other side of a private chat
    members: set[int] = field(default_factory=set)
    creator_id: int | None = None
    bot_status: str = "member"  # member, administrator, left, kicked
    migrated_to: int | None = None
    migrated_from: int | None = None
    opened: bool = False  # private chats: the user wrote to the bot
    blocked: bool = False  # private chats: the user blocked the bot
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    is_forum: bool = False  # a supergroup with topics enabled
    topics: dict[int, Topic] = field(default_factory=dict)  # by message_thread_id

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            assert self.user is not None
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title
            if self.username:
                data["username"] = self.username
            if self.is_forum:
                data["is_forum"] = True
        return data

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class Topic:
    """A forum topic: its id is the id of the service message that created it (``forum_topic_created``)."""

    thread_id: int
    name: str
    icon_color: int
    creator_id: int
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        return {"message_thread_id": self.thread_id, "name": self.name, "icon_color": self.icon_color}


TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)  # the six Bot API allows
TOPIC_NAME_MAX_LENGTH = 128


@dataclass
class StoredMessage:
    data: dict[str, Any]  # the Message as Telegram would return it now
    sender_id: int
    raw_text: str | None = None
    parse_mode: str | None = None
    deleted: bool = False


@dataclass
class BotMessage:
    """One thing the bot did to a message: kind is "send", "edit", "edit_markup" or "delete"."""

    kind: str
    method: str
    chat_id: int
    message_id: int
    text: str | None  # as members see it: parse_mode applied
    entities: list[dict[str, Any]]
    raw_text: str | None  # as the bot sent it
    parse_mode: str | None
    reply_markup: dict[str, Any] | None  # as the bot sent it, of any kind
    reply_to_message_id: int | None
    message: dict[str, Any] | None  # the Message returned to the bot (None for delete)
    params: dict[str, Any]
    at: float  # time.monotonic()

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[str]:
        return [button.get("text", "") for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [button["callback_data"] for row in self.buttons for button in row if "callback_data" in button]

    @property
    def force_reply(self) -> bool:
        return bool((self.reply_markup or {}).get("force_reply"))

    @property
    def thread(self) -> int | None:
        """The forum topic the message is in (None: the main chat, "General" in a forum)."""
        return _topic_of(self.message or {})


@dataclass
class RequestRecord:
    """One HTTP request to the Bot API, with its arrival time (time.monotonic()) and chat."""

    method: str
    http_method: str
    params: dict[str, Any]
    chat_id: int | str | None
    at: float
    finished_at: float | None = None
    status: int | None = None
    ok: bool | None = None
    description: str | None = None
    result: Any = None


@dataclass
class Delivery:
    """What a user-side action produced: the message or callback query, and its update (None if not sent)."""

    update_id: int | None
    message: dict[str, Any] | None = None
    callback_query: dict[str, Any] | None = None

    @property
    def chat_id(self) -> int:
        source = self.message or (self.callback_query or {}).get("message") or {}
        return source["chat"]["id"]

    @property
    def message_id(self) -> int:
        assert self.message is not None
        return self.message["message_id"]

    @property
    def query_id(self) -> str:
        assert self.callback_query is not None
        return self.callback_query["id"]


def _topic_of(message: dict[str, Any]) -> int | None:
    return message.get("message_thread_id") if message.get("is_topic_message") else None
