"""Editing and callbacks: editMessageText, editMessageReplyMarkup, deleteMessage and answerCallbackQuery."""

from __future__ import annotations

import copy
import time
from typing import Any

from .errors import (
    _NOT_MODIFIED,
    _QUERY_INVALID,
    _bad_request,
)
from .model import (
    Chat,
    StoredMessage,
)
from .params import (
    _as_int,
    _bool_param,
    _int_param,
    _set_or_drop,
)


class Editing:
    """Part of TelegramTestServer (server.py): editing and callbacks: editMessageText, editMessageReplyMarkup, deleteMessage and answerCallbackQuery."""

    def _bot_message(self, params: dict[str, Any], verb: str = "edit") -> tuple[Chat, StoredMessage]:
        if params.get("inline_message_id") not in (None, ""):
            raise _bad_request("MESSAGE_ID_INVALID")
        chat = self._find_chat(params)
        self._check_writable(chat, opening=False)
        if params.get("message_id") in (None, ""):
            raise _bad_request("message identifier is not specified")
        stored = chat.messages.get(_as_int(params["message_id"]))
        if stored is None or stored.deleted:
            raise _bad_request(f"message to {verb} not found")
        return chat, stored

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        raw_text = params.get("text")
        if raw_text in (None, ""):
            raise _bad_request("message text is empty")
        raw_text = str(raw_text)
        text, entities = self._format(raw_text, params)
        markup = self._parse_markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad_request("inline keyboard expected")
        chat, stored = self._bot_message(params)
        if stored.sender_id != self.bot.id:
            raise _bad_request("message can't be edited")
        if "text" not in stored.data:
            raise _bad_request("there is no text in the message to edit")
        self._check_text(text)
        self._check_markup_limits(markup)
        new_markup = {"inline_keyboard": markup["inline_keyboard"]} if markup else None
        current = stored.data
        if (
            current.get("text") == text
            and current.get("entities", []) == entities
            and current.get("reply_markup") == new_markup
        ):
            raise _bad_request(_NOT_MODIFIED)
        current["text"] = text
        _set_or_drop(current, "entities", entities or None)
        _set_or_drop(current, "reply_markup", new_markup)  # no reply_markup: the keyboard goes, as on Telegram
        current["edit_date"] = self._now()
        stored.raw_text, stored.parse_mode = raw_text, params.get("parse_mode")
        message = copy.deepcopy(current)
        self._record("edit", "editMessageText", chat, message, raw_text, params, markup, None)
        return message

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = self._parse_markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad_request("inline keyboard expected")
        chat, stored = self._bot_message(params)
        if stored.sender_id != self.bot.id:
            raise _bad_request("message can't be edited")
        self._check_markup_limits(markup)
        new_markup = {"inline_keyboard": markup["inline_keyboard"]} if markup and markup["inline_keyboard"] else None
        if stored.data.get("reply_markup") == new_markup:
            raise _bad_request(_NOT_MODIFIED)
        _set_or_drop(stored.data, "reply_markup", new_markup)
        stored.data["edit_date"] = self._now()
        message = copy.deepcopy(stored.data)
        self._record("edit_markup", "editMessageReplyMarkup", chat, message, None, params, markup, None)
        return message

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat, stored = self._bot_message(params, "delete")
        if stored.sender_id != self.bot.id and chat.is_group and chat.bot_status != "administrator":
            raise _bad_request("message can't be deleted")
        stored.deleted = True
        self._record("delete", "deleteMessage", chat, None, None, params, None, None, stored.data["message_id"])
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.callback_queries or query_id in self.callback_answers:
            raise _bad_request(_QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": _bool_param(params, "show_alert"),
            "url": params.get("url"),
            "cache_time": _int_param(params, "cache_time"),
            "at": time.monotonic(),
        }
        return True
