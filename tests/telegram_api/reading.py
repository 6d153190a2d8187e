"""Reading what the bot did: its messages and edits, requests, transcripts, and waiting for them."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from .model import (
    BotMessage,
    Chat,
    RequestRecord,
    StoredMessage,
)
from .params import (
    _chat_id,
    _in_chat,
)


class Reading:
    """Part of TelegramTestServer (server.py): reading what the bot did: its messages and edits, requests, transcripts, and waiting for them."""

    def _record(
        self,
        kind: str,
        method: str,
        chat: Chat,
        message: dict[str, Any] | None,
        raw_text: str | None,
        params: dict[str, Any],
        markup: dict[str, Any] | None,
        target: StoredMessage | None,
        message_id: int | None = None,
    ) -> None:
        self.events.append(
            BotMessage(
                kind=kind,
                method=method,
                chat_id=chat.id,
                message_id=message["message_id"] if message else message_id or 0,
                text=message.get("text") if message else None,
                entities=list(message.get("entities", [])) if message else [],
                raw_text=raw_text,
                parse_mode=params.get("parse_mode") or None,
                reply_markup=markup,
                reply_to_message_id=target.data["message_id"] if target else None,
                message=copy.deepcopy(message) if message else None,
                params=dict(params),
                at=time.monotonic(),
            )
        )
        self._changed()

    # ------------------------------------------------------------------------------------ reading

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed (and re-deliveries not yet taken)."""
        return [copy.deepcopy(u) for u in self._pending] + [copy.deepcopy(f.update) for f in self._forced]

    @property
    def polling(self) -> bool:
        """Whether a getUpdates is waiting now (the bot is up and long-polling)."""
        return bool(self._polls)

    def bot_messages(self, chat: Chat | int | None = None) -> list[BotMessage]:
        """Every message the bot sent (in ``chat``, or anywhere), oldest first."""
        return self._events("send", chat)

    def bot_edits(self, chat: Chat | int | None = None) -> list[BotMessage]:
        """Every edit the bot made (text or keyboard), oldest first."""
        return [e for e in self.events if e.kind in ("edit", "edit_markup") and _in_chat(e, chat)]

    def _events(self, kind: str, chat: Chat | int | None) -> list[BotMessage]:
        return [e for e in self.events if e.kind == kind and _in_chat(e, chat)]

    def message(self, chat: Chat | int, message_id: int) -> dict[str, Any]:
        """A message as it is now (after edits), as Telegram would show it."""
        return copy.deepcopy(self.chat(chat).messages[message_id].data)

    def transcript(self, chat: Chat | int) -> list[dict[str, Any]]:
        """Every message in the chat, members' and the bot's, as they are now, in order."""
        messages = self.chat(chat).messages
        return [copy.deepcopy(messages[i].data) for i in sorted(messages) if not messages[i].deleted]

    def requests_of(self, method: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    async def wait_for_bot_message(
        self,
        chat: Chat | int | None = None,
        predicate: Callable[[BotMessage], bool] | str | None = None,
        timeout: float = 5.0,
    ) -> BotMessage:
        """The oldest message the bot sent (in ``chat``) that matches and no earlier wait returned.

        ``predicate`` is a function of a BotMessage, or a string the text must contain.
        """
        return await self._wait_for_event(("send",), chat, predicate, timeout)

    async def wait_for_bot_edit(
        self,
        chat: Chat | int | None = None,
        predicate: Callable[[BotMessage], bool] | str | None = None,
        timeout: float = 5.0,
    ) -> BotMessage:
        """Like wait_for_bot_message, for edits (editMessageText and editMessageReplyMarkup)."""
        return await self._wait_for_event(("edit", "edit_markup"), chat, predicate, timeout)

    async def _wait_for_event(
        self,
        kinds: tuple[str, ...],
        chat: Chat | int | None,
        predicate: Callable[[BotMessage], bool] | str | None,
        timeout: float,
    ) -> BotMessage:
        chat_id = None if chat is None else _chat_id(chat)
        consumed = self._consumed.setdefault((kinds[0], chat_id), set())
        if isinstance(predicate, str):
            needle = predicate
            predicate = lambda event: needle in (event.text or "")  # noqa: E731
        test = predicate or (lambda event: True)

        def find() -> BotMessage | None:
            for index, event in enumerate(self.events):
                if index in consumed or event.kind not in kinds or not _in_chat(event, chat_id):
                    continue
                if test(event):
                    consumed.add(index)
                    return event
            return None

        def what() -> str:
            sent = [(e.kind, e.chat_id, e.text) for e in self.events if _in_chat(e, chat_id)][-10:]
            failed = [(r.method, r.chat_id, r.description) for r in self.requests if r.ok is False][-5:]
            return f"a bot {'/'.join(kinds)} in chat {chat_id}; recent: {sent}; failed requests: {failed}"

        return await self._wait_for(find, timeout, what)

    async def wait_for_request(
        self,
        method: str,
        predicate: Callable[[RequestRecord], bool] | None = None,
        timeout: float = 5.0,
        *,
        since: int = 0,
        finished: bool = True,
    ) -> RequestRecord:
        """The first request of ``method`` (from index ``since`` of ``requests``) matching ``predicate``."""

        def find() -> RequestRecord | None:
            for record in self.requests[since:]:
                if record.method.lower() != method.lower() or (finished and record.finished_at is None):
                    continue
                if predicate is None or predicate(record):
                    return record
            return None

        return await self._wait_for(find, timeout, lambda: f"a {method} request")

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The bot's answerCallbackQuery for a pressed button."""
        return await self._wait_for(
            lambda: self.callback_answers.get(query_id), timeout, lambda: f"an answer to callback query {query_id}"
        )

    async def wait_until_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Until the bot confirmed the update (a getUpdates with offset > update_id, or a webhook's 2xx)."""
        await self._wait_for(
            lambda: True if self.confirmed_below > update_id or update_id in self.webhook_confirmed else None,
            timeout,
            lambda: f"confirmation of update {update_id} (confirmed below {self.confirmed_below})",
        )

    async def wait_for_polling(self, timeout: float = 10.0) -> None:
        """Until a getUpdates long-poll is waiting: the bot is up and has taken everything pending."""
        await self._wait_for(lambda: True if self._polls else None, timeout, lambda: "the bot to long-poll")

    # ------------------------------------------------------------------------------------ webhook and limits

    async def wait_for_webhook(self, url: str | None = None, timeout: float = 10.0) -> None:
        """Until a webhook is set (to ``url`` when given)."""
        await self._wait_for(
            lambda: True if self.webhook_url and url in (None, self.webhook_url) else None,
            timeout,
            lambda: f"a webhook at {url or 'any URL'} (now: {self.webhook_url!r})",
        )

    async def wait_until_all_confirmed(self, timeout: float = 10.0) -> None:
        """Until no update waits to be confirmed (by getUpdates' offset, or a webhook's 2xx answer)."""
        await self._wait_for(
            lambda: True if not self._pending and not self._forced else None,
            timeout,
            lambda: f"every update confirmed ({len(self._pending)} pending)",
        )
