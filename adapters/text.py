"""Text as every platform shows it: a long message cut into pieces a chat platform accepts (at line ends where
possible, else at a space, else anywhere, counting UTF-16 units: how Telegram counts, and a safe measure of an
event's size on Matrix); members' names in it made mentions, the same way on every platform; the commands
the bot mentions written with the platform's prefix; and the language of what an adapter adds to the core's
text (a note, a hint)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.actions import Action, Mention
from bot.language import ENGLISH
from bot.text import with_commands

A = TypeVar("A", bound=Action)

PIECE = 4096  # UTF-16 units: Telegram's message limit


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = PIECE) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at line ends where
    possible, else at a space, else anywhere. Blank pieces are left out
    (platforms refuse an empty message)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        length = utf16_len(line)
        if current and size + 1 + length <= limit:
            current.append(line)
            size += 1 + length
            continue
        if current:
            pieces.append("\n".join(current))
        while length > limit:
            head, line = _cut(line, limit)
            pieces.append(head)
            length = utf16_len(line)
        current, size = [line], length
    pieces.append("\n".join(current))
    return [piece for piece in pieces if piece.strip()]


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest start of ``line`` within ``limit``, ending at a space if
    there is one in it; and the rest."""
    end = 0
    size = 0
    for index, char in enumerate(line):
        size += utf16_len(char)
        if size > limit:
            break
        end = index + 1
    space = line.rfind(" ", 0, end)
    if space > 0:
        return line[:space], line[space + 1 :]
    return line[:end], line[end:]


def names(name: str, text: str) -> bool:
    """Whether ``text`` has ``name`` as a whole word (as ``with_mentions`` finds names)."""
    return bool(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def with_mentions(
    text: str, mentions: Iterable[Mention], escape: Callable[[str], str], link: Callable[[Mention, str], str]
) -> str:
    """``text`` in a platform's markup: the first time each mentioned member's name appears as a whole word it
    becomes ``link(mention, name)`` (a longer name first: "Ann Lee" before "Ann"); a name said again in the same
    message stays text, as a person writing would link it once. Everything else is ``escape``d piece by piece,
    so a name can never land inside an escape such as ``&amp;``."""
    wanted = {mention.name: mention for mention in mentions if mention.name}
    if not wanted:
        return escape(text)
    names = "|".join(re.escape(name) for name in sorted(wanted, key=len, reverse=True))
    pieces: list[str] = []
    position = 0
    for match in re.finditer(rf"(?<!\w)(?:{names})(?!\w)", text):
        mention = wanted.pop(match[0], None)
        if mention is None:
            continue  # said before: linked there
        pieces += [escape(text[position : match.start()]), link(mention, match[0])]
        position = match.end()
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def written(action: A, prefix: str = "/") -> A:
    """``action`` with the commands the bot mentions in its text (``bot.text.cmd``) written with ``prefix``:
    ``/agree`` on Telegram and the console, ``!agree`` on Matrix. Only the bot's own mentions are marked, so
    a member's text in the message (a title, a reason, a name) stays exactly as they typed it."""
    return dataclasses.replace(action, text=with_commands(action.text, prefix))


def language_of(action: Action) -> str:
    """The language of the collective whose answer ``action`` is: what an adapter adds to it (a direct message
    turned into a mention in the group, a note on a post moved out of its topic) is written in it, inside
    ``bot.language.speaking(language_of(action))``. The core's text is already in it; an action that does not
    say which language it is in (one without a ``language``) is taken as English."""
    return getattr(action, "language", None) or ENGLISH
