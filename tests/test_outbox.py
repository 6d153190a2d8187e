"""One event, one transaction, one result: the answers are stored with the change they confirm, every message
reference in them is resolved inside the unit of work, and the runtime's senders deliver them — in order per
chat, no chat waiting for another, and after a restart whatever was left unsent."""

import asyncio
import sqlite3
import threading
from datetime import timedelta

from adapters.runtime import Runtime
from bot.actions import Ask, Edit, Reply
from bot.commands import Command
from bot.core import Core, default_commands
from bot.events import Chat, ChoiceMade, MessageReceived
from storage.outbox import OutboxStore, Sent
from tests.test_runtime import RecordingOutlet
from tests.transcript import Transcript, group, person


def unsent(engine, platform="console"):
    return [delivery for delivery, _ in OutboxStore(engine).unsent(platform)]


def test_an_answer_is_stored_with_the_change_it_confirms(chat, engine):
    group(chat, "Alice")
    before = len(unsent(engine))
    result = chat.core.handle(MessageReceived(chat.chat, person("Alice"), "/contribute 50", "c1", chat.clock.now()))
    [thanks] = result.deliveries
    assert thanks.action.text.startswith("Thank you, Alice: €50.00 is in the pool.")
    assert [d.id for d in unsent(engine)][before:] == [thanks.id]  # committed with the contribution


def test_a_unit_of_work_that_fails_stores_no_answer_but_its_apology(unit_of_work, clock, engine):
    def join_then_crash(ctx):
        ctx.reply("You are in!")
        raise RuntimeError("the disk is full")

    core = Core(unit_of_work, clock, commands=[*default_commands(), Command("joincrash", "x", join_then_crash)])
    result = core.handle(MessageReceived(Chat("console", "g"), person("Alice"), "/joincrash", "c1", clock.now()))
    [apology] = unsent(engine)
    assert apology.action.text.startswith("Sorry — something went wrong on my side and nothing was changed")
    assert [d.id for d in result.deliveries] == [apology.id]


def test_a_tally_edit_knows_its_message_from_the_unit_of_work(chat, engine):
    group(chat, "Alice Bob Carol")
    [ask] = chat.core.handle(
        MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "p1", chat.clock.now())
    ).deliveries
    assert isinstance(ask.action, Ask)
    voted = chat.core.handle(MessageReceived(chat.chat, person("Bob"), "/agree 1", "v1", chat.clock.now()))
    [edit] = [a for a in voted if isinstance(a, Edit)]
    assert (edit.refs, edit.after) == ((), (ask.id,))  # not sent yet: the edit waits for that delivery

    OutboxStore(engine).mark([Sent(ask, "m-7")], chat.clock.now())  # the sender posted it as message m-7
    voted = chat.core.handle(MessageReceived(chat.chat, person("Carol"), "/agree 1", "v2", chat.clock.now()))
    [edit] = [a for a in voted if isinstance(a, Edit)]
    assert (edit.refs, edit.after) == (("m-7",), ())


def test_a_reaction_is_resolved_to_the_ask_of_the_message_it_is_on(chat, engine):
    group(chat, "Alice Bob")
    [ask] = chat.core.handle(
        MessageReceived(chat.chat, person("Alice"), "/propose Paint the kitchen", "p1", chat.clock.now())
    ).deliveries
    OutboxStore(engine).mark([Sent(ask, "m-7")], chat.clock.now())
    now = chat.clock.now()
    elsewhere = chat.core.handle(ChoiceMade(chat.chat, person("Bob"), "", "agree", "r1", now, answers="m-6"))
    assert elsewhere == []  # a 👍 on some other message means nothing
    on_it = chat.core.handle(ChoiceMade(chat.chat, person("Bob"), "", "agree", "r2", now, answers="m-7"))
    assert on_it[0].text == "Bob agrees with #1 Paint the kitchen."


def test_the_result_says_when_the_next_work_falls_due(chat):
    group(chat, "Alice")
    result = chat.core.handle(MessageReceived(chat.chat, person("Alice"), "/away 1d", "a1", chat.clock.now()))
    assert result.next_due == chat.clock.now() + timedelta(days=1)
    chat.clock.advance(timedelta(days=1))
    assert chat.core.tick().next_due is None


def test_lookups_never_wait_for_the_write_lock(chat, db_url):
    group(chat, "Alice")
    chat.say("Alice", "/away 1d")
    writer = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock, for as long as it likes
    try:
        found = []
        looking = threading.Thread(target=lambda: found.append((chat.core.next_due(), chat.core.tick())))
        looking.start()
        looking.join(timeout=5)  # the busy timeout is 30 s: a lookup that waited for the lock would still wait
        assert found and found[0][0] == chat.clock.now() + timedelta(days=1) and found[0][1] == []
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# --- delivering ------------------------------------------------------------------------------------------------


