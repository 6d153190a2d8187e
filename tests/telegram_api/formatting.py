"""Text formatting as the Bot API applies it to a message the bot sends.

Telegram parses ``parse_mode`` text in the Bot API server (tdlib) before the message is sent, and answers
a malformed text with ``400 Bad Request: can't parse entities: <reason>``. The parsers here follow that
behaviour — the accepted tags, which characters are reserved, the error texts and their *byte* offsets
into the UTF-8 text — because a bot that puts members' words into formatted text must escape them, and a
test server that accepted anything would hide a missing escape.

Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class EntityParseError(ValueError):
    """The text could not be parsed in its parse_mode; ``str(error)`` is tdlib's reason."""


# tdlib orders entities by offset, then longer first, then by a per-type priority
_PRIORITY = {
    "Mention": 50,
    "Hashtag": 50,
    "BotCommand": 50,
    "Url": 50,
    "EmailAddress": 50,
    "Bold": 90,
    "Italic": 91,
    "Code": 20,
    "Pre": 11,
    "PreCode": 10,
    "TextUrl": 49,
    "MentionName": 49,
    "Cashtag": 50,
    "PhoneNumber": 50,
    "Underline": 92,
    "Strikethrough": 93,
    "BlockQuote": 0,
    "ExpandableBlockQuote": 0,
    "BankCardNumber": 50,
    "MediaTimestamp": 50,
    "Spoiler": 94,
    "CustomEmoji": 99,
}


@dataclass
class Entity:
    type: str  # tdlib's name: Bold, Italic, ..., converted to the Bot API name by to_api()
    offset: int
    length: int
    argument: str = ""
    user: dict[str, Any] | None = field(default=None)

    def sort_key(self) -> tuple[int, int, int]:
        return (self.offset, -self.length, _PRIORITY.get(self.type, 50))

    def to_api(self) -> dict[str, Any]:
        api_type = {
            "Mention": "mention",
            "Hashtag": "hashtag",
            "Cashtag": "cashtag",
            "BotCommand": "bot_command",
            "Url": "url",
            "EmailAddress": "email",
            "PhoneNumber": "phone_number",
            "Bold": "bold",
            "Italic": "italic",
            "Underline": "underline",
            "Strikethrough": "strikethrough",
            "Spoiler": "spoiler",
            "Code": "code",
            "Pre": "pre",
            "PreCode": "pre",
            "TextUrl": "text_link",
            "MentionName": "text_mention",
            "CustomEmoji": "custom_emoji",
            "BlockQuote": "blockquote",
            "ExpandableBlockQuote": "expandable_blockquote",
        }[self.type]
        result: dict[str, Any] = {"offset": self.offset, "length": self.length, "type": api_type}
        if self.type == "PreCode":
            result["language"] = self.argument
        elif self.type == "TextUrl":
            result["url"] = self.argument
        elif self.type == "MentionName":
            result["user"] = self.user
        elif self.type == "CustomEmoji":
            result["custom_emoji_id"] = self.argument
        return result


# --------------------------------------------------------------------------------------------- helpers


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _is_space(byte: int) -> bool:
    # tdlib's is_space: the C string's terminating NUL counts as a space
    return byte in (0x20, 0x09, 0x0D, 0x0A, 0x00, 0x0B)


def _is_alpha(byte: int) -> bool:
    return 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A


def _is_digit(byte: int) -> bool:
    return 0x30 <= byte <= 0x39


def _is_hex(byte: int) -> bool:
    return _is_digit(byte) or 0x41 <= byte <= 0x46 or 0x61 <= byte <= 0x66


def _utf16_units(first_byte: int) -> int:
    """UTF-16 units added by a UTF-8 byte: 0 for continuation bytes, 2 for the start of a 4-byte character."""
    if first_byte & 0xC0 == 0x80:
        return 0
    return 2 if first_byte >= 0xF0 else 1


class _Bytes:
    """A UTF-8 byte string indexed like tdlib's NUL-terminated C string: reads past the end give 0."""

    def __init__(self, text: str):
        self.data = text.encode("utf-8", "surrogatepass")
        self.size = len(self.data)

    def __getitem__(self, index: int) -> int:
        return self.data[index] if index < self.size else 0

    def text(self, begin: int, end: int) -> str:
        return self.data[begin:end].decode("utf-8", "replace")


