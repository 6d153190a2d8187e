"""Telegram delivers an update again when it was not confirmed: each is applied once; and an answer
stored when the bot died goes out after the restart.

The bot confirms an update once its unit of work committed (its answers in the
outbox with it), so a bot killed before that gets the update again when it
restarts, and the core, which remembers every message it applied, applies it
once; a bot killed after it sends the stored answers when it starts again. A
Telegram send is not idempotent: an answer in flight at the moment of the crash
may arrive twice, never not at all.
"""

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.faults import FAULT_VARIABLE
from storage.engine import sqlite_url
from tests.telegram.members import Members
from tests.telegram_api import Delivery, TelegramTestServer
from tests.transcript import unrecorded

POOL_OF_50 = "The pool holds €50.00: €0.00 reserved for approved needs, €50.00 available."


async def test_an_update_delivered_twice_is_applied_once(server: TelegramTestServer, members: Members):
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    coop = server.add_group("Bakery co-op", members=[alice, bob])
    await members.say(alice, coop, "/join")
    await members.say(bob, coop, "/join")
    proposal = (await members.say(alice, coop, "/propose Buy a coffee machine")).messages[0]
    mark = len(server.events)

    contribution = await server.user_sends(bob, coop, "/contribute 50", deliver_twice=True)
    await members.handled_again(contribution.update_id)
    press = await server.user_presses_button(bob, proposal, text="👍 Agree", deliver_twice=True)
    await members.handled_again(press.update_id)

    delivered = [update_id for update_id, _ in server.deliveries]
    assert delivered.count(contribution.update_id) == delivered.count(press.update_id) == 2
    assert [unrecorded(e.text) for e in server.events[mark:] if e.kind == "send"] == [
        "Thank you, Bob: €50.00 is in the pool. The pool holds €50.00, of which €0.00 is reserved for approved needs.",
    ]  # the press is acknowledged by its pop-up, once
    assert len(server.bot_edits(coop)) == 1  # one tally edit for one vote
    assert (await members.say(alice, coop, "/pool")).to(coop)[0].startswith(POOL_OF_50)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's RetryAfter
async def test_polling_goes_on_through_telegrams_errors(server: TelegramTestServer, members: Members):
    alice = server.add_user("Alice")
    coop = server.add_group("Bakery co-op", members=[alice])
    flood = server.fail_next("getUpdates", retry_after=0.1)
    outage = server.fail_next("getUpdates", error_code=502)
    conflict = server.fail_next("getUpdates", error_code=409, description="Conflict: terminated by other getUpdates")

    said = await members.say(alice, coop, "/join")  # confirmed only once the bot polls again
    assert said.to(coop)[0].startswith("Welcome, Alice!")
    assert (flood.hits, outage.hits, conflict.hits) == (1, 1, 1)
    said = await members.say(alice, coop, "/members")
    assert said.to(coop) == ["Members (1):\n• Alice"]


# ------------------------------------------------------------------------------------------------ a bot killed


class BotProcess:
    """``collective-bot run --config ...`` in a subprocess, against the server in the test's loop; ``fault`` sets
    the fault injection (``COLLECTIVE_BOT_FAULT``, see adapters/faults.py) for the next start."""

    def __init__(self, server: TelegramTestServer, directory: Path) -> None:
        self.config = directory / "config.toml"
        self.config.write_text(
            f'[storage]\nurl = "{sqlite_url(directory / "collective.db")}"\n\n'
            f'[telegram]\nenabled = true\ntoken = "{server.token}"\nbase_url = "{server.base_url}"\n\n'
            '[logging]\nlevel = "WARNING"\n'
        )
        self.log = directory / "bot.log"
        self.server = server
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, wait: bool = True, fault: str | None = None) -> None:
        """``wait``: until it long-polls (a bot restarted into a backlog is busy first)."""
        environment = {k: v for k, v in os.environ.items() if k not in ("COLLECTIVE_TELEGRAM_TOKEN", FAULT_VARIABLE)}
        if fault:
            environment[FAULT_VARIABLE] = fault
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "adapters.cli", "run", "--config", str(self.config),
                stdout=log, stderr=log, env=environment,
            )  # fmt: skip
        if wait:
            await self.server.wait_for_polling(timeout=20)

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def killed_by_fault(self) -> None:
        """Until the fault injection has killed the process."""
        assert await asyncio.wait_for(self.process.wait(), 20) == -signal.SIGKILL

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 15)


