"""Telegram's own rules: groups become supergroups, a bot may not write first, clients show a command menu."""

import asyncio
import json
import time

from telegram.ext import ExtBot

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.telegram.sending import Sending
from bot.actions import DirectMessage, Post
from bot.clock import FakeClock
from bot.core import Core
from bot.events import Chat, ChatMoved, MessageReceived, Sender
from bot.results import Delivery, Result
from storage.outbox import OutboxStore
from tests.telegram.members import Members
from tests.telegram_api import TelegramTestServer


async def test_a_group_upgraded_to_a_supergroup_keeps_its_collective(
    server: TelegramTestServer, members: Members, adapter: TelegramAdapter
):
    alice, bob, carol = server.add_user("Alice"), server.add_user("Bob"), server.add_user("Carol")
    coop = server.add_group("Bakery co-op", members=[alice, bob, carol])
    for user in (alice, bob, carol):
        await members.say(user, coop, "/join")
    await members.say(alice, coop, "/propose Buy a coffee machine")
    await members.say(alice, coop, "/contribute 50")

    supergroup = await server.upgrade_to_supergroup(coop, by=alice)
    await server.wait_until_confirmed(server.updates[-1]["update_id"])  # migrate_to / migrate_from seen

    # The old group's message can no longer be edited: the open proposal is asked again in the supergroup, where
    # its buttons work and its tally follows the votes.
    asked = await server.wait_for_bot_message(supergroup, "Proposal #1 by Alice: Buy a coffee machine")
    assert members.buttons_now(asked) == ["👍 Agree", "🤷 Stand aside", "✋ Object", "🛑 Block"]
    await members.press(alice, asked, "👍 Agree")
    assert members.now_shows(asked).endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded")
    said = await members.say(bob, supergroup, "/agree 1")
    assert said.to(supergroup) == ["Bob agrees with #1 Buy a coffee machine."]
    assert members.now_shows(asked).endswith("agree 2 · stand aside 0 · object 0 · block 0 — 2 of 3 responded")
    said = await members.say(carol, supergroup, "/members")
    assert said.to(supergroup) == ["Members (3):\n• Alice\n• Bob\n• Carol"]
    said = await members.say(carol, supergroup, "/pool")
    assert said.to(supergroup)[0].startswith("The pool holds €50.00")

    # Something still addressed to the old group (worked out before the upgrade) goes to the supergroup.
    await adapter.send(Post(Chat("telegram", str(coop.id)), "Reminder: #1 Buy a coffee machine closes tomorrow."), "t1")
    assert server.bot_messages(supergroup)[-1].text == "Reminder: #1 Buy a coffee machine closes tomorrow."


async def test_a_message_that_meets_the_upgrade_first_follows_the_group_and_moves_the_collective(
    server: TelegramTestServer, core: Core, clock: FakeClock
):
    alice = server.add_user("Alice")
    coop = server.add_group("Bakery co-op", members=[alice])
    old = Chat("telegram", str(coop.id))
    core.handle(MessageReceived(old, Sender("telegram", str(alice.id), "Alice"), "/join", "1", clock.now()))
    supergroup = await server.upgrade_to_supergroup(coop, by=alice)

    async def tell_the_core(old_id: str, new_id: str) -> None:  # as the adapter does, through the runtime
        core.handle(ChatMoved(Chat("telegram", old_id), new_id, "moved", clock.now()))

    # The bot has not seen the upgrade yet when it sends to the group: Telegram answers with the new id.
    async with ExtBot(server.token, base_url=server.base_url) as bot:
        await Sending(bot, tell_the_core).send(Post(old, "#1 Buy a coffee machine — adopted."))

    assert [m.text for m in server.bot_messages(supergroup)] == ["#1 Buy a coffee machine — adopted."]
    [refused] = [r for r in server.requests_of("sendMessage") if r.status != 200]
    assert (refused.chat_id, refused.description) == (
        coop.id,
        "Bad Request: group chat was upgraded to a supergroup chat",
    )
    new = Chat("telegram", str(supergroup.id))
    [members_now] = core.handle(
        MessageReceived(new, Sender("telegram", str(alice.id), "Alice"), "/members", "2", clock.now())
    )
    assert members_now.text == "Members (1):\n• Alice"


