"""Cross-signing: the bot's account gets a master key, a self-signing key and a user-signing key, and its device is
signed by the self-signing key, so that clients which hide or refuse devices their owner has not cross-signed
(MSC4153) still send the bot their room keys.

matrix-nio has no cross-signing, and the vodozemac binding it brings signs only with a device's own key, so the
three keys are plain Ed25519 keys made and used with PyCryptodome (which nio already depends on), uploaded with
the client API's raw calls (``/keys/device_signing/upload``, ``/keys/signatures/upload``). Their private halves
(32-byte seeds) are kept in the crypto store folder, in ``cross-signing.json``, readable by the bot alone.

It runs where the bot logs in with a password: uploading cross-signing keys may need the account's password
(user-interactive auth); Synapse asks none for an account's first keys. An account that already has
cross-signing keys the bot did not make (someone set it up in Element) is left alone: the bot cannot sign with
keys it does not hold, and says so in the log.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path
from typing import Any

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from nio import AsyncClient
from nio.api import Api

from adapters.config import MatrixConfig
from adapters.matrix.crypto import MatrixRequestError, raw

log = logging.getLogger(__name__)

KEYS_FILE = "cross-signing.json"
USAGES = ("master", "self_signing", "user_signing")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


class SigningKey:
    def __init__(self, seed: bytes) -> None:
        self.seed = seed
        self._key = eddsa.import_private_key(seed)
        self.public = _b64(self._key.public_key().export_key(format="raw"))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(ECC.generate(curve="Ed25519").seed)

    def sign(self, payload: dict[str, Any]) -> str:
        unsigned = {k: v for k, v in payload.items() if k not in ("signatures", "unsigned")}
        return _b64(eddsa.new(self._key, "rfc8032").sign(Api.to_canonical_json(unsigned).encode()))


def _key_object(user_id: str, usage: str, key: SigningKey) -> dict[str, Any]:
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{key.public}": key.public}}


def _signed(payload: dict[str, Any], user_id: str, key: SigningKey) -> dict[str, Any]:
    signature = key.sign(payload)
    signed = dict(payload)
    signed["signatures"] = {user_id: {f"ed25519:{key.public}": signature}}
    return signed


def _load(path: Path) -> dict[str, SigningKey] | None:
    try:
        seeds = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    return {usage: SigningKey(base64.b64decode(seeds[usage])) for usage in USAGES}


def _save(path: Path, keys: dict[str, SigningKey]) -> None:
    text = json.dumps({usage: base64.b64encode(key.seed).decode() for usage, key in keys.items()})
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


async def bootstrap(client: AsyncClient, config: MatrixConfig) -> bool:
    """Make (once) and upload the account's cross-signing keys, and sign the bot's device with them. True when
    the device is cross-signed by keys the bot holds."""
    if not (config.password and config.store_path):
        return False
    me, device = client.user_id, client.device_id
    path = Path(config.store_path).expanduser() / KEYS_FILE
    keys = _load(path)
    published = await raw(client, "POST", "/_matrix/client/v3/keys/query", {"device_keys": {me: [device]}})
    master = published.get("master_keys", {}).get(me)
    if master is not None and (keys is None or f"ed25519:{keys['master'].public}" not in master.get("keys", {})):
        log.warning(
            "the account %s has cross-signing keys the bot does not hold: its device %s stays unsigned "
            "(see the README, 'Cross-signing')",
            me,
            device,
        )
        return False
    if keys is None:
        keys = {usage: SigningKey.generate() for usage in USAGES}
        _save(path, keys)  # before the upload: keys the homeserver has are never keys the bot lost
    if master is None:
        await _upload_keys(client, config, keys)
    device_keys = published.get("device_keys", {}).get(me, {}).get(device)
    if device_keys is None:
        log.warning("the homeserver has no keys for the device %s yet: not cross-signed", device)
        return False
    ssk = f"ed25519:{keys['self_signing'].public}"
    if ssk not in device_keys.get("signatures", {}).get(me, {}):
        signed = _signed(device_keys, me, keys["self_signing"])
        answer = await raw(client, "POST", "/_matrix/client/v3/keys/signatures/upload", {me: {device: signed}})
        if answer.get("failures"):
            log.warning("the homeserver refused the signature of the device %s: %s", device, answer["failures"])
            return False
        log.info("signed the device %s with the account's self-signing key", device)
    return True


async def _upload_keys(client: AsyncClient, config: MatrixConfig, keys: dict[str, SigningKey]) -> None:
    me = client.user_id
    master = _key_object(me, "master", keys["master"])
    body: dict[str, Any] = {
        "master_key": master,
        "self_signing_key": _signed(_key_object(me, "self_signing", keys["self_signing"]), me, keys["master"]),
        "user_signing_key": _signed(_key_object(me, "user_signing", keys["user_signing"]), me, keys["master"]),
    }
    path = "/_matrix/client/v3/keys/device_signing/upload"
    try:
        await raw(client, "POST", path, body)
    except MatrixRequestError as error:
        session = error.answer.get("session")
        if error.status != 401 or not session:
            raise
        # User-interactive auth: the account's password, which the bot logs in with.
        identifier = {"type": "m.id.user", "user": me}
        body["auth"] = {"type": "m.login.password", "identifier": identifier, "password": config.password}
        body["auth"]["session"] = session
        await raw(client, "POST", path, body)
    log.info("uploaded the cross-signing keys of %s", me)
