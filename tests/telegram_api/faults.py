"""Faults and flood control: failures a test injects, and Telegram's rate limits as the server enforces them."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterable
from typing import Any

from .errors import (
    Fault,
    _too_many_requests,
)
from .model import (
    SEND_METHODS,
    Chat,
    RequestRecord,
)
from .params import (
    _chat_id,
)


class Faults:
    """Part of TelegramTestServer (server.py): faults and flood control: failures a test injects, and Telegram's rate limits as the server enforces them."""

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
