"""The Telegram adapter: python-telegram-bot's ``ExtBot`` with its rate limiter,
our own confirming poll loop feeding the runtime, and the outbox carrying the
core's actions out."""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import BaseRateLimiter, ExtBot

from adapters.config import ConfigError, TelegramConfig
from adapters.runtime import Runtime
from adapters.telegram import limits
from adapters.telegram.inbound import PLATFORM, Migration, read
from adapters.telegram.menu import menu
from adapters.telegram.polling import LONG_POLL_SECONDS, Poller
from adapters.telegram.rendering import toast
from adapters.telegram.sending import Outbox
from bot.actions import Acknowledge, Action, Ask, DirectMessage, Edit, Post, Reply
from bot.events import Chat, ChoiceMade

log = logging.getLogger(__name__)

TOAST_WAIT_SECONDS = 5.0  # a pressed button's spinner waits this long at most for the core's answer
STOP_SETTLE_SECONDS = 10.0


class TelegramAdapter:
    """``rate_limiter``: Telegram's flood limits by default (see limits.py)."""

    platform = PLATFORM

    def __init__(
        self,
        config: TelegramConfig,
        runtime: Runtime,
        *,
        rate_limiter: BaseRateLimiter | None = None,
        poll_timeout: int = LONG_POLL_SECONDS,
    ) -> None:
        self._runtime = runtime
        self._base_url = config.base_url
        self.bot = ExtBot(
            config.token,
            base_url=config.base_url,
            rate_limiter=rate_limiter or limits.rate_limiter(),
        )
        self.outbox = Outbox(self.bot, runtime.core)
        self._poller = Poller(self.bot, self._on_update, timeout=poll_timeout, after_batch=self.outbox.settle)
        self._username: str | None = None

    async def start(self) -> None:
        await self._introduce()  # getMe: the bot's username, so /cmd@OtherBot is left alone
        self._username = self.bot.username
        await self.bot.delete_webhook()  # never drop_pending_updates: pending updates are members' votes
        await self._publish_menu()
        self._poller.start()
        log.info("telegram: polling as @%s", self._username)

    async def stop(self) -> None:
        await self._poller.stop()
        try:  # edits still waiting out a long flood limit are not worth hanging a stop for
            await asyncio.wait_for(self.outbox.settle(), STOP_SETTLE_SECONDS)
        except TimeoutError:
            log.warning("telegram: stopped with tally edits still waiting for Telegram's flood limit")
        await self.bot.shutdown()

    async def _introduce(self) -> None:
        """getMe, retried while Telegram cannot be reached; a rejected token is a config error,
        said without the token."""
        for attempt, delay in enumerate((1, 2, 4, 8, 16, None), 1):
            try:
                await self.bot.initialize()
                return
            except InvalidToken:
                raise ConfigError("[telegram] token was rejected by Telegram; check it with @BotFather") from None
            except NetworkError as error:
                if delay is None:
                    raise ConfigError(f"[telegram] cannot reach Telegram at {self._base_url}: {error}") from None
                log.warning(
                    "telegram: cannot reach %s (attempt %s: %s); trying again in %s s",
                    self._base_url,
                    attempt,
                    error,
                    delay,
                )
                await asyncio.sleep(delay)

    async def send(self, action: Post | Reply | Ask | DirectMessage) -> str | None:
        return await self.outbox.send(action)

    async def edit(self, action: Edit, message_ref: str) -> None:
        await self.outbox.edit(action, message_ref)

    async def _publish_menu(self) -> None:
        commands = list(self._runtime.core.commands)
        try:
            await self.bot.set_my_commands(menu(commands))
            await self.bot.set_my_commands(menu(commands, direct_only=True), scope=BotCommandScopeAllPrivateChats())
        except TelegramError as error:
            log.warning("could not set the command menu: %s", error)

    async def _on_update(self, update: Update) -> None:
        event = read(update, self._username)
        if isinstance(event, Migration):
            self.outbox.note_migration(int(event.old_chat_id), int(event.new_chat_id))
            await asyncio.to_thread(self._runtime.core.move_chat, PLATFORM, event.old_chat_id, event.new_chat_id)
        elif isinstance(event, ChoiceMade):
            await self._pressed(update.callback_query.id, event)
        elif event is not None:
            await self._runtime.handle(event)
        elif update.callback_query is not None:
            await self.outbox.answer(update.callback_query.id, None)  # a button not ours: still stop its spinner

    async def _pressed(self, query_id: str, event: ChoiceMade) -> None:
        """A button: the core decides, and the press is answered with the first line of what
        the bot says in the chat (or, if that takes long, answered at once without words)."""
        handling = asyncio.ensure_future(self._runtime.handle(event))
        try:
            done, _ = await asyncio.wait({handling}, timeout=TOAST_WAIT_SECONDS)
        except asyncio.CancelledError:
            handling.cancel()
            raise
        said = None
        if done and not handling.cancelled() and handling.exception() is None:
            said = _first_words(handling.result(), event.chat)
        try:
            await self.outbox.answer(query_id, said)
        finally:
            await handling


def _first_words(actions: list[Action], chat: Chat) -> str | None:
    """The pop-up: the member's own acknowledgement, else the first thing said in the chat."""
    for action in actions:
        if isinstance(action, Acknowledge) and action.chat == chat:
            return toast(action.text)
    for action in actions:
        if isinstance(action, Post | Reply) and action.chat == chat:
            return toast(action.text)
    return None
