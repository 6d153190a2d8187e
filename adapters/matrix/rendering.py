"""What the bot's messages look like on Matrix: ``m.notice`` events with a plain ``body`` and an HTML
``formatted_body`` in which members' text is escaped and named members are pills, with ``m.mentions``;
replies, edits (``m.replace``) and reactions; and reading a member's text back out of a reply."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from adapters.text import with_mentions
from bot.actions import Mention
from bot.text import with_commands

HTML = "org.matrix.custom.html"


def with_bangs(text: str) -> str:
    """The bot's ``text`` with the commands it mentions written the Matrix way (``!agree 1``, not ``/agree 1``):
    Element and other clients take a line starting with ``/`` for a client command and do not send it. Only the
    bot's own mentions are marked (``bot.text.cmd``): a member's text in the message stays as they wrote it."""
    return with_commands(text, "!")


def pill(user_id: str, name: str) -> str:
    return f'<a href="https://matrix.to/#/{html.escape(user_id)}">{html.escape(name)}</a>'


def formatted(text: str, mentions: Iterable[Mention] = ()) -> str:
    """``text`` as HTML: escaped, line breaks kept, members' names made pills (``adapters.text.with_mentions``)."""
    return with_mentions(text, mentions, html.escape, lambda m, name: pill(m.user_id, name)).replace("\n", "<br>")


def notice(text: str, mentions: Iterable[Mention] = ()) -> dict[str, Any]:
    """The content of an ``m.notice``. ``m.mentions`` is always there, so that only the members the core meant
    to mention are notified (not everyone whose name happens to be in the text)."""
    mentions = tuple(mentions)
    user_ids = list(dict.fromkeys(m.user_id for m in mentions))
    return {
        "msgtype": "m.notice",
        "body": text,
        "format": HTML,
        "formatted_body": formatted(text, mentions),
        "m.mentions": {"user_ids": user_ids} if user_ids else {},
    }


def reply(text: str, to_event_id: str) -> dict[str, Any]:
    return {**notice(text), "m.relates_to": {"m.in_reply_to": {"event_id": to_event_id}}}


def in_thread(content: dict[str, Any], root: str, reply_to: str | None, latest: str) -> dict[str, Any]:
    """``content`` in the thread under ``root`` (``m.thread``). A client that knows no threads reads it as a
    reply: to ``reply_to`` (a real reply inside the thread, ``is_falling_back`` false), or else, as the spec
    asks of a thread's fallback, to ``latest`` with ``is_falling_back`` true."""
    relation = {"rel_type": "m.thread", "event_id": root, "is_falling_back": reply_to is None}
    relation["m.in_reply_to"] = {"event_id": reply_to or latest}
    return {**content, "m.relates_to": relation}


def replacement(text: str, event_id: str) -> dict[str, Any]:
    """An edit of the bot's message ``event_id``: the new content in ``m.new_content``, and a ``* ``-prefixed
    fallback for clients that do not show edits. Reactions stay on the original event."""
    new = notice(text)
    return {
        "msgtype": "m.notice",
        "body": f"* {new['body']}",
        "format": HTML,
        "formatted_body": f"* {new['formatted_body']}",
        "m.new_content": new,
        "m.mentions": {},
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }


def reaction(event_id: str, key: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


def relation(content: dict[str, Any]) -> dict[str, Any]:
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, dict) else {}


def thread_of(content: dict[str, Any]) -> str | None:
    """The root of the thread a message is in (``m.thread``), if it is in one."""
    relates = relation(content)
    root = relates.get("event_id") if relates.get("rel_type") == "m.thread" else None
    return root if isinstance(root, str) else None


def replied_to(content: dict[str, Any]) -> str | None:
    """The event a message answers (``m.in_reply_to``), if it is a reply — not a thread's fallback to its
    latest message (``is_falling_back``), which answers nothing."""
    relates = relation(content)
    if relates.get("rel_type") == "m.thread" and relates.get("is_falling_back") is not False:
        return None
    in_reply_to = relates.get("m.in_reply_to")
    event_id = in_reply_to.get("event_id") if isinstance(in_reply_to, dict) else None
    return event_id if isinstance(event_id, str) else None


def is_edit(content: dict[str, Any]) -> bool:
    return relation(content).get("rel_type") == "m.replace"


def without_reply_fallback(body: str) -> str:
    """Older clients quote the message they answer at the top of a reply (``> <@bob:hs> text`` lines, then an
    empty line); the member's own words are what follows."""
    if not body.startswith(">"):
        return body
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])
