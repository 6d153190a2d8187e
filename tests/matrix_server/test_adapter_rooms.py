"""Rooms: direct rooms (a private need, an offer of help reaching the requester, a reminder to a role holder in a
room the bot opens), history from before the bot joined, a room upgrade, the invite allow-list."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from nio import RoomMemberEvent, RoomMessageText, RoomUpgradeEvent

from adapters.matrix import rendering
from adapters.text import names, split_text
from bot.actions import DirectMessage, Post
from bot.events import Chat
from tests.matrix_server.conftest import RoomView, adopt, at_the_door, collective_room, wait_for_join


async def direct_room_with_bot(member, bot) -> RoomView:
    """The member starts a direct chat with the bot, as Element's "Start chat" does (is_direct on the invite)."""
    created = await member.client.room_create(is_direct=True, invite=[bot.user_id])
    await wait_for_join(member, created.room_id, bot.user_id)
    return RoomView(bot, created.room_id, member)


async def test_a_private_need_in_a_direct_room_is_posted_in_the_group_without_the_name(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, bob, carol = [await make_member(name) for name in ("Alice", "Bob", "Carol")]
    group = RoomView(bot, await collective_room(bot, alice, bob, carol), alice)
    for member in (alice, bob, carol):
        await group.say(member, "!join")

    private = await direct_room_with_bot(carol, bot)
    assert await private.say(carol, "!need 300 overdue rent #housing") == (
        "Your need is posted in the group as #1, without your name."
    )
    posted = await group.says()
    assert posted.startswith("Need #1 asked by a member, privately: €300.00 — overdue rent (housing)\n")
    assert "Carol" not in posted

    # Help that is not money: the offer reaches Carol in the same direct room, and the group never hears her name.
    assert await private.say(carol, "!need a ride to the clinic on Friday") == (
        "Your need is posted in the group as #2, without your name."
    )
    assert "Carol" not in await group.says()
    offered = await group.say(alice, "!offer 2 I can drive you")
    assert "Carol" not in offered
    assert (
        await private.says() == "Alice offers to help with your need #2: I can drive you. When it is met, say !done 2."
    )

    # A role holder's reminder: the bot opens a direct room with Bob, who has none yet.
    await adopt(group, alice, "!rotation add treasurer 1w", [alice, bob, carol])  # #3: Alice first, Bob next
    await group.says()  # Alice is treasurer now
    await bot.tick(timedelta(days=6))
    opened = await bob.wait_for_invite()
    await bob.join(opened)
    reminder = await RoomView(bot, opened, bob).says()
    assert reminder.startswith("A reminder: your treasurer turn begins Mon 9 Mar 2026, 09:00 UTC, in a day.")
    # The room the bot opened counts as direct: a need sent there is private too.
    assert await RoomView(bot, opened, bob).say(bob, "!need 20 phone credit") == (
        "Your need is posted in the group as #4, without your name."
    )


async def test_messages_from_before_the_bot_joined_are_not_applied(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, bob = await make_member("Alice"), await make_member("Bob")
    room = await alice.create_room(invite=[bob.user_id], name="Collective")
    await bob.join(await bob.wait_for_invite(room))
    history = [
        await alice.send_text(room, "!join"),
        await bob.send_text(room, "!join"),
        await alice.send_text(room, "!propose Paint the kitchen"),
    ]

    await alice.invite(room, bot.user_id)
    await wait_for_join(alice, room, bot.user_id)
    group = RoomView(bot, room, alice)
    assert await group.say(alice, "!members") == "No members yet. !principles, then !join to be the first."
    assert (await group.say(alice, "!join")).startswith("Welcome, Alice! You are member 1 of this collective.")
    assert await group.say(bob, "!proposals") == "No open items. !propose TITLE starts one."
    assert not set(history) & set(bot.handled())


async def test_a_room_upgrade_keeps_the_collective(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, bob = await make_member("Alice"), await make_member("Bob")
    group = RoomView(bot, await collective_room(bot, alice, bob), alice)
    await group.say(alice, "!join")
    await group.say(bob, "!join")
    await group.say(alice, "!propose Paint the kitchen")

    new_room = await alice.upgrade_room(group.room_id)  # the new room is invite-only, like the old one
    await alice.invite(new_room, bot.user_id)
    await alice.invite(new_room, bob.user_id)
    await wait_for_join(alice, new_room, bot.user_id)
    await bob.join(await bob.wait_for_invite(new_room))

    upgraded = RoomView(bot, new_room, alice)
    # The old room's messages can no longer be edited or reacted to: the open proposal is asked again here, where
    # a reaction counts and the tally follows.
    asked = await upgraded.message()
    assert asked.body.startswith("Proposal #1 by Alice: Paint the kitchen")
    assert await upgraded.say(alice, "!members") == "Members (2):\n• Alice\n• Bob"
    await alice.react(new_room, asked.event_id, "👍")
    assert await upgraded.say(bob, "!agree 1") == "Bob agrees with #1 Paint the kitchen."
    await upgraded.edit(of=asked.event_id, ending="agree 2 · stand aside 0 · object 0 · block 0 — 2 of 2 responded")
    # The old room is left behind: what is still said there is not handed to the core (where it would found a
    # new, empty collective for the old room).
    stale = await alice.send_text(group.room_id, "!join")
    await upgraded.settled()
    assert stale not in bot.handled()
    await group.nothing_more()


async def test_what_was_said_just_before_an_upgrade_still_counts(make_matrix_bot, make_member, monkeypatch, caplog):
    bot = await make_matrix_bot()
    alice, bob = await make_member("Alice"), await make_member("Bob")
    group = RoomView(bot, await collective_room(bot, alice, bob), alice)
    await group.say(alice, "!join")
    await group.say(bob, "!join")
    await group.say(alice, "!propose Paint the kitchen")

    # The bot is busy with Alice's first contribution (it waits at a door before the core) when she sends a
    # second one, Bob agrees, and Alice upgrades the room: the bot reads all of it before handling any.
    door, knocked = at_the_door(bot, monkeypatch, lambda event: getattr(event, "text", "") == "!contribute 1")
    second_read, tombstone_read = asyncio.Event(), asyncio.Event()
    bot.adapter.client.add_event_callback(
        lambda _room, event: event.body == "!agree 1" and second_read.set(), RoomMessageText
    )
    bot.adapter.client.add_event_callback(lambda _room, _event: tombstone_read.set(), RoomUpgradeEvent)
    await alice.send_text(group.room_id, "!contribute 1")
    await asyncio.wait_for(knocked.wait(), 10)
    await alice.send_text(group.room_id, "!contribute 5")
    await bob.send_text(group.room_id, "!agree 1")
    await asyncio.wait_for(second_read.wait(), 10)
    new_room = await alice.upgrade_room(group.room_id)
    await asyncio.wait_for(tombstone_read.wait(), 10)
    door.set()

    # All of it counts, and the answers reach the members where they are now: the old room has lost its voice.
    await alice.invite(new_room, bot.user_id)
    await wait_for_join(alice, new_room, bot.user_id)
    upgraded = RoomView(bot, new_room, alice)
    said = [(await upgraded.says()).split("\n")[0] for _ in range(4)]
    answers = [line for line in said if not line.startswith("Proposal #1")]
    assert [line.split(" The pool")[0] for line in answers] == [
        "Thank you, Alice: €1.00 is in the pool.",
        "Thank you, Alice: €5.00 is in the pool.",
        "Bob agrees with #1 Paint the kitchen.",
    ]  # and #1, asked again in the new room (beside them: it is the new room's own message)
    assert "Proposal #1 by Alice: Paint the kitchen" in said
    assert (await upgraded.say(alice, "!pool")).startswith("The pool holds €6.00")
    # The tally of #1 stays as it was in the old room, where the bot may no longer write: it is not tried again
    # and again, and then reported to the operator as a failure.
    await upgraded.settled()
    assert not [r.message for r in caplog.records if r.name == "adapters.sender" and r.levelno >= logging.ERROR]


async def test_invites_are_accepted_only_from_the_allow_list(make_matrix_bot, make_member):
    alice, mallory = await make_member("Alice"), await make_member("Mallory")
    bot = await make_matrix_bot(invite_allowlist=[alice.user_id, "example.org"])

    refused = await mallory.create_room(invite=[bot.user_id])
    await mallory.wait_for_event(
        refused, lambda e: e.state_key == bot.user_id and e.membership == "leave", kind=RoomMemberEvent
    )
    accepted = await alice.create_room(invite=[bot.user_id])
    await wait_for_join(alice, accepted, bot.user_id)
    assert (await RoomView(bot, accepted, alice).say(alice, "!join")).startswith("Welcome, Alice!")

    # A homeserver on the list lets in everyone from it.
    open_bot = await make_matrix_bot(invite_allowlist=["localhost"])
    room = await mallory.create_room(invite=[open_bot.user_id])
    await wait_for_join(mallory, room, open_bot.user_id)


async def test_the_replacement_room_is_joined_whoever_invites_even_before_the_upgrade_is_handled(
    make_matrix_bot, make_member, monkeypatch
):
    alice, bob = await make_member("Alice"), await make_member("Bob")
    bot = await make_matrix_bot(invite_allowlist=[alice.user_id])  # Bob's invites are declined, as a rule
    group = RoomView(bot, await collective_room(bot, alice, bob), alice)
    await group.say(alice, "!join")

    # The room's lane is busy (Alice's command waits at a door) when she upgrades it and Bob, in the new room
    # first, invites the bot there: the invite comes before the bot has handled the tombstone.
    door, knocked = at_the_door(bot, monkeypatch, lambda event: getattr(event, "text", "") == "!contribute 1")
    await alice.send_text(group.room_id, "!contribute 1")
    await asyncio.wait_for(knocked.wait(), 10)
    new_room = await alice.upgrade_room(group.room_id)
    await alice.invite(new_room, bob.user_id)
    await bob.join(await bob.wait_for_invite(new_room))
    await bob.invite(new_room, bot.user_id)
    await wait_for_join(bob, new_room, bot.user_id)  # the replacement of its room: not declined

    door.set()
    upgraded = RoomView(bot, new_room, bob)
    assert (await upgraded.says()).startswith("Thank you, Alice: €1.00 is in the pool.")
    assert await upgraded.say(bob, "!members") == "Members (1):\n• Alice"


async def test_a_direct_message_that_cannot_be_delivered_mentions_the_member_in_the_room(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice = await make_member("Alice")
    group = RoomView(bot, await collective_room(bot, alice), alice)
    ghost = "@nobody-here:localhost"  # no such account: no direct room can be opened with it
    await bot.runtime.deliver(
        [
            DirectMessage(
                "matrix", ghost, "A reminder: your turn begins tomorrow.", Chat("matrix", group.room_id), "Ghost"
            ),
            DirectMessage("matrix", ghost, "Something private.", None, "Ghost"),  # no fallback: nowhere at all
        ]
    )
    fallback = await group.message()
    assert fallback.body == (
        "Ghost: A reminder: your turn begins tomorrow.\n(I could not open a direct chat with you: invite me to one.)"
    )
    assert fallback.source["content"]["m.mentions"] == {"user_ids": [ghost]}
    await group.settled()
    await group.nothing_more()


async def test_a_message_longer_than_a_matrix_event_arrives_whole_in_several_notices(make_matrix_bot, make_member):
    """Synapse refuses an event over 64 KiB; an outcome with every reason of a big round can be longer."""
    bot = await make_matrix_bot()
    alice = await make_member("Alice")
    group = RoomView(bot, await collective_room(bot, alice), alice)
    reasons = [f'• Member {n} — block: "<b>no</b> & never" {"🛑" * 40}' for n in range(100)]
    text = "#1 Buy a van — not adopted — blocked.\n" + "\n".join(reasons)
    assert len(json.dumps(rendering.notice(text)).encode()) > 65536  # as one event, refused
    await bot.runtime.deliver([Post(Chat("matrix", group.room_id), text)])
    expected = split_text(text)
    assert len(expected) == 4
    pieces = [(await group.message()).body for _ in expected]
    assert pieces == expected and "\n".join(pieces) == text  # cut at line ends, nothing lost or escaped twice
    await group.settled()
    await group.nothing_more()


def test_a_piece_of_a_long_message_mentions_only_members_named_in_it_as_whole_words():
    assert names("Ann", "Ann: your turn")
    assert not names("Ann", "Anna: your turn")
    assert not names("", "anything")
