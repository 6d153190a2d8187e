"""The world the test plays: users and groups, members writing, replying, editing, pressing buttons, joining and leaving, blocking the bot, groups upgraded, updates redelivered."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .formatting import detect_entities
from .model import (
    BotMessage,
    Chat,
    Delivery,
    StoredMessage,
    User,
    _topic_of,
)
from .params import (
    _chat_id,
    _chat_instance,
    _message_chat_id,
    _message_id,
    _set_or_drop,
    _user_id,
    _without_reply,
)
from .updates import _Forced


class World:
    """Part of TelegramTestServer (server.py): the world the test plays: users and groups, members writing, replying, editing, pressing buttons, joining and leaving, blocking the bot, groups upgraded, updates redelivered."""

    # ------------------------------------------------------------------------------------ the world

    def add_user(
        self,
        first_name: str = "Alice",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
    ) -> User:
        """A Telegram user. Their private chat with the bot exists but is closed until they write to it."""
        user = User(user_id or next(self._user_ids), first_name, last_name, username, language_code)
        self.users[user.id] = user
        self.chats[user.id] = Chat(user.id, "private", user=user)
        return user

    def add_group(
        self,
        title: str = "Collective",
        *,
        members: Iterable[User | int] = (),
        supergroup: bool = False,
        username: str | None = None,
        chat_id: int | None = None,
        bot_is_admin: bool = False,
        bot_is_member: bool = True,
        forum: bool = False,
    ) -> Chat:
        """A group (or supergroup) with these members; the bot is already in it unless bot_is_member=False.
        ``forum=True``: a supergroup with topics enabled (``is_forum``), its "General" topic the main chat."""
        supergroup = supergroup or forum
        if chat_id is None:
            chat_id = -next(self._supergroup_ids) if supergroup else -next(self._group_ids)
        member_ids = [_user_id(m) for m in members]
        chat = Chat(
            chat_id,
            "supergroup" if supergroup else "group",
            title=title,
            username=username,
            members=set(member_ids),
            creator_id=member_ids[0] if member_ids else None,
            bot_status=("administrator" if bot_is_admin else "member") if bot_is_member else "left",
            is_forum=forum,
        )
        self.chats[chat_id] = chat
        return chat

    def chat(self, chat: Chat | int) -> Chat:
        return self.chats[_chat_id(chat)]

    def _visible_to_bot(self, chat: Chat, message: dict[str, Any]) -> bool:
        """Privacy mode: in groups the bot sees commands, replies to it, mentions of it and service messages."""
        if chat.type == "private":
            return not chat.blocked
        if chat.bot_status not in ("member", "administrator"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator" or "text" not in message:
            return True
        text = message["text"]
        if text.startswith("/"):
            first = text.split(maxsplit=1)[0]
            addressee = first.split("@", 1)[1] if "@" in first else None
            return addressee is None or addressee.lower() == (self.bot.username or "").lower()
        replied = message.get("reply_to_message")
        if replied and replied.get("from", {}).get("id") == self.bot.id:
            return True
        return f"@{self.bot.username}".lower() in text.lower()

    def _writable_by(self, user: User, chat: Chat) -> None:
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was upgraded to {chat.migrated_to}")
        if chat.is_group and user.id not in chat.members:
            raise ValueError(f"{user.first_name} is not a member of {chat.title!r}")
        if chat.type == "private" and chat.id != user.id:
            raise ValueError("a private chat belongs to one user")

    def _post(self, chat: Chat, message: dict[str, Any], sender_id: int, deliver_twice: bool = False) -> int | None:
        chat.messages[message["message_id"]] = StoredMessage(copy.deepcopy(message), sender_id, message.get("text"))
        self._changed()
        if not self._visible_to_bot(chat, message):
            return None
        update_id = self._enqueue("message", copy.deepcopy(message))
        if update_id is not None and deliver_twice:
            self._redeliver_after_confirm.add(update_id)
        return update_id

    async def user_sends(
        self,
        user: User | int,
        chat: Chat | int,
        text: str,
        *,
        reply_to: BotMessage | Delivery | dict[str, Any] | int | None = None,
        entities: list[dict[str, Any]] | None = None,
        plain: bool = False,
        deliver_twice: bool = False,
        topic: int | None = None,
    ) -> Delivery:
        """A user writes ``text`` in a chat (a group, or their private chat: ``chat=user``); ``topic``: in that
        forum topic (a reply is in its message's topic anyway).

        Entities are found as a Telegram client does (``/cmd``, ``/cmd@bot``, ``@mention``, URLs) unless
        ``entities`` is given, or ``plain=True`` sends the text with none at all. ``reply_to`` makes it a
        reply. ``deliver_twice`` re-delivers the update once more after the bot confirmed it.
        """
        sender = self.users[_user_id(user)]
        target_chat = self.chat(chat)
        self._writable_by(sender, target_chat)
        message: dict[str, Any] = {
            "message_id": target_chat.take_message_id(),
            "from": sender.to_api(),
            "chat": target_chat.to_api(),
            "date": self._now(),
            "text": text,
        }
        if entities is None and not plain:
            entities = [e.to_api() for e in detect_entities(text)]
        if entities:
            message["entities"] = entities
        replied = None
        if reply_to is not None:
            replied = target_chat.messages.get(_message_id(reply_to))
            if replied is None or replied.deleted:
                raise ValueError(f"no message {_message_id(reply_to)} in chat {target_chat.id} to reply to")
            topic = topic or _topic_of(replied.data)
        if topic is not None:
            found = target_chat.topics.get(topic)
            if found is None or found.deleted:
                raise ValueError(f"no topic {topic} in chat {target_chat.id}")
            if found.closed:
                raise ValueError(f"topic {found.name!r} is closed")
            self._place_in_topic(target_chat, message, found, replied)
        if replied is not None:
            message["reply_to_message"] = _without_reply(replied.data)
        if target_chat.type == "private":
            target_chat.opened = True
            target_chat.blocked = False
        update_id = self._post(target_chat, message, sender.id, deliver_twice)
        return Delivery(update_id, message=message)

    async def user_sends_private(self, user: User | int, text: str, **options: Any) -> Delivery:
        """A user writes to the bot privately, which opens the private chat (as /start does)."""
        return await self.user_sends(user, _user_id(user), text, **options)

    async def user_replies(
        self, user: User | int, to: BotMessage | Delivery | dict[str, Any], text: str, **options: Any
    ) -> Delivery:
        """A user replies to a message (usually the bot's), in the chat of that message."""
        return await self.user_sends(user, _message_chat_id(to), text, reply_to=to, **options)

    async def user_edits(self, user: User | int, message: Delivery | dict[str, Any], new_text: str) -> Delivery:
        """A user edits their message: an ``edited_message`` update."""
        chat = self.chat(_message_chat_id(message))
        stored = chat.messages[_message_id(message)]
        if stored.sender_id != _user_id(user):
            raise ValueError("a user can edit only their own messages")
        stored.data["text"] = new_text
        _set_or_drop(stored.data, "entities", [e.to_api() for e in detect_entities(new_text)] or None)
        stored.data["edit_date"] = self._now()
        edited = copy.deepcopy(stored.data)
        update_id = self._enqueue("edited_message", edited) if self._visible_to_bot(chat, edited) else None
        return Delivery(update_id, message=edited)

    async def user_presses_button(
        self,
        user: User | int,
        message: BotMessage | Delivery | dict[str, Any] | tuple[int, int],
        *,
        data: str | None = None,
        text: str | None = None,
        deliver_twice: bool = False,
    ) -> Delivery:
        """A user presses an inline button (chosen by callback_data or by its text) on a bot message.

        Only a button the message shows *now* can be pressed: a keyboard removed by an edit is gone.
        """
        presser = self.users[_user_id(user)]
        chat = self.chat(_message_chat_id(message))
        stored = chat.messages.get(_message_id(message))
        if stored is None or stored.deleted:
            raise LookupError(f"no message {_message_id(message)} in chat {chat.id}")
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was upgraded to {chat.migrated_to}")
        rows = (stored.data.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row]
        for button in buttons:
            if (data is None or button.get("callback_data") == data) and (text is None or button.get("text") == text):
                break
        else:
            shown = [(b.get("text"), b.get("callback_data")) for b in buttons]
            raise LookupError(f"message {stored.data['message_id']} has no button data={data!r} text={text!r}: {shown}")
        if "callback_data" not in button:
            raise ValueError(f"button {button.get('text')!r} is not a callback button")
        query = {
            "id": str(self.bot.id * 1_000_000_007 + next(self._callback_ids)),
            "from": presser.to_api(),
            "message": copy.deepcopy(stored.data),
            "chat_instance": _chat_instance(self.bot.id, chat.id),
            "data": button["callback_data"],
        }
        self.callback_queries[query["id"]] = query
        update_id = None
        if chat.type != "private" or not chat.blocked:
            update_id = self._enqueue("callback_query", copy.deepcopy(query))
            if update_id is not None and deliver_twice:
                self._redeliver_after_confirm.add(update_id)
        return Delivery(update_id, callback_query=query)

    def _member_update(self, chat: Chat, by: User, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        return {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": self._now(),
            "old_chat_member": old,
            "new_chat_member": new,
        }

    def _service_message(self, chat: Chat, by: User, **fields: Any) -> dict[str, Any]:
        return {
            "message_id": chat.take_message_id(),
            "from": by.to_api(),
            "chat": chat.to_api(),
            "date": self._now(),
            **fields,
        }

    def _actor(self, chat: Chat, by: User | int | None) -> User:
        if by is not None:
            return self.users[_user_id(by)]
        for candidate in [chat.creator_id, *sorted(chat.members)]:
            if candidate is not None and candidate in self.users:
                return self.users[candidate]
        raise ValueError("name the user who does this (by=...)")

    async def user_joins(self, user: User | int, chat: Chat | int) -> Delivery:
        """A user joins a group: a ``new_chat_members`` service message."""
        group = self.chat(chat)
        member = self.users[_user_id(user)]
        group.members.add(member.id)
        message = self._service_message(group, member, new_chat_members=[member.to_api()])
        return Delivery(self._post(group, message, member.id), message=message)

    async def user_leaves(self, user: User | int, chat: Chat | int) -> Delivery:
        """A user leaves a group: a ``left_chat_member`` service message."""
        group = self.chat(chat)
        member = self.users[_user_id(user)]
        group.members.discard(member.id)
        message = self._service_message(group, member, left_chat_member=member.to_api())
        return Delivery(self._post(group, message, member.id), message=message)

    async def add_bot_to_group(self, chat: Chat | int, *, by: User | int | None = None) -> Delivery:
        """Someone adds the bot to a group: a ``my_chat_member`` update, then a ``new_chat_members`` message."""
        group = self.chat(chat)
        actor = self._actor(group, by)
        old = self._member(group, self.bot.id)
        group.bot_status = "member"
        self._enqueue("my_chat_member", self._member_update(group, actor, old, self._member(group, self.bot.id)))
        message = self._service_message(group, actor, new_chat_members=[self.bot.to_api()])
        return Delivery(self._post(group, message, actor.id), message=message)

    async def remove_bot_from_group(self, chat: Chat | int, *, by: User | int | None = None) -> Delivery:
        """Someone removes the bot: a ``my_chat_member`` update; sending there then answers 403."""
        group = self.chat(chat)
        actor = self._actor(group, by)
        old = self._member(group, self.bot.id)
        group.bot_status = "kicked"
        update = self._member_update(group, actor, old, self._member(group, self.bot.id))
        return Delivery(self._enqueue("my_chat_member", update))

    async def user_blocks_bot(self, user: User | int) -> Delivery:
        """The user blocks the bot: a ``my_chat_member`` update; sending to them then answers 403."""
        chat = self.chat(_user_id(user))
        old = self._member(chat, self.bot.id)
        chat.blocked = True
        update = self._member_update(chat, self.users[chat.id], old, self._member(chat, self.bot.id))
        return Delivery(self._enqueue("my_chat_member", update))

    async def user_unblocks_bot(self, user: User | int) -> Delivery:
        chat = self.chat(_user_id(user))
        old = self._member(chat, self.bot.id)
        chat.blocked = False
        update = self._member_update(chat, self.users[chat.id], old, self._member(chat, self.bot.id))
        return Delivery(self._enqueue("my_chat_member", update))

    async def upgrade_to_supergroup(
        self, chat: Chat | int, *, by: User | int | None = None, new_chat_id: int | None = None
    ) -> Chat:
        """A group becomes a supergroup with a new id: ``migrate_to_chat_id`` in the old group, then
        ``migrate_from_chat_id`` in the new one; the old id then answers 400 with ``migrate_to_chat_id``."""
        old = self.chat(chat)
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError("only a basic group can be upgraded, once")
        actor = self._actor(old, by)
        new = Chat(
            new_chat_id or -next(self._supergroup_ids),
            "supergroup",
            title=old.title,
            members=set(old.members),
            creator_id=old.creator_id,
            bot_status=old.bot_status,
            migrated_from=old.id,
        )
        self.chats[new.id] = new
        self._post(old, self._service_message(old, actor, migrate_to_chat_id=new.id), actor.id)
        old.migrated_to = new.id
        self._post(new, self._service_message(new, actor, migrate_from_chat_id=old.id), actor.id)
        return new

    async def redeliver(self, update_id: int) -> None:
        """Deliver an update again, with the same update_id, to the next getUpdates — confirmed or not."""
        for update in self.updates:
            if update["update_id"] == update_id:
                self._forced.append(_Forced(copy.deepcopy(update)))
                for poll in self._polls:
                    poll.wake.set()
                self._changed()
                return
        raise LookupError(f"no update {update_id}")