@pytest.fixture
async def bot(server: TelegramTestServer, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(server, tmp_path)
    await process.start()
    yield process
    if process.process.returncode is None:
        await process.kill()


async def killed_while_answering(
    server: TelegramTestServer, bot: BotProcess, chat, act, answer: str = "sendMessage"
) -> Delivery:
    """Do ``act`` (a member's action) and kill the bot while it is answering: the core has stored the change and
    its answer (answers leave only after the commit), and the answer waits out Telegram's flood control.
    ``answer`` is the request that answers it: a message, or a press's tally edit."""
    flood = server.fail_next(answer, retry_after=30, chat_id=chat.id)  # the answer must wait 30 s
    since = len(server.requests)
    delivery = await act()
    await server.wait_for_request(answer, lambda request: request.status == 429, since=since)
    await bot.kill()
    assert flood.hits == 1
    return delivery


async def test_a_vote_pressed_as_the_bot_is_killed_counts_once_after_restart(
    server: TelegramTestServer, bot: BotProcess
):
    members = Members(server)
    alice, bob, carol = server.add_user("Alice"), server.add_user("Bob"), server.add_user("Carol")
    coop = server.add_group("Bakery co-op", members=[alice, bob, carol])
    for user in (alice, bob, carol):
        await members.say(user, coop, "/join")
    proposal = (await members.say(alice, coop, "/propose Buy a coffee machine")).messages[0]
    await members.press(bob, proposal, "👍 Agree")
    await server.wait_for_bot_edit(coop, "1 of 3 responded")

    press = await killed_while_answering(
        server, bot, coop, lambda: server.user_presses_button(carol, proposal, text="👍 Agree"), "editMessageText"
    )
    await bot.start()  # the stored tally edit goes out; a press not yet confirmed comes again and counts once
    await server.wait_until_confirmed(press.update_id)
    await server.wait_for_callback_answer(press.query_id)  # her button stops spinning
    await server.wait_for_bot_edit(coop, "2 of 3 responded", timeout=10)

    said = await members.say(alice, coop, "/show 1")
    assert "Responses (2 of 3):\n• Bob — agree\n• Carol — agree\nNot yet responded: Alice." in said.to(coop)[0]
    said = await members.say(alice, coop, "/agree 1")
    assert said.to(coop) == ["Alice agrees with #1 Buy a coffee machine."]
    await server.wait_for_bot_edit(coop, "agree 3 · stand aside 0 · object 0 · block 0 — 3 of 3 responded")

    assert await bot.stop() == 0  # SIGTERM: a clean stop
    for request in server.requests_of("deleteWebhook"):
        assert request.params.get("drop_pending_updates") in (None, "false", False)


async def test_a_contribution_sent_as_the_bot_is_killed_is_recorded_once(server: TelegramTestServer, bot: BotProcess):
    members = Members(server)
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    coop = server.add_group("Bakery co-op", members=[alice, bob])
    await members.say(alice, coop, "/join")
    await members.say(bob, coop, "/join")

    contribution = await killed_while_answering(
        server, bot, coop, lambda: server.user_sends(bob, coop, "/contribute 50")
    )
    await bot.start()
    await server.wait_until_confirmed(contribution.update_id)
    await server.wait_for_bot_message(coop, "Thank you, Bob: €50.00 is in the pool.", timeout=10)

    # Applied twice, the pool would hold €100.00; lost, nothing.
    assert (await members.say(bob, coop, "/pool")).to(coop)[0].startswith(POOL_OF_50)
    assert await bot.stop() == 0


THANKS = "Thank you, Bob: €50.00 is in the pool."


@pytest.mark.parametrize("moment", ["before-send", "after-send"])
async def test_an_answer_stored_as_the_bot_dies_arrives_after_the_restart(
    server: TelegramTestServer, tmp_path: Path, moment: str
):
    """Killed the moment after the commit (nothing sent yet), or the moment after Telegram took the answer (not
    yet marked sent): after the restart the answer is there — at least once, at most twice — and the
    contribution counted once."""
    members = Members(server)
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    coop = server.add_group("Bakery co-op", members=[alice, bob])
    bot = BotProcess(server, tmp_path)
    await bot.start(fault=f"{moment}:{THANKS}")
    try:
        await members.say(alice, coop, "/join")
        await members.say(bob, coop, "/join")
        contribution = await server.user_sends(bob, coop, "/contribute 50")
        await bot.killed_by_fault()
        sent_before = [m.text for m in server.bot_messages(coop) if m.text.startswith(THANKS)]
        assert len(sent_before) == (0 if moment == "before-send" else 1)

        await bot.start()
        await server.wait_until_confirmed(contribution.update_id)
        await server.user_sends(alice, coop, "/pool")
        await server.wait_for_bot_message(coop, POOL_OF_50, timeout=10)  # counted once
        # A chat's answers go out in the order they were stored: a resent answer came before this one.
        thanks = [m for m in server.bot_messages(coop) if m.text.startswith(THANKS)]
        assert 1 <= len(thanks) <= 2
        assert await bot.stop() == 0
    finally:
        if bot.process.returncode is None:
            await bot.kill()
    assert "Traceback" not in bot.log.read_text()


@pytest.mark.slow  # the thanks for fifty contributions wait on Telegram's real limits for a group
@pytest.mark.parametrize("server", [{"max_long_poll": 0.05}], indirect=True)  # the bot polls again at once
async def test_updates_held_in_the_inbox_when_the_bot_dies_are_applied_once_after_the_restart(
    server: TelegramTestServer, tmp_path: Path
):
    """A burst in ten groups at once (five contributions each): what the bot has not handled after a moment it holds
    in the inbox, and the next poll lets Telegram forget it. Killed right then, the inbox is its only copy: after
    the restart every contribution is counted, once."""
    members = Members(server)
    founders = [server.add_user(f"Member {n}") for n in range(10)]
    groups = [server.add_group(f"Co-op {n}", members=[user]) for n, user in enumerate(founders)]
    bot = BotProcess(server, tmp_path)
    await bot.start(fault="after-hold:for the burst")
    try:
        for user, group in zip(founders, groups, strict=True):
            await members.say(user, group, "/join")
        burst = [
            await server.user_sends(user, group, "/contribute 1 for the burst")
            for _ in range(5)
            for user, group in zip(founders, groups, strict=True)
        ]
        await bot.killed_by_fault()
        assert server.confirmed_below > burst[-1].update_id  # Telegram will not deliver them again

        await bot.start()
        for user, group in zip(founders, groups, strict=True):
            await server.user_sends(user, group, "/pool")
            pool = await server.wait_for_bot_message(group, lambda m: m.text.startswith("The pool holds"), timeout=20)
            assert pool.text.startswith("The pool holds €5.00"), pool.text  # five each, once
        assert await bot.stop() == 0
    finally:
        if bot.process.returncode is None:
            await bot.kill()
    assert "Traceback" not in bot.log.read_text()
    with sqlite3.connect(tmp_path / "collective.db") as db:
        assert db.execute("SELECT count(*) FROM inbox").fetchone() == (0,)  # handled, let go
