"""A collective in a Telegram forum (a supergroup with topics): the bot answers in the topic a command was
typed in, keeps an item's messages in the topic it was raised in, puts handovers in the ``announce_in``
topic, and falls back to the main chat, with a note, when a topic was closed."""

import asyncio
from datetime import timedelta

from bot.clock import FakeClock
from bot.core import Core
from tests.telegram.members import Members
from tests.telegram_api import BotMessage, TelegramTestServer

NOTE = "(Posted here in the main chat: the topic it belongs in is closed or was deleted.)"


async def time_passes(core: Core, clock: FakeClock, members: Members, duration: timedelta) -> list[BotMessage]:
    """The clock moves on and the due work runs, as the alarm would have it; returns what the bot sent."""
    mark = len(members.server.events)
    clock.advance(duration)
    await members.runtime.deliver(await asyncio.to_thread(core.tick))
    await members.runtime.idle()
    return [e for e in members.server.events[mark:] if e.kind == "send"]


def where(messages: list[BotMessage]) -> list[tuple[int | None, str]]:
    return [(m.thread, m.text.splitlines()[0]) for m in messages]


async def forum_of_three(server: TelegramTestServer, members: Members):
    alice, bob, carol = server.add_user("Alice"), server.add_user("Bob"), server.add_user("Carol")
    forum = server.add_group("Bakery co-op", members=[alice, bob, carol], forum=True)
    for user in (alice, bob, carol):
        said = await members.say(user, forum, "/join")
        assert [m.thread for m in said.messages] == [None]  # typed in General, answered there
    return forum, alice, bob, carol


async def test_a_proposal_lives_in_its_topic_and_a_need_in_another(
    server: TelegramTestServer, members: Members, core: Core, clock: FakeClock
):
    forum, alice, bob, carol = await forum_of_three(server, members)
    decisions = await server.create_topic(forum, "Decisions", by=alice)
    shifts = await server.create_topic(forum, "Shifts", by=bob)

    # A proposal raised in Decisions is posted there, with its buttons.
    said = await members.say(alice, forum, "/propose 2d Buy a coffee machine", topic=decisions)
    [proposal] = said.messages
    assert (proposal.thread, proposal.text.splitlines()[0]) == (decisions, "Proposal #1 by Alice: Buy a coffee machine")
    # A press in the topic works as in the main chat: a pop-up, and the tally edited in place.
    pressed = await members.press(bob, proposal, "👍 Agree")
    assert pressed.toast == "Bob agrees with #1 Buy a coffee machine."
    assert pressed.messages == [] and [e.message_id for e in pressed.edits] == [proposal.message_id]
    assert server.message(forum, proposal.message_id)["message_thread_id"] == decisions
    # A response typed in General is answered in General; the tally still changes in Decisions.
    said = await members.say(carol, forum, "/standaside 1 I drink tea")
    assert where(said.messages) == [(None, "Carol stands aside on #1 Buy a coffee machine: I drink tea")]
    assert members.now_shows(proposal).endswith("agree 1 · stand aside 1 · object 0 · block 0 — 2 of 3 responded")

    # A need raised in Shifts stays in Shifts, its offers too.
    said = await members.say(bob, forum, "/need a ride to the market on Friday #transport", topic=shifts)
    assert where(said.messages) == [(shifts, "Need #2 asked by Bob: a ride to the market on Friday (transport)")]
    said = await members.say(carol, forum, "/offer 2 I have a van", topic=shifts)
    assert [m.thread for m in said.messages] == [shifts, shifts]  # Bob hears it there too: he never opened a DM
    assert said.messages[1].text.startswith("Bob: Carol offers to help with your need #2: I have a van.")

    # The reminder and the outcome of #1 go to Decisions only.
    reminded = await time_passes(core, clock, members, timedelta(days=1, hours=1))
    assert where(reminded) == [
        (
            decisions,
            "Reminder: #1 Buy a coffee machine closes Wed 4 Mar 2026, 09:00 UTC. Not yet responded: Alice. "
            "/show 1 has the text and every response so far.",
        )
    ]
    closed = await time_passes(core, clock, members, timedelta(days=1))
    assert where(closed) == [(decisions, "#1 Buy a coffee machine — adopted.")]
    assert members.buttons_now(proposal) == []
    assert {m.thread for m in server.bot_messages(forum) if "#1" in m.text and "Carol stands aside" not in m.text} == {
        decisions
    }


async def test_the_collective_chooses_where_handovers_go(
    server: TelegramTestServer, members: Members, core: Core, clock: FakeClock
):
    forum, alice, bob, carol = await forum_of_three(server, members)
    shifts = await server.create_topic(forum, "Shifts", by=bob)
    # The collective chooses a News topic for collective-wide announcements; a chore's handover goes there.
    news = await server.create_topic(forum, "News", by=carol)
    said = await members.say(carol, forum, "/announce here", topic=news)
    assert where(said.messages) == [
        (
            news,
            "Settings proposal #1 by Carol: Post collective-wide announcements in this topic or thread (now "
            "the main chat)",
        )
    ]
    for user in (alice, bob, carol):
        await members.say(user, forum, "/agree 1", topic=news)
    said = await members.say(carol, forum, "/close 1", topic=news)
    assert said.messages[0].thread == news and "announce_in is now a topic or thread" in said.text
    said = await members.say(alice, forum, "/rotation add dishes 1d", topic=shifts)
    assert [m.thread for m in said.messages] == [shifts]
    await members.say(alice, forum, "/rotation join dishes", topic=shifts)
    await members.say(bob, forum, "/rotation join dishes", topic=shifts)
    handed_over = await time_passes(core, clock, members, timedelta(days=1))
    assert [(m.thread, m.text.split(",")[0]) for m in handed_over] == [(news, "Handover: Bob is on dishes now")]


async def test_a_closed_or_deleted_topic_falls_back_to_the_main_chat_with_a_note(
    server: TelegramTestServer, members: Members, core: Core, clock: FakeClock
):
    forum, alice, bob, _ = await forum_of_three(server, members)
    garden = await server.create_topic(forum, "Garden", by=alice)
    yard = await server.create_topic(forum, "Yard", by=bob)
    said = await members.say(alice, forum, "/propose 1d Plant tomatoes", topic=garden)
    [tomatoes] = said.messages
    assert tomatoes.thread == garden
    await members.say(bob, forum, "/propose 1d Sweep the yard", topic=yard)
    # Garden is closed (members may no longer write there, nor may the bot, not being an administrator),
    # Yard deleted with its messages. Bob's response still counts, and the tally on Garden's message changes.
    await server.close_topic(forum, garden, by=alice)
    await server.delete_topic(forum, yard, by=bob)
    said = await members.say(bob, forum, "/agree 1")
    assert where(said.messages) == [(None, "Bob agrees with #1 Plant tomatoes.")]
    assert members.now_shows(tomatoes).endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded")
    # At the deadline, what belongs in those topics goes to the main chat, saying why: nothing is lost.
    closed = await time_passes(core, clock, members, timedelta(days=1))
    assert [(m.thread, m.text.splitlines()[0], m.text.splitlines()[-1]) for m in closed] == [
        (None, "#1 Plant tomatoes — not adopted — quorum not met.", NOTE),
        (None, "#2 Sweep the yard — not adopted — quorum not met.", NOTE),
    ]
    refused = [r.description for r in server.requests_of("sendMessage") if r.ok is False]
    assert refused == ["Bad Request: TOPIC_CLOSED", "Bad Request: message thread not found"]
    assert members.buttons_now(tomatoes) == []  # its message, in the closed topic, shows how it ended
