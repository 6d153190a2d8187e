"""The ``collective-bot`` command: ``demo``, ``run``, ``backup``, and ``verify`` and ``export`` of the record."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from adapters.config import Config, ConfigError, load_config
from adapters.console import Console, ConsoleOutlet, Demo
from adapters.wiring import build_core, core_for, open_storage, reader_for
from bot import codes
from bot.clock import FakeClock, SystemClock
from storage.backup import BackupError, backup
from storage.engine import DatabaseUnusable, sqlite_url

log = logging.getLogger("collective-bot")


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake on the command line said in one line (its usage is one --help away)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message}; see {self.prog} --help\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="collective-bot", description="A chat bot for worker collectives.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="a collective chat in the terminal, on a local SQLite file")
    demo.add_argument("--db", default="collective-demo.db", help="SQLite file (default: ./collective-demo.db)")
    run = commands.add_parser("run", help="run the adapters the config enables")
    run.add_argument("--config", required=True, help="path to config.toml (see config.example.toml)")
    copy = commands.add_parser("backup", help="copy the SQLite database while the bot runs")
    copy.add_argument("path", help="the new backup file")
    source = copy.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="take the database from this config.toml")
    source.add_argument("--db", help="a SQLite database file")
    check = commands.add_parser("verify", help="check each collective's record against its hash chain")
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="take the database from this config.toml")
    source.add_argument("--db", help="a SQLite database file")
    source.add_argument("--export", help="a folder written by collective-bot export")
    check.add_argument("--collective", type=int, help="only this collective (by id)")
    check.add_argument(
        "--heads", help="a file of head hashes pasted from the chat (· record 3f9a1c2e07b4), each must be on the chain"
    )
    out = commands.add_parser("export", help="write a collective's record and its chain as JSON and CSV")
    out.add_argument("folder", help="the folder to write (one sub-folder per collective when there are several)")
    source = out.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="take the database from this config.toml")
    source.add_argument("--db", help="a SQLite database file")
    out.add_argument("--collective", type=int, help="only this collective (by id)")
    args = parser.parse_args(argv)
    # Where the database was named, for a message about it: the config's key, or --db.
    where = f"{args.config}: [storage] url: " if getattr(args, "config", None) else ""
    try:
        if args.command == "demo":
            return run_demo(Path(args.db))
        if args.command in ("verify", "export"):
            from adapters.record_commands import run_export, run_verify

            return run_verify(args) if args.command == "verify" else run_export(args)
        if args.command == "backup":
            url = load_config(args.config).storage_url if args.config else sqlite_url(args.db)
            print(f"collective-bot: backed up to {backup(url, args.path)}")
            return 0
        return asyncio.run(run_service(load_config(args.config)))
    except DatabaseUnusable as error:
        print(f"collective-bot: {where}cannot open the database: {error}", file=sys.stderr)
        return 2
    except (ConfigError, BackupError) as error:
        print(f"collective-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C in the demo, or before the service is up: a stop, not a crash
        return 130
    except BrokenPipeError:  # the reader of standard output went away (demo | head): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        return 1


def run_demo(db: Path) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    clock = FakeClock(SystemClock().now())
    codes.for_demo()  # codes that repeat from run to run, so the README's walk-through can be pasted
    console = Console(clock, _print, echo=not sys.stdin.isatty())
    demo = Demo(build_core(sqlite_url(db), clock), console, clock)
    console.greet()
    for line in sys.stdin:
        demo.feed(line)
    return 0


def _print(text: str) -> None:
    print(text, flush=True)


async def run_service(config: Config) -> int:
    """Run every enabled adapter until SIGINT or SIGTERM."""
    from adapters.alarm import Alarm  # the scheduler is needed only here
    from adapters.matrix.failover import MatrixFailover, SyncLock
    from adapters.runtime import Runtime
    from storage.outbox import OutboxStore

    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and a Telegram URL carries the bot token.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))
    # Alembic names its dialect at every start: only the upgrades it runs are news (and a
    # database that cannot be opened is then said in one line, with nothing before it).
    logging.getLogger("alembic.runtime.migration").addFilter(_not_alembic_preamble)
    if not (config.console or config.telegram or config.matrix):
        raise ConfigError("no adapter is enabled: set enabled = true in [console], [telegram] or [matrix]")
    engine = await asyncio.to_thread(open_storage, config.storage_url)
    if engine.dialect.name == "postgresql":
        log.info("storage: PostgreSQL, which other collective-bot processes may share (each collective locked apart)")
    else:
        log.info("storage: SQLite, for this one process")
    core = core_for(engine, SystemClock(), config.web.base_url if config.web else None)
    outbox = OutboxStore(engine)
    await asyncio.to_thread(outbox.prune, SystemClock().now())
    runtime = Runtime(core, outbox)
    alarm = Alarm(core, runtime.deliver)
    runtime.after_event = alarm.arm
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    adapters = []
    if config.telegram:
        from adapters.telegram import TelegramAdapter
        from storage.inbox import InboxStore

        shared_budget = None
        if engine.dialect.name == "postgresql":  # several processes may send: Telegram's limits kept together
            from storage.send_budget import SendBudget

            shared_budget = SendBudget(engine)
        adapters.append(
            TelegramAdapter(config.telegram, runtime, shared_budget=shared_budget, inbox=InboxStore(engine))
        )
    if config.matrix:
        from adapters.matrix import MatrixAdapter
        from storage.adapter_state import AdapterState

        def matrix_adapter():
            return MatrixAdapter(config.matrix, runtime, AdapterState(engine, "matrix"))

        if engine.dialect.name == "postgresql":  # several processes may run: one syncs, the others stand by
            adapters.append(MatrixFailover(matrix_adapter, runtime, SyncLock(config.storage_url)))
        else:
            adapters.append(matrix_adapter())
    for adapter in adapters:
        if not isinstance(adapter, MatrixFailover):  # (which adds its adapter while it syncs)
            runtime.add(adapter)
    reader = None
    started = []
    # Several processes on one PostgreSQL store: hear of others' earlier due work, and deliver every answer
    # stored by a process that died.
    shared = []
    if engine.dialect.name == "postgresql":
        from adapters.due_listener import DueListener
        from adapters.outbox_claims import OutboxClaims

        shared = [DueListener(config.storage_url, alarm), OutboxClaims(runtime, outbox)]
    if config.web:  # the read-only page and calendar feeds, in this process, reading the same storage
        from adapters.web import WebServer

        shared.append(WebServer(reader_for(engine), SystemClock(), config.web.listen, config.web.base_url))
    try:
        if config.console:
            console = Console(SystemClock(), _print, echo=False)
            runtime.add(ConsoleOutlet(console))
            lines: asyncio.Queue[str] = asyncio.Queue()
            # A daemon thread reads standard input, so a stop never waits for a line.
            threading.Thread(target=_read_lines, args=(loop, lines), daemon=True).start()
            # With other adapters, the end of standard input (a service without a terminal)
            # ends only the console; alone, it ends the run.
            reader = asyncio.create_task(_serve_console(console, runtime, lines, stop, alone=not adapters))
        await alarm.start()  # overdue work first, so no one responds to a round that should have closed
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
        await runtime.start()  # the outbox: what was stored and not sent before a stop or crash goes out first
        for part in shared:
            await part.start()
        log.info("collective-bot is running; stop it with Ctrl-C or SIGTERM")
        await stop.wait()
    finally:
        # Sources before sinks: no new events, due work finished and delivered, then the adapters.
        if reader is not None:
            reader.cancel()
        for part in shared:
            await part.stop()
        await alarm.stop()
        for adapter in started:
            await adapter.stop()  # no new events; its answers being sent go out, the rest wait in the outbox
        await runtime.stop()
        engine.dispose()
    log.info("collective-bot stopped")
    return 0


def _not_alembic_preamble(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(("Context impl", "Will assume"))


async def _serve_console(
    console: Console, runtime, lines: asyncio.Queue[str], stop: asyncio.Event, alone: bool
) -> None:
    while (line := await lines.get()) != "":
        event = console.read(line)
        if event is not None:  # (a /tick was refused by the console itself: the clock is real)
            await runtime.handle(event)
    if alone:
        stop.set()
    else:
        log.warning("standard input ended: the console stops; the other adapters go on")


def _read_lines(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str]) -> None:
    try:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, "")
    except RuntimeError:
        pass  # the loop closed: the bot is stopping


if __name__ == "__main__":
    sys.exit(main())
