"""Reading ``config.toml``: every key checked, every mistake named in one line. Each key is declared once, as a
field of the dataclass of its section (``key``), and the schema the file is checked against is read from them."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# The documented defaults (config.example.toml). Module constants, because a
# slotted dataclass's class attribute is a slot descriptor, not the default.
DEFAULT_STORAGE_URL = "sqlite:///collective.db"
DEFAULT_TELEGRAM_URL = "https://api.telegram.org/bot"
DEFAULT_WEBHOOK_CONNECTIONS = 40  # Telegram's own default: updates it posts at once, over every process


class ConfigError(Exception):
    """A config problem, worded for the operator in one line."""


def key(meaning: str, default: Any = MISSING, *, toml: str | None = None, written_as: type | None = None) -> Any:
    """A config key: a field of the dataclass of its section, with what its value should be, in words. ``toml``
    names it as written in config.toml (``section.key``) when the field's own name and class do not;
    ``written_as``, the TOML type it is written as when the field holds it read (``listen``: "host:port")."""
    metadata = {"meaning": meaning, "toml": toml, "written_as": written_as}
    return field(metadata=metadata) if default is MISSING else field(default=default, metadata=metadata)


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str = key("the bot token from @BotFather")
    base_url: str = key("a URL", DEFAULT_TELEGRAM_URL)
    # Webhook mode (several processes behind a load balancer): the public URL Telegram posts updates to, the
    # host:port this process listens on, and the secret every request must carry. None: long polling.
    webhook_url: str | None = key("the public https:// URL Telegram posts updates to (webhook mode)", None)
    listen: tuple[str, int] | None = key(
        "the host:port this process takes webhook requests on, such as 127.0.0.1:8443", None, written_as=str
    )
    secret_token: str | None = key("1 to 256 characters of A-Z, a-z, 0-9, _ and -", None)
    max_connections: int = key("a whole number from 1 to 100", DEFAULT_WEBHOOK_CONNECTIONS)

    @property
    def webhook(self) -> bool:
        return self.webhook_url is not None


@dataclass(frozen=True, slots=True)
class MatrixConfig:
    homeserver: str = key("a URL such as https://matrix.example.org")
    user_id: str = key("a Matrix user id such as @collective:example.org")
    password: str | None = key("a string", None)
    access_token: str | None = key("a string", None)
    # user ids and homeservers; empty: anyone may invite
    invite_allowlist: tuple[str, ...] = key("a list of user ids (@alice:example.org) and homeservers (example.org)", ())
    # The end-to-end encryption store (the device's keys and sessions); None: an in-memory store (tests only).
    store_path: str | None = key("a folder for the encryption keys, such as /var/lib/collective-bot/matrix-store", None)


@dataclass(frozen=True, slots=True)
class WebConfig:
    """The read-only web page and calendar feeds (``adapters/web``), served by the bot's own process."""

    base_url: str = key("the public URL the page is reached at, such as https://collective.example.org")
    listen: tuple[str, int] = key(
        "the host:port the page is served on, such as 127.0.0.1:8080", ("127.0.0.1", 8080), written_as=str
    )


@dataclass(frozen=True, slots=True)
class Config:
    storage_url: str = key("a database URL such as sqlite:///collective.db", DEFAULT_STORAGE_URL, toml="storage.url")
    console: bool = key("true or false", False, toml="console.enabled")
    # A platform's section: [name], off unless enabled = true; its keys are the fields of its dataclass.
    telegram: TelegramConfig | None = field(default=None, metadata={"section": "telegram"})
    matrix: MatrixConfig | None = field(default=None, metadata={"section": "matrix"})
    web: WebConfig | None = field(default=None, metadata={"section": "web"})
    log_level: str = key("one of DEBUG, INFO, WARNING, ERROR", "INFO", toml="logging.level")


def _toml_type(hint: Any) -> type:
    """The TOML value a field's type is read from: ``str | None`` from a string, a tuple from a list."""
    if get_origin(hint) in (Union, UnionType):
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    hint = get_origin(hint) or hint
    return list if hint is tuple else hint


