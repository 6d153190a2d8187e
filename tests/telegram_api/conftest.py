from collections.abc import AsyncIterator

import pytest
import telegram

from tests.telegram_api import TelegramTestServer


@pytest.fixture
async def server() -> AsyncIterator[TelegramTestServer]:
    async with TelegramTestServer() as running:
        yield running


@pytest.fixture
async def bot(server: TelegramTestServer) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(server.token, base_url=server.base_url) as client:
        yield client
