"""One busy room never holds up another: each room's events are handled in order, in a lane of its own that
outlives its sync batch, and rooms side by side: a burst in one room does not keep a later batch's events in
another room waiting until the whole burst is handled."""

import asyncio

from tests.matrix_server.conftest import RoomView, at_the_door, collective_room, wait_for_join


async def test_a_burst_in_one_room_does_not_hold_up_another(make_matrix_bot, make_member, monkeypatch):
    bot = await make_matrix_bot()
    alice, bob = await make_member("Alice"), await make_member("Bob")
    busy = RoomView(bot, await collective_room(bot, alice, name="Busy co-op"), alice)
    quiet = RoomView(bot, await collective_room(bot, bob, name="Quiet co-op"), bob)
    assert (await busy.say(alice, "!join")).startswith("Welcome, Alice!")
    assert (await quiet.say(bob, "!join")).startswith("Welcome, Bob!")

    # The busy room's commands wait at a door before the core, until the quiet room has been answered.
    door, knocked = at_the_door(bot, monkeypatch, lambda event: event.chat.chat_id == busy.room_id)
    for amount in (1, 2, 3):
        await alice.send_text(busy.room_id, f"!contribute {amount}")
    await asyncio.wait_for(knocked.wait(), 10)  # the bot is on the burst
    assert await quiet.say(bob, "!members") == "Members (1):\n• Bob"  # read in a later batch, answered meanwhile

    door.set()
    thanks = [await busy.says() for _ in range(3)]
    assert [line.split(" The pool")[0] for line in thanks] == [
        "Thank you, Alice: €1.00 is in the pool.",
        "Thank you, Alice: €2.00 is in the pool.",
        "Thank you, Alice: €3.00 is in the pool.",
    ]  # in the order she sent them
    assert (await busy.say(alice, "!pool")).startswith("The pool holds €6.00")


async def test_a_room_upgrade_is_not_held_up_by_another_rooms_burst(make_matrix_bot, make_member, monkeypatch):
    bot = await make_matrix_bot()
    alice, bob = await make_member("Alice"), await make_member("Bob")
    busy = RoomView(bot, await collective_room(bot, alice, name="Busy co-op"), alice)
    moving = RoomView(bot, await collective_room(bot, bob, name="Moving co-op"), bob)
    assert (await busy.say(alice, "!join")).startswith("Welcome, Alice!")
    assert (await moving.say(bob, "!join")).startswith("Welcome, Bob!")

    door, knocked = at_the_door(bot, monkeypatch, lambda event: event.chat.chat_id == busy.room_id)
    await alice.send_text(busy.room_id, "!contribute 1")
    await asyncio.wait_for(knocked.wait(), 10)  # the bot is on the busy room's command

    # Bob upgrades his room meanwhile: the collective moves with it at once, not after the other room's command.
    new_room = await bob.upgrade_room(moving.room_id)
    await bob.invite(new_room, bot.user_id)
    await wait_for_join(bob, new_room, bot.user_id)
    assert await RoomView(bot, new_room, bob).say(bob, "!members") == "Members (1):\n• Bob"

    door.set()
    assert (await busy.says()).startswith("Thank you, Alice: €1.00 is in the pool.")