async def started(core, engine, outlet):
    runtime = Runtime(core, OutboxStore(engine))
    runtime.add(outlet)
    await runtime.start()
    return runtime


async def test_answers_left_unsent_go_out_at_the_next_start_and_edits_find_their_message(core, engine, chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")  # the bot stored these and died before sending any
    chat.say("Bob", "/agree 1")
    outlet = RecordingOutlet("console")
    runtime = await started(core, engine, outlet)
    await runtime.idle()
    texts = [a.text.splitlines()[0] for a in outlet.sent]
    assert texts[-2:] == ["Proposal #1 by Alice: Paint the kitchen", "Bob agrees with #1 Paint the kitchen."]
    proposal_message = f"msg-{len(outlet.sent) - 1}"
    assert [ref for ref, _ in outlet.edits] == [proposal_message]  # the edit waited for the ask, then found it
    assert unsent(engine) == []

    # Again, with the ask sent before the "crash" and only a vote's answers left.
    chat.say("Carol", "/agree 1")
    again = RecordingOutlet("console")
    await (await started(core, engine, again)).idle()
    assert [a.text for a in again.sent] == ["Carol agrees with #1 Paint the kitchen."]
    assert [ref for ref, _ in again.edits] == [proposal_message]


class HeldOutlet(RecordingOutlet):
    """Sends into one chat wait until released, as if that chat had used up its rate limit."""

    def __init__(self, platform, held_chat):
        super().__init__(platform)
        self.held_chat, self.release = held_chat, asyncio.Event()

    async def send(self, action, txn_id):
        if getattr(action, "chat", None) == self.held_chat:
            await self.release.wait()
        return await super().send(action, txn_id)


async def test_a_chat_held_up_by_its_rate_limit_holds_up_no_other_chat(core, engine, clock):
    busy, quiet = Chat("console", "busy"), Chat("console", "quiet")
    busy_chat, quiet_chat = Transcript(core, clock, busy), Transcript(core, clock, quiet)
    group(busy_chat, "Alice")
    group(quiet_chat, "Bob")
    outlet = HeldOutlet("console", busy)
    runtime = await started(core, engine, outlet)
    for n in range(3):
        await runtime.handle(MessageReceived(busy, person("Alice"), f"/help join {n}", f"b{n}", clock.now()))
    await runtime.handle(MessageReceived(quiet, person("Bob"), "/members", "q1", clock.now()))
    await asyncio.wait_for(_until(lambda: any(a.chat == quiet for a in outlet.sent)), 5)
    assert all(a.chat == quiet for a in outlet.sent)  # the busy chat's answers still wait

    outlet.release.set()
    await runtime.idle()
    busy_answers = [a for a in outlet.sent if a.chat == busy and isinstance(a, Reply)]
    assert [a.to_ref for a in busy_answers][-3:] == ["b0", "b1", "b2"]  # in the order they were stored


async def _until(condition):
    while not condition():
        await asyncio.sleep(0.01)


def test_sent_answers_are_kept_a_day_then_pruned(chat, engine):
    group(chat, "Alice")
    store = OutboxStore(engine)
    delivered = [delivery for delivery, _ in store.unsent("console")]
    store.mark([Sent(delivery, None) for delivery in delivered], chat.clock.now())
    unsent_later = chat.core.handle(MessageReceived(chat.chat, person("Alice"), "/members", "m1", chat.clock.now()))
    assert store.prune(chat.clock.now() + timedelta(hours=23)) == 0
    assert store.prune(chat.clock.now() + timedelta(days=1, minutes=1)) == len(delivered)
    assert [d.id for d in unsent(engine)] == [d.id for d in unsent_later.deliveries]  # never an unsent one


def test_an_ask_stored_before_choices_had_symbols_gets_them_back(chat, engine):
    """An ask waiting in the outbox across the upgrade that gave choices their symbols: Matrix still seeds its
    reactions under it."""
    import json

    from sqlalchemy import text

    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the door")
    with engine.begin() as connection:
        row_id, stored = connection.execute(text("SELECT id, action FROM outbox WHERE ask_key IS NOT NULL")).first()
        older = json.loads(stored)
        for choice in older["choices"]:
            del choice["symbol"]
        connection.execute(text("UPDATE outbox SET action = :a WHERE id = :id"), {"a": json.dumps(older), "id": row_id})
    asks = [d.action for d, _ in OutboxStore(engine).unsent("console") if isinstance(d.action, Ask)]
    assert [choice.symbol for choice in asks[0].choices] == ["👍", "🤷", "✋", "🛑"]
