"""Three `collective-bot run` processes on one PostgreSQL store, in Telegram webhook mode behind the test Bot API
server's round-robin delivery (its load balancer). 200 groups, two members each, send 2,000 commands and button
presses; midway one process is killed with SIGKILL. Then: every update was applied exactly once, every answer
reached its group (at least once), all due work — 200 two-minute deadlines and 200 ends of time away — was done once, and
the server counted no second and no group over Telegram's limits.

Each member acts only once their previous action was confirmed (answered 200 by a process), as people who see
their message go through; the 200 groups act side by side."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.engine import make_engine
from tests.telegram_api import FloodLimits, TelegramTestServer

pytestmark = pytest.mark.slow  # three bot processes, about two minutes of Telegram's real limits

CHATS = int(os.environ.get("SCALEOUT_TEST_CHATS", "200"))  # fewer to try it out quickly
SECRET = "scale-out-secret_1"
REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BotProcess:
    def __init__(self, name: str, config: Path, log: Path) -> None:
        self.name, self.config, self.log = name, config, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTIVE_")}
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "adapters.cli", "run", "--config", str(self.config),
                cwd=REPO_ROOT, stdout=log, stderr=log, env=environment,
            )  # fmt: skip

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)


def _config(tmp_path: Path, name: str, url: str, server: TelegramTestServer, port: int, hook: str) -> Path:
    config = tmp_path / f"{name}.toml"
    config.write_text(
        f'[storage]\nurl = "{url}"\n\n'
        f'[telegram]\nenabled = true\ntoken = "{server.token}"\nbase_url = "{server.base_url}"\n'
        f'webhook_url = "{hook}"\nlisten = "127.0.0.1:{port}"\nsecret_token = "{SECRET}"\nmax_connections = 12\n'
    )
    return config


async def _until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)  # the bot processes' database and the server's records: polled


async def test_three_webhook_processes_one_killed_midway_apply_every_update_once_and_answer_every_one(
    cluster, tmp_path
):
    cluster.execute("CREATE DATABASE scaleout TEMPLATE head")
    url = cluster.url("scaleout")
    engine = make_engine(url)
    async with TelegramTestServer(flood_limits=FloodLimits()) as server:
        ports = [_free_port() for _ in range(3)]
        server.webhook_backends = [f"http://127.0.0.1:{port}/hook" for port in ports]
        hook = server.webhook_backends[0]
        bots = [
            BotProcess(f"bot{n}", _config(tmp_path, f"bot{n}", url, server, port, hook), tmp_path / f"bot{n}.log")
            for n, port in enumerate(ports)
        ]
        groups = []
        for n in range(CHATS):
            a, b = server.add_user(f"Ann{n}"), server.add_user(f"Ben{n}")
            groups.append((server.add_group(f"Co-op {n}", members=[a, b]), a, b))
        try:
            for bot in bots:
                await bot.start()
            await _until(lambda: len(server.webhook_settings) >= 3, 60, "three processes to set the webhook")

            async def act(delivery) -> None:
                await server.wait_until_confirmed(delivery.update_id, timeout=120)

            async def members_of(group, a, b) -> None:
                await act(await server.user_sends(a, group, "/join"))
                await act(await server.user_sends(b, group, "/join"))
                await act(await server.user_sends(a, group, "/propose 2m Paint the workshop"))
                proposal = await server.wait_for_bot_message(group, "Proposal #1", timeout=120)
                await act(await server.user_presses_button(a, proposal, text="👍 Agree"))
                await act(await server.user_presses_button(b, proposal, text="👍 Agree"))
                await act(await server.user_sends(a, group, "/contribute 5"))
                await act(await server.user_sends(b, group, "/contribute 7"))
                await act(await server.user_sends(b, group, "/away 1m"))
                await act(await server.user_sends(a, group, "/pool"))
                await act(await server.user_sends(a, group, "/members"))

            async def kill_midway() -> None:
                await _until(lambda: len(server.updates) >= CHATS * 10 // 2, 300, "half the updates")
                await bots[1].kill()

            killer = asyncio.create_task(kill_midway())
            await asyncio.gather(*(members_of(*group) for group in groups))
            await killer
            assert len(server.updates) == CHATS * 10
            await server.wait_until_all_confirmed(timeout=60)

            def all_done() -> bool:
                with engine.connect() as connection:
                    pending = connection.execute(
                        text("SELECT count(*) FROM due_work WHERE status IN ('pending', 'failed')")
                    ).scalar()
                    unsent = connection.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar()
                return pending == 0 and unsent == 0

            try:
                await _until(all_done, 300, "every deadline done and every answer sent")
            except AssertionError:
                with engine.connect() as connection:
                    left = connection.execute(
                        text("SELECT kind, status, due_at, note FROM due_work WHERE status IN ('pending', 'failed')")
                    ).all()
                    unsent = connection.execute(
                        text(
                            "SELECT queue, claimed_by, lease_until, extract(epoch from clock_timestamp()), "
                            "substr(action, 1, 120) FROM outbox WHERE sent_at IS NULL ORDER BY id"
                        )
                    ).all()
                refused = [(r.method, r.chat_id, r.description) for r in server.requests if r.status == 429]
                raise AssertionError(f"due work left: {left[:5]}\nunsent: {unsent[:10]}\n429: {refused[:10]}") from None
            for bot in (bots[0], bots[2]):
                assert await bot.stop() == 0
        finally:
            for bot in bots:
                if bot.process is not None and bot.process.returncode is None:
                    await bot.kill()

        # Applied exactly once: two members, two contributions, two responses, one outcome per collective.
        with engine.connect() as connection:

            def per_collective(sql: str) -> dict[int, int]:
                return dict(connection.execute(text(sql)).all())

            assert set(per_collective("SELECT collective_id, count(*) FROM member GROUP BY 1").values()) == {2}
            assert set(per_collective("SELECT collective_id, count(*) FROM ledger GROUP BY 1").values()) == {2}
            assert set(per_collective("SELECT collective_id, count(*) FROM decision GROUP BY 1").values()) == {1}
            assert len(per_collective("SELECT collective_id, count(*) FROM member GROUP BY 1")) == CHATS
            responses = connection.execute(text("SELECT round_id, count(*) FROM response GROUP BY 1")).all()
            toasts = sorted({answer.get("text") or "" for answer in server.callback_answers.values()})
            assert len(responses) == CHATS and {count for _, count in responses} == {2}, toasts
            done = dict(
                connection.execute(text("SELECT kind, count(*) FROM due_work WHERE status = 'done' GROUP BY 1")).all()
            )
            assert sum(done.values()) >= 2 * CHATS, done  # at least each deadline and each end of time away, once
        engine.dispose()

        # Every answer reached its group, at least once.
        expected = [
            "Welcome, Ann",
            "Welcome, Ben",
            "Proposal #1 by Ann",
            "Thank you, Ann",
            "Thank you, Ben",
            "you are away for 1 minute",
            "The pool holds €12.00",
            "Members (2):",
            "#1 Paint the workshop — adopted.",
            "is back from time away",
        ]
        for group, _, _ in groups:
            said = [m.text or "" for m in server.bot_messages(group)]
            missing = [line for line in expected if not any(line in text_ for text_ in said)]
            assert not missing, f"{group.title}: {missing}"

        # Within Telegram's limits, as the server counted them, and never refused for flooding.
        assert server.message_rate_violations() == []
        assert [r for r in server.requests if r.status == 429] == []
        assert server.internal_errors == []
    for bot in (bots[0], bots[2]):
        assert "Traceback" not in bot.log.read_text(), bot.log.read_text()[-3000:]
