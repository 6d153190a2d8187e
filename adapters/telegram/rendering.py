"""Turning the core's plain text into what Telegram shows: HTML with every
character of members' text escaped, names turned into mentions, messages
split under Telegram's length limit, and choices as inline keyboards."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.text import split_text, utf16_len, with_mentions
from bot.actions import Choice, Mention

MESSAGE_LIMIT = 4096  # characters after parsing, counted by Telegram in UTF-16 units (split_text's default)
CALLBACK_DATA_LIMIT = 64  # bytes
TOAST_LIMIT = 200  # characters of an answerCallbackQuery text
BUTTONS_PER_ROW = 2
_SEPARATOR = "|"
__all__ = ["MESSAGE_LIMIT", "split_text", "utf16_len"]  # the splitting lives in adapters/text.py


def escape(text: str) -> str:
    """Plain text as HTML that shows exactly that text: ``<``, ``>`` and ``&``
    become entities; Markdown characters mean nothing in HTML mode."""
    return html.escape(text, quote=False)


def mention(user_id: str, name: str) -> str:
    """A link that mentions a member (notifies them) and shows their name."""
    return f'<a href="tg://user?id={html.escape(str(user_id), quote=True)}">{escape(name)}</a>'


def to_html(text: str, mentions: Iterable[Mention] = ()) -> str:
    """``text`` escaped, with members' names made mentions (``adapters.text.with_mentions``)."""
    return with_mentions(text, mentions, escape, lambda m, name: mention(m.user_id, name))


def callback_data(key: str, choice: str) -> str:
    data = f"{key}{_SEPARATOR}{choice}"
    if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return data


def parse_callback_data(data: str | None) -> tuple[str, str] | None:
    """``(ask key, choice id)`` from a button's data; None for data not ours."""
    if not data or _SEPARATOR not in data:
        return None
    key, _, choice = data.rpartition(_SEPARATOR)
    return (key, choice) if key and choice else None


def keyboard(key: str, choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
    """The choices of an ask as buttons, two to a row; None when there are none."""
    buttons = [InlineKeyboardButton(choice.label, callback_data=callback_data(key, choice.id)) for choice in choices]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)])


def toast(text: str) -> str:
    """The first line of a reply, short enough for a button's pop-up answer."""
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= TOAST_LIMIT else first[: TOAST_LIMIT - 1] + "…"
