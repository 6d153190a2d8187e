"""A collective in a Telegram group of three, from joining to an outcome; a private need; the command forms."""

import pytest

from tests.telegram.members import Members
from tests.telegram_api import TelegramTestServer
from tests.transcript import unrecorded

PRINCIPLES = (
    "By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation "
    "(read them with /principles)."
)
BUTTONS = ["👍 Agree", "🤷 Stand aside", "✋ Object", "🛑 Block"]


async def test_join_propose_respond_object_close_and_outcome(server: TelegramTestServer, members: Members):
    alice, bob, carol = server.add_user("Alice"), server.add_user("Bob", last_name="Marley"), server.add_user("Carol")
    coop = server.add_group("Bakery co-op", members=[alice, bob, carol])

    assert (await members.say(alice, coop, "/join")).to(coop) == [
        f"Welcome, Alice! You are member 1 of this collective.\n{PRINCIPLES}"
    ]
    assert (await members.say(bob, coop, "/join")).to(coop) == [
        f"Welcome, Bob Marley! You are member 2 of this collective.\n{PRINCIPLES}"
    ]
    assert (await members.say(carol, coop, "/join")).to(coop) == [
        f"Welcome, Carol! You are member 3 of this collective.\n{PRINCIPLES}"
    ]

    said = await members.say(alice, coop, "/propose 2d Buy a coffee machine\nFor the break room.")
    [proposal] = said.messages
    assert proposal.text == (
        "Proposal #1 by Alice: Buy a coffee machine\n"
        "│ For the break room.\n"
        "Round 1 · consensus · closes Wed 4 Mar 2026, 09:00 UTC\n"
        "Respond: /agree 1 · /standaside 1 [reason] · /object 1 REASON · /block 1 REASON\n"
        "agree 0 · stand aside 0 · object 0 · block 0 — 0 of 3 responded"
    )
    assert proposal.button_texts == BUTTONS
    assert all(len(data.encode()) <= 64 for data in proposal.callback_data)

    # Bob responds by button: a pop-up for him, and the proposal's tally edited in place. No line in the
    # group: in a busy vote, one per press would fill the chat and its 20-a-minute limit.
    said = await members.press(bob, proposal, "👍 Agree")
    assert said.toast == "Bob Marley agrees with #1 Buy a coffee machine."
    assert said.to(coop) == []
    assert [edit.message_id for edit in said.edits] == [proposal.message_id]
    assert members.now_shows(proposal).endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded")
    assert members.buttons_now(proposal) == BUTTONS  # the keyboard survives the edit

    # Carol responds by command.
    said = await members.say(carol, coop, "/standaside 1 I drink tea")
    assert said.to(coop) == ["Carol stands aside on #1 Buy a coffee machine: I drink tea"]
    assert said.messages[0].reply_to_message_id == said.delivery.message_id
    assert members.now_shows(proposal).endswith("agree 1 · stand aside 1 · object 0 · block 0 — 2 of 3 responded")

    # Alice presses Object: an objection needs a reason, so the bot asks for it and counts nothing yet.
    said = await members.press(alice, proposal, "✋ Object")
    assert said.toast == "Alice, to object you need to say why: /object 1 REASON"
    assert said.to(coop) == []  # a refused press is answered to the presser alone
    assert said.edits == []
    # ... and she gives it by command.
    said = await members.say(alice, coop, "/object 1 too loud for the break room")
    assert said.to(coop) == ["Alice objects to #1 Buy a coffee machine: too loud for the break room"]
    assert members.now_shows(proposal).endswith("agree 1 · stand aside 1 · object 1 · block 0 — 3 of 3 responded")

    said = await members.say(alice, coop, "/close 1")
    assert [unrecorded(text) for text in said.to(coop)] == [
        "#1 Buy a coffee machine — adopted.\n"
        "Rule: consensus (adopted when quorum is met and no one blocks). Round 1.\n"
        "Responses: agree 1 · stand aside 1 · object 1 · block 0.\n"
        "Participation: 3 of 3 responded; quorum 2 of 3 — met.\n"
        "Objections: Alice: too loud for the break room\n"
        "Closed by Alice, Mon 2 Mar 2026, 09:00 UTC."
    ]

    # The proposal now shows how it ended, and its buttons are gone: nothing left to press in vain.
    assert members.now_shows(proposal).splitlines()[2:] == [
        "Round 1 · closed Mon 2 Mar 2026, 09:00 UTC: adopted (consensus).",
        "agree 1 · stand aside 1 · object 1 · block 0 — 3 of 3 responded",
    ]
    assert members.buttons_now(proposal) == []


