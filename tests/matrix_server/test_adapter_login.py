"""Logging in: with the password (the device and token are kept, so a restart is the same device), with an access
token instead, and a refused login stopping the start with one line for the operator."""

from __future__ import annotations

import dataclasses

import pytest
from nio import AsyncClient, AsyncClientConfig, LoginResponse

from adapters.config import ConfigError
from tests.matrix_server.conftest import MatrixBot, RoomView, collective_room


async def test_a_restart_resumes_the_same_device_without_logging_in_again(make_matrix_bot):
    bot = await make_matrix_bot()
    device = bot.adapter.client.device_id
    token = bot.adapter.client.access_token
    await bot.stop()
    await bot.start()
    assert (bot.adapter.client.device_id, bot.adapter.client.access_token) == (device, token)


async def test_an_access_token_instead_of_a_password(make_matrix_bot, make_member, synapse, tmp_path):
    account = await make_matrix_bot()
    await account.stop()
    client = AsyncClient(synapse.base_url, account.user_id, config=AsyncClientConfig(encryption_enabled=False))
    login = await client.login(account.config.password, device_name="token for the bot")
    await client.close()
    assert isinstance(login, LoginResponse)

    config = dataclasses.replace(account.config, password=None, access_token=login.access_token)
    bot = MatrixBot(config, tmp_path / "token.db")
    await bot.start()
    try:
        assert bot.adapter.client.device_id == login.device_id
        alice = await make_member("Alice")
        group = RoomView(bot, await collective_room(bot, alice), alice)
        assert (await group.say(alice, "!join")).startswith("Welcome, Alice!")
    finally:
        await bot.stop()
        bot.engine.dispose()


async def test_a_refused_login_stops_the_start_with_one_line(make_matrix_bot, tmp_path):
    account = await make_matrix_bot()
    await account.stop()
    bot = MatrixBot(dataclasses.replace(account.config, password="wrong"), tmp_path / "wrong.db")
    with pytest.raises(ConfigError, match=r"^\[matrix\] password was refused by http://127\.0\.0\.1:\d+ for @"):
        await bot.start()
    bot.engine.dispose()
