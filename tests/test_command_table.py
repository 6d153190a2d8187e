"""The command table: prefixes, addressing, usage, and crashes turned into a reference."""

import logging
import re

import pytest

from bot.commands import Arg, Command, CommandTable, UsageError, bind, split_command
from bot.core import Core, default_commands
from bot.durations import parse_duration
from bot.events import MessageReceived
from bot.membership import join
from tests.transcript import Transcript, person


def test_both_prefixes_and_the_bot_name_reach_the_same_command(chat):
    chat.say("Alice", "/join")
    expected = chat.say("Alice", "/members")
    assert expected.startswith("Members (1)")
    for text in ("!members", "/members@CollectiveBot", "!members@collectivebot", "  /MEMBERS"):
        assert chat.say("Alice", text) == expected


def test_a_command_for_another_bot_is_left_alone(chat):
    event = MessageReceived(chat.chat, person("Alice"), "/members@OtherBot", "x1", chat.clock.now(), "CollectiveBot")
    assert chat.core.handle(event) == []


def test_ordinary_conversation_gets_no_answer(chat):
    for text in ("hello all", "what about /members?", "", "   ", "/", "!!", "/ join"):
        assert chat.say("Alice", text) == ""


def test_an_unknown_command_points_to_help(chat):
    assert chat.say("Alice", "/frobnicate") == "I don't know /frobnicate. /help lists the commands."


def test_wrong_arguments_get_the_usage(chat):
    chat.say("Alice", "/join")
    assert chat.say("Alice", "/away") == "Missing DURATION|off.\nUsage: /away DURATION|off"
    assert chat.say("Alice", "/members everyone") == "I did not expect 'everyone' here.\nUsage: /members"


def test_optional_word_arguments_give_way_to_the_text_after_them():
    seen = {}
    command = Command(
        "propose",
        "test",
        lambda ctx, **kw: seen.update(kw),
        args=(Arg("duration", "DURATION", parse_duration, optional=True), Arg("title", "TITLE", rest=True)),
    )
    assert bind(command, " 2d Paint the kitchen\nwith detail") == {
        "duration": parse_duration("2d"),
        "title": "Paint the kitchen\nwith detail",
    }
    assert bind(command, " 3 meals a day")["title"] == "3 meals a day"
    with pytest.raises(UsageError, match="Missing TITLE"):
        bind(command, " 2d")
    assert command.usage == "/propose [DURATION] TITLE"


def test_split_command_recognises_prefix_name_and_bot():
    parsed = split_command("!Agree@CollectiveBot 3 fine by me")
    assert (parsed.name, parsed.bot, parsed.rest) == ("agree", "CollectiveBot", " 3 fine by me")
    assert split_command("/agree3").name == "agree3"
    assert split_command("no command") is None


def test_a_name_declared_twice_is_a_programming_error():
    with pytest.raises(ValueError, match="declared twice"):
        CommandTable([*default_commands(), Command("members", "again", lambda ctx: None)])


def test_a_crash_inside_a_command_becomes_a_reference_and_a_logged_traceback(unit_of_work, clock, caplog):
    def explode(ctx):
        ctx.uow.members  # noqa: B018  (touch storage, then fail)
        raise RuntimeError("the printer is on fire")

    core = Core(unit_of_work, clock, commands=[*default_commands(), Command("explode", "fails", explode)])
    chat = Transcript(core, clock)
    with caplog.at_level(logging.ERROR):
        answer = chat.say("Alice", "/explode")
    match = re.search(r"ref ([0-9A-F]{6})", answer)
    assert match, answer
    assert "nothing was changed" in answer
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and "the printer is on fire" in logged[0].exc_text
    # The bot keeps working after a crash.
    assert chat.say("Alice", "/join").startswith("Welcome, Alice!")


def test_a_crash_keeps_nothing_the_command_had_stored(unit_of_work, clock):

    def join_then_crash(ctx):
        join(ctx)
        raise RuntimeError("after storing")

    core = Core(unit_of_work, clock, commands=[*default_commands(), Command("joincrash", "x", join_then_crash)])
    chat = Transcript(core, clock)
    assert "ref" in chat.say("Alice", "/joincrash")
    assert chat.say("Bob", "/members").startswith("No members yet")
