"""Helpers for running python-telegram-bot against the test server."""

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application

from .server import TelegramTestServer


def application(server: TelegramTestServer, **builder_options: Any) -> Application:
    """An Application pointed at the server; builder_options name ApplicationBuilder methods
    (e.g. ``rate_limiter=AIORateLimiter(max_retries=1)``)."""
    builder = Application.builder().token(server.token).base_url(server.base_url)
    for name, value in builder_options.items():
        builder = getattr(builder, name)(value)
    return builder.build()


@contextlib.asynccontextmanager
async def polling(app: Application, **options: Any) -> AsyncIterator[Application]:
    """Run an Application with long polling, as a bot runs it, and stop it cleanly (which confirms what it took).

    ``options`` go to ``Updater.start_polling`` (e.g. ``drop_pending_updates=True``).
    """
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(**{"poll_interval": 0, "timeout": 5, **options})
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