async def test_a_private_need_sent_by_direct_message_is_posted_without_the_name(
    server: TelegramTestServer, members: Members
):
    alice, bob, carol = server.add_user("Alice"), server.add_user("Bob"), server.add_user("Carol")
    coop = server.add_group("Bakery co-op", members=[alice, bob, carol])
    for user in (alice, bob, carol):
        await members.say(user, coop, "/join")

    said = await members.say_privately(carol, "/need 300 overdue rent #housing")
    assert said.to(carol) == ["Your need is posted in the group as #1, without your name."]
    [need] = said.messages_in(coop)
    assert need.text.startswith("Need #1 asked by a member, privately: €300.00 — overdue rent (housing)\n")
    assert "Carol" not in need.text
    assert need.button_texts == BUTTONS  # decided like a proposal: above the automatic limit

    said = await members.press(bob, need, "👍 Agree")
    assert said.toast == "Bob agrees with #1 €300.00 — overdue rent (housing)."
    assert said.to(coop) == []
    # Carol asked it, so she is not on its roll: "of 2", and her name nowhere.
    assert members.now_shows(need).endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded")
    assert "Carol" not in members.now_shows(need)


@pytest.mark.parametrize("server", [{"privacy_mode": False}], indirect=True)  # the bot sees all group chatter
async def test_command_forms_in_groups_and_direct_chats(server: TelegramTestServer, members: Members):
    alice, bob = server.add_user("Alice"), server.add_user("Bob")
    coop = server.add_group("Bakery co-op", members=[alice, bob])

    said = await members.say(alice, coop, "/join@collective_test_bot")
    assert said.to(coop)[0].startswith("Welcome, Alice!")
    # Addressed to another bot in the group: left to that bot.
    assert (await members.say(bob, coop, "/join@other_bot")).messages == []
    # Ordinary conversation is none of the bot's business.
    assert (await members.say(bob, coop, "morning all, who has the keys?")).messages == []
    # A command typed without the entity clients usually attach still counts.
    said = await members.say(bob, coop, "/join", plain=True)
    assert said.to(coop)[0].startswith("Welcome, Bob!")
    said = await members.say(bob, coop, "!members")
    assert "Alice" in said.to(coop)[0] and "Bob" in said.to(coop)[0]

    # In a direct chat.
    said = await members.say_privately(alice, "/help agree")
    assert said.to(alice) == [
        "/agree [N] [COMMENT] — agree with a proposal\nN may be left out when only one item is open."
    ]
    said = await members.say_privately(alice, "/agree 1")
    assert said.to(alice) == ["/agree works in your collective's group chat, not in a direct message."]

    # A reply to a proposal's message names the proposal: no number needed with two open.
    first = (await members.say(alice, coop, "/propose Paint the door")).messages[0]
    await members.say(alice, coop, "/propose Fix the oven")
    said = await members.reply(bob, first, "/object it is fine as it is")
    assert said.to(coop) == ["Bob objects to #1 Paint the door: it is fine as it is"]

    # Editing a message does not re-run it (the bot does not even fetch edits).
    edited = await server.user_edits(bob, said.delivery, "/agree 1")
    assert edited.update_id is None
    assert members.now_shows(first).endswith("agree 0 · stand aside 0 · object 1 · block 0 — 1 of 2 responded")