_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)
_HOST_END = re.compile(r"^([a-z][a-z0-9+.-]*://[^/?#]*)(.*)$", re.IGNORECASE | re.DOTALL)


def checked_link(url: str) -> str:
    """A link as Telegram keeps it for a text_link, or "" when Telegram would drop the entity.

    Follows tdlib's visible behaviour: ``telegram.org`` becomes ``http://telegram.org/``; a URL with a space
    or without a host is not a link. (tdlib checks much more; this is the part a bot meets.)
    """
    if not url or any(ch.isspace() for ch in url):
        return ""
    lowered = url.lower()
    if lowered.startswith(("tg:", "ton:", "mailto:")):
        return url
    if "://" not in url:
        url = "http://" + url
    elif not lowered.startswith(("http://", "https://", "ftp://", "tonsite://")):
        return ""
    match = _HOST_END.match(url)
    if not match:
        return ""
    host_part, rest = match.groups()
    host = host_part.split("://", 1)[1].rsplit("@", 1)[-1].split(":", 1)[0]
    if not host or ("." not in host and host.lower() != "localhost"):
        return ""
    if not rest.startswith("/"):
        rest = "/" + rest
    return host_part + rest


def _link_entity(url: str, offset: int, length: int, users: dict[int, dict[str, Any]] | None) -> Entity | None:
    user_match = _USER_LINK.match(url)
    if user_match and users is not None and int(user_match.group(1)) in users:
        return Entity("MentionName", offset, length, user=users[int(user_match.group(1))])
    checked = checked_link(url)
    if not checked:
        return None
    return Entity("TextUrl", offset, length, checked)


# ------------------------------------------------------------------------------------------------ HTML

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)


def _decode_html_entity(text: _Bytes, pos: int) -> tuple[int, int]:
    """Decode the character reference at ``pos`` (an '&'); returns (code point, position after it) or (0, pos)."""
    end = pos + 1
    code = 0
    if text[pos + 1] == ord("#"):
        end += 1
        if text[pos + 2] == ord("x"):
            end += 1
            while _is_hex(text[end]):
                code = code * 16 + int(chr(text[end]), 16)
                end += 1
        else:
            while _is_digit(text[end]):
                code = code * 10 + text[end] - 0x30
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(text[end]):
            end += 1
        name = text.data[pos + 1 : end]
        code = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(name, 0)
        if code == 0:
            return 0, pos
    if text[end] == ord(";"):
        end += 1
    return code, end


