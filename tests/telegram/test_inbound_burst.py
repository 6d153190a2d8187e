"""One busy chat never delays another, on the way in. Telegram hands a bot its updates in order, a hundred at a
time, and forgets them only once the bot asks for what comes after them — so a bot that asks only once a batch is
handled would keep every other chat's updates waiting behind one group's burst. What is left of a batch after a
moment is held in the inbox instead (then it is safe to let Telegram forget it), and the poll goes on; held updates
are handled as they come, and after a stop or a crash, first."""

import asyncio

from adapters.config import TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter, polling
from storage.inbox import InboxStore
from storage.outbox import OutboxStore
from tests.telegram.members import Members


def at_the_door(runtime: Runtime, chat_id: int, monkeypatch) -> asyncio.Event:
    """The chat's commands wait, before the core, until the returned door opens: a burst that takes as long as
    the test needs."""
    door = asyncio.Event()
    handle = runtime.handle

    async def waiting(event):
        if event.chat.chat_id == str(chat_id):
            await door.wait()
        return await handle(event)

    monkeypatch.setattr(runtime, "handle", waiting)
    return door


async def test_a_burst_in_one_group_does_not_hold_up_a_vote_in_another(server, adapter, members, monkeypatch):
    alice, bob, cy = server.add_user("Alice"), server.add_user("Bob"), server.add_user("Cy")
    busy = server.add_group("Busy co-op", members=[alice])
    quiet = server.add_group("Quiet co-op", members=[bob, cy])
    await members.say(alice, busy, "/join")
    for user in (bob, cy):
        await members.say(user, quiet, "/join")
    await members.say(bob, quiet, "/propose Buy a kettle")

    door = at_the_door(adapter.runtime, busy.id, monkeypatch)
    burst = [await server.user_sends(alice, busy, f"/contribute {n}") for n in range(1, 13)]
    await server.user_sends(cy, quiet, "/agree 1")
    answer = await server.wait_for_bot_message(quiet, "Cy ")  # while the whole burst waits
    assert answer.text == "Cy agrees with #1 Buy a kettle."
    await server.wait_until_confirmed(burst[-1].update_id)  # Telegram was told of the burst: it was held

    door.set()
    said = await members.say(alice, busy, "/pool")  # behind the burst, in the order it was sent
    assert said.to(busy)[-1].startswith("The pool holds €78.00")  # 1 + 2 + … + 12, each once
    thanks = [m.text for m in server.bot_messages(busy) if m.text.startswith("Thank you, Alice")]
    assert [text.split(" is in the pool")[0] for text in thanks] == [
        f"Thank you, Alice: €{n}.00" for n in range(1, 13)
    ]  # each once, in the order she sent them


async def started(server, core, engine, **config) -> TelegramAdapter:
    """A bot on the database (each call a new process, as a restart makes it), polling — or, with ``webhook_url``
    and ``listen`` in ``config``, taking Telegram's posts."""
    runtime = Runtime(core, OutboxStore(engine))
    adapter = TelegramAdapter(
        TelegramConfig(server.token, server.base_url, **config), runtime, inbox=InboxStore(engine)
    )
    runtime.add(adapter)
    await adapter.start()
    await runtime.start()
    if not config:
        await server.wait_for_polling()
    return adapter


async def stopped_with_the_door_shut(adapter: TelegramAdapter, monkeypatch) -> None:
    monkeypatch.setattr(polling, "STOP_GRACE_SECONDS", 0.1)  # the door stays shut: no use waiting
    await adapter.stop()


async def test_updates_held_at_a_stop_are_handled_after_the_start(server, core, engine, monkeypatch):
    alice = server.add_user("Alice")
    busy = server.add_group("Busy co-op", members=[alice])
    inbox = InboxStore(engine)

    first = await started(server, core, engine)
    await Members(server, first.runtime).say(alice, busy, "/join")
    door = at_the_door(first.runtime, busy.id, monkeypatch)
    burst = [await server.user_sends(alice, busy, f"/contribute {n}") for n in (5, 6, 7)]
    await server.wait_until_confirmed(burst[-1].update_id)  # held, then confirmed by the next poll
    await stopped_with_the_door_shut(first, monkeypatch)
    assert not door.is_set()
    assert [number for number, _ in inbox.held("telegram")] == [update.update_id for update in burst]

    second = await started(server, core, engine)
    said = await Members(server, second.runtime).say(alice, busy, "/pool")
    assert said.to(busy)[-1].startswith("The pool holds €18.00")  # Telegram forgot them; the inbox did not
    await second.stop()
    assert inbox.held("telegram") == []  # handled, let go


async def test_a_group_upgrade_is_not_held_up_by_another_groups_burst(server, core, engine, monkeypatch):
    """A group's upgrade to a supergroup is ordered in its own lane (the supergroup's commands behind the move), not
    behind everything taken in before it: another group's burst does not hold it up."""
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    busy, coop = server.add_group("Busy co-op", members=[alice]), server.add_group("Bakery co-op", members=[bob])
    first = await started(server, core, engine)
    members = Members(server, first.runtime)
    await members.say(alice, busy, "/join")
    await members.say(bob, coop, "/join")
    at_the_door(first.runtime, busy.id, monkeypatch)
    stuck = await server.user_sends(alice, busy, "/contribute 5")
    await server.wait_until_confirmed(stuck.update_id)  # held

    supergroup = await server.upgrade_to_supergroup(coop, by=bob)
    said = await Members(server).say(bob, supergroup, "/members")  # (answered while the busy group still waits)
    assert said.to(supergroup) == ["Members (1):\n• Bob"]  # the collective moved with its group
    await stopped_with_the_door_shut(first, monkeypatch)

    second = await started(server, core, engine)
    said = await Members(server, second.runtime).say(alice, busy, "/pool")
    assert said.to(busy)[-1].startswith("The pool holds €5.00")  # the held contribution, handled after the start
    await second.stop()


async def test_updates_held_by_a_polling_run_are_handled_when_the_bot_starts_with_a_webhook(
    server, core, engine, monkeypatch, unused_tcp_port
):
    alice = server.add_user("Alice")
    busy = server.add_group("Busy co-op", members=[alice])
    first = await started(server, core, engine)
    await Members(server, first.runtime).say(alice, busy, "/join")
    at_the_door(first.runtime, busy.id, monkeypatch)
    stuck = await server.user_sends(alice, busy, "/contribute 5")
    await server.wait_until_confirmed(stuck.update_id)  # held
    await stopped_with_the_door_shut(first, monkeypatch)

    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/updates"
    webhook = {"webhook_url": url, "listen": ("127.0.0.1", unused_tcp_port), "secret_token": "s3cret-Token"}
    second = await started(server, core, engine, **webhook)
    thanks = await server.wait_for_bot_message(busy, "Thank you, Alice: €5.00 is in the pool.")
    assert thanks.text.startswith("Thank you, Alice")  # (Telegram had forgotten it: only the inbox had it)
    await second.stop()
    assert InboxStore(engine).held("telegram") == []
