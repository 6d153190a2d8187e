"""Telegram's flood limits — at most 30 messages a second overall and 20 a minute
into one group — kept by PTB's ``AIORateLimiter``.

``AIORateLimiter`` is a leaky bucket: it lets ``max_rate`` requests through at
once and then drips at ``max_rate / time_period``. In any window of W seconds a
bucket of size B dripping at R lets at most B + R·W through, so PTB's defaults
(B = 30 at 30/s; B = 20 at 20/min) allow up to 60 a second and 40 a minute into
a group. The sizes below keep B + R·W under each limit, with a margin for
jitter between leaving the limiter and arriving at Telegram:

- overall: bursts of 1, then 28 a second — at most 29 in any second;
- per group: bursts of 8, then 10 a minute — at most 18 in any minute.

Every request that names a chat counts (edits of a live tally too), which is
stricter than Telegram. On a 429 the limiter halts every request for
``retry_after`` and retries, ``FLOOD_RETRIES`` times; the outbox then goes on
retrying, so no message is ever dropped for flood control.

The runtime's sender sends every chat's queue side by side, so many requests
may be waiting at once. ``Pacing`` keeps that safe and fair: a request first
waits on its own group's bucket (the same sizes as above), holding nothing
anyone else needs; then it takes one of ``ON_THE_WIRE`` places, in the order
requests came to them — one chat with a thousand answers waiting has one
request there, beside a chat with one — and only then goes through the
limiter above. With at most that many requests between the limiter and
Telegram, a stalled process cannot send a bunch of them at once when it
wakes, so the margins above hold.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

from storage.send_budget import SendBudget

TELEGRAM_PER_SECOND = 30
TELEGRAM_PER_GROUP_PER_MINUTE = 20

OVERALL_BURST, OVERALL_PER_SECOND = 1, 28
GROUP_BURST, GROUP_PER_MINUTE = 8, 10
FLOOD_RETRIES = 5
ON_THE_WIRE = 2  # requests past the pacing at once


def most_in_a_window(burst: float, per_second: float, seconds: float) -> float:
    """The most requests a leaky bucket lets through in any window of ``seconds``."""
    return burst + per_second * seconds


def rate_limiter(shared: bool = False) -> AIORateLimiter:
    """``shared``: the limits are kept by a budget several processes share (``Pacing(shared=…)``), which must be
    the last wait before the wire — a limiter after it would move requests into another second than their
    slot's — so this one only waits out and retries a 429."""
    if shared:
        return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=FLOOD_RETRIES)
    return AIORateLimiter(
        overall_max_rate=OVERALL_BURST,
        overall_time_period=OVERALL_BURST / OVERALL_PER_SECOND,
        group_max_rate=GROUP_BURST,
        group_time_period=GROUP_BURST * 60 / GROUP_PER_MINUTE,
        max_retries=FLOOD_RETRIES,
    )


class Pacing:
    """``group_limits=False``: only the places on the wire (for a bot given other limits, as in tests).
    ``shared``: several processes send for the bot (PostgreSQL): each request also takes a slot of the budget
    they share in the database (``storage.send_budget``) once it has its place on the wire, waiting as long as
    the budget says (for a group's full minute, off the wire)."""

    def __init__(self, group_limits: bool = True, shared: SendBudget | None = None) -> None:
        self._group_limits = group_limits
        self._groups: dict[int, AsyncLimiter] = {}
        self._wire = asyncio.Semaphore(ON_THE_WIRE)
        self._shared = shared

    @contextlib.asynccontextmanager
    async def request(self, chat_id: int) -> AsyncIterator[None]:
        if self._group_limits and chat_id < 0:
            bucket = self._groups.get(chat_id)
            if bucket is None:
                bucket = self._groups[chat_id] = AsyncLimiter(GROUP_BURST, GROUP_BURST * 60 / GROUP_PER_MINUTE)
            await bucket.acquire()
        if self._shared is None:
            async with self._wire:
                yield
            return
        while True:
            # The group's minute waited for holding nothing; the slot taken on the wire, just before the request,
            # so the moments the budget counts are the moments requests leave.
            while (wait := await asyncio.to_thread(self._shared.wait, chat_id))[0] > 0:
                await asyncio.sleep(wait[0])
            async with self._wire:
                while (wait := await asyncio.to_thread(self._shared.wait, chat_id, True))[0] > 0 and not wait[1]:
                    await asyncio.sleep(wait[0])  # the last second is full: a moment, holding the place
                if wait[0] == 0:
                    yield
                    return
            # another process filled the group's minute meanwhile: wait again, off the wire
