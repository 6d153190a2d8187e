"""A platform's sender: carries the outbox out through the platform's outlet and marks each delivery sent.

- One queue per chat (``Delivery.queue``): a chat's answers go out one at a time, in the order they were
  stored; different chats' queues run side by side, so a chat waits only on its own rate limit (and, on
  Telegram, fairly on the overall one: each queue has at most one request waiting for it).
- Answers first, tallies when the chat is quiet: a chat's messages go out before its waiting tally edits
  (every edit counts against a Telegram group's 20 a minute), and edits of one ask coalesce — one still
  waiting is replaced by a newer one, and an edit with nothing else to wait for settles a tenth of a
  second first — so a burst of votes makes a few edits showing the latest tally. An edit waits at most
  three seconds. An edit never brings back the buttons of an ask whose round ended (an edit without
  choices came first).
- What was carried out is marked sent apart from sending (``adapters/marks.py``: gathered into one write, an
  ask's at once). A delivery that keeps failing is set aside after a few tries, so one bad message does not
  stop its chat.
- At start, whatever the outbox holds unsent goes out (``resume``).

For the crash tests, ``COLLECTIVE_BOT_FAULT`` (``adapters/faults.py``) kills the process with SIGKILL at an exact
moment: ``before-send:TEXT`` just before sending the first delivery whose text contains TEXT (its unit of
work has committed), ``after-send:TEXT`` just after the platform accepted it, before it is marked.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import dataclasses
import itertools
import logging
import time
from typing import Protocol

from adapters.backoff import Backoff
from adapters.faults import planned
from adapters.marks import MARK_GATHER, Marks
from bot.actions import Action, Edit
from bot.results import Delivery, queue_of
from bot.text import with_commands
from storage.outbox import OutboxStore, Sent

log = logging.getLogger(__name__)

ATTEMPTS = 4  # tries of one delivery before it is set aside
EDIT_SETTLE = 0.1  # seconds a tally edit waits, when nothing else does, for a newer one to replace it
EDIT_MAX_WAIT = 3.0  # seconds after which a tally edit goes out even ahead of waiting messages
RETRY_FIRST = 1.0  # seconds before the second try; doubled each time
ENDED_KEPT = 1000  # ended asks remembered (a stale tally comes moments after its close, never a thousand closes later)


@dataclasses.dataclass(frozen=True, slots=True)
class Posted:
    """What an outlet reports for a new message: its ref, and the chat it landed in when that is not the
    one it was addressed to (a Telegram group that became a supergroup)."""

    ref: str
    chat_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Redirect:
    """What an outlet reports when a delivery must go elsewhere instead: a direct message the platform refused,
    as a mention in the group (``action``). The sender puts it in that chat's queue, in the place the delivery's
    order gives it there, and marks the delivery sent once it is."""

    action: Action


class Outlet(Protocol):
    """What a sender needs of an adapter."""

    platform: str

    async def send(self, action: Action, txn_id: str) -> str | Posted | Redirect | None:
        """Carry out a new message (or a press's confirmation); return its platform ref (needed for asks).
        ``txn_id`` is the same at every attempt of the same delivery (Matrix applies it once)."""

    async def edit(self, action: Edit, message_ref: str, txn_id: str) -> None:
        """Replace the text of an ask the adapter sent earlier as ``message_ref``."""


@dataclasses.dataclass(slots=True)
class _Item:
    delivery: Delivery
    superseded: list[Delivery] = dataclasses.field(default_factory=list)  # older edits this one replaced
    queued_at: float = dataclasses.field(default_factory=time.monotonic)
    updated_at: float = dataclasses.field(default_factory=time.monotonic)  # when a newer edit last replaced it

    @property
    def is_edit(self) -> bool:
        return isinstance(self.delivery.action, Edit)


class Sender:
    def __init__(
        self,
        outlet: Outlet,
        store: OutboxStore | None,
        *,
        retry_first: float = RETRY_FIRST,
        edit_settle: float = EDIT_SETTLE,
        edit_max_wait: float = EDIT_MAX_WAIT,
        ended_kept: int = ENDED_KEPT,
        mark_gather: float = MARK_GATHER,
    ) -> None:
        self.outlet = outlet
        self.platform = outlet.platform
        self._store = store
        self._retry_first = retry_first
        self._queues: dict[str, list[_Item]] = {}
        self._workers: dict[str, asyncio.Task] = {}
        self._sending: dict[str, _Item] = {}  # queue → the delivery being carried out
        self._arrived: dict[str, asyncio.Future] = {}  # queue → done when a delivery arrives (ends an edit's settling)
        self._edit_settle, self._edit_max_wait = edit_settle, edit_max_wait
        self._known: set[int] = set()  # deliveries queued or sent in this run
        self._refs: dict[int, str] = {}  # delivery id → the message it made (asks, for their edits)
        self._ended: dict[tuple[str, str], None] = {}  # (chat, ask key) whose round ended, oldest first
        self._ended_kept = ended_kept
        self._marks = Marks(store, gather=mark_gather)
        self._paused = True
        self._fault = planned("before-send", "after-send")

    # --- feeding ------------------------------------------------------------------------------------------------

    def submit(self, deliveries: list[Delivery] | tuple[Delivery, ...], known_refs: dict[int, str] | None = None):
        queues = set()
        for delivery in deliveries:
            if delivery.id is not None:
                if delivery.id in self._known:
                    continue
                self._known.add(delivery.id)
            self._refs.update(known_refs or {})
            self._enqueue(delivery)
            queues.add(delivery.queue)
        if not self._paused:
            self._wake(queues)

    async def resume(self) -> int:
        """Start sending: first whatever the outbox holds unsent (from before a restart), then as submitted.
        Returns how many unsent deliveries were found."""
        found = 0
        if self._store is not None:
            unsent = await asyncio.to_thread(self._store.claim_unsent, self.platform)
            for delivery, refs in unsent:
                found += delivery.id not in self._known
                self.submit([delivery], refs)
        self._paused = False
        self._wake(set(self._queues))
        return found

    def _enqueue(self, delivery: Delivery) -> None:
        queue = self._queues.setdefault(delivery.queue, [])
        action = delivery.action
        if isinstance(action, Edit):
            for item in queue:
                waiting = item.delivery.action
                if (
                    isinstance(waiting, Edit)
                    and waiting.key == action.key
                    and item is not self._sending.get(delivery.queue)
                ):
                    # The newer text replaces the waiting one, in its place; both are marked sent with it.
                    merged = dataclasses.replace(
                        action,
                        refs=tuple(dict.fromkeys((*waiting.refs, *action.refs))),
                        after=tuple(dict.fromkeys((*waiting.after, *action.after))),
                    )
                    if delivery.id is not None and item.delivery.id is not None and delivery.id < item.delivery.id:
                        item.superseded.append(delivery)  # arrived late: the waiting edit is the newer
                        return
                    item.superseded.append(item.delivery)
                    item.delivery = dataclasses.replace(delivery, action=merged)
                    item.updated_at = time.monotonic()
                    return
        # Stored order is the chat's order: a delivery that reaches the sender late takes its place.
        ids = [item.delivery.id or 0 for item in queue]
        position = len(queue) if delivery.id is None else bisect.bisect(ids, delivery.id, lo=1 if queue else 0)
        queue.insert(position, _Item(delivery))

    def _wake(self, queues: set[str]) -> None:
        for name in queues:
            if name in self._arrived:
                _settle(self._arrived[name], True)
            if self._queues.get(name) and name not in self._workers:
                self._workers[name] = asyncio.create_task(self._drain(name), name=f"send-{self.platform}-{name}")

    # --- sending ------------------------------------------------------------------------------------------------

    async def _drain(self, name: str) -> None:
        queue = self._queues[name]
        try:
            while queue and not self._paused:
                item = await self._next(name, queue)
                if item is None:
                    continue  # something came while an edit settled: look again
                self._sending[name] = item
                sent = await self._carry_out(item.delivery)
                queue.remove(item)
                del self._sending[name]
                if isinstance(sent, Redirect):
                    self._redirect(item.delivery, sent.action)
                    continue
                self._marks.add([sent, *(Sent(old, None) for old in item.superseded)])
        finally:
            self._sending.pop(name, None)
            del self._workers[name]
            if not queue:
                self._queues.pop(name, None)

    def _redirect(self, delivery: Delivery, action: Action) -> None:
        elsewhere = dataclasses.replace(delivery, queue=queue_of(action), action=action, txn_id=f"{delivery.txn_id}-r")
        self._enqueue(elsewhere)
        self._wake({elsewhere.queue})

    async def _next(self, name: str, queue: list[_Item]) -> _Item | None:
        """A chat's next delivery: its oldest message; a tally edit when no message waits (after settling
        a moment, so that a burst of votes makes one edit), or once it has waited ``edit_max_wait``."""
        first = queue[0]
        if not first.is_edit:
            return first
        now = time.monotonic()
        if now - first.queued_at >= self._edit_max_wait:
            return first
        message = next((item for item in queue if not item.is_edit), None)
        if message is not None:
            return message  # messages never wait for edits; an edit's ask is a message before it
        settled_at = min(first.updated_at + self._edit_settle, first.queued_at + self._edit_max_wait)
        if now >= settled_at:
            return first
        # Settle: until something arrives in this chat or the time is up, whichever is first (a bare future,
        # woken in one step: a message arriving meanwhile goes out without delay).
        loop = asyncio.get_running_loop()
        arrived = self._arrived[name] = loop.create_future()
        timer = loop.call_later(settled_at - now, _settle, arrived, False)
        try:
            woken = await arrived
        finally:
            timer.cancel()
            self._arrived.pop(name, None)
        return None if woken else first

    async def _carry_out(self, delivery: Delivery) -> Sent | Redirect:
        action = delivery.action
        self._fault_at("before-send", action)
        backoff = Backoff(self._retry_first, tries=ATTEMPTS)
        for attempt in itertools.count(1):
            try:
                if isinstance(action, Edit):
                    await self._edit(delivery, action)
                    posted = None
                else:
                    posted = await self.outlet.send(action, delivery.txn_id)
                break
            except Exception:
                if backoff.delay(attempt) is None:
                    log.exception("could not carry out %r; set aside after %d tries", action, attempt)
                    return Sent(delivery, None)
                log.warning("could not carry out %r (try %d); trying again", action, attempt, exc_info=True)
                await backoff.wait(attempt)
        if isinstance(posted, Redirect):
            return posted
        self._fault_at("after-send", action)
        if isinstance(posted, str):
            posted = Posted(posted)
        if posted is not None and delivery.id is not None:
            self._refs[delivery.id] = posted.ref
        return Sent(delivery, posted.ref if posted else None, posted.chat_id if posted else None)

    async def _edit(self, delivery: Delivery, edit: Edit) -> None:
        where = (edit.chat.chat_id, edit.key)
        if edit.choices and where in self._ended:
            return  # a stale tally (handled side by side with the close): the buttons stay gone
        if not edit.choices:
            self._ended[where] = None
            if len(self._ended) > self._ended_kept:
                del self._ended[next(iter(self._ended))]  # the longest ended: no stale tally of it is left
        targets = list(edit.refs)
        for waited in edit.after:
            ref = self._refs.get(waited)
            if ref is None:
                log.info("the ask of %r was never posted (delivery %s): nothing to edit", edit.key, waited)
            elif ref not in targets:
                targets.append(ref)
        for ref in targets:
            await self.outlet.edit(edit, ref, delivery.txn_id)

    def _fault_at(self, moment: str, action: Action) -> None:
        if self._fault is not None:
            self._fault.strike(moment, with_commands(action.text))

    # --- waiting and stopping -------------------------------------------------------------------------------

    async def idle(self) -> None:
        """Until every queue is empty and every mark written (a caller's timeout never cancels a write)."""
        while self._workers or self._marks.pending:
            await asyncio.gather(*self._workers.values(), self._marks.flush())

    async def stop(self, within: float = 10.0) -> None:
        """Finish what is being sent (for up to ``within`` seconds); what waits stays in the outbox, and what was
        sent is marked so."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), within)
        self._paused = True
        for task in list(self._workers.values()):
            task.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)
        await asyncio.gather(self._marks.flush(), return_exceptions=True)  # (what the cancelled sends finished)


def _settle(arrived: asyncio.Future, woken: bool) -> None:
    if not arrived.done():
        arrived.set_result(woken)
