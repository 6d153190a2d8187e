"""The core: ``handle(event) -> Result`` and ``tick(now) -> Result``.

Each event and each piece of due work runs in its own unit of work, which
also stores its answers in the outbox and resolves every message reference in
them; the result is returned only after that unit of work committed, so a
reply never confirms something that was not stored, and an answer stored is
never lost (the runtime delivers the outbox, again after a restart).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from bot import (
    assembly,
    closing,
    digest,
    membership,
    proxies,
    recurring_needs,
    responses,
    review,
    rotation,
    rounds,
    text,
)
from bot.actions import Acknowledge, Action, Ask, DirectMessage, Post, Reply
from bot.clock import Clock
from bot.command_table import default_commands
from bot.commands import Command, CommandTable, UsageError, Where, dispatch, split_command
from bot.context import Context, Scope
from bot.duework import DueHandler, run_due
from bot.errors import PrivateRefusal, Refusal
from bot.events import ChatMoved, ChoiceMade, ChoiceWithdrawn, Event, MessageReceived
from bot.language import ENGLISH, N_, _, speaking
from bot.moves import ask_again
from bot.ports import TakeLocksFirst, UnitOfWork, UnitOfWorkFactory
from bot.record import recount_twins
from bot.results import Result, settle, unstored
from bot.review_dates import has_review_line
from bot.settings import CollectiveSettings
from bot.text import cmd

log = logging.getLogger(__name__)

LOCK_RETRIES = 3  # times a unit of work spanning collectives starts over to take their locks in order
REVIEWABLE = {"propose", "amend", "set", "rotation"}  # commands whose text may end in a review line (bot.review)


def default_due_handlers() -> dict[str, DueHandler]:
    return {
        **membership.DUE_HANDLERS,
        **rounds.DUE_HANDLERS,
        **closing.DUE_HANDLERS,
        **rotation.DUE_HANDLERS,
        **digest.DUE_HANDLERS,
        **review.DUE_HANDLERS,
        **recurring_needs.DUE_HANDLERS,
        **proxies.DUE_HANDLERS,
        **assembly.DUE_HANDLERS,
    }


class Core:
    """``reader``: units of work for lookups that change nothing (a plain read
    transaction, never the write lock); the writing ones serve when not given. ``web_base_url``: where the
    read-only web page is served, for the links ``/page`` and ``/calendar`` give (None: it is not)."""

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        clock: Clock,
        commands: Iterable[Command] | None = None,
        due_handlers: Mapping[str, DueHandler] | None = None,
        reader: UnitOfWorkFactory | None = None,
        web_base_url: str | None = None,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.web_base_url = web_base_url  # where the read-only page is served ([web] base_url); None: not served
        self.reader = reader or unit_of_work
        self._clock = clock
        self.commands = CommandTable(default_commands() if commands is None else commands)
        self._due_handlers = dict(default_due_handlers() if due_handlers is None else due_handlers)

    # --- events -----------------------------------------------------------

    def handle(self, event: Event) -> Result:
        """One event, one transaction, one result."""
        if isinstance(event, MessageReceived):
            parsed = split_command(event.text)
            if parsed is None:
                self._note_speaker(event)
                return Result()  # ordinary conversation is none of the bot's business
            command = self.commands.lookup(parsed.name)
            rest = text.visible(parsed.rest)  # nothing invisible or reordering reaches a command, nor its echo
            read = self._read_first(event, command) if command is not None and command.reads_first else {}

            def run(ctx: Context) -> None:
                ctx.read_first = read
                self._run(ctx, command, parsed.name, rest)

            return self._unit_of_work(event, run)
        if isinstance(event, ChoiceMade):
            return self._unit_of_work(
                event, lambda ctx: _on_ask(ctx, event, lambda key: responses.choice_made(ctx, key, event.choice))
            )
        if isinstance(event, ChoiceWithdrawn):
            return self._unit_of_work(
                event, lambda ctx: _on_ask(ctx, event, lambda key: responses.choice_withdrawn(ctx, key, event.choice))
            )
        if isinstance(event, ChatMoved):
            return self._move_chat(event)
        raise TypeError(f"not an event: {event!r}")

    def _unit_of_work(self, event: Event, work: Callable[[Context], None]) -> Result:
        """One event, one transaction; its answers are stored in it, and leave only after the commit."""
        first: frozenset[int] = frozenset()
        for _attempt in range(LOCK_RETRIES):
            try:
                return self._unit_of_work_once(event, work, first)
            except TakeLocksFirst as needed:
                first = needed.collectives  # it spans collectives: start over, locking them in order first
        return self._unit_of_work_once(event, work, first, last_try=True)

    def _unit_of_work_once(
        self, event: Event, work: Callable[[Context], None], first: frozenset[int], last_try: bool = False
    ) -> Result:
        language = ENGLISH  # the collective's, once known: the crash reply speaks it
        try:
            with self.unit_of_work() as uow:
                if first:
                    uow.lock_collectives(first)
                if not self._remember(uow, event):
                    return Result(repeated=True)  # delivered twice: applied once already
                ctx = self._context(uow, event)
                language = ctx.settings.language
                try:
                    with speaking(ctx.settings.language):
                        work(ctx)
                except Refusal as refusal:
                    # A refusal stores nothing but that the message was handled:
                    # undo everything and remember just that.
                    uow.rollback()
                    if not self._remember(uow, event):
                        return Result(
                            repeated=True
                        )  # between the two, a second delivery of it was handled: that one answered
                    ctx = self._context(uow, event)
                    with speaking(ctx.settings.language):
                        _answer_refusal(ctx, refusal)
                assembly.note_presence(ctx)
                result = settle(uow, ctx.actions, ctx.now, event)
                uow.commit()
                return result
        except Exception as error:
            if isinstance(error, TakeLocksFirst) and not last_try:
                raise  # (``_unit_of_work`` starts over)
            ref = secrets.token_hex(3).upper()
            log.exception("error %s while handling %r", ref, event)
            with speaking(language):
                return self._store_apart([_crash_reply(event, ref)])

    def _note_speaker(self, event: MessageReceived) -> None:
        """Ordinary conversation is none of the bot's business, except that whoever speaks in the group while
        an assembly meets attended it (a read first: a write only then, once per member)."""
        chat = event.chat
        if chat.is_direct:
            return
        with self.reader() as uow:
            person = uow.links.person_of(event.sender.platform, event.sender.user_id)
            collective, member, _settings = uow.reads.with_member(chat.platform, chat.chat_id, person[1], person[0])
            if collective is None or collective.assembly_id is None or member is None or not member.active:
                return
            if member.id in uow.assemblies.attended(collective.assembly_id):
                return
        with self.unit_of_work() as uow:
            uow.assemblies.attend(collective.assembly_id, member.id, self._clock.now())
            uow.commit()

    def _read_first(self, event: MessageReceived, command: Command) -> dict[int, object]:
        """A command's long read (``Command.reads_first``), in a read transaction before its unit of work, for
        the collective whose member speaks (none: nothing is read, and the unit of work says why)."""
        works_here = command.where == Where.ANY or (command.where == Where.DIRECT) == event.chat.is_direct
        if not works_here:
            return {}  # the unit of work says where it works
        try:
            with self.reader() as uow:
                person = uow.links.person_of(event.sender.platform, event.sender.user_id)
                if event.chat.is_direct:
                    memberships = uow.members.memberships(*person)
                    member = memberships[0] if len(memberships) == 1 else None
                    stored = uow.settings.values(member.collective_id) if member is not None else {}
                else:
                    chat = event.chat
                    _collective, member, stored = uow.reads.with_member(
                        chat.platform, chat.chat_id, person[1], person[0]
                    )
                if member is None or not member.active:
                    return {}
                with speaking(CollectiveSettings.of(stored).language):  # what it finds is worded as it reads
                    return {member.collective_id: command.reads_first(uow, member.collective_id)}
        except Exception:
            log.exception("could not read ahead for %s; it reads in its unit of work", command.name)
            return {}

    def _store_apart(self, actions: list[Action]) -> Result:
        """Answers of a unit of work that failed, in a unit of work of their own; said at once
        (unstored) when even that fails."""
        try:
            with self.unit_of_work() as uow:
                result = settle(uow, actions, self._clock.now())
                uow.commit()
                return result
        except Exception:
            log.exception("could not store the answer to a failed unit of work; it is sent unstored")
            return unstored(actions)

    def _move_chat(self, event: ChatMoved) -> Result:
        chat, now = event.chat, self._clock.now()
        with self.unit_of_work() as uow:
            actions = []
            before = uow.collectives.for_chat(chat.platform, chat.chat_id)
            if uow.collectives.move_chat(chat.platform, chat.chat_id, event.new_chat_id, now):
                log.info("%s chat %s is now %s", chat.platform, chat.chat_id, event.new_chat_id)
                collective = uow.collectives.for_chat(chat.platform, event.new_chat_id)
                if before is not None and collective is not None and collective.id == before.id:  # (not a chat
                    # another collective had already: that one's rounds are not this move's to ask again)
                    settings = CollectiveSettings.of(uow.settings.values(collective.id))
                    scope = Scope(uow=uow, now=now, collective=collective, settings=settings)
                    with speaking(settings.language):
                        ask_again(scope, chat.platform, chat.chat_id, event.new_chat_id)
                    actions = scope.actions
            result = settle(uow, actions, now)
            uow.commit()
            return result

    def _remember(self, uow: UnitOfWork, event: Event) -> bool:
        return uow.seen.remember(event.chat.platform, event.chat.chat_id, event.message_ref, self._clock.now())

    def _context(self, uow: UnitOfWork, event: Event) -> Context:
        now = self._clock.now()
        sender = event.sender
        shown = text.name(sender.display_name)  # a name can't hide characters or pose as a line of its own
        if shown != sender.display_name:
            sender = dataclasses.replace(sender, display_name=shown)
        collective = None
        member = None
        stored: dict[str, str] = {}
        # Accounts linked with /iam are one person, whose memberships are kept under one of them.
        person = uow.links.person_of(sender.platform, sender.user_id, now)
        if event.chat.is_direct:
            # A direct chat acts for the one collective the person belongs to
            # (private needs); with several or none, for none.
            memberships = uow.members.memberships(*person)
            if len(memberships) == 1:
                member = memberships[0]
                collective = uow.collectives.get(member.collective_id)
                stored = uow.settings.values(collective.id)
            elif memberships:  # several: spoken to in their language when they all speak the same one
                spoken = {uow.settings.values(m.collective_id).get("language", ENGLISH) for m in memberships}
                stored = {"language": spoken.pop()} if len(spoken) == 1 else {}
        else:
            chat = event.chat
            collective, member, stored = uow.reads.with_member(chat.platform, chat.chat_id, person[1], person[0])
            if collective is None:
                collective = uow.collectives.create_for_chat(chat.platform, chat.chat_id, now)
            if member is not None and not member.active:
                member = None
        if member is not None and member.display_name != sender.display_name:
            member.display_name = sender.display_name
            uow.members.save(member)
            member.twin = member.id in recount_twins(uow, member.collective_id)
        replied_ask = None
        if isinstance(event, MessageReceived) and event.reply_to:
            replied_ask = uow.asks.key_of(event.chat.platform, event.chat.chat_id, event.reply_to)
        return Context(
            uow=uow,
            now=now,
            collective=collective,
            settings=CollectiveSettings.of(stored),
            chat=event.chat,
            sender=sender,
            reply_to=event.message_ref if isinstance(event, MessageReceived) else None,
            replied_ask=replied_ask,
            member=member,
            commands=self.commands,
            person=person,
            web_base_url=self.web_base_url,
        )

    def _run(self, ctx: Context, command: Command | None, name: str, rest: str) -> None:
        if command is None:
            ctx.reply(_("I don't know {command}. /help lists the commands.", command=cmd(name)))
            return
        if ctx.chat.is_direct and command.where == Where.GROUP:
            ctx.reply(
                _(
                    "{command} works in your collective's group chat, not in a direct message.",
                    command=cmd(command.name),
                )
            )
            return
        if not ctx.chat.is_direct and command.where == Where.DIRECT:
            ctx.reply(_("{command} works in a direct message with me, not in the group.", command=cmd(command.name)))
            return
        if command.name not in REVIEWABLE and has_review_line(rest):
            raise Refusal(
                _(
                    "{command} cannot carry a review date. A review line goes on a proposal that can lapse: "
                    "/propose, /set or /rotation add of a role with powers "
                    "(/review N WHEN for one already adopted).",
                    command=cmd(command.name),
                )
            )
        try:
            called, arguments = dispatch(command, rest)
        except UsageError as error:
            ctx.reply(f"{error.reason}\n{error.usage}")
            return
        try:
            _checked_run(ctx, called, arguments)
        except UsageError as error:  # an argument its handler could judge only after looking at the collective
            ctx.reply(f"{error.reason}\n{error.usage or called.usage_line()}")

    # --- time -------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> Result:
        """Run every piece of due work that fell due by ``now`` (default: the clock)."""
        deliveries = run_due(self.unit_of_work, self.reader, now or self._clock.now(), self._due_handlers)
        return Result(tuple(delivery.action for delivery in deliveries), tuple(deliveries), self.next_due())

    def next_due(self) -> datetime | None:
        """When the next piece of work falls due (a read: it never takes the write lock)."""
        with self.reader() as uow:
            return uow.due.next_due_at()


def _on_ask(ctx: Context, event: ChoiceMade | ChoiceWithdrawn, work: Callable[[str], None]) -> None:
    """A choice on an ask: the ask its button names, or the one posted as the message it was made on."""
    key = event.ask_key
    if not key and event.answers:
        key = ctx.uow.asks.key_of(event.chat.platform, event.chat.chat_id, event.answers)
    if key:
        work(key)


def _checked_run(ctx: Context, command: Command, arguments: dict) -> None:
    if command.members_only:
        arguments["member"] = ctx.require_member()
    if command.run(ctx, **arguments) is not None:
        raise TypeError(f"the handler of {command.usage} returned its answer: a handler answers with ctx.reply")
    if _said_only_elsewhere(ctx):
        ctx.reply(_("Done; I posted it in the topic or thread where it belongs."))


def _said_only_elsewhere(ctx: Context) -> bool:
    """A command typed in one topic or thread whose answers all went to other ones of the same chat (an item
    lives where it was raised): the member hears where, rather than nothing where they typed."""
    here = [a.chat for a in ctx.actions if isinstance(a, Post | Reply | Ask)]
    return ctx.chat not in here and any(chat.main == ctx.chat.main for chat in here)


def _answer_refusal(ctx: Context, refusal: Refusal) -> None:
    if ctx.reply_to is None:  # a button press or reaction: whoever pressed it, not the whole group
        ctx.actions.append(Acknowledge(ctx.chat, ctx.sender.user_id, refusal.message, refusal=True))
    elif isinstance(refusal, PrivateRefusal):  # it would say who asked: to them alone
        ctx.actions.append(DirectMessage(ctx.sender.platform, ctx.sender.user_id, refusal.message))
    else:
        ctx.reply(refusal.message)


_CRASHED = N_(
    "Sorry — something went wrong on my side and nothing was changed (ref {ref}). "
    "Please try again; if it keeps happening, give this ref to whoever runs the bot."
)


def _crash_reply(event: Event, ref: str) -> Action:
    """Said in the collective's language when it was known before the failure; else in English."""
    try:
        text = _(_CRASHED, ref=ref)
    except Exception:  # the catalog may be what failed: the apology must not
        text = _CRASHED.format(ref=ref)
    if isinstance(event, MessageReceived):
        return Reply(event.chat, event.message_ref, text)
    return Post(event.chat, text)
