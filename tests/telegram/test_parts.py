"""The pure parts: escaping, mentions, splitting, button data, the command menu, reading updates."""

from dataclasses import replace

import pytest
from telegram import Update

from adapters.telegram import limits
from adapters.telegram.inbound import Migration, read
from adapters.telegram.menu import menu
from adapters.telegram.rendering import (
    callback_data,
    keyboard,
    parse_callback_data,
    split_text,
    to_html,
    toast,
    utf16_len,
)
from bot.actions import Choice, Mention
from bot.commands import Command
from bot.core import default_commands
from bot.events import Chat, ChoiceMade, MessageReceived, Sender


def test_members_text_is_escaped_for_html():
    assert to_html("<b>Eve</b> & *Co* _x_ [a](b) `c`") == "&lt;b&gt;Eve&lt;/b&gt; &amp; *Co* _x_ [a](b) `c`"


def test_the_first_whole_word_occurrence_of_each_name_becomes_a_mention():
    mentions = (Mention("1", "Ann"), Mention("2", "Ann Lee"), Mention("3", "<i>Bo</i>"))
    html = to_html("Next: Ann Lee, then Ann, then <i>Bo</i>; Anna is not Ann.", mentions)
    assert html == (
        'Next: <a href="tg://user?id=2">Ann Lee</a>, then <a href="tg://user?id=1">Ann</a>, then '
        '<a href="tg://user?id=3">&lt;i&gt;Bo&lt;/i&gt;</a>; Anna is not Ann.'
    )


def test_a_mentioned_name_never_lands_inside_an_html_escape_and_is_linked_once_as_on_matrix():
    assert to_html("Tom & Jerry", [Mention("1", "amp")]) == "Tom &amp; Jerry"
    assert (
        to_html("<b>Bo</b> & Bo", [Mention("2", "Bo")]) == '&lt;b&gt;<a href="tg://user?id=2">Bo</a>&lt;/b&gt; &amp; Bo'
    )


def test_a_text_is_split_at_line_ends_then_spaces_then_anywhere():
    assert split_text("short") == ["short"]
    assert split_text("aaaa\nbbbb\ncccc", limit=9) == ["aaaa\nbbbb", "cccc"]
    assert split_text("one two three four", limit=9) == ["one two", "three", "four"]
    assert split_text("x" * 20, limit=8) == ["x" * 8, "x" * 8, "x" * 4]
    assert split_text("a\n\n \n\nb", limit=1) == ["a", "b"]  # Telegram refuses blank messages
    assert split_text("") == []


def test_length_is_counted_as_telegram_counts_it():
    emoji = "👍" * 3000  # two UTF-16 units each: 6000 of the 4096 allowed
    pieces = split_text(emoji)
    assert [utf16_len(piece) for piece in pieces] == [4096, 6000 - 4096]
    assert "".join(pieces) == emoji


def test_button_data_is_short_and_read_back():
    assert callback_data("r12", "standaside") == "r12|standaside"
    assert parse_callback_data("r12|standaside") == ("r12", "standaside")
    assert parse_callback_data("something else") is None
    assert parse_callback_data(None) is None
    with pytest.raises(ValueError):
        callback_data("r" * 60, "standaside")


def test_choices_become_two_buttons_to_a_row():
    choices = [Choice("agree", "👍 Agree"), Choice("standaside", "🤷 Stand aside"), Choice("object", "✋ Object")]
    rows = keyboard("r1", choices).inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in rows] == [
        [("👍 Agree", "r1|agree"), ("🤷 Stand aside", "r1|standaside")],
        [("✋ Object", "r1|object")],
    ]
    assert keyboard("r1", []) is None


def test_a_toast_is_the_first_line_and_short():
    assert toast("Bob agrees with #1.\nmore") == "Bob agrees with #1."
    assert len(toast("x" * 500)) == 200


