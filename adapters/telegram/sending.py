"""Carrying the core's actions out on Telegram: the outlet the runtime's sender delivers the outbox through.

Every request goes through the bot's rate limiter (PTB's ``AIORateLimiter``),
which waits out a 429 and retries; should a 429 still come through, it is
waited out here too, as often as it takes — a message is never dropped for
flood control. A group that became a supergroup is followed to its new id
(and the core told, by a ``ChatMoved`` event), a direct message that Telegram
refuses falls back to a mention in the collective's group, an edit that
changes nothing is fine, and a press's confirmation is its pop-up. What the adapter adds to the core's text
(the note on a post moved out of its topic, the hint under a direct message turned mention) is in the
language of the action (``adapters.text.language_of``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot

from adapters.backoff import Backoff
from adapters.sender import Posted, Redirect
from adapters.telegram.limits import Pacing
from adapters.telegram.rendering import keyboard, split_text, to_html, toast
from adapters.text import language_of, written
from bot.actions import Acknowledge, Action, Ask, Choice, DirectMessage, Edit, Mention, Post, Reply
from bot.language import _, speaking

log = logging.getLogger(__name__)
T = TypeVar("T")

NETWORK_RETRIES = 3
_NETWORK_BACKOFF = Backoff(1.0, tries=NETWORK_RETRIES + 1)  # 1, 2, 4 seconds
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type of retry_after will change
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


Moved = Callable[[str, str], Awaitable[None]]  # (old chat id, new chat id): tell the core


class Sending:
    def __init__(self, bot: ExtBot, moved: Moved, pacing: Pacing | None = None) -> None:
        self._bot = bot
        self._tell_moved = moved
        self._pacing = pacing or Pacing()
        self._moved: dict[int, int] = {}  # group id → supergroup id, learnt from Telegram's answers

    def note_migration(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: messages still addressed to the old id go to the new one."""
        self._moved[old_chat_id] = new_chat_id

    # --- the sender's outlet ----------------------------------------------------------------------

    async def send(self, action: Action) -> Posted | Redirect | None:
        action = written(action)
        if isinstance(action, Acknowledge):
            if action.to_ref.startswith("cb"):  # the press's callback query (see inbound.py)
                await self.answer(action.to_ref[2:], toast(action.text) if action.text else None)
            return None
        if isinstance(action, DirectMessage):
            return await self._direct(action)
        chat_id = int(action.chat.chat_id)
        thread = _thread_id(action)
        try:
            message = await self._say(action, chat_id, thread)
        except BadRequest as error:
            if thread is None or not _thread_gone(error):
                raise
            # The topic was closed or deleted meanwhile: the main chat, saying why, so that nothing is lost.
            log.info("topic %s of chat %s is closed or gone (%s): posting in the main chat", thread, chat_id, error)
            with speaking(language_of(action)):
                note = _("(Posted here in the main chat: the topic it belongs in is closed or was deleted.)")
            message = await self._say(action, chat_id, None, note=note)
        if message is None:
            return None
        # The group may have moved while we sent: an ask is remembered where it now is.
        moved = str(message.chat.id) if message.chat.id != chat_id else None
        return Posted(str(message.message_id), moved)

    async def _say(self, action: Action, chat_id: int, thread: int | None, note: str = "") -> Message | None:
        text = f"{action.text}\n\n{note}" if note else action.text
        if isinstance(action, Ask):
            return await self._post(chat_id, text, thread=thread, markup=_buttons(action.key, action.choices))
        if isinstance(action, Reply):
            # Out of its topic, the member's message is not there to answer: a plain message, with the note.
            return await self._post(chat_id, text, thread=thread, reply_to=None if note else action.to_ref)
        if isinstance(action, Post):
            return await self._post(chat_id, text, thread=thread, mentions=action.mentions)
        raise TypeError(f"not an action the Telegram adapter sends: {action!r}")

    async def edit(self, action: Edit, message_ref: str) -> None:
        """Replace the text of an ask; its keyboard is sent again, or Telegram would remove it.
        A long ask was sent in pieces with the keyboard on the last: the last piece is what changes."""
        action = written(action)
        pieces = split_text(action.text)
        if not pieces:
            return
        chat_id = int(action.chat.chat_id)

        async def edit_text(target: int) -> Message | bool:
            return await self._bot.edit_message_text(
                to_html(pieces[-1]),
                chat_id=target,
                message_id=int(message_ref),
                parse_mode=ParseMode.HTML,
                reply_markup=_buttons(action.key, action.choices),
                link_preview_options=_NO_PREVIEW,
            )

        try:
            # A message stays in the chat it was sent to: an edit never follows a group to its supergroup.
            await self._request(edit_text, chat_id, follow_migration=False)
        except BadRequest as error:
            if "message to edit not found" in error.message.lower():
                # Deleted (by a member, or with its forum topic): no tally to show there, and no retry will
                # bring it back; the outcome is posted all the same.
                log.info("ask %r in chat %s is gone (%s): not edited", action.key, chat_id, error.message)
            elif "not modified" not in error.message.lower():
                raise

    async def answer(self, query_id: str, text: str | None) -> None:
        """Stop a pressed button's spinner, with a short pop-up when there is something to say."""
        try:
            await self._bot.answer_callback_query(query_id, text=text or None)
        except BadRequest as error:  # e.g. a redelivered press whose query expired
            log.info("could not answer callback query %s: %s", query_id, error.message)

    # --- messages ---------------------------------------------------------------

    async def _post(
        self,
        chat_id: int,
        text: str,
        *,
        thread: int | None = None,
        reply_to: str | None = None,
        mentions: tuple[Mention, ...] = (),
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """``text`` in as many messages as its length needs; the first answers ``reply_to``,
        the last carries ``markup``. Returns the last message sent."""
        pieces = split_text(text)
        message = None
        for index, piece in enumerate(pieces):
            message = await self._request(
                functools.partial(
                    self._send_piece,
                    html=to_html(piece, mentions),
                    thread=thread,
                    # A message id means nothing in another chat: only the first piece, and only
                    # where the member's message is (not after a migration), is a reply.
                    reply_to=(chat_id, int(reply_to)) if index == 0 and reply_to and reply_to.isdigit() else None,
                    markup=markup if index == len(pieces) - 1 else None,
                ),
                chat_id,
            )
        return message

    async def _send_piece(
        self,
        target: int,
        *,
        html: str,
        thread: int | None,
        reply_to: tuple[int, int] | None,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        replying = reply_to is not None and reply_to[0] == target
        return await self._bot.send_message(
            target,
            html,
            message_thread_id=thread,
            parse_mode=ParseMode.HTML,
            reply_parameters=ReplyParameters(reply_to[1], allow_sending_without_reply=True) if replying else None,
            reply_markup=markup,
            link_preview_options=_NO_PREVIEW,
        )

    async def _direct(self, action: DirectMessage) -> Posted | Redirect | None:
        """To the member's private chat; Telegram forbids a bot to write first, so where the
        member never started a chat with it, a mention in the collective's group instead (which
        the sender puts in the group's queue, in its place among the group's messages)."""
        try:
            message = await self._post(int(action.user_id), action.text)
        except (Forbidden, BadRequest) as error:
            if isinstance(error, BadRequest) and "chat not found" not in error.message.lower():
                raise
            if action.fallback is None:
                log.info("could not write to %s privately and there is no group to mention them in", action.user_id)
                return None
            with speaking(language_of(action)):
                # Translators: how a member is named in the group when the bot does not know their name.
                name = action.name or _("member")
                # Translators: {bot} is the bot's Telegram username; Start is the button Telegram shows in a new
                # chat with a bot (use the word Telegram's app shows in this language).
                hint = _(
                    "(To get messages like this privately, open a chat with me, @{bot}, and press Start.)",
                    bot=self._bot.username,
                )
            text = f"{name}: {action.text}\n{hint}"
            return Redirect(Post(action.fallback, text, (Mention(action.user_id, name),), language=action.language))
        return Posted(str(message.message_id)) if message is not None else None

    # --- one request, with Telegram's answers handled ------------------------------

    async def _request(
        self, call: Callable[[int], Awaitable[T]], chat_id: int, *, follow_migration: bool = True
    ) -> T | None:
        network_failures = 0
        while True:
            target = self._moved.get(chat_id, chat_id) if follow_migration else chat_id
            try:
                async with self._pacing.request(target):
                    return await call(target)
            except RetryAfter as error:
                # The rate limiter retried and gave up: wait again, as long as Telegram says, and retry.
                seconds = retry_seconds(error)
                log.warning("flood control in chat %s: retrying in %.1f s", target, seconds)
                await asyncio.sleep(seconds + 0.1)
            except ChatMigrated as error:
                self._moved[chat_id] = error.new_chat_id
                await self._tell_moved(str(target), str(error.new_chat_id))
                log.info("group %s is now supergroup %s", target, error.new_chat_id)
                if not follow_migration:
                    return None
            except BadRequest:
                raise
            except NetworkError:
                network_failures += 1
                if not await _NETWORK_BACKOFF.wait(network_failures):
                    raise


def _thread_id(action: Action) -> int | None:
    """The forum topic an action goes to, if any (a topic's id is its first message's id: a number)."""
    thread = action.chat.thread
    return int(thread) if thread is not None and thread.isdigit() else None


def _thread_gone(error: BadRequest) -> bool:
    message = error.message.lower()
    return "topic_closed" in message or "topic_deleted" in message or "thread not found" in message


def _buttons(key: str, choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """The ask's keyboard; without one if its button data would not fit (the text names the commands)."""
    try:
        return keyboard(key, choices)
    except ValueError:
        log.exception("ask %r sent without buttons", key)
        return None