async def test_a_direct_message_the_bot_may_not_send_becomes_a_mention_in_the_group(
    server: TelegramTestServer, members: Members
):
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    coop = server.add_group("Bakery co-op", members=[alice, bob])
    await members.say(alice, coop, "/join")
    await members.say(bob, coop, "/join")
    await members.say(bob, coop, "/need a ride to the clinic on Friday #health")

    # Bob never started a chat with the bot, so Telegram forbids it to write to him first.
    said = await members.say(alice, coop, "/offer 1 I can drive you")
    assert said.to(bob) == []
    assert said.to(coop) == [
        "Alice offers to help with #1: I can drive you",
        "Bob: Alice offers to help with your need #1: I can drive you. When it is met, say /done 1.\n"
        "(To get messages like this privately, open a chat with me, @collective_test_bot, and press Start.)",
    ]
    mention = said.messages_in(coop)[1].entities[0]
    assert (mention["type"], mention["offset"], mention["length"], mention["user"]["id"]) == (
        "text_mention", 0, 3, bob.id
    )  # fmt: skip
    assert [r.description for r in server.requests_of("sendMessage") if r.status == 403] == [
        "Forbidden: bot can't initiate conversation with a user"
    ]

    # Once he has written to the bot, it writes to him privately.
    await members.say_privately(bob, "/start")
    said = await members.say(alice, coop, "/offer 1 or I can lend you my bike")
    assert said.to(bob) == [
        "Alice offers to help with your need #1: or I can lend you my bike. When it is met, say /done 1."
    ]
    assert said.to(coop) == ["Alice offers to help with #1: or I can lend you my bike"]


async def test_clients_show_the_command_menu_from_the_command_table(
    server: TelegramTestServer, adapter: TelegramAdapter, core: Core
):
    everywhere = server.commands[(json.dumps({"type": "default"}), "")]
    assert everywhere == [{"command": c.name, "description": c.summary} for c in core.commands]
    assert {"propose", "agree", "standaside", "object", "block", "need", "help"} <= {c["command"] for c in everywhere}
    in_direct_chats = server.commands[(json.dumps({"type": "all_private_chats"}), "")]
    assert in_direct_chats == [{"command": c.name, "description": c.summary} for c in core.commands if c.in_direct]
    assert "need" in {c["command"] for c in in_direct_chats} and "agree" not in {c["command"] for c in in_direct_chats}


async def test_a_fan_out_to_many_members_keeps_within_telegrams_limit(server: TelegramTestServer, core: Core):
    """With the adapter's own limits (those of ``collective-bot run``); the bench measures it at scale."""
    users = [server.add_user(f"Member {n}") for n in range(40)]
    for user in users:
        await server.user_sends_private(user, "/start")
    runtime = Runtime(core, None)
    adapter = TelegramAdapter(TelegramConfig(server.token, server.base_url), runtime)
    async with adapter.bot:
        await asyncio.gather(
            *(
                adapter.send(DirectMessage("telegram", str(user.id), "Handover: you hold the keys this week."), "t")
                for user in users
            )
        )
    assert len(server.bot_messages()) == 40
    assert server.message_rate_violations() == []


async def test_tally_edits_of_one_message_coalesce_into_the_latest(server, adapter):
    """A burst of votes in a busy group: the proposal is edited to the newest tally, not once a vote."""
    from bot.actions import Ask, Choice, Edit
    from bot.events import Chat

    group = server.add_group("Busy co-op", members=[server.add_user("Alice")])
    chat = Chat("telegram", str(group.id))
    choices = (Choice("agree", "👍 Agree"),)
    posted = await adapter.send(Ask(chat, "r1", "Proposal #1\nagree 0 — 0 of 50 responded", choices), "t0")
    for votes in range(1, 11):
        edit = Edit(chat, "r1", f"Proposal #1\nagree {votes} — {votes} of 50 responded", choices, refs=(posted.ref,))
        await adapter.runtime.deliver(
            Result(deliveries=(Delivery(votes, "telegram", chat.chat_id, edit, f"t{votes}"),))
        )
    await adapter.runtime.idle()
    edits = server.bot_edits(group)
    assert len(edits) == 1
    assert edits[0].text == "Proposal #1\nagree 10 — 10 of 50 responded"


async def test_a_chat_with_a_thousand_answers_waiting_does_not_starve_a_chat_with_one(server, core, engine):
    """Telegram's 30 a second is shared fairly: each chat's queue has one request at a time waiting for it."""
    busy, quiet = server.add_user("Busy"), server.add_user("Quiet")
    for user in (busy, quiet):
        await server.user_sends_private(user, "/start")
    runtime = Runtime(core, OutboxStore(engine))
    adapter = TelegramAdapter(TelegramConfig(server.token, server.base_url), runtime)  # the adapter's own limits
    runtime.add(adapter)
    async with adapter.bot:  # only the sending side
        await runtime.start()
        await runtime.deliver([DirectMessage("telegram", str(busy.id), f"Note {n}") for n in range(1000)])
        await server.wait_for_bot_message(busy.id, "Note 0")
        started = time.monotonic()
        await runtime.deliver([DirectMessage("telegram", str(quiet.id), "Your turn to hold the keys.")])
        await server.wait_for_bot_message(quiet.id, "Your turn to hold the keys.", timeout=5)
        waited = time.monotonic() - started
        sent_busy = len(server.bot_messages(busy.id))
        await runtime.senders["telegram"].stop(0)
    assert waited < 0.5  # a slot or two of the 28 a second, not the thousand before it
    assert sent_busy < 100
    assert server.message_rate_violations() == []
