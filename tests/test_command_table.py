"""The command table: prefixes, addressing, usage, and crashes turned into a reference."""

import logging
import re

import pytest

from bot.commands import Arg, Command, CommandTable, UsageError, Where, bind, split_command
from bot.core import Core, default_commands
from bot.durations import parse_duration
from bot.membership import join
from bot.text import with_commands
from tests.transcript import Transcript


def test_both_prefixes_and_the_bot_name_reach_the_same_command(chat):
    chat.say("Alice", "/join")
    expected = chat.say("Alice", "/members")
    assert expected.startswith("Members (1)")
    for text in ("!members", "/members@CollectiveBot", "!members@collectivebot", "  /MEMBERS"):
        assert chat.say("Alice", text) == expected


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
    assert with_commands(command.usage) == "/propose [DURATION] TITLE"


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


def test_a_subcommand_is_answered_with_its_own_usage(chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/rotation add dishes 1w")
    assert chat.say("Alice", "/rotation join dishes now") == (
        "I did not expect 'now' here.\nUsage: /rotation join ROLE"
    )
    assert chat.say("Alice", "/rotation add cooking 1w at") == (
        "Say when after 'at': at mon 09:00, or at 09:00 for a daily handover.\n"
        "Usage: /rotation add ROLE EVERY [at WEEKDAY HH:MM], e.g. /rotation add dishes 1w at mon 18:00"
    )
    assert chat.say("Alice", "/rotation") == (
        "Missing add|join|leave.\nUsage: /rotation add|join|leave ROLE [EVERY [at WEEKDAY HH:MM]]"
    )
    assert chat.say("Alice", "/swap decline dishes now") == "I did not expect 'now' here.\nUsage: /swap decline [ROLE]"
    assert chat.say("Alice", "/swap") == "Missing ROLE|accept|decline.\nUsage: /swap ROLE|accept|decline [@member|ROLE]"


def test_where_a_command_works_is_declared_with_it(unit_of_work, clock):
    heard = []

    def secret(ctx):
        heard.append(ctx.chat.is_direct)
        ctx.reply("psst")

    core = Core(
        unit_of_work, clock, commands=[*default_commands(), Command("secret", "psst", secret, where=Where.DIRECT)]
    )
    chat = Transcript(core, clock)
    assert chat.say("Alice", "/secret") == "/secret works in a direct message with me, not in the group."
    assert chat.direct("Alice", "/secret") == "psst"
    assert heard == [True]
    assert chat.direct("Alice", "/members") == (
        "/members works in your collective's group chat, not in a direct message."
    )


def test_a_handler_answers_by_ctx_reply_never_by_returning_text(unit_of_work, clock, caplog):
    core = Core(unit_of_work, clock, commands=[Command("hello", "returns", lambda ctx: "hi")])
    with caplog.at_level(logging.ERROR):
        answer = Transcript(core, clock).say("Alice", "/hello")
    assert "something went wrong on my side" in answer
    assert any("answers with ctx.reply" in record.exc_text for record in caplog.records if record.exc_text)