def parse_html(source: str, users: dict[int, dict[str, Any]] | None = None) -> tuple[str, list[Entity]]:
    """Parse Bot API HTML into plain text and entities, or raise EntityParseError with tdlib's reason."""
    text = _Bytes(source)
    out = bytearray()
    utf16 = 0
    entities: list[Entity] = []
    # open tags: (tag name, argument, utf16 offset, byte position in out)
    stack: list[tuple[str, str, int, int]] = []
    has_surrogate = False
    i = 0
    while i < text.size:
        c = text[i]
        if c == ord("&"):
            code, end = _decode_html_entity(text, i)
            if code:
                utf16 += 2 if code > 0xFFFF else 1
                if 0xD800 <= code <= 0xDFFF:
                    has_surrogate = True
                out += chr(code).encode("utf-8", "surrogatepass")
                i = end
                continue
        if c != ord("<"):
            utf16 += _utf16_units(c)
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if text[i] != ord("/"):
            # a start tag
            while not _is_space(text[i]) and text[i] != ord(">"):
                i += 1
            if text[i] == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = text.data[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while text[i] != ord(">"):
                while text[i] != 0 and _is_space(text[i]):
                    i += 1
                if text[i] == ord(">"):
                    break
                name_begin = i
                while not _is_space(text[i]) and text[i] != ord("=") and text[i] != ord(">"):
                    i += 1
                name = text.data[name_begin:i].decode("utf-8", "replace")
                if not name:
                    raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while text[i] != 0 and _is_space(text[i]):
                    i += 1
                if text[i] != ord("="):
                    if tag == "blockquote" and name == "expandable":
                        argument = "expandable"
                        continue
                    raise EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte offset {begin}'
                    )
                i += 1
                while text[i] != 0 and _is_space(text[i]):
                    i += 1
                if text[i] == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if text[i] not in (ord("'"), ord('"')):
                    # a name token: letters, digits, periods and hyphens, case-insensitive
                    token_begin = i
                    while _is_alpha(text[i]) or _is_digit(text[i]) or text[i] in (ord("."), ord("-")):
                        i += 1
                    value = text.data[token_begin:i].lower().decode("utf-8", "replace")
                    if not _is_space(text[i]) and text[i] != ord(">"):
                        raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    quote = text[i]
                    i += 1
                    value_bytes = bytearray()
                    while text[i] != quote and text[i] != 0:
                        if text[i] == ord("&"):
                            code, end = _decode_html_entity(text, i)
                            if code:
                                value_bytes += chr(code).encode("utf-8", "surrogatepass")
                                i = end
                                continue
                        value_bytes.append(text[i])
                        i += 1
                    if text[i] == quote:
                        i += 1
                    value = value_bytes.decode("utf-8", "replace")
                if text[i] == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and name == "href":
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            stack.append((tag, argument, utf16, len(out)))
        else:
            # an end tag
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
            while not _is_space(text[i]) and text[i] != ord(">"):
                i += 1
            end_tag = text.data[begin + 2 : i].lower().decode("utf-8", "replace")
            while _is_space(text[i]) and text[i] != 0:
                i += 1
            if text[i] != ord(">"):
                raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
            tag, argument, entity_offset, out_begin = stack[-1]
            if end_tag and end_tag != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_tag}>"'
                )
            length = utf16 - entity_offset
            if length > 0:
                _close_html_entity(entities, tag, argument, entity_offset, length, bytes(out[out_begin:]), users)
            stack.pop()
        i += 1
    if stack:
        raise EntityParseError(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for entity in entities:
        if entity.type == "Code":
            entity.argument = ""
    if has_surrogate:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    entities.sort(key=Entity.sort_key)
    return out.decode("utf-8"), entities


def _close_html_entity(
    entities: list[Entity],
    tag: str,
    argument: str,
    offset: int,
    length: int,
    inner: bytes,
    users: dict[int, dict[str, Any]] | None,
) -> None:
    simple = {
        "b": "Bold",
        "strong": "Bold",
        "i": "Italic",
        "em": "Italic",
        "s": "Strikethrough",
        "strike": "Strikethrough",
        "del": "Strikethrough",
        "u": "Underline",
        "ins": "Underline",
        "tg-spoiler": "Spoiler",
        "span": "Spoiler",
    }
    if tag in simple:
        entities.append(Entity(simple[tag], offset, length))
    elif tag == "blockquote":
        entities.append(Entity("ExpandableBlockQuote" if argument else "BlockQuote", offset, length))
    elif tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(Entity("CustomEmoji", offset, length, argument))
    elif tag == "a":
        url = argument or inner.decode("utf-8", "replace")
        entity = _link_entity(url, offset, length, users)
        if entity is not None:
            entities.append(entity)
    elif tag == "pre":
        last = entities[-1] if entities else None
        if last and last.type == "Code" and last.offset == offset and last.length == length and last.argument:
            last.type = "PreCode"
        else:
            entities.append(Entity("Pre", offset, length))
    elif tag == "code":
        last = entities[-1] if entities else None
        if last and last.type == "Pre" and last.offset == offset and last.length == length and argument:
            last.type = "PreCode"
            last.argument = argument
        else:
            entities.append(Entity("Code", offset, length, argument))


# ------------------------------------------------------------------------------------------ MarkdownV2

_MDV2_END = {
    "Bold": lambda t, i: t[i] == ord("*"),
    "Italic": lambda t, i: t[i] == ord("_") and t[i + 1] != ord("_"),
    "Code": lambda t, i: t[i] == ord("`"),
    "Pre": lambda t, i: t[i] == ord("`") and t[i + 1] == ord("`") and t[i + 2] == ord("`"),
    "PreCode": lambda t, i: t[i] == ord("`") and t[i + 1] == ord("`") and t[i + 2] == ord("`"),
    "TextUrl": lambda t, i: t[i] == ord("]"),
    "Underline": lambda t, i: t[i] == ord("_") and t[i + 1] == ord("_"),
    "Strikethrough": lambda t, i: t[i] == ord("~"),
    "Spoiler": lambda t, i: t[i] == ord("|") and t[i + 1] == ord("|"),
    "CustomEmoji": lambda t, i: t[i] == ord("]"),
    "BlockQuote": lambda t, i: False,
}


def _reserved(char: int) -> EntityParseError:
    return EntityParseError(f"Character '{chr(char)}' is reserved and must be escaped with the preceding '\\'")


def _read_link_target(text: _Bytes, i: int) -> tuple[str, int, bool]:
    """Read ``(...)`` starting at the '(' at i; returns (target, index of ')', found)."""
    i += 1
    target = bytearray()
    while i < text.size and text[i] != ord(")"):
        if text[i] == ord("\\") and 0 < text[i + 1] <= 126:
            target.append(text[i + 1])
            i += 2
            continue
        target.append(text[i])
        i += 1
    return target.decode("utf-8", "replace"), i, text[i] == ord(")")


def parse_markdown_v2(source: str, users: dict[int, dict[str, Any]] | None = None) -> tuple[str, list[Entity]]:
    """Parse Bot API MarkdownV2 into plain text and entities, or raise EntityParseError with tdlib's reason."""
    text = _Bytes(source)
    out = bytearray()
    utf16 = 0
    entities: list[Entity] = []
    # open entities: (type, argument, utf16 offset, byte offset in the source, byte position in out)
    stack: list[tuple[str, str, int, int, int]] = []
    have_blockquote = False
    i = 0
    while i < text.size:
        c = text[i]
        if c == ord("\\") and 0 < text[i + 1] <= 126:
            i += 1
            utf16 += 1
            out.append(text[i])
            i += 1
            continue
        reserved = b"_*[]()~`>#+-=|{}.!\n"
        if stack and stack[-1][0] in ("Code", "Pre", "PreCode"):
            reserved = b"`"
        if c not in reserved:
            utf16 += _utf16_units(c)
            out.append(c)
            i += 1
            continue

        is_end = False
        if stack:
            if have_blockquote and c == ord("\n") and (i + 1 == text.size or text[i + 1] != ord(">")):
                is_end = True
            else:
                is_end = _MDV2_END[stack[-1][0]](text, i)

        if not is_end:
            entity_byte_offset = i
            argument = ""
            kind: str | None
            if c == ord("_"):
                if text[i + 1] == ord("_"):
                    kind = "Underline"
                    i += 1
                else:
                    kind = "Italic"
            elif c == ord("*"):
                kind = "Bold"
            elif c == ord("~"):
                kind = "Strikethrough"
            elif c == ord("|"):
                if text[i + 1] != ord("|"):
                    raise _reserved(c)
                i += 1
                kind = "Spoiler"
            elif c == ord("["):
                kind = "TextUrl"
            elif c == ord("`"):
                if text[i + 1] == ord("`") and text[i + 2] == ord("`"):
                    i += 3
                    kind = "Pre"
                    language_end = i
                    while not _is_space(text[language_end]) and text[language_end] != ord("`"):
                        language_end += 1
                    if i != language_end and language_end < text.size and text[language_end] != ord("`"):
                        kind = "PreCode"
                        argument = text.text(i, language_end)
                        i = language_end
                    if text[i] in (ord("\n"), ord("\r")):
                        if text[i + 1] in (ord("\n"), ord("\r")) and text[i] != text[i + 1]:
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    kind = "Code"
            elif c == ord("!"):
                if text[i + 1] != ord("["):
                    raise _reserved(c)
                i += 1
                kind = "CustomEmoji"
            elif c == ord("\n"):
                utf16 += 1
                out.append(c)
                kind = None
                if i + 1 < text.size and text[i + 1] == ord(">"):
                    i += 1
                    if not have_blockquote:
                        kind = "BlockQuote"
                        have_blockquote = True
            elif c == ord(">"):
                if i != 0:
                    raise _reserved(c)
                kind = "BlockQuote"
                have_blockquote = True
            else:
                raise _reserved(c)
            if kind is not None:
                stack.append((kind, argument, utf16, entity_byte_offset, len(out)))
            i += 1
            continue

        kind, argument, entity_offset, byte_offset, out_begin = stack[-1]
        if c == ord("\n") and kind != "BlockQuote":
            raise EntityParseError(f"Can't find end of {kind} entity at byte offset {byte_offset}")
        skip = utf16 == entity_offset
        entity: Entity | None = None
        if kind in ("Underline", "Spoiler"):
            i += 1
        elif kind in ("Pre", "PreCode"):
            i += 2
        elif kind == "TextUrl":
            if text[i + 1] != ord("("):
                url = bytes(out[out_begin:]).decode("utf-8", "replace")
            else:
                url_begin = i + 2
                url, i, found = _read_link_target(text, i + 1)
                if not found:
                    raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
            entity = _link_entity(url, entity_offset, utf16 - entity_offset, users)
            skip = skip or entity is None
        elif kind == "CustomEmoji":
            if text[i + 1] != ord("("):
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url_begin = i + 2
            url, i, found = _read_link_target(text, i + 1)
            if not found:
                raise EntityParseError(f"Can't find end of a custom emoji URL at byte offset {url_begin}")
            emoji = re.match(r"^tg://emoji\?id=(\d+)$", url)
            if not emoji:
                raise EntityParseError("Custom emoji URL must have an emoji identifier")
            argument = emoji.group(1)
        elif kind == "BlockQuote":
            have_blockquote = False
            out.append(c)
            utf16 += 1
        if not skip:
            entities.append(entity or Entity(kind, entity_offset, utf16 - entity_offset, argument))
        stack.pop()
        i += 1
    if have_blockquote and stack and stack[-1][0] == "BlockQuote":
        entity_offset = stack[-1][2]
        if utf16 != entity_offset:
            entities.append(Entity("BlockQuote", entity_offset, utf16 - entity_offset))
        stack.pop()
    if stack:
        raise EntityParseError(f"Can't find end of {stack[-1][0]} entity at byte offset {stack[-1][3]}")
    entities.sort(key=Entity.sort_key)
    return out.decode("utf-8", "replace"), entities


# ------------------------------------------------------------------------------------ legacy Markdown


def parse_markdown(source: str, users: dict[int, dict[str, Any]] | None = None) -> tuple[str, list[Entity]]:
    """Parse the legacy Bot API Markdown, or raise EntityParseError with tdlib's reason."""
    text = _Bytes(source)
    out = bytearray()
    utf16 = 0
    entities: list[Entity] = []
    i = 0
    while i < text.size:
        c = text[i]
        if c == ord("\\") and text[i + 1] in (ord("_"), ord("*"), ord("`"), ord("[")):
            i += 1
            out.append(text[i])
            utf16 += 1
            i += 1
            continue
        if c not in (ord("_"), ord("*"), ord("`"), ord("[")):
            utf16 += _utf16_units(c)
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = ord("]") if c == ord("[") else c
        is_pre = False
        language = ""
        i += 1
        if c == ord("`") and text[i] == ord("`") and text[i + 1] == ord("`"):
            i += 2
            is_pre = True
            language_end = i
            while not _is_space(text[language_end]) and text[language_end] != ord("`"):
                language_end += 1
            if i != language_end and language_end < text.size and text[language_end] != ord("`"):
                language = text.text(i, language_end)
                i = language_end
            if text[i] in (ord("\n"), ord("\r")):
                if text[i + 1] in (ord("\n"), ord("\r")) and text[i] != text[i + 1]:
                    i += 2
                else:
                    i += 1
        entity_offset = utf16
        while i < text.size and (
            text[i] != end_char or (is_pre and not (text[i + 1] == ord("`") and text[i + 2] == ord("`")))
        ):
            utf16 += _utf16_units(text[i])
            out.append(text[i])
            i += 1
        if i == text.size:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        if entity_offset != utf16:
            length = utf16 - entity_offset
            if c == ord("_"):
                entities.append(Entity("Italic", entity_offset, length))
            elif c == ord("*"):
                entities.append(Entity("Bold", entity_offset, length))
            elif c == ord("["):
                if text[i + 1] != ord("("):
                    url = text.text(begin + 1, i)
                else:
                    i += 2
                    url_bytes = bytearray()
                    while i < text.size and text[i] != ord(")"):
                        url_bytes.append(text[i])
                        i += 1
                    url = url_bytes.decode("utf-8", "replace")
                entity = _link_entity(url, entity_offset, length, users)
                if entity is not None:
                    entities.append(entity)
            elif is_pre:
                entities.append(Entity("PreCode" if language else "Pre", entity_offset, length, language))
            else:
                entities.append(Entity("Code", entity_offset, length))
        if is_pre:
            i += 2
        i += 1
    entities.sort(key=Entity.sort_key)
    return out.decode("utf-8", "replace"), entities


# ------------------------------------------------------------------------- entities found in plain text


def _is_word_char(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


def find_bot_commands(text: str) -> list[tuple[int, int]]:
    """(start, end) character indices of bot commands, as tdlib finds them: /cmd or /cmd@botname."""
    result = []
    ascii_word = re.compile(r"[A-Za-z0-9_]*")
    for match in re.finditer("/", text):
        start = match.start()
        if start > 0 and (_is_word_char(text[start - 1]) or text[start - 1] in "/<>"):
            continue
        end = ascii_word.match(text, start + 1).end()  # type: ignore[union-attr]
        if not 1 <= end - start - 1 <= 64:
            continue
        if end < len(text) and text[end] == "@":
            mention_end = ascii_word.match(text, end + 1).end()  # type: ignore[union-attr]
            if not 3 <= mention_end - end - 1 <= 32:
                continue
            end = mention_end
        if end < len(text) and (_is_word_char(text[end]) or text[end] in "/<>"):
            continue
        result.append((start, end))
    return result


def find_mentions(text: str) -> list[tuple[int, int]]:
    result = []
    for match in re.finditer(r"@([A-Za-z0-9_]+)", text):
        start, end = match.span()
        if start > 0 and _is_word_char(text[start - 1]):
            continue
        if not 2 <= end - start - 1 <= 32:
            continue
        if end < len(text) and _is_word_char(text[end]):
            continue
        result.append((start, end))
    return result


_URL = re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,:;!?)\]'}]", re.IGNORECASE)


