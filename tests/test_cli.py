"""The command line as an operator meets it: the demo, the config, clean stops."""

import signal
import socket
import subprocess
import sys
import textwrap
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.config import load_config

BOT = [sys.executable, "-m", "adapters.cli"]
EXAMPLE = Path(__file__).parents[1] / "config.example.toml"


def test_the_demo_plays_a_piped_transcript_and_exits_at_its_end(tmp_path):
    script = "/join\n/as Bob\n/join\n/away 1d\n/tick 2d\n/members\n"
    result = subprocess.run(
        [*BOT, "demo", "--db", str(tmp_path / "demo.db")], input=script, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Alice: /join\nbot: Welcome, Alice! You are member 1 of this collective." in out
    assert "bot: Bob is back from time away; rotations include them again." in out
    assert out.rstrip().endswith("bot: Members (2):\n     • Alice\n     • Bob")
    assert (tmp_path / "demo.db").exists()


def test_the_demo_remembers_its_collective_between_runs(tmp_path):
    db = str(tmp_path / "demo.db")
    subprocess.run([*BOT, "demo", "--db", db], input="/join\n", capture_output=True, text=True, check=True)
    again = subprocess.run([*BOT, "demo", "--db", db], input="/members\n", capture_output=True, text=True, check=True)
    assert "Members (1):\n     • Alice" in again.stdout


def _config(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[storage]\nurl = 'sqlite:///x.db'\nverbose = true\n", "unknown key [storage] verbose"),
        ("[telegram]\nenabled = 'yes'\n", "[telegram] enabled must be true or false, not 'yes'"),
        ("[telegarm]\nenabled = true\n", "unknown section [telegarm]"),
        ("[storage\nurl = 1\n", "not valid TOML"),
        ("[telegram]\nenabled = true\n", "[telegram] token is missing (or set COLLECTIVE_TELEGRAM_TOKEN)"),
        (
            "[matrix]\nenabled = true\nhomeserver = 'http://127.0.0.1:1'\nuser_id = '@bot:x'\n",
            "needs password or access_token",
        ),
        ("storage = 3\n", "storage must be a section"),
        ("[logging]\nlevel = 'LOUD'\n", "[logging] level must be one of"),
        (
            "[matrix]\nenabled = true\nhomeserver = 'http://127.0.0.1:1'\nuser_id = '@b:x'\npassword = 'p'\n"
            "invite_allowlist = [1]\n",
            "[matrix] invite_allowlist must be a list of user ids",
        ),
        (
            "[telegram]\nenabled = true\ntoken = '1:A'\nwebhook_url = 'https://bot.example/hook'\n",
            "[telegram] listen is missing (webhook mode)",
        ),
        (
            "[telegram]\nenabled = true\ntoken = '1:A'\nwebhook_url = 'https://bot.example/hook'\nlisten = '8443'\n",
            "[telegram] listen must be the host:port this process takes webhook requests on",
        ),
        (
            "[telegram]\nenabled = true\ntoken = '1:A'\nwebhook_url = 'https://bot.example/hook'\n"
            "listen = '127.0.0.1:8443'\n",
            "[telegram] secret_token is missing (webhook mode; or set COLLECTIVE_TELEGRAM_SECRET_TOKEN)",
        ),
        (
            "[telegram]\nenabled = true\ntoken = '1:A'\nwebhook_url = 'https://bot.example/hook'\n"
            "listen = '127.0.0.1:8443'\nsecret_token = 'not secret!'\n",
            "[telegram] secret_token must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -",
        ),
        (
            "[telegram]\nenabled = true\ntoken = '1:A'\nlisten = '127.0.0.1:8443'\n",
            "[telegram] listen is for webhook mode: set webhook_url too, or remove it",
        ),
        ("[web]\nenabled = true\n", "[web] base_url is missing: the public URL the page is reached at"),
        ("[web]\nenabled = true\nbase_url = 'collective.example.org'\n", "[web] base_url must start with https://"),
        (
            "[web]\nenabled = true\nbase_url = 'https://c.example.org'\nlisten = '8080'\n",
            "[web] listen must be the host:port the page is served on",
        ),
    ],
)
def test_a_bad_config_gets_one_line_naming_the_key(tmp_path, capsys, text, message):
    path = _config(tmp_path, text)
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_missing_config_file_is_named(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: no such config file" in capsys.readouterr().err


def test_secrets_can_come_from_the_environment(tmp_path):
    path = _config(tmp_path, "[telegram]\nenabled = true\n")
    config = load_config(path, environ={"COLLECTIVE_TELEGRAM_TOKEN": "123:ABC"})
    assert config.telegram.token == "123:ABC"


def test_webhook_mode_reads_its_keys_and_takes_the_secret_from_the_environment(tmp_path):
    path = _config(
        tmp_path,
        "[telegram]\nenabled = true\ntoken = '1:A'\nwebhook_url = 'https://bot.example/hook'\n"
        "listen = '0.0.0.0:8443'\nmax_connections = 100\n",
    )
    telegram = load_config(path, environ={"COLLECTIVE_TELEGRAM_SECRET_TOKEN": "from-env_1"}).telegram
    assert telegram.webhook and telegram.webhook_url == "https://bot.example/hook"
    assert (telegram.listen, telegram.secret_token, telegram.max_connections) == (("0.0.0.0", 8443), "from-env_1", 100)
    polling = load_config(_config(tmp_path, "[telegram]\nenabled = true\ntoken = '1:A'\n"), environ={}).telegram
    assert not polling.webhook


MATRIX = "[matrix]\nenabled = true\nhomeserver = 'http://127.0.0.1:1'\nuser_id = '@b:x'\npassword = 'p'\n"


def test_the_matrix_encryption_store_goes_beside_a_sqlite_file_unless_told_otherwise(tmp_path):
    beside = load_config(_config(tmp_path, f"[storage]\nurl = 'sqlite:///{tmp_path}/c.db'\n{MATRIX}"), environ={})
    assert beside.matrix.store_path == f"{tmp_path}/c.db.matrix-store"
    chosen = load_config(_config(tmp_path, f"{MATRIX}store_path = '/srv/keys'\n"), environ={})
    assert chosen.matrix.store_path == "/srv/keys"


def test_the_matrix_encryption_store_must_be_chosen_with_postgresql(tmp_path, capsys):
    path = _config(tmp_path, f"[storage]\nurl = 'postgresql+psycopg://u:p@127.0.0.1/db'\n{MATRIX}")
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "[matrix] store_path is needed" in err
    assert err.count("\n") == 1


def test_the_example_config_documents_every_key_and_loads():
    from adapters.config import _SCHEMA

    example = EXAMPLE.read_text()
    for section, keys in _SCHEMA.items():
        assert f"[{section}]" in example
        for key in keys:
            assert f"\n{key} = " in example, f"[{section}] {key} is not documented"
    config = load_config(EXAMPLE, environ={})
    assert config.storage_url == "sqlite:///collective.db"


def test_run_serves_the_console_and_stops_cleanly_on_sigterm(tmp_path):
    path = _config(tmp_path, f"[storage]\nurl = 'sqlite:///{tmp_path}/run.db'\n[console]\nenabled = true\n")
    process = subprocess.Popen(
        [*BOT, "run", "--config", str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdin.write("/join\n")
    process.stdin.flush()
    first = process.stdout.readline()
    assert first.startswith("bot: Welcome, Alice!")
    process.send_signal(signal.SIGTERM)  # standard input is still open: no end of input to stop at
    assert process.wait(timeout=20) == 0
    err = process.stderr.read()
    assert "collective-bot stopped" in err


def test_run_serves_the_read_only_page_in_the_same_process_when_web_is_enabled(tmp_path):
    with socket.socket() as probe:  # a free port of 127.0.0.1
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = _config(
        tmp_path,
        f"[storage]\nurl = 'sqlite:///{tmp_path}/run.db'\n[console]\nenabled = true\n"
        f"[web]\nenabled = true\nlisten = '127.0.0.1:{port}'\nbase_url = 'https://c.example.org/'\n",
    )
    process = subprocess.Popen(
        [*BOT, "run", "--config", str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process.stdin.write("/join\n/dm /page\n")
        process.stdin.flush()
        while "/p/" not in (line := process.stdout.readline()):
            assert line, process.stderr.read()
        token = line.split("https://c.example.org/p/")[1].split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/p/{token}", timeout=20) as response:
            assert response.status == 200
            assert "Read-only, for Alice." in response.read().decode()
        with pytest.raises(urllib.error.HTTPError) as missed:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/p/{token}x", timeout=20)
        assert missed.value.code == 404
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_run_stops_at_the_end_of_console_input(tmp_path):
    path = _config(tmp_path, f"[storage]\nurl = 'sqlite:///{tmp_path}/run.db'\n[console]\nenabled = true\n")
    result = subprocess.run(
        [*BOT, "run", "--config", str(path)], input="/start\n", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "No one is an admin here" in result.stdout


class _LogReader:
    """Reads a process's log in a thread, so a test can wait for a line without blocking forever."""

    def __init__(self, stream):
        self._lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: any(text in line for line in self._lines), timeout)

    def text(self) -> str:
        with self._changed:
            return "".join(self._lines)


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path, capsys):
    path = _config(tmp_path, "[storage]\nurl = 'sqlite:////nonexistent/folder/x.db'\n[console]\nenabled = true\n")
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "[storage] url: cannot open the database: unable to open database file" in err
    assert err.count("\n") == 1


def test_with_other_adapters_the_end_of_standard_input_ends_only_the_console(tmp_path):
    from tests.telegram_api import ServerThread

    with ServerThread() as telegram:
        path = _config(
            tmp_path,
            f"[storage]\nurl = 'sqlite:///{tmp_path}/run.db'\n[console]\nenabled = true\n"
            f"[telegram]\nenabled = true\ntoken = '{telegram.server.token}'\nbase_url = '{telegram.base_url}'\n",
        )
        process = subprocess.Popen(
            [*BOT, "run", "--config", str(path)], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        log = _LogReader(process.stderr)
        try:
            assert log.wait_for("standard input ended: the console stops; the other adapters go on", timeout=30)
            telegram.wait_for_polling(timeout=20)
            assert process.poll() is None  # still serving Telegram
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
        err = log.text()
    assert telegram.server.token not in err  # request URLs carry the token: they are not logged


def test_a_rejected_telegram_token_is_one_line_without_the_token(tmp_path):
    from tests.telegram_api import ServerThread

    with ServerThread() as telegram:
        path = _config(
            tmp_path,
            f"[storage]\nurl = 'sqlite:///{tmp_path}/run.db'\n"
            f"[telegram]\nenabled = true\ntoken = '999:WRONGSECRET'\nbase_url = '{telegram.base_url}'\n",
        )
        result = subprocess.run([*BOT, "run", "--config", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "collective-bot: [telegram] token was rejected by Telegram; check it with @BotFather"
    )
    assert "WRONGSECRET" not in result.stderr and "Traceback" not in result.stderr
