"""Reading ``config.toml``: every key checked, every mistake named in one line."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# The documented defaults (config.example.toml). Module constants, because a
# slotted dataclass's class attribute is a slot descriptor, not the default.
DEFAULT_STORAGE_URL = "sqlite:///collective.db"
DEFAULT_TELEGRAM_URL = "https://api.telegram.org/bot"
DEFAULT_WEBHOOK_CONNECTIONS = 40  # Telegram's own default: updates it posts at once, over every process


class ConfigError(Exception):
    """A config problem, worded for the operator in one line."""


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    base_url: str = DEFAULT_TELEGRAM_URL
    # Webhook mode (several processes behind a load balancer): the public URL Telegram posts updates to, the
    # host:port this process listens on, and the secret every request must carry. None: long polling.
    webhook_url: str | None = None
    listen: tuple[str, int] | None = None
    secret_token: str | None = None
    max_connections: int = DEFAULT_WEBHOOK_CONNECTIONS

    @property
    def webhook(self) -> bool:
        return self.webhook_url is not None


@dataclass(frozen=True, slots=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    password: str | None = None
    access_token: str | None = None
    invite_allowlist: tuple[str, ...] = ()  # user ids and homeservers; empty: anyone may invite
    # The end-to-end encryption store (the device's keys and sessions); None: an in-memory store (tests only).
    store_path: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    storage_url: str = DEFAULT_STORAGE_URL
    console: bool = False
    telegram: TelegramConfig | None = None
    matrix: MatrixConfig | None = None
    log_level: str = "INFO"


# section → key → (type, what the value should be, in words)
_SCHEMA: dict[str, dict[str, tuple[type, str]]] = {
    "storage": {"url": (str, "a database URL such as sqlite:///collective.db")},
    "console": {"enabled": (bool, "true or false")},
    "telegram": {
        "enabled": (bool, "true or false"),
        "token": (str, "the bot token from @BotFather"),
        "base_url": (str, "a URL"),
        "webhook_url": (str, "the public https:// URL Telegram posts updates to (webhook mode)"),
        "listen": (str, "the host:port this process takes webhook requests on, such as 127.0.0.1:8443"),
        "secret_token": (str, "1 to 256 characters of A-Z, a-z, 0-9, _ and -"),
        "max_connections": (int, "a whole number from 1 to 100"),
    },
    "matrix": {
        "enabled": (bool, "true or false"),
        "homeserver": (str, "a URL such as https://matrix.example.org"),
        "user_id": (str, "a Matrix user id such as @collective:example.org"),
        "password": (str, "a string"),
        "access_token": (str, "a string"),
        "invite_allowlist": (list, "a list of user ids (@alice:example.org) and homeservers (example.org)"),
        "store_path": (str, "a folder for the encryption keys, such as /var/lib/collective-bot/matrix-store"),
    },
    "logging": {"level": (str, "one of DEBUG, INFO, WARNING, ERROR")},
}


def load_config(path: str | Path, environ: dict[str, str] | None = None) -> Config:
    environ = os.environ if environ is None else environ
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file (config.example.toml shows every key)") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a TOML file (not UTF-8 text); config.example.toml shows one") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    _check_shape(path, raw)

    def value(section: str, key: str, default=None):
        return raw.get(section, {}).get(key, default)

    level = value("logging", "level", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{path}: [logging] level must be {_SCHEMA['logging']['level'][1]}, not {level!r}")

    telegram = None
    if value("telegram", "enabled", False):
        token = environ.get("COLLECTIVE_TELEGRAM_TOKEN") or value("telegram", "token")
        if not token:
            raise ConfigError(f"{path}: [telegram] token is missing (or set COLLECTIVE_TELEGRAM_TOKEN)")
        base_url = value("telegram", "base_url", DEFAULT_TELEGRAM_URL)
        _check_web_address(path, "telegram", "base_url", base_url)
        telegram = TelegramConfig(token, base_url, **_webhook(path, value, environ))

    matrix = None
    if value("matrix", "enabled", False):
        for key in ("homeserver", "user_id"):
            if not value("matrix", key):
                raise ConfigError(f"{path}: [matrix] {key} is missing")
        _check_web_address(path, "matrix", "homeserver", value("matrix", "homeserver"))
        if not re.fullmatch(r"@[^:\s]+:\S+", value("matrix", "user_id")):
            raise ConfigError(f"{path}: [matrix] user_id must be {_SCHEMA['matrix']['user_id'][1]}")
        password = environ.get("COLLECTIVE_MATRIX_PASSWORD") or value("matrix", "password")
        token = value("matrix", "access_token")
        if not password and not token:
            raise ConfigError(f"{path}: [matrix] needs password or access_token (or set COLLECTIVE_MATRIX_PASSWORD)")
        allowlist = value("matrix", "invite_allowlist", [])
        if not all(isinstance(entry, str) and entry for entry in allowlist):
            raise ConfigError(f"{path}: [matrix] invite_allowlist must be {_SCHEMA['matrix']['invite_allowlist'][1]}")
        storage_url = value("storage", "url", Config.storage_url)
        store_path = value("matrix", "store_path") or default_store_path(storage_url)
        if not store_path:
            raise ConfigError(
                f"{path}: [matrix] store_path is needed (a folder for the encryption keys) unless [storage] url "
                "is a SQLite file, beside which it goes by default"
            )
        matrix = MatrixConfig(
            value("matrix", "homeserver"),
            value("matrix", "user_id"),
            password,
            token,
            tuple(allowlist),
            store_path,
        )

    return Config(
        storage_url=_storage_url(path, value("storage", "url", DEFAULT_STORAGE_URL)),
        console=value("console", "enabled", False),
        telegram=telegram,
        matrix=matrix,
        log_level=level,
    )


def _webhook(path: Path, value, environ) -> dict:
    """Webhook mode's keys, checked together: all or none of webhook_url, listen and secret_token."""
    url = value("telegram", "webhook_url")
    secret = environ.get("COLLECTIVE_TELEGRAM_SECRET_TOKEN") or value("telegram", "secret_token")
    listen = value("telegram", "listen")
    connections = value("telegram", "max_connections", DEFAULT_WEBHOOK_CONNECTIONS)
    if url is None:
        given = [key for key in ("listen", "secret_token", "max_connections") if value("telegram", key) is not None]
        if given:
            raise ConfigError(f"{path}: [telegram] {given[0]} is for webhook mode: set webhook_url too, or remove it")
        return {}
    _check_web_address(path, "telegram", "webhook_url", url)
    if not listen:
        raise ConfigError(f"{path}: [telegram] listen is missing (webhook mode): {_SCHEMA['telegram']['listen'][1]}")
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{path}: [telegram] listen must be {_SCHEMA['telegram']['listen'][1]}, not {listen!r}")
    if not secret:
        raise ConfigError(
            f"{path}: [telegram] secret_token is missing (webhook mode; or set COLLECTIVE_TELEGRAM_SECRET_TOKEN)"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError(f"{path}: [telegram] secret_token must be {_SCHEMA['telegram']['secret_token'][1]}")
    if not 1 <= connections <= 100:
        raise ConfigError(f"{path}: [telegram] max_connections must be {_SCHEMA['telegram']['max_connections'][1]}")
    return {
        "webhook_url": url,
        "listen": (host.strip("[]"), int(port)),
        "secret_token": secret,
        "max_connections": connections,
    }


def default_store_path(storage_url: str) -> str | None:
    """The Matrix encryption store beside a SQLite database file (``collective.db`` → ``collective.db.matrix-store``);
    None for any other database, where the operator must choose the folder."""
    try:
        url = make_url(storage_url)
    except ArgumentError:
        raise ConfigError(f"[storage] url is not a database URL: {storage_url!r}") from None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return f"{url.database}.matrix-store"


def _check_shape(path: Path, raw: dict) -> None:
    for section, keys in raw.items():
        if section not in _SCHEMA:
            raise ConfigError(f"{path}: unknown section [{section}]; known: {', '.join(_SCHEMA)}")
        if not isinstance(keys, dict):
            raise ConfigError(f"{path}: {section} must be a section ([{section}]), not a single value")
        for key, setting in keys.items():
            if key not in _SCHEMA[section]:
                known = ", ".join(_SCHEMA[section])
                raise ConfigError(f"{path}: unknown key [{section}] {key}; known keys there: {known}")
            kind, meaning = _SCHEMA[section][key]
            if type(setting) is not kind:  # bool is an int subclass: compare exactly
                raise ConfigError(f"{path}: [{section}] {key} must be {meaning}, not {setting!r}")


def _storage_url(path: Path, url: str) -> str:
    """A SQLite file or a PostgreSQL database through psycopg: the stores the bot is built and tested on."""
    wanted = "sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DBNAME"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"{path}: [storage] url must be a URL: {wanted}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigError(
                f"{path}: [storage] url names no file (an in-memory database is lost at every stop); "
                "write sqlite:///collective.db, or sqlite:////an/absolute/path.db"
            )
    elif backend == "postgres":
        raise ConfigError(f"{path}: [storage] url: write postgresql+psycopg://, not postgres://")
    elif parsed.drivername not in ("postgresql", "postgresql+psycopg"):
        raise ConfigError(f"{path}: [storage] url must be {wanted}, not {parsed.drivername}://…")
    return url


def _check_web_address(path: Path, section: str, key: str, url: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"{path}: [{section}] {key} must start with https:// (or http://), not {url!r}")
