"""One bot on both platforms in one process: a Telegram group and a Matrix room, each its own collective, on one
SQLite file — the ground that linked chats and federations stand on."""

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
