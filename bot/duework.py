"""The due-work engine: deadlines, reminders and handovers are rows with a due
time and a status. ``run_due`` claims each row with a conditional update in the
same unit of work as the work itself, so a row fires once even when two ticks
race, and work that fell due while the bot was down is done late, once, and
says so."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.actions import Acknowledge, Action, Edit
from bot.context import Scope
from bot.language import _, speaking
from bot.model import DueWork
from bot.ports import TakeLocksFirst, UnitOfWorkFactory
from bot.results import Delivery, settle
from bot.settings import CollectiveSettings
from bot.timefmt import format_lateness

log = logging.getLogger(__name__)

# Work handled later than this after its due time was not done on time (the
# alarm fires within a second when the bot is up) and its messages say so.
LATE_AFTER = timedelta(minutes=2)
BATCH = 200
# Failed work is tried again after these waits, then set aside as failed.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))


@dataclass(slots=True)
class DueScope(Scope):
    work: DueWork = None  # type: ignore[assignment]  (always set by the engine)


DueHandler = Callable[[DueScope], None]


def run_due(
    uow_factory: UnitOfWorkFactory, reader: UnitOfWorkFactory, now: datetime, handlers: Mapping[str, DueHandler]
) -> list[Delivery]:
    """Fire what fell due by ``now``; returns the answers each piece stored in the outbox as it committed.
    The list of what is due is a plain read (``reader``): each row is claimed in its own unit of work."""
    deliveries: list[Delivery] = []
    while True:
        with reader() as uow:
            batch = uow.due.due(now, BATCH)
        busy = []  # (several processes) rows whose collective was busy: after the others, waiting for it
        for work in batch:
            fired = _fire(uow_factory, work, now, handlers, wait=False)
            if fired is None:
                busy.append(work)
            else:
                deliveries.extend(fired)
        for work in busy:
            deliveries.extend(_fire(uow_factory, work, now, handlers) or ())
        if len(batch) < BATCH:
            return deliveries


def _fire(
    uow_factory: UnitOfWorkFactory,
    work: DueWork,
    now: datetime,
    handlers: Mapping[str, DueHandler],
    wait: bool = True,
    first: frozenset[int] = frozenset(),
) -> tuple[Delivery, ...] | None:
    """The work's answers; None (with ``wait=False``) when its collective was busy and it was left for later.
    Work that spans collectives (a joint outcome, the federation digest) and finds one of them out of the lock
    order and busy starts over, locking them all ``first``."""
    try:
        with uow_factory() as uow:
            if first:
                uow.lock_collectives(first)
            claimed = uow.due.claim(work.id, now, wait=wait)
            if claimed is None:
                return None  # its collective is busy right now (rolled back on leaving)
            if not claimed:
                return ()  # another tick took it, or it was cancelled meanwhile
            handler = handlers.get(work.kind)
            if handler is None:
                raise LookupError(f"no handler for due work of kind {work.kind!r}")
            collective = uow.collectives.get(work.collective_id)
            scope = DueScope(
                uow=uow,
                now=now,
                collective=collective,
                settings=CollectiveSettings.of(uow.settings.values(collective.id)),
                work=work,
            )
            with speaking(scope.settings.language):
                handler(scope)
                actions = _said_late(scope.actions, work, now, scope)
            result = settle(uow, actions, now)
            uow.commit()
            return result.deliveries
    except TakeLocksFirst as needed:
        if not needed.collectives <= first:
            return _fire(uow_factory, work, now, handlers, wait, first | needed.collectives)
        return _failed(uow_factory, work, now, needed)
    except Exception as error:
        return _failed(uow_factory, work, now, error)


def _failed(uow_factory: UnitOfWorkFactory, work: DueWork, now: datetime, error: Exception) -> tuple[Delivery, ...]:
    ref = secrets.token_hex(3).upper()
    attempts = work.data.get("attempts", 0) + 1
    log.error("error %s in due work #%s (%s), attempt %s", ref, work.id, work.kind, attempts, exc_info=error)
    note = f"ref {ref}: {error!r}"[:500]
    with uow_factory() as uow:
        if attempts <= len(RETRY_AFTER):  # a passing fault (a locked database, say) heals itself
            uow.due.retry(work.id, now + RETRY_AFTER[attempts - 1], attempts, note)
        else:
            uow.due.fail(work.id, now, note)
        uow.commit()
    return ()


def _said_late(actions: list[Action], work: DueWork, now: datetime, scope: DueScope) -> list[Action]:
    late_by = now - work.due_at
    if late_by <= LATE_AFTER:
        return actions
    notes: dict[str, str] = {}

    def note(language: str) -> str:
        """Said in the language of the message it ends (work for a federation posts in several)."""
        if language not in notes:
            with speaking(language):
                notes[language] = "\n\n" + _(
                    "(Late by {lateness}: this was due {when}, while the bot was offline.)",
                    lateness=format_lateness(late_by),
                    when=scope.time(work.due_at),
                )
        return notes[language]

    # New messages say they are late; an edited tally just shows how things stand.
    return [
        action
        if isinstance(action, Edit | Acknowledge)
        else dataclasses.replace(action, text=action.text + note(action.language))
        for action in actions
    ]
