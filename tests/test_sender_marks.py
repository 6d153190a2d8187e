"""How the sender marks answers sent: gathered for a moment into one write, except where an ask was posted, which a
member's reply or reaction may point at at once; and never lost when the bot stops."""

from __future__ import annotations

import asyncio

from adapters.sender import Sender
from bot.actions import Ask, Choice, Post
from bot.events import Chat
from bot.results import Delivery, queue_of

HOUR = 3600.0


class Outlet:
    """Sends at once, except into the chat ``held``, whose sends wait for ever (a long flood wait)."""

    platform = "telegram"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, action, txn_id):
        if action.chat.chat_id == "held":
            await asyncio.Event().wait()
        self.sent.append(action.text)
        return f"message-{len(self.sent)}"

    async def edit(self, action, message_ref, txn_id):
        pass


class Store:
    """The outbox as the sender sees it; ``marked`` holds each batch written, and ``written`` is set at each."""

    def __init__(self) -> None:
        self.marked: list[list[int]] = []
        self.written = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def mark(self, sent, now):
        self.marked.append(sorted(s.delivery.id for s in sent))
        self._loop.call_soon_threadsafe(self.written.set)

    def claim_unsent(self, platform):
        return []

    def prune(self, now):
        pass


def delivery(number: int, action) -> Delivery:
    return Delivery(number, "telegram", queue_of(action), action, f"txn-{number}")


def answer(number: int, chat: str = "group") -> Delivery:
    return delivery(number, Post(Chat("telegram", chat), f"answer {number}"))


async def started(mark_gather: float) -> tuple[Sender, Outlet, Store]:
    outlet, store = Outlet(), Store()
    sender = Sender(outlet, store, mark_gather=mark_gather)
    await sender.resume()
    return sender, outlet, store


async def test_where_a_proposal_was_posted_is_written_at_once_while_other_marks_gather():
    sender, outlet, store = await started(mark_gather=HOUR)
    ask = Ask(Chat("telegram", "group"), "round:1", "Proposal #1 by Alice: Buy a van", (Choice("agree", "Agree"),))
    sender.submit([answer(1), delivery(2, ask)])
    await asyncio.wait_for(store.written.wait(), 5)  # not an hour: a reply to the proposal must find it
    assert outlet.sent == ["answer 1", "Proposal #1 by Alice: Buy a van"]
    assert store.marked == [[1, 2]]  # the answer gathered so far went with it, in one write
    await sender.stop()


async def test_answers_marks_gather_into_one_write_and_a_stop_writes_them_at_once():
    sender, outlet, store = await started(mark_gather=HOUR)
    sender.submit([answer(1), answer(2), answer(3, chat="elsewhere")])
    await sender.stop()  # does not wait out the hour
    assert sorted(outlet.sent) == ["answer 1", "answer 2", "answer 3"]
    assert store.marked == [[1, 2, 3]]


async def test_a_stop_that_outlasts_a_held_chat_still_marks_what_went_out_and_can_be_repeated():
    sender, outlet, store = await started(mark_gather=HOUR)
    sender.submit([answer(1), answer(2, chat="held")])
    await sender.stop(within=0.05)  # the held chat's answer stays in the outbox for the next start
    assert outlet.sent == ["answer 1"]
    assert store.marked == [[1]]
    await asyncio.wait_for(sender.stop(within=0.05), 5)  # the runtime stops its senders after the adapters did
    assert store.marked == [[1]]
