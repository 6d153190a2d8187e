"""Reading request parameters as the Bot API does, and small lookups shared by the server's parts."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from .errors import (
    _bad_request,
)
from .model import (
    BotMessage,
    Chat,
    User,
)

# ------------------------------------------------------------------------------------------- helpers


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise TypeError(value)


def _int_param(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return _as_int(value)
    except (TypeError, ValueError) as error:
        raise _bad_request(f"invalid {name} specified") from error


def _float_param(params: dict[str, Any], name: str) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise _bad_request(f"invalid {name} specified") from error


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def _bool_param(params: dict[str, Any], name: str) -> bool:
    return _truthy(params.get(name))


def _json_param(params: dict[str, Any], name: str, what: str) -> Any:
    """A parameter that is JSON: form and query values arrive JSON-encoded, JSON bodies may nest or encode."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as error:
            raise _bad_request(f"can't parse {what} JSON object") from error
    return value


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value


def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A message as it appears in reply_to_message: without its own reply_to_message."""
    result = copy.deepcopy(message)
    result.pop("reply_to_message", None)
    return result


def _chat_instance(bot_id: int, chat_id: int) -> str:
    digest = hashlib.sha256(f"{bot_id}:{chat_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big", signed=True))


def _user_id(user: User | int) -> int:
    return user.id if isinstance(user, User) else int(user)


def _chat_id(chat: Chat | User | int) -> int:
    return chat.id if isinstance(chat, Chat | User) else int(chat)


def _message_id(ref: Any) -> int:
    """A message reference: a BotMessage, Delivery, PTB Message, Message dict, (chat_id, message_id) or an id."""
    if isinstance(ref, tuple):
        return int(ref[1])
    if isinstance(ref, dict):
        return int(ref["message_id"])
    if isinstance(ref, int):
        return ref
    return int(ref.message_id)


def _message_chat_id(ref: Any) -> int:
    if isinstance(ref, tuple):
        return int(ref[0])
    if isinstance(ref, dict):
        return int(ref["chat"]["id"])
    return int(ref.chat_id)


def _in_chat(event: BotMessage, chat: Chat | int | None) -> bool:
    return chat is None or event.chat_id == _chat_id(chat)
