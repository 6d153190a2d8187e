"""The Telegram test server, driven by the real python-telegram-bot network stack (no PTB object is mocked)."""

import asyncio
import datetime as dtm
import signal
import sys
import time

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram_api import FloodLimits, ServerThread, TelegramTestServer
from tests.telegram_api.helpers import application, polling

# PTB 22 warns when RetryAfter.retry_after is read as seconds (it reads it itself); not our concern here
RETRY_AFTER_DEPRECATION = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data) for text, data in pairs]])


async def raw_get(url: str, **params) -> httpx.Response:
    """A plain HTTP request (the server shares the test's event loop, so never a blocking client here)."""
    async with httpx.AsyncClient() as client:
        return await client.get(url, params=params)


# ------------------------------------------------------------------------------------- the transport


async def test_get_me_is_a_bot_with_a_username(server, bot):
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.username == "collective_test_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False  # privacy mode, as a new bot has
    raw = (await raw_get(f"{server.api_url}/getMe")).json()
    assert raw["ok"] is True
    assert raw["result"]["is_bot"] is True
    assert raw["result"]["supports_inline_queries"] is False


async def test_a_wrong_token_is_unauthorized_and_a_malformed_one_not_found(server):
    wrong = await raw_get(f"{server.base_url}123456789:WRONG-token/getMe")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    malformed = await raw_get(f"{server.base_url}not-a-token/getMe")
    assert malformed.status_code == 404
    assert malformed.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    unknown = await raw_get(f"{server.api_url}/sendTelepathy")
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert server.unknown_methods == ["sendTelepathy"]
    with pytest.raises(InvalidToken):
        async with telegram.Bot("123456789:WRONG-token", base_url=server.base_url):
            pass


