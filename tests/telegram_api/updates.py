"""Updates: the queue, long polling with getUpdates and its offsets, and the webhook methods."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import time
from typing import Any

import aiohttp

from .errors import (
    ApiError,
    _bad_request,
)
from .model import (
    ALL_UPDATE_TYPES,
    DEFAULT_UPDATE_TYPES,
)
from .params import (
    _bool_param,
    _float_param,
    _int_param,
    _json_param,
)

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


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


class Updates:
    """Part of TelegramTestServer (server.py): updates: the queue, long polling with getUpdates and its offsets, and the webhook methods."""

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
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        connections = _int_param(params, "max_connections")
        if connections is not None and not 1 <= connections <= 100:
            raise _bad_request("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params:
            allowed = _json_param(params, "allowed_updates", "allowed updates")
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(str(a) for a in allowed) & ALL_UPDATE_TYPES or DEFAULT_UPDATE_TYPES
        self.webhook_url = url
        self.webhook_secret = None if secret is None else str(secret)
        self.webhook_max_connections = connections or 40
        self.webhook_settings.append({"url": url, "secret_token": self.webhook_secret, "max_connections": connections})
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook(), name="webhook-delivery")
        self._changed()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if _bool_param(params, "drop_pending_updates"):
            self._drop_pending()
        self.webhook_url = ""
        self._changed()
        return True

    # ------------------------------------------------------------------------------------ webhook delivery

    async def _deliver_to_webhook(self) -> None:
        """While a webhook is set: post every pending update to it (or, behind the test's load balancer, to
        ``webhook_backends`` in turn), up to ``max_connections`` at once; an update is confirmed by a 2xx answer,
        and posted again ``webhook_retry_after`` seconds after any other answer or none. Like Telegram, updates
        of one chat may be in flight at once, to different backends."""
        loop = asyncio.get_running_loop()
        in_flight: set[int] = set()
        retry_at: dict[int, float] = {}
        posts: set[asyncio.Task] = set()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            try:
                while self.webhook_url and not self._closing:
                    changed = self._changed_event
                    now = loop.time()
                    for update in list(self._pending):
                        if len(in_flight) >= self.webhook_max_connections:
                            break
                        update_id = update["update_id"]
                        if update_id in in_flight or retry_at.get(update_id, 0.0) > now:
                            continue
                        in_flight.add(update_id)
                        task = asyncio.create_task(self._post_update(session, update, in_flight, retry_at))
                        posts.add(task)
                        task.add_done_callback(posts.discard)
                    waits = [at - now for at in retry_at.values() if at > now]
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), min(waits, default=1.0))
            finally:
                for task in posts:
                    task.cancel()
                await asyncio.gather(*posts, return_exceptions=True)

    async def _post_update(
        self, session: aiohttp.ClientSession, update: dict[str, Any], in_flight: set[int], retry_at: dict[int, float]
    ) -> None:
        update_id = update["update_id"]
        backends = self.webhook_backends or [self.webhook_url]
        backend = backends[self._webhook_turn % len(backends)]
        self._webhook_turn += 1
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
        status = None
        try:
            self.deliveries.append((update_id, time.monotonic()))
            async with session.post(backend, json=update, headers=headers) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = None
        finally:
            self.webhook_posts.append((update_id, backend, status))
            if status is not None and 200 <= status < 300:
                self._pending = [u for u in self._pending if u["update_id"] != update_id]
                self.webhook_confirmed.add(update_id)
                retry_at.pop(update_id, None)
            else:
                retry_at[update_id] = asyncio.get_running_loop().time() + self.webhook_retry_after
            in_flight.discard(update_id)
            self._changed()

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending) + len(self._forced),
        }
        if self._allowed_updates != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info
