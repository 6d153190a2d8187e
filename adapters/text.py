"""Cutting a long message into pieces a chat platform accepts: at line ends
where possible, else at a space, else anywhere, counting UTF-16 units (how
Telegram counts, and a safe measure of an event's size on Matrix)."""

from __future__ import annotations

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
