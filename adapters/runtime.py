"""The runtime: feeds events from every adapter into the core (in a worker
thread, so a slow command never blocks a platform's loop) and carries the
actions out through the adapter of each action's platform."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.actions import Acknowledge, Action, Ask, DirectMessage, Edit, Post, Reply
from bot.core import Core
from bot.events import Chat, Event

log = logging.getLogger(__name__)

EditRefs = dict[tuple[Chat, str], list[str]]  # (chat, ask key) → the platform messages carrying it


class Outlet(Protocol):
    """What the runtime needs of an adapter to carry actions out."""

    platform: str

    async def send(self, action: Post | Reply | Ask | DirectMessage | Acknowledge) -> str | None:
        """Carry out a new message; return its platform message ref (needed for asks).
        An ``Acknowledge`` is shown to its member where the platform can, else left out."""

    async def edit(self, action: Edit, message_ref: str) -> None:
        """Replace the text of an ask the adapter sent earlier as ``message_ref``."""


class Adapter(Outlet, Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def platform_of(action: Action) -> str:
    return action.platform if isinstance(action, DirectMessage) else action.chat.platform


class Runtime:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.outlets: dict[str, Outlet] = {}
        self.after_event = None  # set by the wiring: the alarm re-arms after every event
        self._ended: set[tuple[Chat, str]] = set()  # asks whose round ended (their last edit had no choices)

    def add(self, outlet: Outlet) -> None:
        self.outlets[outlet.platform] = outlet

    async def handle(self, event: Event) -> list[Action]:
        """One event: into the core (stored and committed there), then out."""
        actions, refs = await asyncio.to_thread(self._apply, event)
        await self.deliver(actions, refs)
        if self.after_event is not None:
            await self.after_event()
        return actions

    def _apply(self, event: Event) -> tuple[list[Action], EditRefs]:
        # In the worker thread: the event, and where the tallies to edit were posted.
        actions = self.core.handle(event)
        return actions, self._edit_refs(actions)

    def _edit_refs(self, actions: list[Action]) -> EditRefs:
        """The platform messages each edit is for; an ask posted by these same actions is
        not sent yet, so edits of it look theirs up after it is. A failed lookup leaves
        the edits to look theirs up one by one as they are carried out."""
        asked = {action.key for action in actions if isinstance(action, Ask)}
        edits = [action for action in actions if isinstance(action, Edit) and action.key not in asked]
        if not edits:
            return {}
        try:
            found = self.core.sent_refs_of({(e.chat.platform, e.chat.chat_id, e.key) for e in edits})
        except Exception:
            log.exception("could not look up where the edited asks were posted")
            return {}
        return {(e.chat, e.key): found[(e.chat.platform, e.chat.chat_id, e.key)] for e in edits}

    def _current(self, action: Action) -> bool:
        """False for a live-tally edit of an ask whose round has ended: two events handled
        side by side (a vote, and the close at the deadline) may ask for their edits in
        the other order, and the stale tally must not bring the buttons back."""
        if not isinstance(action, Edit):
            return True
        if not action.choices:
            self._ended.add((action.chat, action.key))
            return True
        return (action.chat, action.key) not in self._ended

    async def deliver(self, actions: list[Action], refs: EditRefs | None = None) -> None:
        """New messages go out in order; edits of earlier asks (live tallies) go alongside,
        so a vote's answer does not wait for its tally edit, nor the edit for the answer."""
        actions = [action for action in actions if self._current(action)]
        if refs is None:
            refs = await asyncio.to_thread(self._edit_refs, actions)
        alongside = [action for action in actions if isinstance(action, Edit) and (action.chat, action.key) in refs]
        in_order = [action for action in actions if action not in alongside]
        await asyncio.gather(self._carry_out(in_order, refs), *(self._carry_out([edit], refs) for edit in alongside))

    async def _carry_out(self, actions: list[Action], refs: EditRefs) -> None:
        for action in actions:
            outlet = self.outlets.get(platform_of(action))
            if outlet is None:
                log.warning("no adapter for %s; dropped %r", platform_of(action), action)
                continue
            try:
                if isinstance(action, Edit):
                    known = refs.get((action.chat, action.key))
                    if known is None:
                        known = await asyncio.to_thread(
                            self.core.sent_refs, action.chat.platform, action.chat.chat_id, action.key
                        )
                    for ref in known:
                        await outlet.edit(action, ref)
                    continue
                ref = await outlet.send(action)
                if isinstance(action, Ask) and ref is not None:
                    await asyncio.to_thread(
                        self.core.record_sent, action.chat.platform, action.chat.chat_id, action.key, ref
                    )
            except Exception:
                log.exception("could not carry out %r", action)
