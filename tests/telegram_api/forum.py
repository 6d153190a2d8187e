"""Forum topics: the createForumTopic, closeForumTopic, reopenForumTopic and deleteForumTopic methods, and members opening, closing, reopening and deleting topics."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import (
    _bad_request,
)
from .model import (
    TOPIC_ICON_COLORS,
    TOPIC_NAME_MAX_LENGTH,
    Chat,
    StoredMessage,
    Topic,
    User,
    _topic_of,
)
from .params import (
    _as_int,
    _int_param,
    _without_reply,
)


class Forum:
    """Part of TelegramTestServer (server.py): forum topics: the createForumTopic, closeForumTopic, reopenForumTopic and deleteForumTopic methods, and members opening, closing, reopening and deleting topics."""

    # ------------------------------------------------------------------------------------ forum topics

    def _send_topic(self, chat: Chat, params: dict[str, Any]) -> Topic | None:
        """The topic a send names with ``message_thread_id``: Telegram refuses a topic that is gone, and one that
        is closed unless the bot may manage topics there (an administrator)."""
        if params.get("message_thread_id") in (None, ""):
            return None
        thread = _as_int(params["message_thread_id"])
        topic = chat.topics.get(thread)
        if not chat.is_forum or topic is None or topic.deleted:
            raise _bad_request("message thread not found")
        if topic.closed and chat.bot_status != "administrator":
            raise _bad_request("TOPIC_CLOSED")
        return topic

    def _place_in_topic(
        self, chat: Chat, message: dict[str, Any], topic: Topic | None, target: StoredMessage | None
    ) -> None:
        """A message in a topic carries its ``message_thread_id`` and ``is_topic_message``; one that replies to
        nothing shows, as on Telegram, the topic's creation message as its ``reply_to_message``."""
        if topic is None:
            return
        message["message_thread_id"] = topic.thread_id
        message["is_topic_message"] = True
        created = chat.messages.get(topic.thread_id)
        if target is None and created is not None:
            message["reply_to_message"] = _without_reply(created.data)

    def _forum(self, params: dict[str, Any]) -> Chat:
        chat = self._find_chat(params)
        self._check_writable(chat, opening=False)
        if not chat.is_forum:
            raise _bad_request("the chat is not a forum")
        return chat

    def _open_topic(self, chat: Chat, by: User, name: str, icon_color: int) -> Topic:
        service = self._service_message(chat, by, forum_topic_created={"name": name, "icon_color": icon_color})
        topic = Topic(service["message_id"], name, icon_color, by.id)
        chat.topics[topic.thread_id] = topic
        service["message_thread_id"], service["is_topic_message"] = topic.thread_id, True
        chat.messages[topic.thread_id] = StoredMessage(copy.deepcopy(service), by.id)
        return topic

    async def _create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._forum(params)
        if chat.bot_status != "administrator":
            raise _bad_request("not enough rights to create a topic")
        name = str(params.get("name") or "")
        if not name:
            raise _bad_request("TOPIC_TITLE_EMPTY")
        if len(name) > TOPIC_NAME_MAX_LENGTH:
            raise _bad_request("TOPIC_TITLE_INVALID")
        icon_color = _int_param(params, "icon_color") or TOPIC_ICON_COLORS[0]
        if icon_color not in TOPIC_ICON_COLORS:
            raise _bad_request("TOPIC_ICON_COLOR_INVALID")
        return self._open_topic(chat, self.bot, name, icon_color).to_api()

    def _topic_setter(self, change: str) -> Callable[[dict[str, Any]], Awaitable[bool]]:
        async def setter(params: dict[str, Any]) -> bool:
            chat = self._forum(params)
            thread = _int_param(params, "message_thread_id")
            topic = chat.topics.get(thread) if thread is not None else None
            if topic is None or topic.deleted:
                raise _bad_request("message thread not found")
            if chat.bot_status != "administrator" and not (change != "delete" and topic.creator_id == self.bot.id):
                raise _bad_request("CHAT_ADMIN_REQUIRED")
            self._change_topic(chat, topic, change, self.bot, notify=False)
            return True

        return setter

    def _change_topic(self, chat: Chat, topic: Topic, change: str, by: User, *, notify: bool) -> None:
        """Close, reopen or delete a topic; closing and reopening leave a service message in it."""
        if change == "delete":
            topic.deleted = True
            for stored in chat.messages.values():
                if _topic_of(stored.data) == topic.thread_id or stored.data.get("message_id") == topic.thread_id:
                    stored.deleted = True
            self._changed()
            return
        if topic.closed == (change == "close"):
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = change == "close"
        kind = "forum_topic_closed" if topic.closed else "forum_topic_reopened"
        service = self._service_message(chat, by, **{kind: {}})
        service["message_thread_id"], service["is_topic_message"] = topic.thread_id, True
        if notify:
            self._post(chat, service, by.id)
        else:  # the bot's own doing: no update for it
            chat.messages[service["message_id"]] = StoredMessage(copy.deepcopy(service), by.id)
            self._changed()

    async def create_topic(self, chat: Chat | int, name: str, *, by: User | int | None = None) -> int:
        """A member opens a forum topic: a ``forum_topic_created`` service message in it. Returns its
        ``message_thread_id``."""
        forum = self.chat(chat)
        if not forum.is_forum:
            raise ValueError(f"{forum.title!r} is not a forum")
        actor = self._actor(forum, by)
        topic = self._open_topic(forum, actor, name, TOPIC_ICON_COLORS[0])
        self._post(forum, forum.messages[topic.thread_id].data, actor.id)
        return topic.thread_id

    async def close_topic(self, chat: Chat | int, thread: int, *, by: User | int | None = None) -> None:
        """A member closes a topic: a ``forum_topic_closed`` service message; only administrators (the bot
        too, when it is one) may write in it until it is reopened."""
        forum = self.chat(chat)
        self._change_topic(forum, forum.topics[thread], "close", self._actor(forum, by), notify=True)

    async def reopen_topic(self, chat: Chat | int, thread: int, *, by: User | int | None = None) -> None:
        forum = self.chat(chat)
        self._change_topic(forum, forum.topics[thread], "reopen", self._actor(forum, by), notify=True)

    async def delete_topic(self, chat: Chat | int, thread: int, *, by: User | int | None = None) -> None:
        """A member deletes a topic with every message in it; sending there then answers "message thread not
        found"."""
        forum = self.chat(chat)
        self._change_topic(forum, forum.topics[thread], "delete", self._actor(forum, by), notify=False)
