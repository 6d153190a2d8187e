"""Telegram in webhook mode: the test server posts updates to the bot's own HTTP server, with the secret token;
the bot answers each post only once its unit of work committed. Bad requests — a wrong or missing secret,
a body that is not JSON, a body over 1 MB, an update of an unknown kind — are refused or ignored, and the
bot goes on answering members as before."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import text
from telegram.ext import AIORateLimiter

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.telegram.limits import FLOOD_RETRIES
from bot.core import Core
from storage.outbox import OutboxStore
from tests.telegram.members import Members
from tests.telegram_api import TelegramTestServer

SECRET = "s3cret-Token_for-tests"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hook() -> tuple[str, int]:
    port = _free_port()
    return f"http://127.0.0.1:{port}/telegram/updates", port


@pytest.fixture
async def adapter(server: TelegramTestServer, core: Core, engine, hook) -> AsyncIterator[TelegramAdapter]:
    url, port = hook
    runtime = Runtime(core, OutboxStore(engine))
    config = TelegramConfig(
        server.token, server.base_url, webhook_url=url, listen=("127.0.0.1", port), secret_token=SECRET
    )
    bot = TelegramAdapter(config, runtime, rate_limiter=AIORateLimiter(max_retries=FLOOD_RETRIES))
    runtime.add(bot)
    await bot.start()
    await runtime.start()
    await server.wait_for_webhook(url)
    yield bot
    await bot.stop()
    assert server.unknown_methods == []
    assert server.internal_errors == []


@pytest.fixture
def members(server: TelegramTestServer, adapter: TelegramAdapter) -> Members:
    return Members(server, adapter.runtime)


async def _post(url: str, body: bytes, secret: str | None = SECRET, content_type="application/json") -> int:
    headers = {"Content-Type": content_type}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


async def test_a_command_posted_to_the_webhook_is_answered_and_confirmed(server, members, hook):
    url, _ = hook
    assert server.webhook_settings[-1] == {"url": url, "secret_token": SECRET, "max_connections": 40}
    assert not server.requests_of("getUpdates")  # no polling beside the webhook
    alice = server.add_user("Alice")
    coop = server.add_group("Bakery co-op", members=[alice])
    said = await members.say(alice, coop, "/join")
    assert said.to(coop)[0].startswith("Welcome, Alice! You are member 1 of this collective.")
    assert [status for _, _, status in server.webhook_posts] == [200]


async def test_the_webhook_answers_only_after_the_commit(server, members, hook, engine):
    """A 200 is Telegram's confirmation: by then the member's join is stored, and so is the bot's answer."""
    url, _ = hook
    alice = server.add_user("Alice")
    coop = server.add_group("Bakery co-op", members=[alice])
    update = {
        "update_id": 1,
        "message": {
            "message_id": 77,
            "date": 1772442000,
            "chat": {"id": coop.id, "type": "group", "title": "Bakery co-op"},
            "from": {"id": alice.id, "is_bot": False, "first_name": "Alice"},
            "text": "/join",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    assert await _post(url, json.dumps(update).encode()) == 200
    with engine.connect() as connection:
        members_now = connection.execute(text("SELECT count(*) FROM member WHERE active")).scalar()
        answers = connection.execute(text("SELECT action FROM outbox")).scalars().all()
    assert members_now == 1
    assert any("Welcome, Alice!" in answer for answer in answers)


async def test_a_wrong_or_missing_secret_is_refused_with_403_and_logged_without_the_token(
    server, members, hook, caplog
):
    url, _ = hook
    body = json.dumps({"update_id": 5, "message": {"message_id": 1}}).encode()
    with caplog.at_level(logging.WARNING):
        assert await _post(url, body, secret="guessed-token") == 403
        assert await _post(url, body, secret=None) == 403
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "refused a request from 127.0.0.1: a wrong secret token" in logged
    assert "refused a request from 127.0.0.1: no secret token" in logged
    assert "guessed-token" not in logged and SECRET not in logged


async def test_malformed_json_a_huge_body_and_an_unknown_update_are_refused_or_ignored_and_members_still_answered(
    server, members, hook, engine
):
    url, _ = hook
    assert await _post(url, b'{"update_id": 7, "message": ') == 400  # cut off
    assert await _post(url, b'["not", "an", "update"]') == 400
    assert await _post(url, b'{"update_id": "seven"}') == 400
    huge = json.dumps({"update_id": 8, "message": {"text": "x" * (1024 * 1024)}}).encode()
    assert await _post(url, huge) == 413
    unknown = {"update_id": 9, "some_future_kind": {"id": 1}, "poll": {"id": "p", "question": "?", "options": []}}
    assert await _post(url, json.dumps(unknown).encode()) == 200  # confirmed, so it is not posted again: ignored
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM seen_message")).scalar() == 0

    alice = server.add_user("Alice")
    coop = server.add_group("Bakery co-op", members=[alice])
    said = await members.say(alice, coop, "/join")
    assert said.to(coop)[0].startswith("Welcome, Alice!")


async def test_an_older_update_reaching_the_bot_after_a_newer_one_is_applied_once_and_never_dropped(
    server, members, hook, adapter
):
    """Behind a load balancer a chat's updates may overtake each other: each is applied once, whichever came
    first, and a second post of the same update changes nothing."""
    url, _ = hook
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    coop = server.add_group("Bakery co-op", members=[alice, bob])

    def join(update_id: int, message_id: int, user) -> bytes:
        return json.dumps(
            {
                "update_id": update_id,
                "message": {
                    "message_id": message_id,
                    "date": 1772442000,
                    "chat": {"id": coop.id, "type": "group", "title": "Bakery co-op"},
                    "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
                    "text": "/join",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                },
            }
        ).encode()

    assert await _post(url, join(11, 501, bob)) == 200  # the newer one first
    assert await _post(url, join(10, 500, alice)) == 200  # the older one, late: applied all the same
    assert await _post(url, join(10, 500, alice)) == 200  # posted again: applied once
    await adapter.runtime.idle()
    said = await members.say(alice, coop, "/members")
    listed = said.to(coop)[0]
    assert "Alice" in listed and "Bob" in listed
    welcomes = [m.text for m in server.bot_messages(coop) if m.text.startswith("Welcome")]
    assert welcomes == [
        "Welcome, Bob! You are member 1 of this collective.\n"
        "By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation "
        "(read them with /principles).",
        "Welcome, Alice! You are member 2 of this collective.\n"
        "By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation "
        "(read them with /principles).",
    ]
