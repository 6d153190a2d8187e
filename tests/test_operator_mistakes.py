"""Every mistake an operator can make with the command line, the config or the
database file is answered in one line on standard error that names the file or
key and says what to do, with a non-zero exit and never a traceback; the good
cases still start. Each runs ``collective-bot`` as a process, in a fresh folder."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from adapters.config import load_config
from storage.engine import sqlite_url
from storage.opening import open_database

BOT = [sys.executable, "-m", "adapters.cli"]
EXAMPLE = Path(__file__).parents[1] / "config.example.toml"
SECRET = "S3CRET-PASSWORD"  # given wherever a config holds a password: it must never be shown
CONSOLE = "[console]\nenabled = true\n"


def bot(folder: Path, *argv: str, prefix: tuple[str, ...] = (), stdin: str = "/members\n"):
    return subprocess.run([*prefix, *BOT, *argv], cwd=folder, input=stdin, capture_output=True, text=True, timeout=120)


def assert_one_line(result, *words: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("collective-bot"), line
    for word in words:
        assert word in line, f"{word!r} is not in: {line}"
    assert SECRET not in line
    return line


# --- what the mistakes are made of ---------------------------------------------------------------------------


def config(folder: Path, text: str, name: str = "config.toml") -> str:
    (folder / name).write_text(text)
    return name


def bot_database(path: Path) -> Path:
    """A database the bot made: migrated to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    open_database(sqlite_url(path)).dispose()
    return path