async def test_parameters_arrive_by_query_json_form_or_multipart(server):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    markup = {"inline_keyboard": [[{"text": "Agree", "callback_data": "agree"}]]}
    async with httpx.AsyncClient() as client:
        by_query = await client.get(f"{server.api_url}/sendMessage", params={"chat_id": group.id, "text": "q"})
        by_json = await client.post(
            f"{server.api_url}/sendMessage", json={"chat_id": group.id, "text": "j", "reply_markup": markup}
        )
        by_form = await client.post(
            f"{server.api_url}/sendMessage",
            data={"chat_id": str(group.id), "text": "f", "reply_markup": "{}"},
        )
        by_multipart = await client.post(
            f"{server.api_url}/sendMessage",
            data={"chat_id": str(group.id), "text": "m"},
            files={"unused": ("a.txt", b"x")},
        )
    assert [r.json()["result"]["text"] for r in (by_query, by_json)] == ["q", "j"]
    assert by_json.json()["result"]["reply_markup"] == markup
    assert by_form.status_code == 400  # "{}" is no reply markup
    assert by_form.json()["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
    assert by_multipart.json()["result"]["text"] == "m"
    assert [m.text for m in server.bot_messages(group)] == ["q", "j", "m"]


async def test_python_telegram_bot_sends_form_encoded_json_values(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    await bot.send_message(group.id, "hi", reply_markup=keyboard(("Agree", "a")))
    record = server.requests_of("sendMessage")[-1]
    assert record.http_method == "POST"
    assert record.params["chat_id"] == str(group.id)  # every value is a string ...
    assert record.params["reply_markup"].startswith('{"inline_keyboard"')  # ... objects JSON-encoded
    assert record.chat_id == group.id


# ------------------------------------------------------------------------------------- sending


async def test_send_message_parses_html_and_returns_a_message_in_seconds(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    before = time.time()
    message = await bot.send_message(group.id, "<b>Proposal #1</b> by A&amp;B &lt;3", parse_mode="HTML")
    assert message.text == "Proposal #1 by A&B <3"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 11)]
    assert message.from_user.id == server.bot.id and message.from_user.is_bot
    assert message.chat.type == "group" and message.chat.title == "Coop"
    assert abs(message.date.timestamp() - before) < 5  # seconds, not milliseconds
    sent = server.bot_messages(group)[-1]
    assert (sent.text, sent.raw_text, sent.parse_mode) == ("Proposal #1 by A&B <3", message.text_html, "HTML")
    assert sent.raw_text == "<b>Proposal #1</b> by A&amp;B &lt;3"


async def test_malformed_html_is_rejected_as_telegram_does(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    # a member's "<3" or "a<b" put into HTML unescaped
    with pytest.raises(BadRequest) as error:
        await bot.send_message(group.id, "<b>Bob</b> says: i <3 this", parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalizes the rest (lower-casing it)
    assert error.value.message == 'Can\'t parse entities: unsupported start tag "3" at byte offset 19'
    raw = server.requests_of("sendMessage")[-1]
    assert raw.description == 'Bad Request: can\'t parse entities: Unsupported start tag "3" at byte offset 19'
    with pytest.raises(BadRequest, match="can't find end tag corresponding to start tag b"):
        await bot.send_message(group.id, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match="is reserved and must be escaped"):
        await bot.send_message(group.id, "Version 1.0", parse_mode="MarkdownV2")
    assert server.bot_messages(group) == []
    # an unknown "&name;" and a lone ">" are fine in HTML
    ok = await bot.send_message(group.id, "AT&T > them &nbsp;", parse_mode="HTML")
    assert ok.text == "AT&T > them &nbsp;"


async def test_message_length_counts_the_text_after_parsing(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    await bot.send_message(group.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(group.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(group.id, "<b> </b>", parse_mode="HTML")


async def test_inline_keyboards_force_reply_and_replies(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    proposal = await bot.send_message(group.id, "Proposal #1", reply_markup=keyboard(("Agree", "r:1:agree")))
    assert proposal.reply_markup.inline_keyboard[0][0].callback_data == "r:1:agree"
    assert server.bot_messages(group)[-1].callback_data == ["r:1:agree"]

    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(group.id, "too long", reply_markup=keyboard(("X", "x" * 65)))
    await bot.send_message(group.id, "just fits", reply_markup=keyboard(("X", "é" * 32)))  # 64 bytes

    question = await bot.send_message(
        group.id, "Why do you object?", reply_markup=telegram.ForceReply(selective=True), reply_to_message_id=1
    )
    assert question.reply_to_message.message_id == proposal.message_id
    assert question.reply_markup is None  # only inline keyboards come back in a Message
    assert server.bot_messages(group)[-1].force_reply
    assert server.bot_messages(group)[-1].reply_to_message_id == proposal.message_id

    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(group.id, "?", reply_parameters=ReplyParameters(message_id=999))
    lenient = await bot.send_message(
        group.id, "!", reply_parameters=ReplyParameters(message_id=999, allow_sending_without_reply=True)
    )
    assert lenient.reply_to_message is None


async def test_edit_message_text_returns_the_edited_message(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    sent = await bot.send_message(group.id, "Proposal #1: 0 agree", reply_markup=keyboard(("Agree", "a")))

    edited = await bot.edit_message_text(
        "Proposal #1: <b>1</b> agree",
        chat_id=group.id,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard(("Agree", "a")),
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Proposal #1: 1 agree"
    assert edited.edit_date is not None
    assert edited.reply_markup.inline_keyboard[0][0].text == "Agree"

    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message content"):
        await bot.edit_message_text(
            "Proposal #1: <b>1</b> agree",
            chat_id=group.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(("Agree", "a")),
        )

    # without reply_markup the keyboard goes, as on Telegram
    closed = await bot.edit_message_text("Proposal #1: adopted", chat_id=group.id, message_id=sent.message_id)
    assert closed.reply_markup is None
    assert "reply_markup" not in server.message(group, sent.message_id)

    again = await bot.edit_message_reply_markup(group.id, sent.message_id, reply_markup=keyboard(("Show", "s")))
    assert again.reply_markup.inline_keyboard[0][0].callback_data == "s"
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", chat_id=group.id, message_id=999)
    member_message = await server.user_sends(alice, group, "/members")
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_text("x", chat_id=group.id, message_id=member_message.message_id)
    assert [e.kind for e in server.bot_edits(group)] == ["edit", "edit", "edit_markup"]


async def test_commands_chat_actions_and_chat_info(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice], bot_is_admin=True)
    assert await bot.set_my_commands([("join", "become a member"), ("help", "the commands")])
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
        ("join", "become a member"),
        ("help", "the commands"),
    ]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Not-Valid", "x")])
    assert await bot.send_chat_action(group.id, "typing")
    assert server.chat_actions[-1][:2] == (group.id, "typing")
    chat = await bot.get_chat(group.id)
    assert (chat.id, chat.type, chat.title) == (group.id, "group", "Coop")
    member = await bot.get_chat_member(group.id, server.bot.id)
    assert member.status == "administrator"
    assert (await bot.get_chat_member(group.id, alice.id)).status == "creator"
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)
    assert await bot.log_out() and await bot.close()


# ------------------------------------------------------------------------------------- who may write where


async def test_a_private_chat_opens_only_when_the_user_writes_first(server, bot):
    alice = server.add_user("Alice")
    with pytest.raises(Forbidden, match=r"^Forbidden: bot can't initiate conversation with a user$"):
        await bot.send_message(alice.id, "Your need #3 was approved")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(alice.id, "typing")
    await server.user_sends_private(alice, "/start")
    reply = await bot.send_message(alice.id, "Hello")
    assert reply.chat.type == "private" and reply.chat.first_name == "Alice"
    await server.user_blocks_bot(alice)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(alice.id, "Still there?")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(987654321, "nobody")


async def test_a_removed_bot_is_forbidden_in_the_group(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    await server.remove_bot_from_group(group, by=alice)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "hello?")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"


async def test_a_group_upgraded_to_a_supergroup(server):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    migrations: list[telegram.Message] = []
    both_seen = asyncio.Event()

    async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        migrations.append(update.effective_message)
        if len(migrations) == 2:
            both_seen.set()

    app = application(server)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    async with polling(app):
        await app.bot.send_message(group.id, "before")
        supergroup = await server.upgrade_to_supergroup(group, by=alice)
        await asyncio.wait_for(both_seen.wait(), 5)
        assert migrations[0].chat.id == group.id and migrations[0].migrate_to_chat_id == supergroup.id
        assert migrations[1].chat.id == supergroup.id and migrations[1].migrate_from_chat_id == group.id
        assert supergroup.id < -1_000_000_000_000
        with pytest.raises(ChatMigrated) as error:
            await app.bot.send_message(group.id, "after")
        assert error.value.new_chat_id == supergroup.id
        moved = await app.bot.send_message(supergroup.id, "after")
        assert moved.chat.type == "supergroup"
    raw = server.requests_of("sendMessage")[1]
    assert raw.status == 400 and raw.description == "Bad Request: group chat was upgraded to a supergroup chat"


# ------------------------------------------------------------------------------------- updates


async def test_updates_stay_until_an_offset_confirms_them(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    first = await server.user_sends(alice, group, "/join")
    second = await server.user_sends(alice, group, "/members")

    fetched = await bot.get_updates()
    assert [u.update_id for u in fetched] == [first.update_id, second.update_id]
    assert [u.update_id for u in await bot.get_updates()] == [first.update_id, second.update_id]  # not confirmed
    assert [u.update_id for u in await bot.get_updates(offset=first.update_id + 1)] == [second.update_id]
    assert server.confirmed_below == first.update_id + 1
    assert await bot.get_updates(offset=second.update_id + 1) == ()
    assert server.pending_updates == []

    third = await server.user_sends(alice, group, "/pool")
    fourth = await server.user_sends(alice, group, "/roles")
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [third.update_id]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [fourth.update_id]  # forgets the rest
    assert [u["update_id"] for u in server.pending_updates] == [fourth.update_id]


async def test_long_polling_waits_for_an_update_or_the_timeout(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert 0.3 <= time.monotonic() - started < 2

    waiting = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_for_polling()
    started = time.monotonic()
    sent = await server.user_sends(alice, group, "/join")
    updates = await asyncio.wait_for(waiting, 5)
    assert time.monotonic() - started < 1
    assert [u.update_id for u in updates] == [sent.update_id]
    assert updates[0].message.text == "/join"
    assert updates[0].message.entities[0].type == "bot_command"


async def test_a_second_poller_terminates_the_first(server, bot):
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_for_polling()
    # a second bot instance (one Bot's getUpdates pool holds a single connection)
    async with telegram.Bot(server.token, base_url=server.base_url) as second_bot:
        assert await second_bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)


async def test_privacy_mode_hides_ordinary_group_messages(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    bot_message = await bot.send_message(group.id, "Proposal #1")
    hidden = await server.user_sends(alice, group, "good morning")
    bang = await server.user_sends(alice, group, "!agree 1")
    command = await server.user_sends(alice, group, "/agree 1")
    other_bots = await server.user_sends(alice, group, "/agree@other_bot 1")
    addressed = await server.user_sends(alice, group, "/agree@collective_test_bot 1")
    reply = await server.user_replies(alice, bot_message, "agree")
    mention = await server.user_sends(alice, group, "@collective_test_bot hello")
    assert hidden.update_id is bang.update_id is other_bots.update_id is None
    delivered = [u.message.message_id for u in await bot.get_updates()]
    assert delivered == [command.message_id, addressed.message_id, reply.message_id, mention.message_id]
    assert [m["text"] for m in server.transcript(group)][:3] == ["Proposal #1", "good morning", "!agree 1"]

    open_server = TelegramTestServer(privacy_mode=False)
    async with open_server, telegram.Bot(open_server.token, base_url=open_server.base_url) as open_bot:
        bob = open_server.add_user("Bob")
        room = open_server.add_group("Room", members=[bob])
        assert (await server.user_sends(alice, group, "x")).update_id is None
        assert (await open_server.user_sends(bob, room, "!agree 1")).update_id is not None
        assert (await open_bot.get_me()).can_read_all_group_messages is True


async def test_a_command_can_arrive_as_plain_text_without_entities(server, bot):
    alice = server.add_user("Alice")
    await server.user_sends_private(alice, "/join", plain=True)
    await server.user_sends_private(alice, "/start@collective_test_bot now")
    first, second = await bot.get_updates()
    assert first.message.entities == ()
    assert second.message.entities[0].type == "bot_command" and second.message.entities[0].length == 26


async def test_allowed_updates_filters_updates_created_afterwards(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    sent = await bot.send_message(group.id, "vote", reply_markup=keyboard(("Agree", "a")))
    await bot.get_updates(allowed_updates=["callback_query"])
    message = await server.user_sends(alice, group, "/join")
    press = await server.user_presses_button(alice, (group.id, sent.message_id), data="a")
    assert message.update_id is None
    assert [u.update_id for u in await bot.get_updates()] == [press.update_id]
    assert (await bot.get_webhook_info()).allowed_updates == ("callback_query",)


# ------------------------------------------------------------------------------------- a real Application


async def test_an_application_answers_a_command_and_a_button(server):
    alice = server.add_user("Alice", username="alice")
    group = server.add_group("Coop", members=[alice])
    queries: list[telegram.CallbackQuery] = []

    async def propose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        title = " ".join(context.args)
        await update.effective_message.reply_html(
            f"Proposal #1: <b>{title}</b>", reply_markup=keyboard(("Agree", "r:1:agree"), ("Block", "r:1:block"))
        )

    async def respond(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        queries.append(query)
        await query.answer("Recorded: agree")
        await query.edit_message_text(f"{query.message.text}\n{query.from_user.first_name} agrees")

    app = application(server)
    app.add_handler(CommandHandler("propose", propose))
    app.add_handler(CallbackQueryHandler(respond, pattern=r"^r:"))
    async with polling(app):
        await server.user_sends(alice, group, "/propose@collective_test_bot Buy a van")
        proposal = await server.wait_for_bot_message(group, "Proposal #1")
        assert proposal.text == "Proposal #1: Buy a van"
        assert proposal.parse_mode == "HTML"
        assert proposal.button_texts == ["Agree", "Block"]

        press = await server.user_presses_button(alice, proposal, text="Agree")
        answer = await server.wait_for_callback_answer(press.query_id)
        edit = await server.wait_for_bot_edit(group)
    assert answer["text"] == "Recorded: agree"
    assert edit.text == "Proposal #1: Buy a van\nAlice agrees"
    assert server.message(group, proposal.message_id).get("reply_markup") is None
    query = queries[0]
    assert (query.data, query.from_user.id, query.message.message_id) == ("r:1:agree", alice.id, proposal.message_id)
    assert query.chat_instance and query.id == press.query_id
    with pytest.raises(LookupError):  # the edit removed the keyboard
        await server.user_presses_button(alice, proposal, data="r:1:block")
    with pytest.raises(BadRequest, match="Query is too old"):
        async with telegram.Bot(server.token, base_url=server.base_url) as bot:
            await bot.answer_callback_query(press.query_id)


async def test_an_unconfirmed_update_goes_to_the_next_poller(server, bot):
    alice = server.add_user("Alice")
    await server.user_sends_private(alice, "/start")
    taken = await bot.get_updates()  # a bot that took the update and died before confirming it
    seen: list[int] = []
    got_it = asyncio.Event()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)
        got_it.set()

    app = application(server)
    app.add_handler(CommandHandler("start", start))
    async with polling(app):
        await asyncio.wait_for(got_it.wait(), 5)
    assert seen == [taken[0].update_id]
    assert server.confirmed_below == taken[0].update_id + 1  # stop() confirmed it


async def test_python_telegram_bot_confirms_an_update_before_handling_it(server):
    """A fact the adapter must live with: PTB's next getUpdates confirms what it queued, handled or not."""
    alice = server.add_user("Alice")
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started.set()
        await release.wait()

    app = application(server)
    app.add_handler(CommandHandler("start", slow))
    async with polling(app):
        try:
            sent = await server.user_sends_private(alice, "/start")
            await asyncio.wait_for(started.wait(), 5)
            await server.wait_until_confirmed(sent.update_id)
            assert not release.is_set()  # still handling, already confirmed: a crash now loses it
        finally:
            release.set()


async def test_the_same_update_delivered_twice(server):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    seen: list[tuple[int, int]] = []
    twice = asyncio.Event()

    async def join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append((update.update_id, update.effective_message.message_id))
        if len(seen) == 2:
            twice.set()

    app = application(server)
    app.add_handler(CommandHandler("join", join))
    async with polling(app):
        sent = await server.user_sends(alice, group, "/join", deliver_twice=True)
        await asyncio.wait_for(twice.wait(), 5)
        assert seen == [(sent.update_id, sent.message_id)] * 2
        seen.clear()
        twice.clear()
        await server.redeliver(sent.update_id)  # and once more, on demand
        await server.user_sends(alice, group, "/join")
        await asyncio.wait_for(twice.wait(), 5)
        assert seen[0] == (sent.update_id, sent.message_id)


async def test_an_edited_command_reaches_a_command_handler_again(server):
    """PTB's CommandHandler also takes edited_message updates unless told otherwise."""
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    seen: list[tuple[bool, str]] = []
    both = asyncio.Event()

    async def agree(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append((update.edited_message is not None, update.effective_message.text))
        if len(seen) == 2:
            both.set()

    app = application(server)
    app.add_handler(CommandHandler("agree", agree))
    async with polling(app):
        sent = await server.user_sends(alice, group, "/agree 1")
        edited = await server.user_edits(alice, sent, "/agree 2")
        await asyncio.wait_for(both.wait(), 5)
    assert seen == [(False, "/agree 1"), (True, "/agree 2")]
    assert edited.message["edit_date"] >= edited.message["date"]


async def test_drop_pending_updates_at_start(server):
    alice = server.add_user("Alice")
    stale = await server.user_sends_private(alice, "/start")
    seen: list[int] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)

    app = application(server)
    app.add_handler(CommandHandler("start", start))
    async with polling(app, drop_pending_updates=True):
        await server.wait_for_polling()
        fresh = await server.user_sends_private(alice, "/start")
        await server.wait_until_confirmed(fresh.update_id)
    assert seen == [fresh.update_id]
    assert stale.update_id < fresh.update_id
    delete = server.requests_of("deleteWebhook")[0]
    assert delete.params == {"drop_pending_updates": "true"}


# ------------------------------------------------------------------------------------- flood control


@RETRY_AFTER_DEPRECATION
async def test_a_429_is_retried_by_the_aio_rate_limiter(server):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    fault = server.fail_next("sendMessage", retry_after=1)
    app = application(server, rate_limiter=AIORateLimiter(max_retries=1))
    async with app:
        message = await app.bot.send_message(group.id, "Proposal #1")
    assert message.text == "Proposal #1" and fault.hits == 1
    failed, succeeded = server.requests_of("sendMessage")
    assert failed.status == 429 and succeeded.status == 200
    assert failed.description == "Too Many Requests: retry after 1"
    assert succeeded.at - failed.at >= 1.0  # it waited retry_after (+0.1 s)
    raw = await raw_get(f"{server.api_url}/getMe")  # faults are per method
    assert raw.status_code == 200


@RETRY_AFTER_DEPRECATION
async def test_a_flooded_chat_answers_429_until_cleared(server):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    other = server.add_group("Other", members=[alice])
    server.flood_chat(group, retry_after=7)
    app = application(server, rate_limiter=AIORateLimiter(max_retries=0))
    async with app:
        with pytest.raises(RetryAfter, match="Retry in 7"):
            await app.bot.send_message(group.id, "one")
        await app.bot.send_message(other.id, "elsewhere")
        server.clear_faults()
        await app.bot.send_message(group.id, "two")
    first = server.requests_of("sendMessage")[0]
    assert (first.status, first.chat_id) == (429, group.id)


async def test_raw_429_body_and_delays(server):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    server.fail_next("sendMessage", retry_after=3, chat_id=group.id)
    server.delay_next("getMe", 0.2)
    async with httpx.AsyncClient() as client:
        body = (await client.post(f"{server.api_url}/sendMessage", json={"chat_id": group.id, "text": "x"})).json()
        started = time.monotonic()
        assert (await client.get(f"{server.api_url}/getMe")).status_code == 200
        assert time.monotonic() - started >= 0.2
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


@RETRY_AFTER_DEPRECATION
async def test_request_log_and_rate_checks(server, bot):
    alice = server.add_user("Alice")
    group = server.add_group("Coop", members=[alice])
    for n in range(3):
        await bot.send_message(group.id, f"message {n}")
    sends = server.requests_of("sendMessage")
    assert [r.chat_id for r in sends] == [group.id] * 3
    assert sends[0].at <= sends[1].at <= sends[2].at
    assert server.message_rate_violations() == []
    assert server.message_rate_violations(per_second=2) and server.message_rate_violations(per_group_per_minute=2)

    limited = TelegramTestServer(flood_limits=FloodLimits(per_group_per_minute=2))
    async with limited, telegram.Bot(limited.token, base_url=limited.base_url) as limited_bot:
        bob = limited.add_user("Bob")
        room = limited.add_group("Room", members=[bob])
        await limited_bot.send_message(room.id, "1")
        await limited_bot.send_message(room.id, "2")
        with pytest.raises(RetryAfter):
            await limited_bot.send_message(room.id, "3")
        assert limited.requests_of("sendMessage")[-1].description.startswith("Too Many Requests: retry after ")


# ------------------------------------------------------------------------------------- other processes, threads


BOT_THAT_DIES = """
import asyncio, sys, telegram

async def main():
    async with telegram.Bot(sys.argv[1], base_url=sys.argv[2]) as bot:
        updates = await bot.get_updates(timeout=5)
        print(" ".join(str(u.update_id) for u in updates), flush=True)
        await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_a_bot_in_another_process_killed_before_confirming(server):
    alice = server.add_user("Alice")
    sent = await server.user_sends_private(alice, "/start")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BOT_THAT_DIES, server.token, server.base_url, stdout=asyncio.subprocess.PIPE
    )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        assert line.decode().split() == [str(sent.update_id)]
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert [u["update_id"] for u in server.pending_updates] == [sent.update_id]
    async with telegram.Bot(server.token, base_url=server.base_url) as bot:
        assert [u.update_id for u in await bot.get_updates()] == [sent.update_id]


async def test_the_server_in_its_own_thread():
    with ServerThread() as thread:
        alice = thread.add_user("Alice")
        group = thread.add_group("Coop", members=[alice])
        async with telegram.Bot(thread.server.token, base_url=thread.base_url) as bot:
            sent = await thread.aio.user_sends(alice, group, "/join")
            updates = await bot.get_updates(timeout=1)
            assert [u.update_id for u in updates] == [sent.update_id]
            await bot.send_message(group.id, "Welcome, Alice")
            message = await thread.aio.wait_for_bot_message(group, "Welcome")
            assert message.chat_id == group.id
        assert [m.text for m in thread.bot_messages(group)] == ["Welcome, Alice"]


def test_the_server_thread_serves_a_blocking_caller():
    with ServerThread(bot_username="other_bot") as thread:
        alice = thread.add_user("Alice")
        thread.user_sends_private(alice, "/start")
        response = httpx.post(f"{thread.server.api_url}/sendMessage", data={"chat_id": alice.id, "text": "Hi"})
        assert response.json()["result"]["chat"]["type"] == "private"
        assert thread.wait_for_bot_message(alice.id, "Hi", timeout=2).text == "Hi"
        updates = httpx.get(f"{thread.server.api_url}/getUpdates").json()["result"]
        assert updates[0]["message"]["text"] == "/start"
