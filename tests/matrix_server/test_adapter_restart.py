"""Restarts: the sync token kept after each batch means a restarted bot replays nothing and misses nothing — after a
clean stop, after SIGKILL (the real `collective-bot run` process), and after more happened than one sync carries.
An event delivered twice (a token from before it) is applied once. An answer stored as the bot dies — before it
was sent, or sent and not yet marked — appears exactly once after the restart (the resend keeps its transaction id).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.faults import FAULT_VARIABLE
from tests.matrix_server.conftest import RoomView, collective_room, wait_for_join
from tests.matrix_server.synapse import REPO_ROOT
from tests.matrix_server.users import MatrixTestError


async def test_a_restart_replays_nothing_and_misses_nothing_even_after_a_long_absence(make_matrix_bot, make_member):
    bot = await make_matrix_bot(timeline_limit=3)  # one sync carries 3 events at most: the rest is filled in
    alice = await make_member("Alice")
    group = RoomView(bot, await collective_room(bot, alice), alice)
    await group.say(alice, "!join")
    before = bot.handled()

    await bot.stop()
    while_down = [await alice.send_text(group.room_id, f"!propose Idea {n}") for n in range(1, 6)]
    await bot.start()

    for n in range(1, 6):
        assert (await group.says()).startswith(f"Proposal #{n} by Alice: Idea {n}\n")
    assert bot.handled() == [*before, *while_down]  # nothing handed to the core twice, nothing left out


async def test_an_event_delivered_twice_is_applied_once(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, bob = await make_member("Alice"), await make_member("Bob")
    group = RoomView(bot, await collective_room(bot, alice, bob), alice)
    await group.say(alice, "!join")
    await group.say(bob, "!join")
    stale = await asyncio.to_thread(bot.state.get, "since")  # a token from before what follows

    applied = [await alice.send_text(group.room_id, "!propose Paint the kitchen")]
    assert (await group.says()).startswith("Proposal #1 by Alice: Paint the kitchen")
    applied.append(await bob.send_text(group.room_id, "!agree"))
    assert await group.says() == "Bob agrees with #1 Paint the kitchen."

    # As if the bot had crashed before keeping its token: the homeserver delivers both messages again.
    await bot.stop()
    await asyncio.to_thread(bot.state.put, "since", stale)
    await bot.start()
    assert (await group.say(alice, "!proposals")).endswith(
        "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded"
    )
    assert [ref for ref in bot.handled() if ref in applied] == applied * 2  # delivered twice, applied once


@pytest.fixture
def run_config(tmp_path: Path, make_matrix_bot, synapse):
    """A config.toml for `collective-bot run` with Matrix enabled, and a bot account for it."""

    async def write(user_id: str, password: str) -> Path:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[storage]\nurl = "sqlite:///{tmp_path / "bot.db"}"\n\n'
            f'[matrix]\nenabled = true\nhomeserver = "{synapse.base_url}"\nuser_id = "{user_id}"\npassword = "{password}"\n'
        )
        return config

    return write


class BotProcess:
    """`python -m adapters.cli run --config …` as a child process, its output in a log file; ``fault`` sets the
    fault injection (``COLLECTIVE_BOT_FAULT``, see adapters/faults.py) for that start."""

    def __init__(self, user_id: str, config: Path, log: Path) -> None:
        self.user_id, self.config, self.log = user_id, config, log
        self.process: subprocess.Popen | None = None

    def start(self, fault: str | None = None) -> None:
        environment = {k: v for k, v in os.environ.items() if k != FAULT_VARIABLE}
        if fault:
            environment[FAULT_VARIABLE] = fault
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", "run", "--config", str(self.config)],
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=environment,
            )

    def kill(self, signum: int = signal.SIGKILL) -> int:
        assert self.process is not None
        os.kill(self.process.pid, signum)
        return self.process.wait(15)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill(signal.SIGTERM)


async def test_the_bot_killed_with_sigkill_and_restarted_replays_nothing_and_misses_nothing(
    synapse, make_member, run_config, tmp_path
):
    password = "bot-password"
    bot_id = await synapse.register(synapse.unique_localpart("collectivebot"), password)
    bot = BotProcess(bot_id, await run_config(bot_id, password), tmp_path / "bot.log")
    alice, bob = await make_member("Alice"), await make_member("Bob")
    room = await alice.create_room(invite=[bot_id, bob.user_id], name="Collective")
    await bob.join(await bob.wait_for_invite(room))
    seen = RoomView(bot, room, alice)
    try:
        bot.start()
        await wait_for_join(alice, room, bot_id, timeout=30)  # the first sync brought the invite
        assert (await seen.say(alice, "!join")).startswith("Welcome, Alice! You are member 1")
        assert (await seen.say(bob, "!join")).startswith("Welcome, Bob! You are member 2")
        assert (await seen.say(alice, "!propose Buy a van")).startswith("Proposal #1 by Alice: Buy a van")

        assert bot.kill() == -signal.SIGKILL
        await bob.send_text(room, "!agree 1 we need it")
        await alice.send_text(room, "!members")
        await bob.send_text(room, "!propose Paint the van")

        bot.start()
        assert await seen.says(timeout=30) == "Bob agrees with #1 Buy a van: we need it"
        assert await seen.says() == "Members (2):\n• Alice\n• Bob"
        assert (await seen.says()).startswith("Proposal #2 by Bob: Paint the van")
        assert "Responses (1 of 2):\n• Bob — agree: we need it\nNot yet responded: Alice." in await seen.say(
            alice, "!show 1"
        )
        await alice.sync(0)
        with pytest.raises(MatrixTestError):  # and nothing else: no welcome again, no proposal #1 again
            await seen.message(timeout=0)
    finally:
        bot.stop()
    assert "Traceback" not in bot.log.read_text()


THANKS = "Thank you, Bob: €50.00 is in the pool."


@pytest.mark.parametrize("moment", ["before-send", "after-send"])
async def test_an_answer_stored_as_the_bot_dies_appears_once_after_the_restart(
    synapse, make_member, run_config, tmp_path, moment
):
    """Killed (SIGKILL, by the sender's fault injection) right after the commit and before any send, or right after
    the homeserver took the answer and before it was marked sent: after the restart the answer is in the room
    exactly once, and the contribution counted once."""
    password = "bot-password"
    bot_id = await synapse.register(synapse.unique_localpart("collectivebot"), password)
    bot = BotProcess(bot_id, await run_config(bot_id, password), tmp_path / "bot.log")
    alice, bob = await make_member("Alice"), await make_member("Bob")
    room = await alice.create_room(invite=[bot_id, bob.user_id], name="Collective")
    await bob.join(await bob.wait_for_invite(room))
    seen = RoomView(bot, room, alice)
    try:
        bot.start(fault=f"{moment}:{THANKS}")
        await wait_for_join(alice, room, bot_id, timeout=30)
        assert (await seen.say(alice, "!join")).startswith("Welcome, Alice!")
        assert (await seen.say(bob, "!join")).startswith("Welcome, Bob!")
        await bob.send_text(room, "!contribute 50")
        assert await asyncio.to_thread(bot.process.wait, 30) == -signal.SIGKILL  # by the fault, at that moment

        bot.start()
        assert (await seen.says(timeout=30)).startswith(THANKS)
        assert (await seen.say(alice, "!pool")).startswith("The pool holds €50.00")  # counted once
        await alice.sync(0)
        with pytest.raises(MatrixTestError):  # and the answer not a second time
            await seen.message(timeout=0)
        history = await alice.client.room_messages(room, start="", limit=100)
        bodies = [e.body for e in history.chunk if getattr(e, "sender", None) == bot_id and hasattr(e, "body")]
        assert sum(body.startswith(THANKS) for body in bodies) == 1
    finally:
        bot.stop()
    assert "Traceback" not in bot.log.read_text()
