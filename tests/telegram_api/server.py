"""A Telegram Bot API test server on 127.0.0.1, for driving a real python-telegram-bot stack in tests.

The bot talks HTTP to ``server.base_url`` exactly as it talks to ``https://api.telegram.org/bot``; the test
plays the members through plain async methods on the server object (``user_sends``,
``user_presses_button``, ...) and reads what the bot did (``bot_messages``, ``wait_for_bot_message``,
``requests``). Faults are injected with ``fail_next``, ``flood_chat``, ``delay_next`` and by modelling
Telegram's own rules: a private chat is closed until its user writes to the bot, a blocked bot gets 403, an
upgraded group answers with ``migrate_to_chat_id``, privacy mode hides ordinary group chatter, updates stay
until a later ``getUpdates`` confirms them with ``offset``.

Run it in the test's own event loop (``async with TelegramTestServer() as server``), which also serves a bot
running in a subprocess while the test awaits, or in a thread of its own (``ServerThread``) when the test
thread must block. See README.md beside this file.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import math
import re
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from .formatting import EntityParseError, detect_entities, format_text, trim, utf16_len

T = TypeVar("T")

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

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


# ------------------------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(text: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", parameters)


def _forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


def _too_many_requests(retry_after: float) -> ApiError:
    shown = int(retry_after) if float(retry_after).is_integer() else retry_after
    return ApiError(429, f"Too Many Requests: retry after {shown}", {"retry_after": shown})


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
class Fault:
    """An injected failure; matches by method and/or chat, for ``remaining`` calls (None: until cleared)."""

    method: str | None
    chat_id: int | None
    remaining: int | None
    error_code: int | None
    description: str | None
    parameters: dict[str, Any] | None
    delay: float = 0.0
    hits: int = 0

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError | None:
        if self.error_code is None:
            return None
        if self.error_code == 429:
            retry_after = (self.parameters or {}).get("retry_after", 1)
            error = _too_many_requests(retry_after)
            if self.description:
                error.description = self.description
            return error
        return ApiError(
            self.error_code,
            self.description or _DEFAULT_DESCRIPTIONS.get(self.error_code, "Error"),
            self.parameters,
        )


@dataclass
class FloodLimits:
    """Opt-in flood control: more than these answers 429 with the seconds until the window frees."""

    per_second: int = 30
    per_group_per_minute: int = 20
    per_chat_per_second: int | None = None
    methods: frozenset[str] = SEND_METHODS


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


class _Poll:
    __slots__ = ("conflicted", "wake")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.conflicted = False


class _Forced:
    __slots__ = ("delivered", "update")

    def __init__(self, update: dict[str, Any]):
        self.update = update
        self.delivered = False


# ------------------------------------------------------------------------------------------- server


class TelegramTestServer:
    """A fake Telegram Bot API on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "collective_test_bot",
        bot_first_name: str = "Collective",
        privacy_mode: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        first_update_id: int = 100_000_001,
        flood_limits: FloodLimits | None = None,
        max_long_poll: float = 50.0,
    ):
        if not _TOKEN_FORMAT.match(token):
            raise ValueError(f"not a bot token: {token!r}")
        if host not in _LOOPBACK_HOSTS and not host.startswith("127."):
            raise ValueError("the test server listens on loopback only")
        self.token = token
        self.host = host
        self.port = port
        self.bot = User(int(token.split(":", 1)[0]), bot_first_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.flood_limits = flood_limits
        self.max_long_poll = max_long_poll
        self._clock = clock

        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self._user_ids = itertools.count(1_000_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_002_000_000_001)
        self._callback_ids = itertools.count(1)

        # updates
        self._next_update_id = first_update_id
        self._pending: list[dict[str, Any]] = []
        self._forced: list[_Forced] = []
        self._redeliver_after_confirm: set[int] = set()
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.confirmed_below = 0  # every update_id below this was confirmed by an offset
        self.updates: list[dict[str, Any]] = []  # every update created, in order
        self.dropped_updates: list[dict[str, Any]] = []  # not created: not in allowed_updates
        self.deliveries: list[tuple[int, float]] = []  # (update_id, monotonic) for each time one was returned
        self._polls: list[_Poll] = []
        self.webhook_url = ""

        # what the bot did
        self.requests: list[RequestRecord] = []
        self.events: list[BotMessage] = []
        self._consumed: dict[tuple[str, int | None], set[int]] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str, float]] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.bot_profile: dict[str, dict[str, str]] = {}
        self.unknown_methods: list[str] = []  # methods the bot called that this server does not model
        self.internal_errors: list[tuple[RequestRecord, str]] = []  # bugs in this server, with tracebacks

        self._faults: list[Fault] = []
        self._flood_log: deque[tuple[float, int | str | None]] = deque()
        self._changed_event = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None

        self._methods: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyName": self._profile_setter("name"),
            "getMyName": self._profile_getter("name"),
            "setMyDescription": self._profile_setter("description"),
            "getMyDescription": self._profile_getter("description"),
            "setMyShortDescription": self._profile_setter("short_description"),
            "getMyShortDescription": self._profile_getter("short_description"),
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatMemberCount": self._get_chat_member_count,
            "leaveChat": self._leave_chat,
            "createForumTopic": self._create_forum_topic,
            "closeForumTopic": self._topic_setter("close"),
            "reopenForumTopic": self._topic_setter("reopen"),
            "deleteForumTopic": self._topic_setter("delete"),
        }
        self._method_names = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """What python-telegram-bot takes as ``base_url``: ``http://127.0.0.1:PORT/bot``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def api_url(self) -> str:
        """``{base_url}{token}``: append ``/{method}`` for a raw request."""
        return f"{self.base_url}{self.token}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._closing = False

    async def stop(self) -> None:
        self._closing = True
        for poll in self._polls:
            poll.wake.set()
        self._changed()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramTestServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def in_thread(self) -> ServerThread:
        """This server, run by a thread with its own event loop (``with server.in_thread() as thread``)."""
        return ServerThread(self)

    # ------------------------------------------------------------------------------------ plumbing

    def _changed(self) -> None:
        """Wake everything waiting for a change of state (waiters re-check their condition)."""
        event, self._changed_event = self._changed_event, asyncio.Event()
        event.set()

    async def _wait_for(self, find: Callable[[], T | None], timeout: float, what: Callable[[], str]) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"waited {timeout}s for {what()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed_event.wait(), remaining)

    def _now(self) -> int:
        return int(self._clock())

    async def _handle(self, request: web.Request) -> web.Response:
        record = RequestRecord(
            method=request.match_info["method"],
            http_method=request.method,
            params={},
            chat_id=None,
            at=time.monotonic(),
        )
        self.requests.append(record)
        try:
            token = request.match_info["token"]
            if not _TOKEN_FORMAT.match(token):
                raise ApiError(404, "Not Found")
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            params = await self._read_params(request)
            record.params = params
            record.chat_id = self._chat_key(params.get("chat_id"))
            self._changed()  # a request arrived: wake wait_for_request(..., finished=False)
            name = self._method_names.get(record.method.lower())
            if name is None:
                self.unknown_methods.append(record.method)
                raise ApiError(404, "Not Found")
            record.method = name
            handler = self._methods[name]
            await self._apply_faults(record)
            self._apply_flood_limits(record)
            result = await handler(params)
            body: dict[str, Any] = {"ok": True, "result": result}
            record.status, record.ok, record.result = 200, True, result
        except ApiError as error:
            body = error.payload()
            record.status, record.ok, record.description = error.error_code, False, error.description
        except asyncio.CancelledError:
            record.description = "the client went away"
            record.finished_at = time.monotonic()
            self._changed()
            raise
        except Exception as error:  # a bug in this server: answer like Telegram's 500 and keep it for the test
            self.internal_errors.append((record, traceback.format_exc()))
            body = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {error!r}"}
            record.status, record.ok, record.description = 500, False, body["description"]
        record.finished_at = time.monotonic()
        self._changed()
        return web.json_response(body, status=record.status or 200)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as error:
                raise _bad_request("can't parse JSON encoded request") from error
            if body is not None:
                if not isinstance(body, dict):
                    raise _bad_request("JSON object expected as request body")
                params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"filename": value.filename, "content": value.file.read()}
                else:
                    params[key] = value
        return params

    def _chat_key(self, value: Any) -> int | str | None:
        """A chat_id parameter as a number when it is one, else the string (e.g. "@username")."""
        if value is None or value == "":
            return None
        try:
            return _as_int(value)
        except (TypeError, ValueError):
            text = str(value)
            chat = self._chat_by_username(text)
            return chat.id if chat else text

    async def _apply_faults(self, record: RequestRecord) -> None:
        for fault in self._faults:
            if fault.matches(record.method, record.chat_id):
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)  # simulated latency, not a poll
                error = fault.error()
                if error is not None:
                    raise error
                return

    def _apply_flood_limits(self, record: RequestRecord) -> None:
        limits = self.flood_limits
        if limits is None or record.method not in limits.methods or record.chat_id is None:
            return
        now = time.monotonic()
        log = self._flood_log
        while log and log[0][0] <= now - 60:
            log.popleft()
        waits = []
        last_second = [t for t, _ in log if t > now - 1]
        if len(last_second) >= limits.per_second:
            waits.append(last_second[-limits.per_second] + 1 - now)
        chat = record.chat_id
        if limits.per_chat_per_second:
            same_chat = [t for t, c in log if c == chat and t > now - 1]
            if len(same_chat) >= limits.per_chat_per_second:
                waits.append(same_chat[-limits.per_chat_per_second] + 1 - now)
        if isinstance(chat, int) and chat < 0:
            same_group = [t for t, c in log if c == chat]
            if len(same_group) >= limits.per_group_per_minute:
                waits.append(same_group[-limits.per_group_per_minute] + 60 - now)
        if waits:
            raise _too_many_requests(max(1, math.ceil(max(waits))))
        log.append((now, chat))

    # ------------------------------------------------------------------------------------ updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> int | None:
        update = {"update_id": self._next_update_id, kind: payload}
        if kind not in self._allowed_updates:
            self.dropped_updates.append(update)
            return None
        self._next_update_id += 1
        self._pending.append(update)
        self.updates.append(update)
        for poll in self._polls:
            poll.wake.set()
        self._changed()
        return update["update_id"]

    def _confirm_below(self, offset: int) -> None:
        confirmed = [u for u in self._pending if u["update_id"] < offset]
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        self._forced = [f for f in self._forced if not (f.delivered and f.update["update_id"] < offset)]
        for update in confirmed:
            if update["update_id"] in self._redeliver_after_confirm:
                self._redeliver_after_confirm.discard(update["update_id"])
                self._forced.append(_Forced(copy.deepcopy(update)))
        self.confirmed_below = max(self.confirmed_below, offset)

    def _drop_pending(self) -> None:
        if self._pending:
            self._confirm_below(self._pending[-1]["update_id"] + 1)
        self._forced.clear()
        self._redeliver_after_confirm.clear()
        self.confirmed_below = max(self.confirmed_below, self._next_update_id)

    def _take_updates(self, limit: int) -> list[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        for forced in self._forced:
            if len(batch) < limit:
                forced.delivered = True
                batch.append(forced.update)
        batch.extend(self._pending[: limit - len(batch)])
        batch.sort(key=lambda u: u["update_id"])
        now = time.monotonic()
        self.deliveries.extend((u["update_id"], now) for u in batch)
        return [copy.deepcopy(u) for u in batch]

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset") or 0
        limit = min(max(_int_param(params, "limit") or 100, 1), 100)
        timeout = min(max(_float_param(params, "timeout") or 0.0, 0.0), self.max_long_poll)
        if "allowed_updates" in params:
            allowed = _json_param(params, "allowed_updates", "allowed updates")
            if allowed is not None:
                if not isinstance(allowed, list):
                    raise _bad_request("can't parse allowed updates JSON object")
                chosen = frozenset(str(a) for a in allowed) & ALL_UPDATE_TYPES
                self._allowed_updates = chosen or DEFAULT_UPDATE_TYPES

        # a new getUpdates ends the one still waiting, as on Telegram
        for other in self._polls:
            other.conflicted = True
            other.wake.set()

        if offset > 0:
            self._confirm_below(offset)
        elif offset < 0:
            keep = self._pending[offset:]
            if keep:
                self._confirm_below(keep[0]["update_id"])
        self._changed()

        poll = _Poll()
        self._polls.append(poll)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll.conflicted:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                if self._closing:
                    return []
                if self._pending or self._forced:
                    return self._take_updates(limit)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                poll.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poll.wake.wait(), remaining)
        finally:
            self._polls.remove(poll)
            self._changed()

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if _bool_param(params, "drop_pending_updates"):
            self._drop_pending()
        self.webhook_url = url
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if _bool_param(params, "drop_pending_updates"):
            self._drop_pending()
        self.webhook_url = ""
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending) + len(self._forced),
        }
        if self._allowed_updates != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

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

    # ------------------------------------------------------------------------------------ forum topics

    def _send_topic(self, chat: Chat, params: dict[str, Any]) -> Topic | None:
        """The topic a send names with ``message_thread_id``: Telegram refuses a topic that is gone, and one that
        is closed unless the bot may manage topics there (an administrator)."""
        if params.get("message_thread_id") in (None, ""):
            return None
        thread = _as_int(params["message_thread_id"])
        topic = chat.topics.get(thread)
        if not chat.is_forum or topic is None or topic.deleted:
            raise _bad_request("message thread not found")
        if topic.closed and chat.bot_status != "administrator":
            raise _bad_request("TOPIC_CLOSED")
        return topic

    def _place_in_topic(
        self, chat: Chat, message: dict[str, Any], topic: Topic | None, target: StoredMessage | None
    ) -> None:
        """A message in a topic carries its ``message_thread_id`` and ``is_topic_message``; one that replies to
        nothing shows, as on Telegram, the topic's creation message as its ``reply_to_message``."""
        if topic is None:
            return
        message["message_thread_id"] = topic.thread_id
        message["is_topic_message"] = True
        created = chat.messages.get(topic.thread_id)
        if target is None and created is not None:
            message["reply_to_message"] = _without_reply(created.data)

    def _forum(self, params: dict[str, Any]) -> Chat:
        chat = self._find_chat(params)
        self._check_writable(chat, opening=False)
        if not chat.is_forum:
            raise _bad_request("the chat is not a forum")
        return chat

    def _open_topic(self, chat: Chat, by: User, name: str, icon_color: int) -> Topic:
        service = self._service_message(chat, by, forum_topic_created={"name": name, "icon_color": icon_color})
        topic = Topic(service["message_id"], name, icon_color, by.id)
        chat.topics[topic.thread_id] = topic
        service["message_thread_id"], service["is_topic_message"] = topic.thread_id, True
        chat.messages[topic.thread_id] = StoredMessage(copy.deepcopy(service), by.id)
        return topic

    async def _create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._forum(params)
        if chat.bot_status != "administrator":
            raise _bad_request("not enough rights to create a topic")
        name = str(params.get("name") or "")
        if not name:
            raise _bad_request("TOPIC_TITLE_EMPTY")
        if len(name) > TOPIC_NAME_MAX_LENGTH:
            raise _bad_request("TOPIC_TITLE_INVALID")
        icon_color = _int_param(params, "icon_color") or TOPIC_ICON_COLORS[0]
        if icon_color not in TOPIC_ICON_COLORS:
            raise _bad_request("TOPIC_ICON_COLOR_INVALID")
        return self._open_topic(chat, self.bot, name, icon_color).to_api()

    def _topic_setter(self, change: str) -> Callable[[dict[str, Any]], Awaitable[bool]]:
        async def setter(params: dict[str, Any]) -> bool:
            chat = self._forum(params)
            thread = _int_param(params, "message_thread_id")
            topic = chat.topics.get(thread) if thread is not None else None
            if topic is None or topic.deleted:
                raise _bad_request("message thread not found")
            if chat.bot_status != "administrator" and not (change != "delete" and topic.creator_id == self.bot.id):
                raise _bad_request("CHAT_ADMIN_REQUIRED")
            self._change_topic(chat, topic, change, self.bot, notify=False)
            return True

        return setter

    def _change_topic(self, chat: Chat, topic: Topic, change: str, by: User, *, notify: bool) -> None:
        """Close, reopen or delete a topic; closing and reopening leave a service message in it."""
        if change == "delete":
            topic.deleted = True
            for stored in chat.messages.values():
                if _topic_of(stored.data) == topic.thread_id or stored.data.get("message_id") == topic.thread_id:
                    stored.deleted = True
            self._changed()
            return
        if topic.closed == (change == "close"):
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = change == "close"
        kind = "forum_topic_closed" if topic.closed else "forum_topic_reopened"
        service = self._service_message(chat, by, **{kind: {}})
        service["message_thread_id"], service["is_topic_message"] = topic.thread_id, True
        if notify:
            self._post(chat, service, by.id)
        else:  # the bot's own doing: no update for it
            chat.messages[service["message_id"]] = StoredMessage(copy.deepcopy(service), by.id)
            self._changed()

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

    def _record(
        self,
        kind: str,
        method: str,
        chat: Chat,
        message: dict[str, Any] | None,
        raw_text: str | None,
        params: dict[str, Any],
        markup: dict[str, Any] | None,
        target: StoredMessage | None,
        message_id: int | None = None,
    ) -> None:
        self.events.append(
            BotMessage(
                kind=kind,
                method=method,
                chat_id=chat.id,
                message_id=message["message_id"] if message else message_id or 0,
                text=message.get("text") if message else None,
                entities=list(message.get("entities", [])) if message else [],
                raw_text=raw_text,
                parse_mode=params.get("parse_mode") or None,
                reply_markup=markup,
                reply_to_message_id=target.data["message_id"] if target else None,
                message=copy.deepcopy(message) if message else None,
                params=dict(params),
                at=time.monotonic(),
            )
        )
        self._changed()

    # ------------------------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        count: int | None = 1,
        *,
        error_code: int = 429,
        retry_after: float = 1,
        description: str | None = None,
        parameters: dict[str, Any] | None = None,
        chat_id: int | None = None,
    ) -> Fault:
        """The next ``count`` calls of ``method`` (to ``chat_id`` if given) fail; 429 carries retry_after.

        Telegram's retry_after is a whole number of seconds; a fraction (e.g. 0.2) keeps a test fast and
        python-telegram-bot accepts it.
        """
        if error_code == 429:
            parameters = {**(parameters or {}), "retry_after": retry_after}
        fault = Fault(method, chat_id, count, error_code, description, parameters)
        self._faults.append(fault)
        return fault

    def flood_chat(
        self, chat: Chat | int, *, retry_after: float = 1, count: int | None = None, method: str | None = None
    ) -> Fault:
        """Every call to one chat (of ``method`` if given) answers 429 until ``clear_faults`` or ``count`` ran out."""
        parameters = {"retry_after": retry_after}
        fault = Fault(method, _chat_id(chat), count, 429, None, parameters)
        self._faults.append(fault)
        return fault

    def delay_next(self, method: str, seconds: float, count: int | None = 1, *, chat_id: int | None = None) -> Fault:
        """The next ``count`` calls of ``method`` are answered (normally) only after ``seconds``."""
        fault = Fault(method, chat_id, count, None, None, None, delay=seconds)
        self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self._faults.clear()

    # ------------------------------------------------------------------------------------ the world

    def add_user(
        self,
        first_name: str = "Alice",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
    ) -> User:
        """A Telegram user. Their private chat with the bot exists but is closed until they write to it."""
        user = User(user_id or next(self._user_ids), first_name, last_name, username, language_code)
        self.users[user.id] = user
        self.chats[user.id] = Chat(user.id, "private", user=user)
        return user

    def add_group(
        self,
        title: str = "Collective",
        *,
        members: Iterable[User | int] = (),
        supergroup: bool = False,
        username: str | None = None,
        chat_id: int | None = None,
        bot_is_admin: bool = False,
        bot_is_member: bool = True,
        forum: bool = False,
    ) -> Chat:
        """A group (or supergroup) with these members; the bot is already in it unless bot_is_member=False.
        ``forum=True``: a supergroup with topics enabled (``is_forum``), its "General" topic the main chat."""
        supergroup = supergroup or forum
        if chat_id is None:
            chat_id = -next(self._supergroup_ids) if supergroup else -next(self._group_ids)
        member_ids = [_user_id(m) for m in members]
        chat = Chat(
            chat_id,
            "supergroup" if supergroup else "group",
            title=title,
            username=username,
            members=set(member_ids),
            creator_id=member_ids[0] if member_ids else None,
            bot_status=("administrator" if bot_is_admin else "member") if bot_is_member else "left",
            is_forum=forum,
        )
        self.chats[chat_id] = chat
        return chat

    async def create_topic(self, chat: Chat | int, name: str, *, by: User | int | None = None) -> int:
        """A member opens a forum topic: a ``forum_topic_created`` service message in it. Returns its
        ``message_thread_id``."""
        forum = self.chat(chat)
        if not forum.is_forum:
            raise ValueError(f"{forum.title!r} is not a forum")
        actor = self._actor(forum, by)
        topic = self._open_topic(forum, actor, name, TOPIC_ICON_COLORS[0])
        self._post(forum, forum.messages[topic.thread_id].data, actor.id)
        return topic.thread_id

    async def close_topic(self, chat: Chat | int, thread: int, *, by: User | int | None = None) -> None:
        """A member closes a topic: a ``forum_topic_closed`` service message; only administrators (the bot
        too, when it is one) may write in it until it is reopened."""
        forum = self.chat(chat)
        self._change_topic(forum, forum.topics[thread], "close", self._actor(forum, by), notify=True)

    async def reopen_topic(self, chat: Chat | int, thread: int, *, by: User | int | None = None) -> None:
        forum = self.chat(chat)
        self._change_topic(forum, forum.topics[thread], "reopen", self._actor(forum, by), notify=True)

    async def delete_topic(self, chat: Chat | int, thread: int, *, by: User | int | None = None) -> None:
        """A member deletes a topic with every message in it; sending there then answers "message thread not
        found"."""
        forum = self.chat(chat)
        self._change_topic(forum, forum.topics[thread], "delete", self._actor(forum, by), notify=False)

    def chat(self, chat: Chat | int) -> Chat:
        return self.chats[_chat_id(chat)]

    def _visible_to_bot(self, chat: Chat, message: dict[str, Any]) -> bool:
        """Privacy mode: in groups the bot sees commands, replies to it, mentions of it and service messages."""
        if chat.type == "private":
            return not chat.blocked
        if chat.bot_status not in ("member", "administrator"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator" or "text" not in message:
            return True
        text = message["text"]
        if text.startswith("/"):
            first = text.split(maxsplit=1)[0]
            addressee = first.split("@", 1)[1] if "@" in first else None
            return addressee is None or addressee.lower() == (self.bot.username or "").lower()
        replied = message.get("reply_to_message")
        if replied and replied.get("from", {}).get("id") == self.bot.id:
            return True
        return f"@{self.bot.username}".lower() in text.lower()

    def _writable_by(self, user: User, chat: Chat) -> None:
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was upgraded to {chat.migrated_to}")
        if chat.is_group and user.id not in chat.members:
            raise ValueError(f"{user.first_name} is not a member of {chat.title!r}")
        if chat.type == "private" and chat.id != user.id:
            raise ValueError("a private chat belongs to one user")

    def _post(self, chat: Chat, message: dict[str, Any], sender_id: int, deliver_twice: bool = False) -> int | None:
        chat.messages[message["message_id"]] = StoredMessage(copy.deepcopy(message), sender_id, message.get("text"))
        self._changed()
        if not self._visible_to_bot(chat, message):
            return None
        update_id = self._enqueue("message", copy.deepcopy(message))
        if update_id is not None and deliver_twice:
            self._redeliver_after_confirm.add(update_id)
        return update_id

    async def user_sends(
        self,
        user: User | int,
        chat: Chat | int,
        text: str,
        *,
        reply_to: BotMessage | Delivery | dict[str, Any] | int | None = None,
        entities: list[dict[str, Any]] | None = None,
        plain: bool = False,
        deliver_twice: bool = False,
        topic: int | None = None,
    ) -> Delivery:
        """A user writes ``text`` in a chat (a group, or their private chat: ``chat=user``); ``topic``: in that
        forum topic (a reply is in its message's topic anyway).

        Entities are found as a Telegram client does (``/cmd``, ``/cmd@bot``, ``@mention``, URLs) unless
        ``entities`` is given, or ``plain=True`` sends the text with none at all. ``reply_to`` makes it a
        reply. ``deliver_twice`` re-delivers the update once more after the bot confirmed it.
        """
        sender = self.users[_user_id(user)]
        target_chat = self.chat(chat)
        self._writable_by(sender, target_chat)
        message: dict[str, Any] = {
            "message_id": target_chat.take_message_id(),
            "from": sender.to_api(),
            "chat": target_chat.to_api(),
            "date": self._now(),
            "text": text,
        }
        if entities is None and not plain:
            entities = [e.to_api() for e in detect_entities(text)]
        if entities:
            message["entities"] = entities
        replied = None
        if reply_to is not None:
            replied = target_chat.messages.get(_message_id(reply_to))
            if replied is None or replied.deleted:
                raise ValueError(f"no message {_message_id(reply_to)} in chat {target_chat.id} to reply to")
            topic = topic or _topic_of(replied.data)
        if topic is not None:
            found = target_chat.topics.get(topic)
            if found is None or found.deleted:
                raise ValueError(f"no topic {topic} in chat {target_chat.id}")
            if found.closed:
                raise ValueError(f"topic {found.name!r} is closed")
            self._place_in_topic(target_chat, message, found, replied)
        if replied is not None:
            message["reply_to_message"] = _without_reply(replied.data)
        if target_chat.type == "private":
            target_chat.opened = True
            target_chat.blocked = False
        update_id = self._post(target_chat, message, sender.id, deliver_twice)
        return Delivery(update_id, message=message)

    async def user_sends_private(self, user: User | int, text: str, **options: Any) -> Delivery:
        """A user writes to the bot privately, which opens the private chat (as /start does)."""
        return await self.user_sends(user, _user_id(user), text, **options)

    async def user_replies(
        self, user: User | int, to: BotMessage | Delivery | dict[str, Any], text: str, **options: Any
    ) -> Delivery:
        """A user replies to a message (usually the bot's), in the chat of that message."""
        return await self.user_sends(user, _message_chat_id(to), text, reply_to=to, **options)

    async def user_edits(self, user: User | int, message: Delivery | dict[str, Any], new_text: str) -> Delivery:
        """A user edits their message: an ``edited_message`` update."""
        chat = self.chat(_message_chat_id(message))
        stored = chat.messages[_message_id(message)]
        if stored.sender_id != _user_id(user):
            raise ValueError("a user can edit only their own messages")
        stored.data["text"] = new_text
        _set_or_drop(stored.data, "entities", [e.to_api() for e in detect_entities(new_text)] or None)
        stored.data["edit_date"] = self._now()
        edited = copy.deepcopy(stored.data)
        update_id = self._enqueue("edited_message", edited) if self._visible_to_bot(chat, edited) else None
        return Delivery(update_id, message=edited)

    async def user_presses_button(
        self,
        user: User | int,
        message: BotMessage | Delivery | dict[str, Any] | tuple[int, int],
        *,
        data: str | None = None,
        text: str | None = None,
        deliver_twice: bool = False,
    ) -> Delivery:
        """A user presses an inline button (chosen by callback_data or by its text) on a bot message.

        Only a button the message shows *now* can be pressed: a keyboard removed by an edit is gone.
        """
        presser = self.users[_user_id(user)]
        chat = self.chat(_message_chat_id(message))
        stored = chat.messages.get(_message_id(message))
        if stored is None or stored.deleted:
            raise LookupError(f"no message {_message_id(message)} in chat {chat.id}")
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was upgraded to {chat.migrated_to}")
        rows = (stored.data.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row]
        for button in buttons:
            if (data is None or button.get("callback_data") == data) and (text is None or button.get("text") == text):
                break
        else:
            shown = [(b.get("text"), b.get("callback_data")) for b in buttons]
            raise LookupError(f"message {stored.data['message_id']} has no button data={data!r} text={text!r}: {shown}")
        if "callback_data" not in button:
            raise ValueError(f"button {button.get('text')!r} is not a callback button")
        query = {
            "id": str(self.bot.id * 1_000_000_007 + next(self._callback_ids)),
            "from": presser.to_api(),
            "message": copy.deepcopy(stored.data),
            "chat_instance": _chat_instance(self.bot.id, chat.id),
            "data": button["callback_data"],
        }
        self.callback_queries[query["id"]] = query
        update_id = None
        if chat.type != "private" or not chat.blocked:
            update_id = self._enqueue("callback_query", copy.deepcopy(query))
            if update_id is not None and deliver_twice:
                self._redeliver_after_confirm.add(update_id)
        return Delivery(update_id, callback_query=query)

    def _member_update(self, chat: Chat, by: User, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        return {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": self._now(),
            "old_chat_member": old,
            "new_chat_member": new,
        }

    def _service_message(self, chat: Chat, by: User, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": chat.take_message_id(),
            "from": by.to_api(),
            "chat": chat.to_api(),
            "date": self._now(),
            **fields,
        }

    def _actor(self, chat: Chat, by: User | int | None) -> User:
        if by is not None:
            return self.users[_user_id(by)]
        for candidate in [chat.creator_id, *sorted(chat.members)]:
            if candidate is not None and candidate in self.users:
                return self.users[candidate]
        raise ValueError("name the user who does this (by=...)")

    async def user_joins(self, user: User | int, chat: Chat | int) -> Delivery:
        """A user joins a group: a ``new_chat_members`` service message."""
        group = self.chat(chat)
        member = self.users[_user_id(user)]
        group.members.add(member.id)
        message = self._service_message(group, member, new_chat_members=[member.to_api()])
        return Delivery(self._post(group, message, member.id), message=message)

    async def user_leaves(self, user: User | int, chat: Chat | int) -> Delivery:
        """A user leaves a group: a ``left_chat_member`` service message."""
        group = self.chat(chat)
        member = self.users[_user_id(user)]
        group.members.discard(member.id)
        message = self._service_message(group, member, left_chat_member=member.to_api())
        return Delivery(self._post(group, message, member.id), message=message)

    async def add_bot_to_group(self, chat: Chat | int, *, by: User | int | None = None) -> Delivery:
        """Someone adds the bot to a group: a ``my_chat_member`` update, then a ``new_chat_members`` message."""
        group = self.chat(chat)
        actor = self._actor(group, by)
        old = self._member(group, self.bot.id)
        group.bot_status = "member"
        self._enqueue("my_chat_member", self._member_update(group, actor, old, self._member(group, self.bot.id)))
        message = self._service_message(group, actor, new_chat_members=[self.bot.to_api()])
        return Delivery(self._post(group, message, actor.id), message=message)

    async def remove_bot_from_group(self, chat: Chat | int, *, by: User | int | None = None) -> Delivery:
        """Someone removes the bot: a ``my_chat_member`` update; sending there then answers 403."""
        group = self.chat(chat)
        actor = self._actor(group, by)
        old = self._member(group, self.bot.id)
        group.bot_status = "kicked"
        update = self._member_update(group, actor, old, self._member(group, self.bot.id))
        return Delivery(self._enqueue("my_chat_member", update))

    async def user_blocks_bot(self, user: User | int) -> Delivery:
        """The user blocks the bot: a ``my_chat_member`` update; sending to them then answers 403."""
        chat = self.chat(_user_id(user))
        old = self._member(chat, self.bot.id)
        chat.blocked = True
        update = self._member_update(chat, self.users[chat.id], old, self._member(chat, self.bot.id))
        return Delivery(self._enqueue("my_chat_member", update))

    async def user_unblocks_bot(self, user: User | int) -> Delivery:
        chat = self.chat(_user_id(user))
        old = self._member(chat, self.bot.id)
        chat.blocked = False
        update = self._member_update(chat, self.users[chat.id], old, self._member(chat, self.bot.id))
        return Delivery(self._enqueue("my_chat_member", update))

    async def upgrade_to_supergroup(
        self, chat: Chat | int, *, by: User | int | None = None, new_chat_id: int | None = None
    ) -> Chat:
        """A group becomes a supergroup with a new id: ``migrate_to_chat_id`` in the old group, then
        ``migrate_from_chat_id`` in the new one; the old id then answers 400 with ``migrate_to_chat_id``."""
        old = self.chat(chat)
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError("only a basic group can be upgraded, once")
        actor = self._actor(old, by)
        new = Chat(
            new_chat_id or -next(self._supergroup_ids),
            "supergroup",
            title=old.title,
            members=set(old.members),
            creator_id=old.creator_id,
            bot_status=old.bot_status,
            migrated_from=old.id,
        )
        self.chats[new.id] = new
        self._post(old, self._service_message(old, actor, migrate_to_chat_id=new.id), actor.id)
        old.migrated_to = new.id
        self._post(new, self._service_message(new, actor, migrate_from_chat_id=old.id), actor.id)
        return new

    async def redeliver(self, update_id: int) -> None:
        """Deliver an update again, with the same update_id, to the next getUpdates — confirmed or not."""
        for update in self.updates:
            if update["update_id"] == update_id:
                self._forced.append(_Forced(copy.deepcopy(update)))
                for poll in self._polls:
                    poll.wake.set()
                self._changed()
                return
        raise LookupError(f"no update {update_id}")

    # ------------------------------------------------------------------------------------ reading

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed (and re-deliveries not yet taken)."""
        return [copy.deepcopy(u) for u in self._pending] + [copy.deepcopy(f.update) for f in self._forced]

    @property
    def polling(self) -> bool:
        """Whether a getUpdates is waiting now (the bot is up and long-polling)."""
        return bool(self._polls)

    def bot_messages(self, chat: Chat | int | None = None) -> list[BotMessage]:
        """Every message the bot sent (in ``chat``, or anywhere), oldest first."""
        return self._events("send", chat)

    def bot_edits(self, chat: Chat | int | None = None) -> list[BotMessage]:
        """Every edit the bot made (text or keyboard), oldest first."""
        return [e for e in self.events if e.kind in ("edit", "edit_markup") and _in_chat(e, chat)]

    def _events(self, kind: str, chat: Chat | int | None) -> list[BotMessage]:
        return [e for e in self.events if e.kind == kind and _in_chat(e, chat)]

    def message(self, chat: Chat | int, message_id: int) -> dict[str, Any]:
        """A message as it is now (after edits), as Telegram would show it."""
        return copy.deepcopy(self.chat(chat).messages[message_id].data)

    def transcript(self, chat: Chat | int) -> list[dict[str, Any]]:
        """Every message in the chat, members' and the bot's, as they are now, in order."""
        messages = self.chat(chat).messages
        return [copy.deepcopy(messages[i].data) for i in sorted(messages) if not messages[i].deleted]

    def requests_of(self, method: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    async def wait_for_bot_message(
        self,
        chat: Chat | int | None = None,
        predicate: Callable[[BotMessage], bool] | str | None = None,
        timeout: float = 5.0,
    ) -> BotMessage:
        """The oldest message the bot sent (in ``chat``) that matches and no earlier wait returned.

        ``predicate`` is a function of a BotMessage, or a string the text must contain.
        """
        return await self._wait_for_event(("send",), chat, predicate, timeout)

    async def wait_for_bot_edit(
        self,
        chat: Chat | int | None = None,
        predicate: Callable[[BotMessage], bool] | str | None = None,
        timeout: float = 5.0,
    ) -> BotMessage:
        """Like wait_for_bot_message, for edits (editMessageText and editMessageReplyMarkup)."""
        return await self._wait_for_event(("edit", "edit_markup"), chat, predicate, timeout)

    async def _wait_for_event(
        self,
        kinds: tuple[str, ...],
        chat: Chat | int | None,
        predicate: Callable[[BotMessage], bool] | str | None,
        timeout: float,
    ) -> BotMessage:
        chat_id = None if chat is None else _chat_id(chat)
        consumed = self._consumed.setdefault((kinds[0], chat_id), set())
        if isinstance(predicate, str):
            needle = predicate
            predicate = lambda event: needle in (event.text or "")  # noqa: E731
        test = predicate or (lambda event: True)

        def find() -> BotMessage | None:
            for index, event in enumerate(self.events):
                if index in consumed or event.kind not in kinds or not _in_chat(event, chat_id):
                    continue
                if test(event):
                    consumed.add(index)
                    return event
            return None

        def what() -> str:
            sent = [(e.kind, e.chat_id, e.text) for e in self.events if _in_chat(e, chat_id)][-10:]
            failed = [(r.method, r.chat_id, r.description) for r in self.requests if r.ok is False][-5:]
            return f"a bot {'/'.join(kinds)} in chat {chat_id}; recent: {sent}; failed requests: {failed}"

        return await self._wait_for(find, timeout, what)

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[RequestRecord], bool] | None = None,
        timeout: float = 5.0,
        *,
        since: int = 0,
        finished: bool = True,
    ) -> RequestRecord:
        """The first request of ``method`` (from index ``since`` of ``requests``) matching ``predicate``."""

        def find() -> RequestRecord | None:
            for record in self.requests[since:]:
                if record.method.lower() != method.lower() or (finished and record.finished_at is None):
                    continue
                if predicate is None or predicate(record):
                    return record
            return None

        return await self._wait_for(find, timeout, lambda: f"a {method} request")

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The bot's answerCallbackQuery for a pressed button."""
        return await self._wait_for(
            lambda: self.callback_answers.get(query_id), timeout, lambda: f"an answer to callback query {query_id}"
        )

    async def wait_until_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Until the bot confirmed the update (a getUpdates with offset > update_id)."""
        await self._wait_for(
            lambda: True if self.confirmed_below > update_id else None,
            timeout,
            lambda: f"confirmation of update {update_id} (confirmed below {self.confirmed_below})",
        )

    async def wait_for_polling(self, timeout: float = 10.0) -> None:
        """Until a getUpdates long-poll is waiting: the bot is up and has taken everything pending."""
        await self._wait_for(lambda: True if self._polls else None, timeout, lambda: "the bot to long-poll")

    def message_rate_violations(
        self,
        *,
        per_second: int = 30,
        per_group_per_minute: int = 20,
        methods: Iterable[str] = SEND_METHODS,
        include_failed: bool = False,
    ) -> list[str]:
        """Windows where the bot sent more than Telegram allows: >per_second in any 1 s, or
        >per_group_per_minute to one group in any 60 s (by request arrival times)."""
        chosen = set(methods)
        sent = [r for r in self.requests if r.method in chosen and (r.ok or include_failed)]
        problems = []
        times = [r.at for r in sent]
        start = 0
        for end, t in enumerate(times):
            while times[start] <= t - 1:
                start += 1
            if end - start + 1 > per_second:
                problems.append(f"{end - start + 1} messages within 1 s ending at request {end}")
        groups: dict[int | str, list[float]] = {}
        for r in sent:
            if isinstance(r.chat_id, int) and r.chat_id < 0:
                groups.setdefault(r.chat_id, []).append(r.at)
        for chat_id, group_times in groups.items():
            start = 0
            for end, t in enumerate(group_times):
                while group_times[start] <= t - 60:
                    start += 1
                if end - start + 1 > per_group_per_minute:
                    problems.append(f"{end - start + 1} messages to group {chat_id} within 60 s")
        return problems


# ------------------------------------------------------------------------------------------- thread


class ServerThread:
    """Runs a TelegramTestServer in a thread with its own event loop.

    Any attribute of the server is reachable through this object: methods are run *in the server's loop*
    and their result returned (coroutines are awaited there), so ``thread.user_sends(...)`` blocks the
    calling thread until done; ``await thread.aio.user_sends(...)`` is the same from another event loop.
    """

    def __init__(self, server: TelegramTestServer | None = None, **options: Any):
        self.server = server or TelegramTestServer(**options)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.aio = _AsyncProxy(self)

    def start(self) -> ServerThread:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as error:
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="telegram-test-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self.loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop = None
        self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def _submit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        assert self.loop is not None, "the server thread is not running"

        async def call() -> Any:
            result = function(*args, **kwargs)
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(call(), self.loop)

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``function(*args, **kwargs)`` in the server's loop and return its (awaited) result."""
        return self._submit(function, *args, **kwargs).result()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.server, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: self.call(attribute, *args, **kwargs)


class _AsyncProxy:
    def __init__(self, owner: ServerThread):
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._owner.server, name)
        if not callable(attribute):
            raise AttributeError(f"{name} is not a method; read it from the ServerThread")

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.wrap_future(self._owner._submit(attribute, *args, **kwargs))

        return call


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


def _topic_of(message: dict[str, Any]) -> int | None:
    return message.get("message_thread_id") if message.get("is_topic_message") else None


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


__all__ = [
    "ALL_UPDATE_TYPES",
    "DEFAULT_TOKEN",
    "DEFAULT_UPDATE_TYPES",
    "ApiError",
    "BotMessage",
    "Chat",
    "Delivery",
    "Fault",
    "FloodLimits",
    "RequestRecord",
    "ServerThread",
    "TelegramTestServer",
    "User",
    "utf16_len",
]
