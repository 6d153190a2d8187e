"""Logging in: with the configured access token, or with the token and device kept from the last password login
(so a restart is the same device, not a new one each time), or with the password. The device's encryption store
is opened as it logs in (see crypto.py)."""

from __future__ import annotations

import logging

from nio import AsyncClient, LoginResponse, WhoamiResponse

from adapters.config import ConfigError, MatrixConfig
from adapters.matrix.crypto import client_config, prepare_store_path, store_errors
from adapters.matrix.memory import Memory

log = logging.getLogger(__name__)

DEVICE_NAME = "collective-bot"


def new_client(config: MatrixConfig) -> AsyncClient:
    return AsyncClient(
        config.homeserver.rstrip("/"),
        config.user_id,
        store_path=prepare_store_path(config),
        config=client_config(config),
    )


async def log_in(client: AsyncClient, config: MatrixConfig, memory: Memory) -> None:
    """Log ``client`` in; raises ConfigError (one line for the operator) when the homeserver refuses."""
    if config.access_token:
        if not await _resume(client, config.user_id, config.access_token, None):
            raise ConfigError(f"[matrix] access_token was refused by {config.homeserver} for {config.user_id}")
        log.info("logged in to %s as %s with the configured access token", config.homeserver, client.user_id)
        return
    kept = await memory.get("session")
    if kept and kept.get("user_id") == config.user_id:
        if await _resume(client, config.user_id, kept["access_token"], kept["device_id"]):
            log.info("resumed the session of %s (device %s)", client.user_id, client.device_id)
            return
        client.device_id = kept["device_id"]  # the token expired: log in again, as the same device
    with store_errors(config):  # nio opens the store once the homeserver has answered
        answer = await client.login(config.password, device_name=DEVICE_NAME)
    if not isinstance(answer, LoginResponse):
        raise ConfigError(f"[matrix] password was refused by {config.homeserver} for {config.user_id}: {answer}")
    await memory.put(
        "session",
        "",
        {"user_id": answer.user_id, "device_id": answer.device_id, "access_token": answer.access_token},
    )
    log.info("logged in to %s as %s (device %s)", config.homeserver, answer.user_id, answer.device_id)


async def _resume(client: AsyncClient, user_id: str, token: str, device_id: str | None) -> bool:
    # Not restore_login(): that opens the encryption store, which needs the device id whoami tells.
    client.user_id, client.device_id, client.access_token = user_id, device_id or "", token
    who = await client.whoami()
    if not isinstance(who, WhoamiResponse):
        client.access_token = ""
        return False
    if who.user_id != user_id:
        raise ConfigError(f"[matrix] the access token belongs to {who.user_id}, not to user_id {user_id}")
    client.user_id = who.user_id
    client.device_id = who.device_id or device_id or ""
    return True
