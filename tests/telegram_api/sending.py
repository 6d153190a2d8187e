"""Sending: getMe, finding and writing to chats, formatting, keyboards, replies, sendMessage, sendChatAction."""

from __future__ import annotations

import copy
import time
from typing import Any

from .errors import (
    _bad_request,
    _forbidden,
)
from .formatting import EntityParseError, detect_entities, format_text, trim
from .model import (
    CALLBACK_DATA_MAX_BYTES,
    CHAT_ACTIONS,
    INLINE_KEYBOARD_MAX_BUTTONS,
    MESSAGE_MAX_LENGTH,
    Chat,
    StoredMessage,
)
from .params import (
    _as_int,
    _json_param,
    _truthy,
    _without_reply,
)


class Sending:
    """Part of TelegramTestServer (server.py): sending: getMe, finding and writing to chats, formatting, keyboards, replies, sendMessage, sendChatAction."""

    # ------------------------------------------------------------------------------------ bot methods

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _chat_by_username(self, name: str) -> Chat | None:
        wanted = name.lstrip("@").lower()
        for chat in self.chats.values():
            if chat.type != "private" and chat.username and chat.username.lower() == wanted:
                return chat
        return None

    def _find_chat(self, params: dict[str, Any]) -> Chat:
        value = params.get("chat_id")
        if value is None or value == "":
            raise _bad_request("chat_id is empty")
        if isinstance(value, str) and value.strip().startswith("@"):
            chat = self._chat_by_username(value.strip())
        else:
            try:
                chat = self.chats.get(_as_int(value))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise _bad_request("chat not found")
        return chat

    def _check_writable(self, chat: Chat, *, opening: bool = True) -> None:
        if chat.type == "private":
            if chat.blocked:
                raise _forbidden("bot was blocked by the user")
            if opening and not chat.opened:
                raise _forbidden("bot can't initiate conversation with a user")
            return
        if chat.migrated_to is not None:
            raise _bad_request("group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": chat.migrated_to})
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise _forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise _forbidden(f"bot is not a member of the {kind} chat")

    def _format(self, text: str, params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """Apply parse_mode or entities, trim, and add the entities Telegram finds by itself."""
        users = {uid: user.to_api() for uid, user in self.users.items()}
        if params.get("entities") not in (None, ""):
            raw = _json_param(params, "entities", "entities")
            if not isinstance(raw, list):
                raise _bad_request("can't parse entities JSON object")
            return text, sorted(raw, key=lambda e: (e.get("offset", 0), -e.get("length", 0)))
        parse_mode = params.get("parse_mode") or None
        try:
            plain, entities = format_text(text, parse_mode, users)
        except EntityParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from error
        except ValueError as error:
            raise _bad_request("unsupported parse_mode") from error
        plain, entities = trim(plain, entities)
        entities = sorted(entities + detect_entities(plain, entities), key=lambda e: e.sort_key())
        return plain, [e.to_api() for e in entities]

    def _check_text(self, text: str) -> None:
        if not text:
            raise _bad_request("message text is empty")
        if len(text) > MESSAGE_MAX_LENGTH:
            raise _bad_request("message is too long")

    def _parse_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if params.get("reply_markup") in (None, ""):
            return None
        markup = _json_param(params, "reply_markup", "reply keyboard markup")
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request('field "inline_keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    if not isinstance(button, dict):
                        raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
                    if not isinstance(button.get("text"), str):
                        raise _bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
                    actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                    if not actions:
                        raise _bad_request(
                            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                        )
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request('field "keyboard" must be of type Array')
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        return markup

    def _check_markup_limits(self, markup: dict[str, Any] | None) -> None:
        if not markup or "inline_keyboard" not in markup:
            return
        buttons = [b for row in markup["inline_keyboard"] for b in row]
        if len(buttons) > INLINE_KEYBOARD_MAX_BUTTONS:
            raise _bad_request("REPLY_MARKUP_TOO_LONG")
        for button in buttons:
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
                    raise _bad_request("BUTTON_DATA_INVALID")
            if not button["text"]:
                raise _bad_request("BUTTON_TEXT_INVALID")

    def _reply_target(self, chat: Chat, params: dict[str, Any]) -> StoredMessage | None:
        reply = None
        if params.get("reply_parameters") not in (None, ""):
            reply = _json_param(params, "reply_parameters", "reply parameters")
            if not isinstance(reply, dict) or "message_id" not in reply:
                raise _bad_request("can't parse reply parameters JSON object")
        elif params.get("reply_to_message_id") not in (None, ""):
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        if reply is None:
            return None
        target_chat = chat
        if reply.get("chat_id") not in (None, ""):
            target_chat = self._find_chat({"chat_id": reply["chat_id"]})
        target = target_chat.messages.get(_as_int(reply["message_id"]))
        if target is None or target.deleted:
            if _truthy(reply.get("allow_sending_without_reply")):
                return None
            raise _bad_request("message to be replied not found")
        return target

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("chat_id") in (None, ""):
            raise _bad_request("chat_id is empty")
        raw_text = params.get("text")
        if raw_text in (None, ""):
            raise _bad_request("message text is empty")
        raw_text = str(raw_text)
        text, entities = self._format(raw_text, params)
        markup = self._parse_markup(params)
        chat = self._find_chat(params)
        if chat.migrated_to is not None:
            self._check_writable(chat)
        self._check_text(text)
        self._check_writable(chat)
        self._check_markup_limits(markup)
        topic = self._send_topic(chat, params)
        target = self._reply_target(chat, params)

        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": self.bot.to_api(),
            "chat": chat.to_api(),
            "date": self._now(),
            "text": text,
        }
        if entities:
            message["entities"] = entities
        self._place_in_topic(chat, message, topic, target)
        if target is not None:
            message["reply_to_message"] = _without_reply(target.data)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        chat.messages[message["message_id"]] = StoredMessage(
            copy.deepcopy(message), self.bot.id, raw_text, params.get("parse_mode")
        )
        self._record("send", "sendMessage", chat, message, raw_text, params, markup, target)
        return message

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._find_chat(params)
        action = params.get("action")
        if not action:
            raise _bad_request("action is empty")
        if action not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self._check_writable(chat)
        self.chat_actions.append((chat.id, str(action), time.monotonic()))
        return True
