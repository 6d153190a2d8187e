"""What members read: escaped exactly as typed, mentions that notify, long texts in pieces,
and nothing lost to Telegram's flood control."""

import pytest

from adapters.telegram import TelegramAdapter
from adapters.telegram.limits import FLOOD_RETRIES
from bot.actions import Mention, Post, Reply
from bot.events import Chat
from tests.telegram.members import Members
from tests.telegram_api import TelegramTestServer

# PTB 22 warns when it builds a RetryAfter (its retry_after will become a timedelta); not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

FORMATTING = {"bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre", "text_link", "blockquote"}


def group_chat(chat) -> Chat:
    return Chat("telegram", str(chat.id))


async def test_hostile_text_is_shown_exactly_as_typed(server: TelegramTestServer, members: Members):
    eve = server.add_user("<b>Eve</b>", last_name="& *Co*")
    coop = server.add_group("Bakery co-op", members=[eve])
    said = await members.say(eve, coop, "/join")
    assert said.to(coop)[0].startswith("Welcome, <b>Eve</b> & *Co*! You are member 1 of this collective.")

    title = '<i>Free</i> coffee & cake for *all* _now_ [win](https://example.org) </a> <a href="tg://user?id=1">x'
    said = await members.say(eve, coop, f"/propose {title}")
    [proposal] = said.messages
    assert proposal.text.startswith(f"Proposal #1 by <b>Eve</b> & *Co*: {title}\n")
    assert proposal.parse_mode == "HTML"
    assert {entity["type"] for entity in proposal.entities} & FORMATTING == set()  # no injected formatting
    assert "&lt;i&gt;Free&lt;/i&gt; coffee &amp; cake" in proposal.raw_text


async def test_mentioned_names_notify_and_stay_escaped(server: TelegramTestServer, adapter: TelegramAdapter):
    bob, eve = server.add_user("Bob"), server.add_user("<b>Eve</b>")
    coop = server.add_group("Bakery co-op", members=[bob, eve])
    text = "Reminder: #1 Buy a coffee machine closes Wed 4 Mar 2026. Not yet responded: Bob, <b>Eve</b>."
    mentions = (Mention(str(bob.id), "Bob"), Mention(str(eve.id), "<b>Eve</b>"))

    await adapter.send(Post(group_chat(coop), text, mentions))

    [reminder] = server.bot_messages(coop)
    assert reminder.text == text
    mentioned = [
        (e["type"], e["user"]["id"], reminder.text[e["offset"] : e["offset"] + e["length"]])
        for e in reminder.entities
        if e["type"] == "text_mention"
    ]
    assert mentioned == [("text_mention", bob.id, "Bob"), ("text_mention", eve.id, "<b>Eve</b>")]


async def test_a_long_proposal_is_one_message_with_its_buttons_and_show_gives_all_of_it(
    server: TelegramTestServer, members: Members
):
    alice, bob, carol = server.add_user("Alice"), server.add_user("Bob"), server.add_user("Carol")
    coop = server.add_group("Bakery co-op", members=[alice, bob, carol])
    for user in (alice, bob, carol):
        await members.say(user, coop, "/join")
    detail = "\n".join(f"{n:02d}. " + "we sell bread, we bake at night, we share the work " * 2 for n in range(37))
    assert 3900 < len(detail) <= 4000  # as long as the core takes

    # The proposal's message is redrawn at every vote, and an edit replaces one message: it shows the
    # start of the detail and points to /show, so it never needs a second message.
    said = await members.say(alice, coop, f"/propose A four-day week\n{detail}")
    [proposal] = said.messages
    assert proposal.text.startswith("Proposal #1 by Alice: A four-day week\n│ 00. we sell bread")
    assert "…\n(The whole text: /show 1)\nRound 1 · consensus" in proposal.text
    assert proposal.button_texts == ["👍 Agree", "🤷 Stand aside", "✋ Object", "🛑 Block"]

    said = await members.press(bob, proposal, "👍 Agree")
    assert said.toast == "Bob agrees with #1 A four-day week."
    assert [edit.message_id for edit in said.edits] == [proposal.message_id]
    assert members.now_shows(proposal).endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded")

    # Every response with its reason: a reply longer than one message.
    await members.say(bob, coop, "/agree 1 " + "yes " * 249)
    await members.say(carol, coop, "/object 1 " + "the night shift needs cover " * 35)
    await members.say(alice, coop, "/standaside 1 " + "I wrote it " * 90)
    said = await members.say(alice, coop, "/show 1")
    assert len(said.messages) == 2 and all(len(piece.text) <= 4096 for piece in said.messages)
    assert said.messages[0].reply_to_message_id == said.delivery.message_id
    assert said.messages[0].text.startswith("#1 A four-day week\nProposed by Alice.")
    assert "• Carol — object: the night shift needs cover" in said.text
    assert said.text.count("we share the work") == 74  # the whole detail, in /show


async def test_a_ten_thousand_character_reply_is_split_at_line_ends(
    server: TelegramTestServer, adapter: TelegramAdapter
):
    alice = server.add_user("Alice")
    coop = server.add_group("Bakery co-op", members=[alice])
    asked = await server.user_sends(alice, coop, "could someone paste the whole ledger here?")
    lines = [f"{n:04d} · 2026-03-02 · contribution · 12.50 EUR · from the bakery's Monday shift" for n in range(129)]
    text = "\n".join(lines)
    assert len(text) == 10_061

    await adapter.send(Reply(group_chat(coop), str(asked.message_id), text))

    pieces = server.bot_messages(coop)
    assert [len(piece.text) <= 4096 for piece in pieces] == [True, True, True]
    assert "\n".join(piece.text for piece in pieces) == text  # cut only where a line ends
    assert [piece.reply_to_message_id for piece in pieces] == [asked.message_id, None, None]


async def test_a_429_is_waited_out_and_the_message_still_arrives(server: TelegramTestServer, members: Members):
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    coop = server.add_group("Bakery co-op", members=[alice, bob])

    fault = server.fail_next("sendMessage", retry_after=0.2)
    said = await members.say(alice, coop, "/join")
    assert said.to(coop)[0].startswith("Welcome, Alice!")
    assert fault.hits == 1
    refused, sent = server.requests_of("sendMessage")
    assert (refused.status, sent.status) == (429, 200)
    assert sent.at - refused.at >= 0.2

    # A flood longer than the rate limiter's own retries: the adapter goes on waiting and retrying.
    flood = server.flood_chat(coop, retry_after=0.05, count=FLOOD_RETRIES + 3, method="sendMessage")
    said = await members.say(bob, coop, "/join")
    assert said.to(coop)[0].startswith("Welcome, Bob!")
    assert flood.hits == FLOOD_RETRIES + 3
