"""A burst of 1,000 votes by button, with the bot killed in the middle of it:
after a restart, every vote is counted exactly once. (About two minutes, most
of it the tally edits waiting on Telegram's 20-a-minute limit for a group.)"""

from datetime import UTC, datetime

import pytest

from adapters.wiring import core_for, open_storage
from bot.clock import SystemClock
from bot.events import Chat, MessageReceived, Sender
from storage.engine import sqlite_url
from storage.outbox import OutboxStore, Sent
from tests.telegram.test_redelivery import BotProcess

VOTERS = 1000
pytestmark = pytest.mark.slow  # waits on Telegram's real 20-a-minute limit for a group


async def test_a_thousand_votes_with_the_bot_killed_midway_are_each_counted_once(server, tmp_path):
    voters = [server.add_user(f"Member{n}") for n in range(VOTERS)]
    coop = server.add_group("A big co-op", members=voters)
    # Everyone joined earlier (set up through the core on the bot's own database, to keep the test short).
    engine = open_storage(sqlite_url(tmp_path / "collective.db"))
    core = core_for(engine, SystemClock())
    chat = Chat("telegram", str(coop.id))
    for n, voter in enumerate(voters):
        sender = Sender("telegram", str(voter.id), voter.first_name)
        core.handle(MessageReceived(chat, sender, "/join", f"joined-earlier-{n}", datetime.now(UTC)))
    outbox = OutboxStore(engine)  # their welcomes went out back then
    outbox.mark([Sent(delivery, None) for delivery, _ in outbox.unsent("telegram")], datetime.now(UTC))

    bot = BotProcess(server, tmp_path)
    try:
        await bot.start()
        await server.user_sends(voters[0], coop, "/propose 2w Move to the bigger hall")
        proposal = await server.wait_for_bot_message(coop, "Proposal #1", timeout=20)

        presses = [await server.user_presses_button(voter, proposal, text="👍 Agree") for voter in voters]
        await server.wait_for_callback_answer(presses[VOTERS // 3].query_id, timeout=120)
        await bot.kill()  # SIGKILL, a third of the way through the burst
        answered_before = sum(1 for press in presses if press.query_id in server.callback_answers)
        assert VOTERS // 3 <= answered_before < VOTERS

        await bot.start(wait=False)  # Telegram delivers every unconfirmed press again
        await server.wait_until_confirmed(presses[-1].update_id, timeout=240)
        for press in presses:  # no button left spinning
            await server.wait_for_callback_answer(press.query_id, timeout=60)
        final = f"agree {VOTERS:,} · stand aside 0 · object 0 · block 0 — {VOTERS:,} of {VOTERS:,} responded"
        await server.wait_for_bot_edit(coop, final, timeout=120)  # the tally edits wait on the group's limit
        assert server.message(coop.id, proposal.message_id)["text"].endswith(final)
        with core.unit_of_work() as uow:
            round_ = uow.rounds.latest(uow.items.by_number(uow.collectives.for_chat("telegram", str(coop.id)).id, 1).id)
            counted = uow.responses.of_round(round_.id)
        assert len(counted) == VOTERS and len({r.member_id for r in counted}) == VOTERS  # each once
        assert server.message_rate_violations() == []
        assert await bot.stop() == 0
    finally:
        if bot.process is not None and bot.process.returncode is None:
            await bot.kill()