def detect_entities(text: str, existing: list[Entity] | None = None) -> list[Entity]:
    """Entities Telegram adds by itself: bot commands, @mentions and http(s) URLs, outside code and links."""
    existing = existing or []
    blocked = [
        (e.offset, e.offset + e.length)
        for e in existing
        if e.type in ("Code", "Pre", "PreCode", "TextUrl", "MentionName")
    ]
    found: list[Entity] = []
    spans = [("BotCommand", s) for s in find_bot_commands(text)]
    spans += [("Mention", s) for s in find_mentions(text)]
    spans += [("Url", m.span()) for m in _URL.finditer(text)]
    for kind, (start, end) in spans:
        offset = utf16_len(text[:start])
        length = utf16_len(text[start:end])
        if any(offset < b_end and b_start < offset + length for b_start, b_end in blocked):
            continue
        if any(offset < f.offset + f.length and f.offset < offset + length for f in found):
            continue
        found.append(Entity(kind, offset, length))
    return found


# ------------------------------------------------------------------------------------------ the whole


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading and trailing white space as Telegram does, moving and clipping entities with it."""
    stripped_left = text.lstrip(" \t\r\n")
    left = utf16_len(text) - utf16_len(stripped_left)
    result_text = stripped_left.rstrip(" \t\r\n")
    total = utf16_len(result_text)
    kept = []
    for entity in entities:
        start = max(entity.offset - left, 0)
        end = min(entity.offset + entity.length - left, total)
        if end > start:
            entity.offset, entity.length = start, end - start
            kept.append(entity)
    return result_text, kept


def format_text(
    text: str, parse_mode: str | None, users: dict[int, dict[str, Any]] | None = None
) -> tuple[str, list[Entity]]:
    """Apply a parse_mode to a bot's text; raises EntityParseError, or ValueError for an unknown parse_mode."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text, users)
    if mode == "markdownv2":
        return parse_markdown_v2(text, users)
    if mode == "markdown":
        return parse_markdown(text, users)
    raise ValueError(parse_mode)
