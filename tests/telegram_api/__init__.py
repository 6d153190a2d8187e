"""A Telegram Bot API test server for driving the real python-telegram-bot stack; see README.md here."""

from .formatting import EntityParseError, parse_html, parse_markdown, parse_markdown_v2
from .server import (
    ALL_UPDATE_TYPES,
    DEFAULT_TOKEN,
    DEFAULT_UPDATE_TYPES,
    ApiError,
    BotMessage,
    Chat,
    Delivery,
    Fault,
    FloodLimits,
    RequestRecord,
    ServerThread,
    TelegramTestServer,
    User,
)

__all__ = [
    "ALL_UPDATE_TYPES",
    "DEFAULT_TOKEN",
    "DEFAULT_UPDATE_TYPES",
    "ApiError",
    "BotMessage",
    "Chat",
    "Delivery",
    "EntityParseError",
    "Fault",
    "FloodLimits",
    "RequestRecord",
    "ServerThread",
    "TelegramTestServer",
    "User",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
]
