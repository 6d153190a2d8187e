"""Telegram's limits for the bot as a whole, kept in PostgreSQL: three processes sending at once into one group
and many private chats stay, together, within the overall per-second limit and the group's limit — each process
alone would stay within them too, so only a budget they share keeps the sum there.

Limits scaled down (10 a second, 4 per 2 seconds into a group) so the test takes seconds, not minutes."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from adapters.telegram.limits import Pacing
from storage.engine import make_engine
from storage.send_budget import SendBudget

PER_SECOND, PER_GROUP, GROUP_WINDOW = 10, 4, 2.0
GROUP = -100123


def _busiest(moments: list[float], width: float) -> int:
    moments = sorted(moments)
    most, start = 0, 0
    for end, moment in enumerate(moments):
        while moments[start] <= moment - width:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_three_processes_sending_at_once_stay_within_the_limits_together(db_url, engine):
    engines = [make_engine(db_url) for _ in range(3)]
    try:
        processes = [
            Pacing(
                group_limits=False,
                shared=SendBudget(e, per_second=PER_SECOND, per_group=PER_GROUP, group_window=GROUP_WINDOW),
            )
            for e in engines
        ]

        async def send(pacing: Pacing, chat_id: int) -> None:
            async with pacing.request(chat_id):
                pass

        # Each process: 4 messages into the group and 8 into private chats, all at once.
        await asyncio.wait_for(
            asyncio.gather(
                *(send(pacing, GROUP) for pacing in processes for _ in range(4)),
                *(send(pacing, 5000 + n) for pacing in processes for n in range(8)),
            ),
            timeout=60,
        )
    finally:
        for e in engines:
            e.dispose()
    with engine.connect() as connection:
        slots = connection.execute(text("SELECT chat_id, at FROM send_slot")).all()
    assert len(slots) == 36  # every message went, none was dropped
    assert _busiest([at for _, at in slots], 1.0) <= PER_SECOND
    group = [at for chat, at in slots if chat == str(GROUP)]
    assert len(group) == 12
    assert _busiest(group, GROUP_WINDOW) <= PER_GROUP
    # Without the shared budget each process would have sent its four into the group at once: twelve together.
    assert max(group) - min(group) >= 2 * GROUP_WINDOW - 0.1
