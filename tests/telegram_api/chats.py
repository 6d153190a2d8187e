"""Chats and members: commands, the bot's profile, getChat, chat members, leaveChat."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import (
    _bad_request,
)
from .model import (
    Chat,
)
from .params import (
    _int_param,
    _json_param,
)


class Chats:
    """Part of TelegramTestServer (server.py): chats and members: commands, the bot's profile, getChat, chat members, leaveChat."""

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = _json_param(params, "scope", "BotCommandScope") if params.get("scope") not in (None, "") else None
        scope = scope or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = _json_param(params, "commands", "commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).lstrip("/")
            description = str(item.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _profile_setter(self, name: str) -> Callable[[dict[str, Any]], Awaitable[bool]]:
        async def setter(params: dict[str, Any]) -> bool:
            self.bot_profile.setdefault(name, {})[str(params.get("language_code") or "")] = str(params.get(name) or "")
            return True

        return setter

    def _profile_getter(self, name: str) -> Callable[[dict[str, Any]], Awaitable[dict[str, str]]]:
        async def getter(params: dict[str, Any]) -> dict[str, str]:
            values = self.bot_profile.get(name, {})
            language = str(params.get("language_code") or "")
            default = self.bot.first_name if name == "name" else ""
            return {name: values.get(language, values.get("", default))}

        return getter

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._find_chat(params)
        if chat.migrated_to is not None:
            self._check_writable(chat)
        info = {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        return info

    def _member(self, chat: Chat, user_id: int) -> dict[str, Any]:
        if user_id == self.bot.id:
            status = chat.bot_status if chat.is_group else ("kicked" if chat.blocked else "member")
            user = self.bot
        else:
            user = self.users.get(user_id)
            if user is None:
                raise _bad_request("user not found")
            if chat.type == "private":
                status = "member" if user_id == chat.id else "left"
            elif user_id == chat.creator_id:
                status = "creator"
            else:
                status = "member" if user_id in chat.members else "left"
        data: dict[str, Any] = {"user": user.to_api(), "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "kicked":
            data["until_date"] = 0
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": False,
                    "can_restrict_members": False,
                    "can_promote_members": False,
                    "can_change_info": False,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                    "can_pin_messages": True,
                }
            )
        return data

    async def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._find_chat(params)
        if chat.migrated_to is not None:
            self._check_writable(chat)
        user_id = _int_param(params, "user_id")
        if user_id is None:
            raise _bad_request("user_id is empty")
        return self._member(chat, user_id)

    async def _get_chat_member_count(self, params: dict[str, Any]) -> int:
        chat = self._find_chat(params)
        if chat.type == "private":
            return 2
        return len(chat.members) + (1 if chat.bot_status in ("member", "administrator") else 0)

    async def _leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self._find_chat(params)
        if chat.type == "private":
            raise _bad_request("chat member status can't be changed in private chats")
        self._check_writable(chat)
        old = self._member(chat, self.bot.id)
        chat.bot_status = "left"
        self._enqueue("my_chat_member", self._member_update(chat, self.bot, old, self._member(chat, self.bot.id)))
        return True
