"""The Telegram adapter: python-telegram-bot's ``ExtBot`` with its rate limiter,
our own poll loop — or, in webhook mode, our own webhook server (webhook.py) —
feeding the runtime (an update is confirmed once its unit of work committed),
and the outlet through which the runtime's sender carries the stored answers
out."""

from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

from telegram import BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import BaseRateLimiter, ExtBot

from adapters.backoff import Backoff
from adapters.config import ConfigError, TelegramConfig
from adapters.runtime import Runtime
from adapters.sender import Posted, Redirect
from adapters.telegram import limits
from adapters.telegram.inbound import ALLOWED_UPDATES, PLATFORM, Migration, read
from adapters.telegram.menu import MENU_LANGUAGES, menu
from adapters.telegram.polling import LONG_POLL_SECONDS, Poller
from adapters.telegram.sending import Sending
from adapters.telegram.webhook import WebhookServer
from bot.actions import Acknowledge, Action, Edit
from bot.events import Chat, ChatMoved, ChoiceMade
from bot.language import ENGLISH, speaking
from storage.inbox import InboxStore
from storage.send_budget import SendBudget

log = logging.getLogger(__name__)

STOP_SETTLE_SECONDS = 10.0


class TelegramAdapter:
    """``rate_limiter``: Telegram's flood limits by default, with each group paced on its own (see limits.py);
    ``shared_budget``: those limits kept for several processes together, in the database; ``inbox``: where a
    burst's updates are held so that polling goes on to other chats' (see polling.py; None: it waits)."""

    platform = PLATFORM

    def __init__(
        self,
        config: TelegramConfig,
        runtime: Runtime,
        *,
        rate_limiter: BaseRateLimiter | None = None,
        poll_timeout: int = LONG_POLL_SECONDS,
        shared_budget: SendBudget | None = None,
        inbox: InboxStore | None = None,
    ) -> None:
        self.runtime = self._runtime = runtime
        self._base_url = config.base_url
        self.bot = ExtBot(
            config.token,
            base_url=config.base_url,
            rate_limiter=rate_limiter or limits.rate_limiter(shared=shared_budget is not None),
        )
        # Telegram's limits (limits.py): each group paced on its own, then a few places on the wire; a bot
        # given other limits (tests, benchmarks) gets only the places on the wire.
        # Several processes (PostgreSQL): Telegram's limits for the bot as a whole, kept in the database.
        pacing = limits.Pacing(group_limits=rate_limiter is None, shared=shared_budget)
        self.sending = Sending(self.bot, self._moved, pacing)
        self._poller = Poller(self.bot, self._on_update, timeout=poll_timeout, inbox=inbox)
        self._config = config
        self.webhook: WebhookServer | None = None
        if config.webhook:
            path = urlsplit(config.webhook_url).path
            self.webhook = WebhookServer(self.bot, self._on_update, config.listen, config.secret_token, path)
        self._username: str | None = None
        self._commands = list(runtime.commands)  # for the menu
        self._answering: set[asyncio.Task] = set()  # pop-ups not kept in the outbox (a repeated press)

    async def start(self) -> None:
        await self._introduce()  # getMe: the bot's username, so /cmd@OtherBot is left alone
        self._username = self.bot.username
        if self.webhook is not None:
            await self._publish_menu()
            await self._poller.handle_held()  # left in the inbox by a polling run: older than anything posted
            await self.webhook.start()  # listening before Telegram is told where to post
            config = self._config
            await self.bot.set_webhook(  # never drop_pending_updates: pending updates are members' votes
                config.webhook_url,
                max_connections=config.max_connections,
                allowed_updates=list(ALLOWED_UPDATES),
                secret_token=config.secret_token,
            )
            host, _ = config.listen
            log.info(
                "telegram: webhook mode as @%s: Telegram posts to %s, this process takes them on %s:%s",
                self._username,
                config.webhook_url,
                host,
                self.webhook.port,
            )
            return
        await self.bot.delete_webhook()  # never drop_pending_updates: pending updates are members' votes
        await self._publish_menu()
        self._poller.start()
        log.info("telegram: polling as @%s", self._username)

    async def stop(self) -> None:
        """No new updates (what was committed is confirmed); the answers being sent go out, those still waiting
        out a long flood limit stay in the outbox for the next start; then close."""
        if self.webhook is not None:
            await self.webhook.stop()  # the webhook stays set: other processes take the updates meanwhile
        else:
            await self._poller.stop()
        if self._answering:
            await asyncio.wait(self._answering, timeout=STOP_SETTLE_SECONDS)
        sender = self._runtime.senders.get(PLATFORM)
        if sender is not None:
            await sender.stop(STOP_SETTLE_SECONDS)
        await self.bot.shutdown()

    async def idle(self) -> None:
        """Until every update taken in so far is handled (see ``Runtime.idle``)."""
        await self._poller.idle()

    async def _introduce(self) -> None:
        """getMe, retried while Telegram cannot be reached; a rejected token is a config error,
        said without the token."""
        backoff = Backoff(1.0, tries=6)  # 1, 2, 4, 8, 16 seconds
        for attempt in itertools.count(1):
            try:
                await self.bot.initialize()
                return
            except InvalidToken:
                raise ConfigError("[telegram] token was rejected by Telegram; check it with @BotFather") from None
            except NetworkError as error:
                delay = backoff.delay(attempt)
                if delay is None:
                    raise ConfigError(f"[telegram] cannot reach Telegram at {self._base_url}: {error}") from None
                log.warning(
                    "telegram: cannot reach %s (attempt %s: %s); trying again in %s s",
                    self._base_url,
                    attempt,
                    error,
                    delay,
                )
                await backoff.wait(attempt)

    # --- the sender's outlet ------------------------------------------------------------------------

    async def send(self, action: Action, txn_id: str = "") -> Posted | Redirect | None:
        return await self.sending.send(action)  # Telegram has no idempotent send: txn_id is of no use here

    async def edit(self, action: Edit, message_ref: str, txn_id: str = "") -> None:
        await self.sending.edit(action, message_ref)

    async def _publish_menu(self) -> None:
        """The menu in English for everyone, then in each other language for the apps set to it."""
        try:
            for language in (None, *MENU_LANGUAGES):
                with speaking(language or ENGLISH):
                    everywhere, direct = menu(self._commands), menu(self._commands, direct_only=True)
                await self.bot.set_my_commands(everywhere, language_code=language)
                await self.bot.set_my_commands(direct, scope=BotCommandScopeAllPrivateChats(), language_code=language)
        except TelegramError as error:
            log.warning("could not set the command menu: %s", error)

    # --- updates --------------------------------------------------------------------------------------

    async def _on_update(self, update: Update) -> None:
        event = read(update, self._username)
        if isinstance(event, Migration):
            self.sending.note_migration(int(event.old_chat_id), int(event.new_chat_id))
            await self._moved(event.old_chat_id, event.new_chat_id, f"migrate{update.update_id}")
        elif isinstance(event, ChoiceMade):
            result = await self._runtime.handle(event)
            if not any(isinstance(d.action, Acknowledge) for d in result.deliveries):
                self._answer_now(update.callback_query.id, None)  # a press already handled: stop its spinner
        elif event is not None:
            await self._runtime.handle(event)
        elif update.callback_query is not None:
            self._answer_now(update.callback_query.id, None)  # a button not ours: still stop its spinner

    async def _moved(self, old_chat_id: str, new_chat_id: str, ref: str | None = None) -> None:
        chat = Chat(PLATFORM, old_chat_id)
        ref = ref or f"migrated-to-{new_chat_id}"
        await self._runtime.handle(ChatMoved(chat, new_chat_id, ref, datetime.now(UTC)))

    def _answer_now(self, query_id: str, text: str | None) -> None:
        task = asyncio.create_task(self.sending.answer(query_id, text))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)
