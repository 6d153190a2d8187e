"""Install and run a real Synapse homeserver on 127.0.0.1 for tests.

Synapse pins many packages of its own, so it lives in a virtual environment apart from the app's, in
`<repo>/.synapse/venv` (or under $COLLECTIVE_BOT_SYNAPSE_HOME). The first run in a checkout creates it with this
interpreter's `python -m venv` and `pip install`s Synapse (about 20 s, 240 MB); later runs reuse it. A lock file
beside it keeps two pytest processes from installing at once, and a `.gitignore` of `*` keeps the whole folder
out of git even where the repository's own .gitignore does not name it.

Each server gets a config written here (not Synapse's generated one): one plain-HTTP client listener on
127.0.0.1 on a free port, SQLite and the media store in a temporary directory, no federation, no key servers,
no stats, open registration off but a shared secret for the admin registration endpoint, and every rate limit
raised far above what a test does. The process is started with `python -m synapse.app.homeserver -c cfg`,
is ready once `/_matrix/client/versions` answers, logs to `homeserver.log` in its directory, and is stopped by
PID: SIGTERM, then SIGKILL if it has not exited in time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

# Synapse 1.x is the only major version; versions in this range support Python 3.10 and later.
SYNAPSE_REQUIREMENT = "matrix-synapse>=1.140,<2"
HOME_ENV_VAR = "COLLECTIVE_BOT_SYNAPSE_HOME"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HOME = REPO_ROOT / ".synapse"
# Written into the venv only after pip succeeded, so a half-finished install is never taken for a good one.
INSTALLED_MARKER = "collective-bot-synapse.txt"
LOOPBACK = "127.0.0.1"

# pip's messages when it cannot reach the package registry at all (as opposed to a broken install).
_UNREACHABLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution"
    r"|Name or service not known|Network is unreachable|No route to host|Connection refused"
    r"|ConnectTimeoutError|ProxyError|connection broken by|Could not fetch URL"
)


class SynapseUnavailable(Exception):
    """Synapse is not installed and cannot be: the package registry is unreachable from this machine."""


class SynapseError(RuntimeError):
    """Synapse could not be installed or started for another reason: a real failure, never a skip."""


def synapse_home() -> Path:
    """The folder that holds the Synapse venv and its install lock."""
    override = os.environ.get(HOME_ENV_VAR)
    return Path(override).expanduser().resolve() if override else DEFAULT_HOME


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def installed_version(venv: Path) -> str | None:
    """Synapse's version if the venv holds a finished install that imports, else None."""
    python = _venv_python(venv)
    marker = venv / INSTALLED_MARKER
    if not python.exists() or not marker.exists() or marker.read_text().strip() != SYNAPSE_REQUIREMENT:
        return None
    check = subprocess.run(
        [str(python), "-c", "import synapse, synapse.app.homeserver; print(synapse.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return check.stdout.strip() if check.returncode == 0 else None


def ensure_synapse(home: Path | None = None) -> Path:
    """Return the python of `home`/venv with Synapse installed, creating the venv first if needed.

    Raises SynapseUnavailable when pip cannot reach the registry, SynapseError on any other failure.
    """
    home = home or synapse_home()
    venv = home / "venv"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitignore").write_text("# made by tests/matrix_server/synapse.py: a Synapse venv, never committed\n*\n")
    with open(home / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another pytest process installing: wait for it, then reuse its work
        if installed_version(venv) is None:
            _install(venv)
            if installed_version(venv) is None:
                raise SynapseError(f"Synapse was installed into {venv} but does not import")
    return _venv_python(venv)


def _install(venv: Path) -> None:
    if venv.exists():
        shutil.rmtree(venv)
    created = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if created.returncode != 0:
        raise SynapseError(f"`{sys.executable} -m venv {venv}` failed:\n{created.stderr[-3000:]}")
    pip = subprocess.run(
        [
            str(_venv_python(venv)),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            SYNAPSE_REQUIREMENT,
        ],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        output = (pip.stdout + pip.stderr)[-3000:]
        shutil.rmtree(venv, ignore_errors=True)
        if _UNREACHABLE.search(pip.stdout + pip.stderr):
            raise SynapseUnavailable(
                f"cannot install {SYNAPSE_REQUIREMENT}: the package registry is unreachable\n{output}"
            )
        raise SynapseError(f"`pip install {SYNAPSE_REQUIREMENT}` failed:\n{output}")
    (venv / INSTALLED_MARKER).write_text(SYNAPSE_REQUIREMENT + "\n")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _unlimited(per_second: float = 10_000, burst_count: int = 100_000) -> dict[str, float]:
    return {"per_second": per_second, "burst_count": burst_count}


def rate_limits() -> dict[str, object]:
    """Every client-facing rate limit Synapse has, raised so that no test ever meets one."""
    return {
        "rc_message": _unlimited(),
        "rc_registration": _unlimited(),
        "rc_registration_token_validity": _unlimited(),
        "rc_login": {"address": _unlimited(), "account": _unlimited(), "failed_attempts": _unlimited()},
        "rc_admin_redaction": _unlimited(),
        "rc_joins": {"local": _unlimited(), "remote": _unlimited()},
        "rc_joins_per_room": _unlimited(),
        "rc_key_requests": _unlimited(),
        "rc_3pid_validation": _unlimited(),
        "rc_invites": {"per_room": _unlimited(), "per_user": _unlimited(), "per_issuer": _unlimited()},
        "rc_third_party_invite": _unlimited(),
        "rc_media_create": _unlimited(),
        "rc_presence": {"per_user": _unlimited()},
        "rc_delayed_event_mgmt": _unlimited(),
        "rc_room_creation": _unlimited(),
        "rc_reports": _unlimited(),
        "rc_user_directory": _unlimited(),
        "rc_profile": _unlimited(),
    }


def homeserver_config(workdir: Path, port: int, shared_secret: str, server_name: str) -> dict[str, object]:
    """A homeserver config for one test server whose files all live in `workdir`."""
    return {
        "server_name": server_name,
        "public_baseurl": f"http://{LOOPBACK}:{port}/",
        "listeners": [
            {
                "port": port,
                "bind_addresses": [LOOPBACK],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                # "client" also serves /_synapse/admin; no "federation" resource.
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(workdir / "homeserver.db")}},
        "media_store_path": str(workdir / "media_store"),
        # Missing at first start: Synapse's default mode (--generate-missing-and-run) writes a fresh ed25519 key
        # here and runs, the same as `--generate-keys` followed by a start, in one process.
        "signing_key_path": str(workdir / "signing.key"),
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "federation_sender_instances": [],  # this process sends no federation traffic
        "url_preview_enabled": False,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "enable_registration": False,
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(32),
        "form_secret": secrets.token_hex(32),
        "bcrypt_rounds": 4,  # registration and login hash passwords; the default 12 costs ~0.25 s each
        **rate_limits(),
    }


def registration_mac(shared_secret: str, nonce: str, username: str, password: str, admin: bool) -> str:
    """The HMAC-SHA1 that /_synapse/admin/v1/register wants: over nonce\\0user\\0password\\0admin|notadmin."""
    mac = hmac.new(shared_secret.encode(), digestmod=hashlib.sha1)
    mac.update(nonce.encode())
    mac.update(b"\x00")
    mac.update(username.encode())
    mac.update(b"\x00")
    mac.update(password.encode())
    mac.update(b"\x00")
    mac.update(b"admin" if admin else b"notadmin")
    return mac.hexdigest()


@dataclass
class SynapseServer:
    """One Synapse process on 127.0.0.1; `start()` it, `stop()` it, and register users on it."""

    python: Path
    workdir: Path
    server_name: str = "localhost"
    shared_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0  # seconds from spawn to the first answer on /_matrix/client/versions
    _localparts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.workdir / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        return self.workdir / "homeserver.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, ready_within: float = 60.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        config = homeserver_config(self.workdir, self.port, self.shared_secret, self.server_name)
        self.config_path.write_text(json.dumps(config, indent=2))  # JSON is YAML
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(self.python), "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # only stop() ends it, not a Ctrl-C meant for pytest
            )
        spawned = time.monotonic()
        deadline = spawned + ready_within
        while not self._answers():
            if self.process.poll() is not None:
                raise SynapseError(
                    f"Synapse exited with code {self.process.returncode} while starting; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise SynapseError(f"Synapse did not answer within {ready_within} s; log:\n{self.log_tail()}")
            time.sleep(0.05)
        self.started_in = time.monotonic() - spawned

    def _answers(self) -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
        try:
            with opener.open(f"{self.base_url}/_matrix/client/versions", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """End the process by its PID: SIGTERM, then SIGKILL if it is still there after `timeout` seconds."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout)

    def log_tail(self, lines: int = 60) -> str:
        with contextlib.suppress(FileNotFoundError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def rss_bytes(self) -> int:
        """The process's resident memory now (Linux /proc)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise SynapseError("no VmRSS line")

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{self.server_name}"

    def unique_localpart(self, prefix: str = "user") -> str:
        """A localpart not used before on this server: the server lives for the whole session."""
        cleaned = re.sub(r"[^a-z0-9._=-]", "", prefix.lower()) or "user"
        return f"{cleaned}{next(self._localparts)}"

    async def register(self, username: str, password: str, admin: bool = False) -> str:
        """Create an account through the shared-secret admin endpoint and return its user ID."""
        url = f"{self.base_url}/_synapse/admin/v1/register"
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                response.raise_for_status()
                nonce = (await response.json())["nonce"]
            body = {
                "nonce": nonce,
                "username": username,
                "password": password,
                "admin": admin,
                "mac": registration_mac(self.shared_secret, nonce, username, password, admin),
            }
            async with session.post(url, json=body) as response:
                answer = await response.json()
                if response.status != 200:
                    raise SynapseError(f"registering {username!r} failed: HTTP {response.status} {answer}")
                return answer["user_id"]
