"""The parse_mode parsers answer as Telegram's (tdlib's) do: same texts, entities and error messages.

The cases are tdlib's own (test/message_entities.cpp), so the byte offsets in the messages are Telegram's.
"""

import pytest

from tests.telegram_api.formatting import (
    EntityParseError,
    detect_entities,
    find_bot_commands,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
)


def shape(entities):
    return [(e.type, e.offset, e.length, *((e.argument,) if e.argument else ())) for e in entities]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("🏟 🏟&lt;<abac>", 'Unsupported start tag "abac" at byte offset 13'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba>", 'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;>", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        ("🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
        ("<b>open", "Can't find end tag corresponding to start tag b"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ('<span class="x">a</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "&#57311;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_html_errors(source, error):
    with pytest.raises(EntityParseError) as raised:
        parse_html(source)
    assert str(raised.value) == error


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("", "", []),
        ("&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;", '<>&"&laquo;&raquo;&#12345678;', []),
        ("AT&T > them", "AT&T > them", []),
        ("➡️ ➡️<i>➡️ ➡️</i>", "➡️ ➡️➡️ ➡️", [("Italic", 5, 5)]),
        ("➡️ ➡️<strong>➡️ ➡️</strong>", "➡️ ➡️➡️ ➡️", [("Bold", 5, 5)]),
        ("➡️ ➡️<ins>➡️ ➡️</ins>", "➡️ ➡️➡️ ➡️", [("Underline", 5, 5)]),
        ("➡️ ➡️<del>➡️ ➡️</del>", "➡️ ➡️➡️ ➡️", [("Strikethrough", 5, 5)]),
        ("🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>", "🏟 🏟🏟 ><🏟", [("Italic", 5, 7), ("Bold", 9, 3)]),
        ("🏟 🏟&lt;<i>🏟 🏟&lt;</>", "🏟 🏟<🏟 🏟<", [("Italic", 6, 6)]),
        ("🏟 🏟&lt;<b></b>", "🏟 🏟<", []),
        (
            "<code><i><b> </b></i></code><i><b><code> </code></b></i>",
            "  ",
            [("Code", 0, 1), ("Bold", 0, 1), ("Italic", 0, 1), ("Code", 1, 1), ("Bold", 1, 1), ("Italic", 1, 1)],
        ),
        ("<a href=telegram.org>\t</a>", "\t", [("TextUrl", 0, 1, "http://telegram.org/")]),
        ("<a   href=  'telegram.org?&lt;'   > </a>", " ", [("TextUrl", 0, 1, "http://telegram.org/?<")]),
        ("<a>telegram.org </a>", "telegram.org ", []),
        ("<a>telegram.org</a>", "telegram.org", [("TextUrl", 0, 12, "http://telegram.org/")]),
        ('🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</></>', "🏟 🏟<🏟 🏟<", [("PreCode", 6, 6, "fift")]),
        ('🏟 🏟&lt;<pre> <code class="language-fift">🏟 🏟&lt;</></>', "🏟 🏟< 🏟 🏟<", [("Pre", 6, 7), ("Code", 7, 6)]),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", [("Spoiler", 0, 1), ("Spoiler", 1, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("ExpandableBlockQuote", 0, 1)]),
    ],
)
def test_html_texts_and_entities(source, text, entities):
    parsed, found = parse_html(source)
    assert (parsed, shape(found)) == (text, entities)


def test_html_escaping_a_members_text_always_parses():
    hostile = "<script>&amp; </b> <3 a<b & c>d \"q\" 'a' &#0; &"
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert parse_html(f"<b>{escaped}</b>") == (hostile, parse_html(f"<b>{escaped}</b>")[1])
    assert shape(parse_html(f"<b>{escaped}</b>")[1]) == [("Bold", 0, len(hostile))]


@pytest.mark.parametrize("char", list("]()>#+-=|{}.!"))
def test_markdown_v2_reserved_characters(char):
    if char != ">":  # ">" at the start opens a block quote
        with pytest.raises(EntityParseError) as raised:
            parse_markdown_v2(char)
        assert str(raised.value) == f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    assert parse_markdown_v2("\\" + char) == (char, [])


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("🏟 🏟_abacaba", "Can't find end of Italic entity at byte offset 9"),
        ("🏟 🏟_abac * asd ", "Can't find end of Bold entity at byte offset 15"),
        ("🏟 🏟`", "Can't find end of Code entity at byte offset 9"),
        ("🏟 🏟```a ", "Can't find end of PreCode entity at byte offset 9"),
        ("🏟 🏟__🏟 🏟_", "Can't find end of Italic entity at byte offset 20"),
        ("🏟 🏟_🏟 🏟__", "Can't find end of Underline entity at byte offset 19"),
        ("[telegram\\.org](asd\\)", "Can't find end of a URL at byte offset 16"),
        ("🏟 🏟__🏟 _🏟___", "Can't find end of Italic entity at byte offset 23"),
    ],
)
def test_markdown_v2_errors(source, error):
    with pytest.raises(EntityParseError) as raised:
        parse_markdown_v2(source)
    assert str(raised.value) == error


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("\\\\", "\\", []),
        ("🏟 🏟_abac \\* asd _", "🏟 🏟abac * asd ", [("Italic", 5, 11)]),
        ("🏟 🏟__🏟 _🏟_ __", "🏟 🏟🏟 🏟 ", [("Underline", 5, 6), ("Italic", 8, 2)]),
        ("🏟 🏟```🏟 🏟```", "🏟 🏟 🏟", [("PreCode", 5, 3, "🏟")]),
        ("`_* *_`__*` `*__", "_* *_ ", [("Code", 0, 5), ("Code", 5, 1), ("Bold", 5, 1), ("Underline", 5, 1)]),
        ("[a](telegram.org)", "a", [("TextUrl", 0, 1, "http://telegram.org/")]),
    ],
)
def test_markdown_v2_texts_and_entities(source, text, entities):
    parsed, found = parse_markdown_v2(source)
    assert (parsed, shape(found)) == (text, entities)


def test_legacy_markdown():
    assert shape(parse_markdown("*bold* _it_ `c`")[1]) == [("Bold", 0, 4), ("Italic", 5, 2), ("Code", 8, 1)]
    with pytest.raises(EntityParseError, match=r"^Can't find end of the entity starting at byte offset 5$"):
        parse_markdown("snake_case")


def test_bot_commands_are_found_as_telegram_finds_them():
    text = "/start@collective_test_bot hi /x /ab@cd /y/z a/b /agree_1"
    assert [text[s:e] for s, e in find_bot_commands(text)] == ["/start@collective_test_bot", "/x", "/agree_1"]
    entities = detect_entities("🏟 /join @alice https://example.org/x.")
    assert [(e.to_api()["type"], e.offset, e.length) for e in entities] == [
        ("bot_command", 3, 5),
        ("mention", 9, 6),
        ("url", 16, 21),
    ]
