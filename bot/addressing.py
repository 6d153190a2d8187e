"""Where the bot's messages go in a collective's chats: an item's messages to the
topic or thread it was raised in, collective-wide announcements to ``announce_in``
(a topic or thread chosen with ``/announce here``) or else the main chat.

A place is kept as text: ``main``, or ``PLATFORM CHAT_ID THREAD`` (ids on every
platform are free of spaces)."""

from __future__ import annotations

from bot.events import Chat
from bot.language import _
from bot.model import Item

MAIN = "main"


def place_of(chat: Chat) -> str:
    """How ``announce_in`` names the topic or thread ``chat`` is in."""
    if chat.is_direct or chat.thread is None:
        return MAIN
    return f"{chat.platform} {chat.chat_id} {chat.thread}"


def _thread_in(place: str, platform: str, chat_id: str) -> str | None:
    parts = place.split(" ")
    if len(parts) == 3 and parts[0] == platform and parts[1] == chat_id:
        return parts[2]
    return None  # the main chat, or a topic of another chat (a linked one, or this one under an old id)


def shown_place(place: str) -> str:
    """``announce_in`` as a member reads it: a place named inside a sentence (``announce in {place}``)."""
    parts = place.split(" ")
    if len(parts) != 3:
        # Translators: where announcements go, named inside a sentence about the setting announce_in.
        return _("the main chat")
    # Translators: where announcements go, named inside a sentence; {platform} is Telegram or Matrix.
    return _("a topic or thread (id {thread}) of a {platform} chat", thread=parts[2], platform=parts[0].capitalize())


def destinations(chats: list[tuple[str, str]], announce_in: str, item: Item | None = None) -> list[Chat]:
    """The chats (with the topic or thread in each) an announcement goes to: about ``item``, where it was
    raised; collective-wide, or in a chat the item was not raised in, where ``announce_in`` says.

    A private need was sent by direct message and has no thread: its messages go where collective-wide
    ones do, never beside its requester's own earlier message."""
    raised = None
    if item is not None and item.raised_chat is not None and not item.data.get("private"):
        raised = (item.raised_platform, item.raised_chat, item.raised_thread)
    found = []
    for platform, chat_id in chats:
        at_home = raised is not None and raised[:2] == (platform, chat_id)
        thread = raised[2] if at_home else _thread_in(announce_in, platform, chat_id)
        found.append(Chat(platform, chat_id, thread=thread))
    return found