def _schema() -> dict[str, dict[str, tuple[type, str]]]:
    """section → key → (type, what the value should be, in words), from the dataclasses above."""
    schema: dict[str, dict[str, tuple[type, str]]] = {}
    hints = get_type_hints(Config)
    for found in fields(Config):
        if "section" in found.metadata:
            kind = next(arg for arg in get_args(hints[found.name]) if arg is not type(None))
            keys = schema.setdefault(found.metadata["section"], {"enabled": (bool, "true or false")})
            kind_hints = get_type_hints(kind)
            for inner in fields(kind):
                written = inner.metadata["written_as"] or _toml_type(kind_hints[inner.name])
                keys[inner.name] = (written, inner.metadata["meaning"])
        else:
            name, _, toml_key = found.metadata["toml"].partition(".")
            schema.setdefault(name, {})[toml_key] = (_toml_type(hints[found.name]), found.metadata["meaning"])
    return schema


def _defaults() -> dict[str, dict[str, Any]]:
    """section → key → its default, from the same dataclasses (None for a key without one)."""
    defaults: dict[str, dict[str, Any]] = {}

    def default(found) -> Any:
        return None if found.default is MISSING else found.default

    for found in fields(Config):
        if "section" in found.metadata:
            kind = next(arg for arg in get_args(get_type_hints(Config)[found.name]) if arg is not type(None))
            keys = defaults.setdefault(found.metadata["section"], {"enabled": False})
            keys.update({inner.name: default(inner) for inner in fields(kind)})
        else:
            name, _, toml_key = found.metadata["toml"].partition(".")
            defaults.setdefault(name, {})[toml_key] = default(found)
    return defaults


_SCHEMA = _schema()
_DEFAULTS = _defaults()


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

    def value(section: str, key: str):
        """A key's value in the file, or its declared default."""
        return raw.get(section, {}).get(key, _DEFAULTS[section][key])

    level = value("logging", "level").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{path}: [logging] level must be {_SCHEMA['logging']['level'][1]}, not {level!r}")

    telegram = None
    if value("telegram", "enabled"):
        token = environ.get("COLLECTIVE_TELEGRAM_TOKEN") or value("telegram", "token")
        if not token:
            raise ConfigError(f"{path}: [telegram] token is missing (or set COLLECTIVE_TELEGRAM_TOKEN)")
        base_url = value("telegram", "base_url")
        _check_web_address(path, "telegram", "base_url", base_url)
        telegram = TelegramConfig(token, base_url, **_webhook(path, value, environ))

    matrix = None
    if value("matrix", "enabled"):
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
        allowlist = value("matrix", "invite_allowlist")
        if not all(isinstance(entry, str) and entry for entry in allowlist):
            raise ConfigError(f"{path}: [matrix] invite_allowlist must be {_SCHEMA['matrix']['invite_allowlist'][1]}")
        storage_url = value("storage", "url")
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
        storage_url=_storage_url(path, value("storage", "url")),
        console=value("console", "enabled"),
        telegram=telegram,
        matrix=matrix,
        web=_web(path, value),
        log_level=level,
    )


def _web(path: Path, value) -> WebConfig | None:
    if not value("web", "enabled"):
        return None
    base_url = value("web", "base_url")
    if not base_url:
        raise ConfigError(f"{path}: [web] base_url is missing: {_SCHEMA['web']['base_url'][1]}")
    _check_web_address(path, "web", "base_url", base_url)
    listen = value("web", "listen")
    if isinstance(listen, tuple):  # the default, already read
        return WebConfig(base_url.rstrip("/"), listen)
    return WebConfig(base_url.rstrip("/"), _host_port(path, "web", listen))


def _webhook(path: Path, value, environ) -> dict:
    """Webhook mode's keys, checked together: all or none of webhook_url, listen and secret_token."""
    url = value("telegram", "webhook_url")
    secret = environ.get("COLLECTIVE_TELEGRAM_SECRET_TOKEN") or value("telegram", "secret_token")
    listen = value("telegram", "listen")
    connections = value("telegram", "max_connections")
    if url is None:
        webhook_keys = ("listen", "secret_token", "max_connections")
        given = [key for key in webhook_keys if value("telegram", key) != _DEFAULTS["telegram"][key]]
        if given:
            raise ConfigError(f"{path}: [telegram] {given[0]} is for webhook mode: set webhook_url too, or remove it")
        return {}
    _check_web_address(path, "telegram", "webhook_url", url)
    if not listen:
        raise ConfigError(f"{path}: [telegram] listen is missing (webhook mode): {_SCHEMA['telegram']['listen'][1]}")
    address = _host_port(path, "telegram", listen)
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
        "listen": address,
        "secret_token": secret,
        "max_connections": connections,
    }


def _host_port(path: Path, section: str, listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{path}: [{section}] listen must be {_SCHEMA[section]['listen'][1]}, not {listen!r}")
    return host.strip("[]"), int(port)


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
