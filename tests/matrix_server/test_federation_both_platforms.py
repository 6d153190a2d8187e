"""Federation across platforms, end to end with real servers in one process: collective A in a Telegram group
(the Bot API test server) and collective B in a Matrix room (the real Synapse) federate, decide a joint item,
and B funds A's need by mutual aid."""

import re
from datetime import timedelta

from nio import RoomMessageNotice

from tests.matrix_server.conftest import RoomView, collective_room, is_edit
from tests.telegram.members import Members


async def heard(room: RoomView, fragment: str) -> str:
    """The bot's message in the Matrix room that says ``fragment`` (whatever came before it)."""
    event = await room.observer.wait_for_event(
        room.room_id,
        lambda e: not is_edit(e) and fragment in e.body,
        kind=RoomMessageNotice,
        sender=room.bot.user_id,
    )
    return event.body


async def test_a_telegram_collective_and_a_matrix_collective_federate_decide_together_and_aid(
    make_bot_on_both, make_member, telegram_server
):
    bot = await make_bot_on_both()
    members = Members(telegram_server, bot.runtime)
    ana, abe = telegram_server.add_user("Ana"), telegram_server.add_user("Abe")
    bakery = telegram_server.add_group("Bakery", members=[ana, abe])
    bea = await make_member("Bea")
    room = RoomView(bot, await collective_room(bot, bea), bea)

    async def adopt_on_telegram(command: str) -> str:
        opened = (await members.say(ana, bakery, command)).text
        number = re.search(r"#(\d+)", opened).group(1)
        await members.say(abe, bakery, f"/agree {number}")
        await members.say(ana, bakery, f"/agree {number}")
        return (await members.say(ana, bakery, f"/close {number}")).text

    await members.say(ana, bakery, "/join")
    await members.say(abe, bakery, "/join")
    await bea.send_text(room.room_id, "!join")
    await heard(room, "Welcome, Bea!")

    # A invites, B joins with the code
    code = re.search(r"federation code is ([A-Z0-9]{8})", await adopt_on_telegram("/federate")).group(1)
    await bea.send_text(room.room_id, f"!federate {code}")
    assert "Federate with collective 1 (" in await heard(room, "Proposal #1 by Bea")
    await bea.send_text(room.room_id, "!agree 1")
    await heard(room, "Bea agrees with #1")
    await bea.send_text(room.room_id, "!close 1")
    assert "This collective is now in a federation with collective 1" in await heard(room, "now in a federation")
    await bot.runtime.idle()
    on_telegram = [e.text for e in telegram_server.events if e.kind == "send" and e.chat_id == bakery.id]
    assert any("joined our federation, which is now 2 collectives" in text for text in on_telegram)

    # a joint item, raised in the Matrix room, decided by each collective at its deadline
    await bea.send_text(room.room_id, "!propose joint 1d Shared delivery van")
    await heard(room, "Joint item J1, raised by Bea")
    await members.say(ana, bakery, "/agree 2")
    await members.say(abe, bakery, "/agree 2")
    await bea.send_text(room.room_id, "!agree 2")
    await heard(room, "Bea agrees with #2")
    mark = len(telegram_server.events)
    await bot.tick(timedelta(days=1))
    await bot.runtime.idle()
    outcome = await heard(room, "Joint item J1 Shared delivery van — adopted by the federation.")
    assert "Rule: unanimous; 2 of 2 collectives adopted it." in outcome
    on_telegram = [e.text for e in telegram_server.events[mark:] if e.kind == "send" and e.chat_id == bakery.id]
    assert any("Joint item J1 Shared delivery van — adopted by the federation." in text for text in on_telegram)

    # A's treasurer puts a need its pool cannot fund to the federation; B adopts and funds it
    said = await adopt_on_telegram("/rotation add treasurer 4w")
    treasurer = ana if "Ana is treasurer now" in (said + "".join(on_telegram)) else abe
    await members.say(ana, bakery, "/need €250 oven repair #food")
    await members.say(abe, bakery, "/agree 4")
    await members.say(ana, bakery, "/agree 4")
    await members.say(ana, bakery, "/close 4")
    await bea.send_text(room.room_id, "!contribute 400")
    await heard(room, "€400.00 is in the pool")
    put = (await members.say(treasurer, bakery, "/aid 4")).to(bakery)
    assert any("is put to the federation" in text for text in put), put
    request = await heard(room, "Aid request #3: Mutual aid to collective 1")
    assert "oven repair" in request
    await bea.send_text(room.room_id, "!agree 3")
    await heard(room, "Bea agrees with #3")
    mark = len(telegram_server.events)
    await bea.send_text(room.room_id, "!close 3")
    assert "€250.00 is transferred to collective 1" in await heard(room, "is transferred to")
    await bot.runtime.idle()
    on_telegram = [e.text for e in telegram_server.events[mark:] if e.kind == "send" and e.chat_id == bakery.id]
    assert any("is funded by mutual aid: collective 2" in text for text in on_telegram), on_telegram
    await bea.send_text(room.room_id, "!ledger")
    assert "mutual aid sent €250.00" in await heard(room, "Ledger, newest first")
    assert "mutual aid received €250.00" in "\n".join((await members.say(ana, bakery, "/ledger")).to(bakery))
