"""Webhook mode: Telegram posts each update to ``[telegram] webhook_url``; behind a load balancer, to any of
several bot processes on one PostgreSQL store. This process takes them on ``listen`` (aiohttp's server).

- Every request must carry ``[telegram] secret_token`` in ``X-Telegram-Bot-Api-Secret-Token``: a wrong or
  missing one is refused with 403 and logged, without the token it carried.
- A body over 1 MB is refused (413) before it is read; a body that is not JSON, or not an update, gets 400;
  an update of a kind the bot does not handle is answered 200 and ignored.
- The answer goes back only after the update's unit of work committed (its answers stored in the outbox with
  it): a 200 is Telegram's confirmation, so an update whose process died or failed is posted again, and the
  core — which remembers every message it applied — applies it once.
- Order: one process handles a chat's updates one at a time in arrival order (the runtime's chat lock), and
  across processes the collective's lock orders their units of work. An update older than one already applied
  (it reached a slower process) is applied once, when it comes, never dropped as stale: updates are told
  apart by their message refs, not by a high-water mark of update ids.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Bot, Update

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # bytes; Telegram's updates are far smaller
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Handler = Callable[[Update], Awaitable[None]]


class WebhookServer:
    def __init__(self, bot: Bot, handle: Handler, listen: tuple[str, int], secret_token: str, path: str) -> None:
        self._bot = bot
        self._handle = handle
        self._listen = listen
        self._secret = secret_token.encode()
        self._path = path or "/"
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the port listened on (0 in ``listen``: one the system chose)

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self._path, self._on_request)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        host, port = self._listen
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """No new requests; those being handled finish (their units of work commit and are confirmed)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _on_request(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning(
                "telegram webhook: refused a request from %s: %s secret token",
                request.remote,
                "a wrong" if given else "no",
            )
            return web.Response(status=403, text="Forbidden")
        try:
            data = await request.json(loads=json.loads)
        except web.HTTPRequestEntityTooLarge:
            log.warning("telegram webhook: refused a request from %s: a body over %d bytes", request.remote, MAX_BODY)
            raise
        except ValueError:
            log.warning("telegram webhook: a request from %s is not JSON; refused", request.remote)
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            log.warning("telegram webhook: a request from %s is not an update; refused", request.remote)
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(data, self._bot)
        except Exception:
            log.warning("telegram webhook: update %s could not be read; ignored", data["update_id"], exc_info=True)
            return web.Response(status=200)  # posting it again would not make it readable
        try:
            await self._handle(update)  # returns once its unit of work committed
        except Exception:
            log.exception("telegram webhook: update %s failed; Telegram will post it again", update.update_id)
            return web.Response(status=500)
        return web.Response(status=200)
