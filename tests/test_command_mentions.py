"""The commands the bot mentions are marked where the core writes them (``bot.text.cmd``), so each platform
writes them its way — ``/agree`` on the console and Telegram, ``!agree`` on Matrix, where a line starting
with ``/`` is a client command — while a member's own text (a title, a reason, a name) stays as typed."""

import ast
import pathlib
import re

import pytest

import bot
from adapters.console import Console
from adapters.matrix.rendering import notice, with_bangs
from adapters.telegram.rendering import to_html
from adapters.text import written
from bot.actions import Ask, Edit, Reply
from bot.commands import Command
from bot.core import default_commands
from bot.text import COMMAND, cmd, visible
from tests.transcript import group

CORE = pathlib.Path(bot.__file__).parent
CATALOG_CALLS = {"_", "N_", "ngettext", "pgettext"}


def _names(commands: list[Command]) -> set[str]:
    return {name for command in commands for name in (command.name, *command.aliases)}


def unmarked(source: str, names: set[str]) -> list[str]:
    """Each place in ``source`` where a string literal mentions one of the commands ``names`` without the
    mark (``"Respond: /agree 1"``), or puts a bare slash before a command it fills in (``f"/{kind} 1"``).
    Docstrings are for readers of the code, not for members: they are left out."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    mention = re.compile(rf"(?<![\w/!:.{COMMAND}])/({alternatives})(?![\w@/])")
    before_a_name = re.compile(rf"(?:^|[^\w/!:.{COMMAND}])/$")
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    # A message for the catalog is marked where it is translated (``bot.language``): "/agree" in it is the bot's.
    messages = {
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CATALOG_CALLS
        for argument in node.args
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) in messages:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [f"line {node.lineno}: {match[0]} in {node.value!r}" for match in mention.finditer(node.value)]
        if isinstance(node, ast.JoinedStr):
            for part, following in zip(node.values, node.values[1:], strict=False):
                if (
                    isinstance(part, ast.Constant)
                    and isinstance(following, ast.FormattedValue)
                    and before_a_name.search(part.value)
                ):
                    found.append(f"line {node.lineno}: a bare slash before a name in {ast.unparse(node)}")
    return found


def test_every_command_the_core_mentions_is_marked():
    names = _names(default_commands())
    assert {"agree", "block", "help", "rotation", "swap"} <= names
    found = [
        f"{path.relative_to(CORE.parent)} {place}"
        for path in sorted(CORE.rglob("*.py"))
        for place in unmarked(path.read_text(), names)
    ]
    assert found == [], "write the bot's own command mentions with bot.text.cmd:\n" + "\n".join(found)


def test_the_scan_finds_unmarked_mentions_and_passes_marked_ones():
    names = {"agree", "object", "help"}
    source = '''
"""A docstring may say /agree."""
hint = "Respond: /agree 1 or /object 1 REASON (/help)."
echo = f"To object you need to say why: /{kind} {number} REASON"
fine = f"Respond: {cmd('agree')} 1 · {cmd(kind)} 1"
translated = _("Respond: /agree {number} or /object {number} REASON", number=1)
other = "1/2, https://example.org/help, /agreed, /help@OtherBot, /unknown"
'''
    assert [place.split(":")[0] for place in unmarked(source, names)] == ["line 3", "line 3", "line 3", "line 4"]


def test_the_mark_is_invisible_and_a_member_cannot_type_it():
    assert visible(f"Buy {cmd('agree')} stickers") == "Buy /agree stickers"
    assert written(Reply(None, "", f"Say {cmd('agree')} 1"), "!").text == "Say !agree 1"


@pytest.fixture
def said(chat):
    """Members whose titles, reasons and names carry commands, and what the bot answers them."""
    group(chat, "Alice")
    joined = chat.send("Zed /block", "/join")
    asked = chat.send("Alice", f"/propose Buy /agree stickers\nSay /agree or {COMMAND}/block if fine")
    objected = chat.send("Zed /block", "/object 1 use /block instead")
    return [*joined, *asked, *objected]


def test_on_matrix_a_members_text_stays_as_typed_and_the_bots_hints_have_a_bang(said):
    welcome, ask, objection, tally = said
    assert isinstance(ask, Ask) and isinstance(tally, Edit)
    assert with_bangs(welcome.text).startswith("Welcome, Zed /block! You are member 2")  # a name
    assert with_bangs(welcome.text).endswith("(read them with !principles).")
    on_matrix = notice(with_bangs(ask.text))
    assert on_matrix["body"].splitlines()[:2] == [
        "Proposal #1 by Alice: Buy /agree stickers",  # a title
        "│ Say /agree or /block if fine",  # its detail, the mark they typed dropped
    ]
    assert "Respond: !agree 1 · !standaside 1 [reason] · !object 1 REASON · !block 1 REASON" in on_matrix["body"]
    assert "Respond: !agree 1 · !standaside 1" in on_matrix["formatted_body"]
    assert "Buy /agree stickers" in on_matrix["formatted_body"]
    assert with_bangs(objection.text) == "Zed /block objects to #1 Buy /agree stickers: use /block instead"  # a reason
    assert "Respond: !agree 1" in with_bangs(tally.text)
    assert "Buy /agree stickers" in with_bangs(tally.text)


def test_on_the_console_and_telegram_every_command_keeps_its_slash(said, clock):
    lines: list[str] = []
    Console(clock, lines.append).show(said)
    console = "\n".join(lines)
    assert "Respond: /agree 1 · /standaside 1 [reason]" in console
    assert "Buy /agree stickers" in console and "use /block instead" in console and COMMAND not in console
    ask = said[1]
    on_telegram = to_html(written(ask).text)
    assert "Respond: /agree 1 · /standaside 1 [reason]" in on_telegram
    assert "Buy /agree stickers" in on_telegram and COMMAND not in on_telegram


def test_a_refusal_naming_the_command_meant_is_written_the_platforms_way(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    [refusal] = chat.send("Bob", "/object 1")
    assert with_bangs(refusal.text) == "Missing REASON.\nUsage: !object [N] REASON"
    [unknown] = chat.send("Bob", "!frobnicate")
    assert with_bangs(unknown.text) == "I don't know !frobnicate. !help lists the commands."