def truncated(path: Path) -> Path:
    """The bot's database cut short, as a full disk or a bad copy leaves it."""
    bot_database(path)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.truncate(size // 2)
    return path


def from_a_newer_version(path: Path) -> Path:
    bot_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    return path


def another_programs(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    return path


def not_sqlite(path: Path) -> Path:
    path.write_text("shopping list: bread, milk\n")
    return path


def after(_made, argv: list[str]) -> list[str]:
    """The command line to run, once what it needs has been made (the first argument)."""
    return argv


def directory(path: Path) -> Path:
    path.mkdir()
    return path


def run_on(url: str):
    return lambda d: ["run", "--config", config(d, f"[storage]\nurl = '{url}'\n{CONSOLE}")]


def run_with(text: str):
    return lambda d: ["run", "--config", config(d, text)]


MISTAKES = [
    # The command line.
    pytest.param(lambda d: ["frobnicate"], ["invalid choice: 'frobnicate'", "see collective-bot --help"], id="unknown-subcommand"),
    pytest.param(lambda d: ["demo", "--frob"], ["unrecognized arguments: --frob", "--help"], id="unknown-flag"),
    pytest.param(lambda d: [], ["required: command", "--help"], id="no-subcommand"),
    pytest.param(lambda d: ["run"], ["required: --config", "see collective-bot run --help"], id="run-without-config"),
    pytest.param(lambda d: ["backup", "copy.db"], ["--config --db is required"], id="backup-without-source"),
    pytest.param(lambda d: ["run", "--config", "nope.toml"], ["nope.toml: no such config file"], id="no-config-file"),
    # The config.
    pytest.param(run_with("[storage\nurl = 1\n"), ["config.toml: not valid TOML"], id="config-not-toml"),
    pytest.param(
        lambda d: after((d / "config.toml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff"), ["run", "--config", "config.toml"]),
        ["config.toml: not a TOML file"],
        id="config-not-text",
    ),
    pytest.param(lambda d: after(directory(d / "conf.d"), ["run", "--config", "conf.d"]), ["conf.d: cannot read it"], id="config-is-a-directory"),
    pytest.param(run_with("[storage]\nurl = 'sqlite:///x.db'\n"), ["no adapter is enabled", "[console]"], id="no-adapter"),
    pytest.param(run_on("mysql://bot@127.0.0.1/collective"), ["config.toml: [storage] url must be sqlite:///FILE", "not mysql://"], id="url-unknown-scheme"),
    pytest.param(run_on(f"postgres://bot:{SECRET}@127.0.0.1:1/c"), ["[storage] url: write postgresql+psycopg://"], id="url-postgres-scheme"),
    pytest.param(run_on(f"postgresql+psycopg2://bot:{SECRET}@127.0.0.1:1/c"), ["[storage] url must be", "not postgresql+psycopg2://"], id="url-other-driver"),
    pytest.param(run_on("collective.db"), ["[storage] url must be a URL: sqlite:///FILE"], id="url-not-a-url"),
    pytest.param(run_on("sqlite://"), ["[storage] url names no file", "sqlite:///collective.db"], id="url-in-memory"),
    pytest.param(
        run_on(f"postgresql+psycopg://bot:{SECRET}@127.0.0.1:1/c"),
        ["config.toml: [storage] url: cannot open the database", "Connection refused", "check that PostgreSQL runs"],
        id="postgresql-unreachable",
    ),
    pytest.param(
        run_with("[telegram]\nenabled = true\ntoken = '1:A'\nbase_url = '127.0.0.1:1/bot'\n"),
        ["[telegram] base_url must start with https://"],
        id="telegram-url-without-scheme",
    ),
    pytest.param(
        run_with(f"[matrix]\nenabled = true\nhomeserver = '127.0.0.1:1'\nuser_id = '@b:x'\npassword = '{SECRET}'\n"),
        ["[matrix] homeserver must start with https://"],
        id="homeserver-without-scheme",
    ),
    pytest.param(
        run_with(f"[matrix]\nenabled = true\nhomeserver = 'http://127.0.0.1:1'\nuser_id = 'bot'\npassword = '{SECRET}'\n"),
        ["[matrix] user_id must be a Matrix user id such as @collective:example.org"],
        id="user-id-malformed",
    ),
    # The database, named by --db or by the config.
    pytest.param(lambda d: ["demo", "--db", "no/such/dir/x.db"], ["no/such/dir/x.db: the directory no/such/dir does not exist; create it"], id="db-in-missing-directory"),
    pytest.param(lambda d: after(directory(d / "data"), ["demo", "--db", "data"]), ["data is a directory; name a file in it, such as data/collective.db"], id="db-is-a-directory"),
    pytest.param(lambda d: after(not_sqlite(d / "notes.txt"), ["demo", "--db", "notes.txt/x.db"]), ["notes.txt is not a directory"], id="db-under-a-file"),
    pytest.param(lambda d: after(not_sqlite(d / "notes.txt"), ["demo", "--db", "notes.txt"]), ["notes.txt is not a SQLite database", '"Backup and restore"'], id="db-not-sqlite"),
    pytest.param(lambda d: after(truncated(d / "c.db"), ["demo", "--db", "c.db"]), ["c.db is not a SQLite database, or it is damaged", '"Backup and restore"'], id="db-truncated"),
    pytest.param(
        lambda d: after(truncated(d / "c.db"), run_on("sqlite:///c.db")(d)),
        ["config.toml: [storage] url: cannot open the database", "c.db is not a SQLite database, or it is damaged", '"Backup and restore"'],
        id="run-db-truncated",
    ),
    pytest.param(lambda d: after(from_a_newer_version(d / "c.db"), ["demo", "--db", "c.db"]), ["c.db: This database", "written by a newer version"], id="db-from-newer-version"),
    pytest.param(
        lambda d: after(from_a_newer_version(d / "c.db"), run_on("sqlite:///c.db")(d)),
        ["config.toml: [storage] url: cannot open the database: c.db", "written by a newer version"],
        id="run-db-from-newer-version",
    ),
    pytest.param(lambda d: after(another_programs(d / "places.sqlite"), ["demo", "--db", "places.sqlite"]), ["places.sqlite: it holds another program's tables (moz_places)"], id="db-of-another-program"),
    pytest.param(
        lambda d: ["demo", "--db", "/proc/collective.db"],
        ["/proc/collective.db: cannot write there; let the bot's user write to the file and to its directory /proc"],
        id="db-where-no-one-may-write",
        marks=pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, where no one creates files"),
    ),
    # Backups.
    pytest.param(lambda d: after(truncated(d / "c.db"), ["backup", "copy.db", "--db", "c.db"]), ["cannot back up", "c.db is not a SQLite database", '"Backup and restore"'], id="backup-of-truncated"),
    pytest.param(lambda d: after(not_sqlite(d / "notes.txt"), ["backup", "copy.db", "--db", "notes.txt"]), ["notes.txt is not a SQLite database"], id="backup-of-not-sqlite"),
    pytest.param(lambda d: ["backup", "copy.db", "--db", "nothing.db"], ["nothing.db: no such database"], id="backup-of-missing"),
    pytest.param(lambda d: after(bot_database(d / "c.db"), ["backup", "no/dir/copy.db", "--db", "c.db"]), ["no/dir/copy.db: the directory no/dir does not exist"], id="backup-into-missing-directory"),
    pytest.param(lambda d: after(bot_database(d / "c.db"), ["backup", "c.db", "--db", "c.db"]), ["c.db exists already; choose a new file name"], id="backup-onto-existing"),
    pytest.param(lambda d: after(directory(d / "data"), ["backup", "copy.db", "--db", "data"]), ["data is a directory"], id="backup-of-a-directory"),
    pytest.param(lambda d: ["backup", "copy.db", "--config", config(d, CONSOLE)], ["collective.db: no such database"], id="backup-default-db-missing"),
    pytest.param(
        lambda d: ["backup", "copy.db", "--config", config(d, f"[storage]\nurl = 'postgresql+psycopg://b:{SECRET}@127.0.0.1:1/c'\n")],
        ["backup copies SQLite databases", "pg_dump"],
        id="backup-of-postgresql",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("arrange", "words"), MISTAKES)
def test_a_mistake_is_one_line_naming_it_with_no_traceback(tmp_path, arrange, words):
    assert_one_line(bot(tmp_path, *arrange(tmp_path)), *words)


def test_a_failed_backup_leaves_no_file_to_be_trusted_later(tmp_path):
    truncated(tmp_path / "c.db")
    assert_one_line(bot(tmp_path, "backup", "copy.db", "--db", "c.db"), "cannot back up")
    assert not (tmp_path / "copy.db").exists()


# --- permissions: only a user other than root meets them ------------------------------------------------------


def _as_an_ordinary_user() -> tuple[str, ...]:
    """Root writes through file permissions; in a user namespace of its own it cannot."""
    if os.geteuid() != 0:
        return ()
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--user", "true"], capture_output=True).returncode == 0:
        return (unshare, "--user")
    pytest.skip("running as root, and no user namespace to shed root's override of file permissions")


def read_only(path: Path) -> Path:
    path.chmod(0o555 if path.is_dir() else 0o444)
    return path


@pytest.mark.parametrize(
    ("arrange", "words"),
    [
        pytest.param(
            lambda d: after(read_only(bot_database(d / "c.db")), ["demo", "--db", "c.db"]),
            ["attempt to write a readonly database: c.db: cannot write there; let the bot's user write to the file"],
            id="read-only-database",
        ),
        pytest.param(
            lambda d: after(read_only(bot_database(d / "data" / "c.db").parent), ["demo", "--db", "data/c.db"]),
            ["data/c.db: cannot write there", "its directory data (SQLite keeps -wal and -shm files beside it)"],
            id="database-in-read-only-directory",
        ),
        pytest.param(
            lambda d: after(read_only(directory(d / "data")), ["demo", "--db", "data/new.db"]),
            ["data/new.db: cannot write there"],
            id="new-database-in-read-only-directory",
        ),
        pytest.param(
            lambda d: after(
                (bot_database(d / "c.db"), read_only(directory(d / "safe"))), ["backup", "safe/copy.db", "--db", "c.db"]
            ),
            ["cannot back up", "safe/copy.db: cannot write there"],
            id="backup-into-read-only-directory",
        ),
    ],
)
def test_a_path_the_bot_may_not_write_is_one_line_naming_it(tmp_path, arrange, words):
    prefix = _as_an_ordinary_user()
    assert_one_line(bot(tmp_path, *arrange(tmp_path), prefix=prefix), *words)


# --- a lock held by another process beyond the busy timeout ----------------------------------------------------

# The bot as a process, with SQLite's busy timeout shortened from 30 s to 1 s so the test does not wait 30 s.
IMPATIENT_BOT = (
    sys.executable,
    "-c",
    "import sys, storage.engine; storage.engine.BUSY_TIMEOUT = 1; "
    "from adapters.cli import main; sys.argv[0] = 'collective-bot'; sys.exit(main())",
)


@pytest.mark.parametrize(
    ("argv", "where"),
    [
        pytest.param(lambda d: ["demo", "--db", "c.db"], "cannot open the database", id="demo"),
        pytest.param(run_on("sqlite:///c.db"), "config.toml: [storage] url: cannot open the database", id="run"),
    ],
)
def test_a_database_locked_by_another_process_beyond_the_busy_timeout_is_one_line(tmp_path, argv, where):
    bot_database(tmp_path / "c.db")
    holder = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program, mid-transaction, never finishing
    try:
        result = subprocess.run(
            [*IMPATIENT_BOT, *argv(tmp_path)], cwd=tmp_path, input="", capture_output=True, text=True, timeout=60
        )
    finally:
        holder.rollback()
        holder.close()
    assert_one_line(result, where, "database is locked: c.db stayed locked by another process for 1 s")


# --- stopping and piping are not crashes ----------------------------------------------------------------------


def test_ctrl_c_in_the_demo_stops_it_without_a_traceback(tmp_path):
    demo = subprocess.Popen(
        [*BOT, "demo", "--db", "c.db"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert demo.stdout.readline().startswith("collective-bot demo")  # it is waiting for a line
    demo.send_signal(signal.SIGINT)
    assert demo.wait(timeout=20) == 130
    assert demo.stderr.read() == ""
    demo.stdin.close()
    demo.stdout.close()
    demo.stderr.close()


def test_the_demo_piped_into_a_reader_that_stops_early_says_nothing_more(tmp_path):
    reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    demo = subprocess.run(
        [*BOT, "demo", "--db", "c.db"],
        cwd=tmp_path,
        input="/join\n/help\n/members\n" * 20,
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    reader.stdin.close()
    assert reader.stdout.read().startswith(b"collective-bot demo")
    reader.wait(timeout=10)
    assert "Traceback" not in demo.stderr and demo.stderr == ""


# --- the good cases still start --------------------------------------------------------------------------------


def test_a_config_without_storage_or_base_url_takes_the_documented_defaults(tmp_path):
    documented = tomllib.loads(EXAMPLE.read_text())
    path = tmp_path / "config.toml"
    path.write_text("[telegram]\nenabled = true\ntoken = '1:A'\n")
    loaded = load_config(path, environ={})
    assert loaded.storage_url == documented["storage"]["url"]
    assert loaded.telegram.base_url == documented["telegram"]["base_url"]


def test_run_without_a_storage_table_starts_on_the_default_database_and_backs_it_up(tmp_path):
    name = config(tmp_path, CONSOLE)
    result = bot(tmp_path, "run", "--config", name, stdin="/join\n")
    assert result.returncode == 0, result.stderr
    assert "Welcome, " in result.stdout
    assert (tmp_path / "collective.db").exists()  # sqlite:///collective.db, as config.example.toml says

    copied = bot(tmp_path, "backup", "copy.db", "--config", name)
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout == "collective-bot: backed up to copy.db\n"


def test_the_demo_with_piped_input_still_plays(tmp_path):
    result = bot(tmp_path, "demo", "--db", "demo.db", stdin="/join\n/members\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.rstrip().endswith("bot: Members (1):\n     • Alice")
