"""One bot on both platforms in one process: a Telegram group and a Matrix room, each its own collective, on one
SQLite file — the ground that linked chats and federations stand on."""

import re

from tests.matrix_server.conftest import RoomView, collective_room
from tests.telegram.members import Members


async def test_a_telegram_group_and_a_matrix_room_are_served_by_one_bot_as_two_collectives(
    make_bot_on_both, make_member, telegram_server
):
    bot = await make_bot_on_both()
    members = Members(telegram_server, bot.runtime)
    ana = telegram_server.add_user("Ana")
    bakery = telegram_server.add_group("Bakery", members=[ana])
    bea = await make_member("Bea")
    room = RoomView(bot, await collective_room(bot, bea), bea)

    on_telegram = await members.say(ana, bakery, "/join")
    on_matrix = await room.say(bea, "!join")

    assert on_telegram.to(bakery)[0].startswith("Welcome, Ana! You are member 1 of this collective.")
    assert on_matrix.startswith("Welcome, Bea! You are member 1 of this collective.")
    assert (await members.say(ana, bakery, "/members")).to(bakery) == ["Members (1):\n• Ana"]


async def test_a_telegram_group_linked_to_a_matrix_room_counts_a_press_and_a_reaction_toward_one_tally(
    make_bot_on_both, make_member, telegram_server
):
    bot = await make_bot_on_both()
    members = Members(telegram_server, bot.runtime)
    ana = telegram_server.add_user("Ana")
    bakery = telegram_server.add_group("Bakery", members=[ana])
    bea = await make_member("Bea")
    room = RoomView(bot, await collective_room(bot, bea), bea)

    # Ana's collective (she is its only member, so she alone adopts /link) gives a code the Matrix room takes.
    await members.say(ana, bakery, "/join")
    await members.say(ana, bakery, "/link")
    await members.say(ana, bakery, "/agree 1")
    closed = await members.say(ana, bakery, "/close 1")
    assert "Link code" not in closed.to(bakery)[0]  # not in the outcome, which every linked chat and the record keep
    code = re.search(r"type /link (\S+)", closed.text).group(1)  # Ana's own (here a mention: she never wrote to me)
    linked = await room.say(bea, f"!link {code}")
    assert linked.startswith("This collective now lives in 2 linked chats")
    assert (await room.say(bea, "!join")).startswith("Welcome, Bea! You are member 2 of this collective.")

    # A proposal raised on Telegram appears in both chats, each copy with its own buttons or reactions.
    raised = await members.say(ana, bakery, "/propose Buy flour")
    on_telegram = raised.messages_in(bakery)[0]
    on_matrix = await room.message()
    assert on_telegram.text.startswith("Proposal #2 by Ana: Buy flour")
    assert on_matrix.body.startswith("Proposal #2 by Ana: Buy flour")

    # Ana presses 👍 on Telegram, Bea reacts 👍 on Matrix: one round, one tally, shown in both chats.
    await members.press(ana, on_telegram, "👍 Agree")
    await room.edit(of=on_matrix.event_id, ending="agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded")
    await bea.react(room.room_id, on_matrix.event_id, "👍")
    both = "agree 2 · stand aside 0 · object 0 · block 0 — 2 of 2 responded"
    await room.edit(of=on_matrix.event_id, ending=both)
    await bot.runtime.idle()
    assert members.now_shows(on_telegram).endswith(both)
