"""The core: ``handle(event) -> actions`` and ``tick(now) -> actions``.

Each event and each piece of due work runs in its own unit of work; the
actions it produced are returned only after that unit of work committed, so a
reply never confirms something that was not stored.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from bot import (
    basics,
    membership,
    needs,
    proposals,
    responses,
    reversals,
    rotation,
    rotation_commands,
    rounds,
    settings_proposals,
    text,
)
from bot.actions import Acknowledge, Action, DirectMessage, Post, Reply
from bot.clock import Clock
from bot.commands import Command, CommandTable, UsageError, bind, split_command
from bot.context import Context
from bot.duework import DueHandler, run_due
from bot.errors import PrivateRefusal, Refusal
from bot.events import ChoiceMade, ChoiceWithdrawn, Event, MessageReceived
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.settings import CollectiveSettings

log = logging.getLogger(__name__)


def default_commands() -> list[Command]:
    return [
        *basics.COMMANDS,
        *membership.COMMANDS,
        *proposals.COMMANDS,
        *responses.COMMANDS,
        *needs.COMMANDS,
        *reversals.COMMANDS,
        *rotation_commands.COMMANDS,
        *settings_proposals.COMMANDS,
    ]


def default_due_handlers() -> dict[str, DueHandler]:
    return {**membership.DUE_HANDLERS, **rounds.DUE_HANDLERS, **rotation.DUE_HANDLERS}


class Core:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        clock: Clock,
        commands: Iterable[Command] | None = None,
        due_handlers: Mapping[str, DueHandler] | None = None,
    ) -> None:
        self.unit_of_work = unit_of_work
        self._clock = clock
        self.commands = CommandTable(default_commands() if commands is None else commands)
        self._due_handlers = dict(default_due_handlers() if due_handlers is None else due_handlers)

    # --- events -----------------------------------------------------------

    def handle(self, event: Event) -> list[Action]:
        if isinstance(event, MessageReceived):
            parsed = split_command(event.text)
            if parsed is None:
                return []  # ordinary conversation is none of the bot's business
            if parsed.bot and event.bot_username and parsed.bot.lower() != event.bot_username.lower():
                return []  # addressed to another bot in the same group
            command = self.commands.lookup(parsed.name)
            rest = text.visible(parsed.rest)  # nothing invisible or reordering reaches a command, nor its echo
            return self._unit_of_work(event, lambda ctx: self._run(ctx, command, parsed.name, rest))
        if isinstance(event, ChoiceMade):
            return self._unit_of_work(event, lambda ctx: responses.choice_made(ctx, event.ask_key, event.choice))
        if isinstance(event, ChoiceWithdrawn):
            return self._unit_of_work(event, lambda ctx: responses.choice_withdrawn(ctx, event.ask_key, event.choice))
        raise TypeError(f"not an event: {event!r}")

    def _unit_of_work(self, event: Event, work: Callable[[Context], None]) -> list[Action]:
        """One event, one transaction; the actions leave only after the commit."""
        try:
            with self.unit_of_work() as uow:
                if not self._remember(uow, event):
                    return []  # delivered twice: applied once already
                ctx = self._context(uow, event)
                try:
                    work(ctx)
                except Refusal as refusal:
                    # A refusal stores nothing but that the message was handled:
                    # undo everything and remember just that.
                    uow.rollback()
                    if not self._remember(uow, event):
                        return []  # between the two, a second delivery of it was handled: that one answered
                    ctx = self._context(uow, event)
                    _answer_refusal(ctx, refusal)
                uow.commit()
                return ctx.actions
        except Exception:
            ref = secrets.token_hex(3).upper()
            log.exception("error %s while handling %r", ref, event)
            return [_crash_reply(event, ref)]

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
        if event.chat.is_direct:
            # A direct chat acts for the one collective the person belongs to on
            # this platform (private needs); with several or none, for none.
            memberships = uow.members.memberships(event.sender.platform, event.sender.user_id)
            if len(memberships) == 1:
                member = memberships[0]
                collective = uow.collectives.get(member.collective_id)
                stored = uow.settings.values(collective.id)
        else:
            chat = event.chat
            collective, member, stored = uow.collectives.with_member(chat.platform, chat.chat_id, event.sender.user_id)
            if collective is None:
                collective = uow.collectives.create_for_chat(chat.platform, chat.chat_id, now)
            if member is not None and not member.active:
                member = None
        if member is not None and member.display_name != sender.display_name:
            member.display_name = sender.display_name
            uow.members.save(member)
        replied_ask = None
        if isinstance(event, MessageReceived) and event.reply_to:
            replied_ask = uow.asks.key_of(event.chat.platform, event.chat.chat_id, event.reply_to)
        return Context(
            uow=uow,
            now=now,
            collective=collective,
            settings=CollectiveSettings(stored),
            chat=event.chat,
            sender=sender,
            reply_to=event.message_ref if isinstance(event, MessageReceived) else None,
            replied_ask=replied_ask,
            member=member,
            commands=self.commands,
        )

    def _run(self, ctx: Context, command: Command | None, name: str, rest: str) -> None:
        if command is None:
            ctx.reply(f"I don't know /{name}. /help lists the commands.")
            return
        if ctx.chat.is_direct and not command.in_direct:
            ctx.reply(f"/{command.name} works in your collective's group chat, not in a direct message.")
            return
        try:
            arguments = bind(command, rest)
        except UsageError as error:
            ctx.reply(f"{error.reason}\nUsage: {command.usage}")
            return
        _checked_run(ctx, command, arguments)

    # --- time -------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> list[Action]:
        """Run every piece of due work that fell due by ``now`` (default: the clock)."""
        return run_due(self.unit_of_work, now or self._clock.now(), self._due_handlers)

    def move_chat(self, platform: str, old_chat_id: str, new_chat_id: str) -> bool:
        """A chat changed its id (a Telegram group became a supergroup, a Matrix
        room was upgraded): the collective, its members and items stay."""
        with self.unit_of_work() as uow:
            moved = uow.collectives.move_chat(platform, old_chat_id, new_chat_id, self._clock.now())
            uow.commit()
            return moved

    # --- where asks were posted (for edits, reactions and replies) -----------

    def record_sent(self, platform: str, chat_id: str, key: str, message_ref: str) -> None:
        with self.unit_of_work() as uow:
            uow.asks.remember(platform, chat_id, key, message_ref)
            uow.commit()

    def sent_refs(self, platform: str, chat_id: str, key: str) -> list[str]:
        with self.unit_of_work() as uow:
            return uow.asks.refs(platform, chat_id, key)

    def sent_refs_of(self, asks: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[str]]:
        """``sent_refs`` of several (platform, chat_id, key), in one unit of work."""
        with self.unit_of_work() as uow:
            return {ask: uow.asks.refs(*ask) for ask in asks}

    def ask_key_of(self, platform: str, chat_id: str, message_ref: str) -> str | None:
        with self.unit_of_work() as uow:
            return uow.asks.key_of(platform, chat_id, message_ref)

    def next_due(self) -> datetime | None:
        """When the next piece of work falls due: the alarm clock sets itself by this."""
        with self.unit_of_work() as uow:
            return uow.due.next_due_at()


def _checked_run(ctx: Context, command: Command, arguments: dict) -> None:
    if command.members_only:
        ctx.require_member()
    answer = command.run(ctx, **arguments)
    if answer:
        ctx.reply(answer)


def _answer_refusal(ctx: Context, refusal: Refusal) -> None:
    if ctx.reply_to is None:  # a button press or reaction: whoever pressed it, not the whole group
        ctx.actions.append(Acknowledge(ctx.chat, ctx.sender.user_id, refusal.message, refusal=True))
    elif isinstance(refusal, PrivateRefusal):  # it would say who asked: to them alone
        ctx.actions.append(DirectMessage(ctx.sender.platform, ctx.sender.user_id, refusal.message))
    else:
        ctx.reply(refusal.message)


def _crash_reply(event: Event, ref: str) -> Action:
    text = (
        f"Sorry — something went wrong on my side and nothing was changed (ref {ref}). "
        "Please try again; if it keeps happening, give this ref to whoever runs the bot."
    )
    if isinstance(event, MessageReceived):
        return Reply(event.chat, event.message_ref, text)
    return Post(event.chat, text)
