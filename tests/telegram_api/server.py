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

The server is one class made of parts, a module for each area of the Bot API: updates (getUpdates, webhook),
sending, editing (and callback answers), chats (members, commands, profile), forum (topics), faults (injected
failures, flood control), world (what members do), reading (what the bot did); errors, model and params hold
what they share, thread runs it all in a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from .chats import Chats
from .editing import Editing
from .errors import (
    ApiError,
    Fault,
    FloodLimits,
    _bad_request,
)
from .faults import Faults
from .formatting import utf16_len
from .forum import Forum
from .model import (
    _LOOPBACK_HOSTS,
    _TOKEN_FORMAT,
    ALL_UPDATE_TYPES,
    DEFAULT_TOKEN,
    DEFAULT_UPDATE_TYPES,
    BotMessage,
    Chat,
    Delivery,
    RequestRecord,
    User,
)
from .params import (
    _as_int,
)
from .reading import Reading
from .sending import Sending
from .thread import ServerThread
from .updates import Updates, _Forced, _Poll
from .world import World

T = TypeVar("T")


class TelegramTestServer(Faults, Updates, Sending, Forum, Editing, Chats, World, Reading):
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
        self.webhook_secret: str | None = None
        self.webhook_max_connections = 40
        self.webhook_settings: list[dict[str, Any]] = []  # every setWebhook, in order
        # A load balancer in front of several bot processes: updates are posted to these in turn (round-robin)
        # instead of to the webhook's URL; each post is kept as (update_id, backend, HTTP status or None).
        self.webhook_backends: list[str] = []
        self.webhook_posts: list[tuple[int, str, int | None]] = []
        self.webhook_confirmed: set[int] = set()  # updates a webhook answered with 2xx
        self.webhook_retry_after = 0.2  # seconds before an update not confirmed is posted again
        self._webhook_turn = 0
        self._webhook_task: asyncio.Task | None = None

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
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
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
