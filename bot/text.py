"""Text a member typed, made safe to show: it is always shown as theirs and can
never pose as one of the bot's own lines, nor hide what it says.

- Invisible characters (zero-width spaces, word joiners, fillers) and the
  direction controls that reorder text (embeddings, overrides, isolates) are
  removed; other odd spaces become plain spaces.
- A one-line field (a title, a reason, a note, a display name) has its line
  breaks folded into `` / ``, so it cannot start a line of its own.
- A block of detail lines is quoted line by line when shown.

The bot's own mentions of its commands are marked (``cmd("agree")``) so that each platform writes them its
way (``/agree`` on Telegram and the console, ``!agree`` on Matrix) while a member's text, which can never
carry the mark (it is one of the invisible characters removed above), stays exactly as they typed it.
"""

from __future__ import annotations

import re
import unicodedata

# Direction controls: embeddings, overrides, isolates and marks. They can make
# a title read backwards or hide what follows them.
_DIRECTION = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}
# Characters that show nothing (or a blank) but are not spaces.
_INVISIBLE = (
    {0x00AD, 0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x2800, 0x3164, 0xFEFF, 0xFFA0}
    | set(range(0x2060, 0x2065))
    | set(range(0xFE00, 0xFE10))  # variation selectors on their own
    | set(range(0xE0000, 0xE0080))  # tag characters
)
_DROPPED = {code: None for code in _DIRECTION | _INVISIBLE}
_LINE_BREAKS = re.compile(r"\s*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])\s*")
_SPACES = re.compile(r"[^\S\n]+")
FOLD = " / "
QUOTE = "│ "
# Marks a command the bot itself mentions: it stands before the slash (``"\u2063/agree"``), so the core's
# text reads as the console shows it, and an adapter writes the marked slash its platform's way. Invisible
# (INVISIBLE SEPARATOR), and among the characters ``visible`` removes from whatever a member types.
COMMAND = "\u2063"


def cmd(words: str) -> str:
    """The bot mentioning its command ``words`` (``"agree"``, ``"rotation add"``): ``/agree`` as the
    console and Telegram write it, ``!agree`` on Matrix."""
    return COMMAND + "/" + words


def with_commands(text: str, prefix: str = "/") -> str:
    """The bot's ``text`` with the commands it mentions written with ``prefix`` (the mark removed)."""
    return text.replace(COMMAND + "/", prefix)


def visible(text: str) -> str:
    """Without invisible and direction characters, and without other control
    characters (a tab becomes a space); line breaks are kept."""
    text = text.translate(_DROPPED).replace("\r\n", "\n")
    kept = []
    for char in text:
        if char in "\n\r" or char == "\u2028" or char == "\u2029":
            kept.append("\n")
        elif unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif unicodedata.category(char) == "Cf" and char not in "\u200c\u200d":  # joiners shape scripts and emoji
            continue
        else:
            kept.append(char)
    return "".join(kept)


def one_line(text: str) -> str:
    """A field shown on one line: line breaks folded, spaces collapsed."""
    folded = _LINE_BREAKS.sub(FOLD, visible(text).strip())
    return _SPACES.sub(" ", folded).strip()


def block(text: str) -> str:
    """Detail lines: visible, each line's spaces collapsed, no blank runs."""
    lines = [_SPACES.sub(" ", line).strip() for line in visible(text).split("\n")]
    cleaned = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", cleaned)


def quoted(text: str) -> str:
    """Detail lines as the bot shows them: each marked as the member's words."""
    return "\n".join(QUOTE + line if line else QUOTE.rstrip() for line in text.split("\n"))


def name(text: str) -> str:
    """A display name as the bot shows it: one line, visible, never empty."""
    cleaned = one_line(text)
    return cleaned[:64] if cleaned else "(no name)"
