from collections.abc import AsyncIterator

import pytest
from telegram.ext import AIORateLimiter

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.telegram.limits import FLOOD_RETRIES
from bot.core import Core
from storage.inbox import InboxStore
from storage.outbox import OutboxStore
from tests.telegram.members import Members
from tests.telegram_api import TelegramTestServer


@pytest.fixture
async def server(request: pytest.FixtureRequest) -> AsyncIterator[TelegramTestServer]:
    """The Bot API test server; ``@pytest.mark.parametrize("server", [{...}], indirect=True)`` passes options."""
    async with TelegramTestServer(**getattr(request, "param", {})) as running:
        yield running


@pytest.fixture
async def adapter(server: TelegramTestServer, core: Core, engine) -> AsyncIterator[TelegramAdapter]:
    """The bot, running in the test's loop against the server, on a real SQLite file
    (the ``core`` fixture: a fake clock at Monday 2 March 2026, 09:00 UTC)."""
    runtime = Runtime(core, OutboxStore(engine))
    # PTB's default limits let a transcript's twenty messages into a group through at once; the adapter's
    # own stricter ones (limits.py) are what ``collective-bot run`` uses and what the bench measures.
    limiter = AIORateLimiter(max_retries=FLOOD_RETRIES)
    config = TelegramConfig(server.token, server.base_url)
    bot = TelegramAdapter(config, runtime, rate_limiter=limiter, inbox=InboxStore(engine))
    runtime.add(bot)
    await bot.start()
    await runtime.start()
    await server.wait_for_polling()
    yield bot
    await bot.stop()
    assert server.unknown_methods == []
    assert server.internal_errors == []


@pytest.fixture
def members(server: TelegramTestServer, adapter: TelegramAdapter) -> Members:
    return Members(server, adapter.runtime)
