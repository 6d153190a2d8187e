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
"""

from __future__ import annotations

from telegram.ext import AIORateLimiter

TELEGRAM_PER_SECOND = 30
TELEGRAM_PER_GROUP_PER_MINUTE = 20

OVERALL_BURST, OVERALL_PER_SECOND = 1, 28
GROUP_BURST, GROUP_PER_MINUTE = 8, 10
FLOOD_RETRIES = 5


def most_in_a_window(burst: float, per_second: float, seconds: float) -> float:
    """The most requests a leaky bucket lets through in any window of ``seconds``."""
    return burst + per_second * seconds


def rate_limiter() -> AIORateLimiter:
    return AIORateLimiter(
        overall_max_rate=OVERALL_BURST,
        overall_time_period=OVERALL_BURST / OVERALL_PER_SECOND,
        group_max_rate=GROUP_BURST,
        group_time_period=GROUP_BURST * 60 / GROUP_PER_MINUTE,
        max_retries=FLOOD_RETRIES,
    )
