"""Matrix failover on PostgreSQL, against the real Synapse: two `collective-bot run` processes share one database
and one encryption store; one syncs, the other stands by. The syncing one is killed (SIGKILL); the other takes
over within 15 seconds, from the kept sync token, as the same device — a command sent meanwhile is answered once,
and nothing from before is answered again."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from tests.matrix_server.conftest import RoomView, wait_for_join
from tests.matrix_server.test_adapter_restart import BotProcess
from tests.postgres.cluster import Cluster, missing

pytestmark = pytest.mark.slow  # two bot processes, a PostgreSQL cluster and Synapse


@pytest.fixture(scope="module")
def postgres():
    reason = missing()
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    running = Cluster().start()
    try:
        yield running
    finally:
        running.stop()


async def _logged(process: BotProcess, text: str, timeout: float = 30.0) -> float:
    """Until the process's log says ``text``; when it did (time.monotonic)."""
    deadline = time.monotonic() + timeout
    while text not in process.log.read_text(errors="replace"):
        assert process.process.poll() is None, f"{process.log.name} ended:\n{process.log.read_text()}"
        assert time.monotonic() < deadline, f"{process.log.name} never said {text!r}:\n{process.log.read_text()}"
        await asyncio.sleep(0.1)  # a child process's log: nothing in this process to wait on
    return time.monotonic()


async def test_the_syncing_process_killed_another_takes_over_within_15_s_and_answers_once(
    synapse, make_member, postgres, tmp_path: Path
):
    postgres.execute("CREATE DATABASE failover")
    password = "bot-password"
    bot_id = await synapse.register(synapse.unique_localpart("collectivebot"), password)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\nurl = "{postgres.url("failover")}"\n\n'
        f'[matrix]\nenabled = true\nhomeserver = "{synapse.base_url}"\nuser_id = "{bot_id}"\n'
        f'password = "{password}"\nstore_path = "{tmp_path / "matrix-store"}"\n'
    )
    first = BotProcess(bot_id, config, tmp_path / "first.log")
    second = BotProcess(bot_id, config, tmp_path / "second.log")
    alice, bob = await make_member("Alice"), await make_member("Bob")
    room = await alice.create_room(invite=[bot_id, bob.user_id], name="Collective")
    await bob.join(await bob.wait_for_invite(room))
    seen = RoomView(first, room, alice)
    try:
        first.start()
        await _logged(first, "matrix: this process syncs now")
        await wait_for_join(alice, room, bot_id, timeout=30)
        assert (await seen.say(alice, "!join")).startswith("Welcome, Alice! You are member 1")
        second.start()
        await _logged(second, "matrix: standing by")
        assert (await seen.say(bob, "!join")).startswith("Welcome, Bob! You are member 2")
        assert "this process syncs now" not in second.log.read_text()

        assert first.kill() == -signal.SIGKILL
        killed_at = time.monotonic()
        await bob.send_text(room, "!members")  # while no process syncs
        assert await seen.says(timeout=30) == "Members (2):\n• Alice\n• Bob"
        answered_at = time.monotonic()
        took_over_at = await _logged(second, "matrix: this process syncs now", timeout=0)
        assert took_over_at - killed_at <= 15.0
        assert answered_at - killed_at <= 15.0

        await seen.settled()  # and nothing else: the joins are not answered again, !members not twice
        await seen.nothing_more()
        sessions = [line for line in second.log.read_text().splitlines() if "resumed the session" in line]
        assert sessions, "the second process logged in anew instead of resuming the same device"
    finally:
        first.stop()
        second.stop()
    assert "Traceback" not in second.log.read_text()