def test_the_menu_keeps_to_telegrams_limits():
    core_menu = menu(default_commands())
    assert [c.command for c in core_menu] == [c.name for c in default_commands()]
    odd = Command("Bad-Name", "x", lambda ctx: None)
    long = Command("long", "y" * 300, lambda ctx: None)
    assert [(c.command, len(c.description)) for c in menu([odd, long])] == [("long", 256)]
    many = [replace(long, name=f"c{n}") for n in range(120)]
    assert len(menu(many)) == 100


def test_the_rate_limits_keep_under_telegrams_in_every_window():
    """A leaky bucket lets its burst through at once and then drips: both must fit in each window."""
    overall = limits.most_in_a_window(limits.OVERALL_BURST, limits.OVERALL_PER_SECOND, 1)
    per_group = limits.most_in_a_window(limits.GROUP_BURST, limits.GROUP_PER_MINUTE / 60, 60)
    assert overall < limits.TELEGRAM_PER_SECOND and per_group < limits.TELEGRAM_PER_GROUP_PER_MINUTE
    assert limits.most_in_a_window(30, 30, 1) > limits.TELEGRAM_PER_SECOND  # why not PTB's defaults
    assert limits.most_in_a_window(20, 20 / 60, 60) > limits.TELEGRAM_PER_GROUP_PER_MINUTE


# ------------------------------------------------------------------------------------------------ reading updates

ALICE = {"id": 11, "is_bot": False, "first_name": "Alice", "last_name": "Lee"}
GROUP = {"id": -5, "type": "group", "title": "Coop"}


def update(**fields) -> Update:
    return Update.de_json({"update_id": 1, **fields}, None)


def message(text=None, sender=ALICE, chat=GROUP, **fields) -> dict:
    data = {"message_id": 7, "date": 1_772_442_000, "chat": chat, "from": sender, **fields}
    if text is not None:
        data["text"] = text
    return data


def test_a_command_in_a_group_and_in_a_direct_chat():
    event = read(
        update(message=message("/agree@collective_bot 1", reply_to_message=message("Proposal #1"))), "collective_bot"
    )
    assert isinstance(event, MessageReceived)
    assert (event.chat, event.sender) == (Chat("telegram", "-5"), Sender("telegram", "11", "Alice Lee"))
    assert (event.message_ref, event.reply_to, event.text) == ("7", "7", "/agree@collective_bot 1")
    direct = read(
        update(message=message("/need 20 bus fare", chat={"id": 11, "type": "private", "first_name": "Alice"})), "b"
    )
    assert direct.chat == Chat("telegram", "11", is_direct=True)


def test_what_the_core_need_not_see():
    other_bot = {"id": 99, "is_bot": True, "first_name": "Other"}
    assert read(update(message=message("/agree 1", sender=other_bot)), "b") is None
    assert read(update(message=message("good morning")), "b") is None
    assert read(update(message=message(None, new_chat_members=[ALICE])), "b") is None
    assert read(update(edited_message=message("/block 1 no")), "b") is None


def test_a_command_for_another_bot_is_left_alone():
    assert read(update(message=message("/members@OtherBot")), "collective_bot") is None
    for addressed in ("/members@collective_bot", "/members@Collective_Bot", "/members"):
        assert read(update(message=message(addressed)), "collective_bot").text == addressed


def test_a_migration_and_a_button_press():
    assert read(update(message=message(None, migrate_to_chat_id=-100_5)), "b") == Migration("-5", "-1005")
    moved = message(None, chat={"id": -100_5, "type": "supergroup", "title": "Coop"}, migrate_from_chat_id=-5)
    assert read(update(message=moved), "b") == Migration("-5", "-1005")
    press = {"id": "4242", "from": ALICE, "chat_instance": "1", "message": message("Proposal #1"), "data": "r3|agree"}
    event = read(update(callback_query=press), "b")
    assert isinstance(event, ChoiceMade)
    assert (event.chat.chat_id, event.ask_key, event.choice, event.message_ref) == ("-5", "r3", "agree", "cb4242")
    assert read(update(callback_query={**press, "data": "from another bot"}), "b") is None
