"""A collective deciding in a Matrix room with three real members: joining, a proposal with the four reactions the
bot seeds, responses by reaction and by reply, a redacted reaction, closing, the outcome; what members see."""

from __future__ import annotations

from datetime import timedelta

from nio import ReactionEvent
from sqlalchemy import func, select

from storage.tables import MatrixReactionRow
from tests.matrix_server.conftest import RoomView, collective_room
from tests.transcript import unrecorded

WELCOME = "By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation (read them with !principles)."


def counted_reactions(bot) -> int:
    with bot.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(MatrixReactionRow)).scalar()


async def test_three_members_decide_by_reaction_reply_and_redaction(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, bob, carol = [await make_member(name) for name in ("Alice", "Bob", "Carol")]
    room = await collective_room(bot, alice, bob, carol)
    group = RoomView(bot, room, alice)

    assert await group.say(alice, "!join") == f"Welcome, Alice! You are member 1 of this collective.\n{WELCOME}"
    assert await group.say(bob, "/join") == f"Welcome, Bob! You are member 2 of this collective.\n{WELCOME}"
    assert await group.say(carol, "!join") == f"Welcome, Carol! You are member 3 of this collective.\n{WELCOME}"

    await alice.send_text(room, "!propose Buy a printer\nA laser one, for the flyers.")
    proposal = await group.message()
    assert proposal.body == (
        "Proposal #1 by Alice: Buy a printer\n"
        "│ A laser one, for the flyers.\n"
        "Round 1 · consensus · closes Thu 5 Mar 2026, 09:00 UTC\n"
        "Respond: !agree 1 · !standaside 1 [reason] · !object 1 REASON · !block 1 REASON\n"
        "agree 0 · stand aside 0 · object 0 · block 0 — 0 of 3 responded"
    )
    content = proposal.source["content"]
    assert (content["msgtype"], content["format"]) == ("m.notice", "org.matrix.custom.html")
    assert content["formatted_body"].startswith(
        "Proposal #1 by Alice: Buy a printer<br>│ A laser one, for the flyers.<br>"
    )
    seeded = [
        await alice.wait_for_event(
            room, lambda e: e.reacts_to == proposal.event_id, kind=ReactionEvent, sender=bot.user_id
        )
        for _ in range(4)
    ]
    assert [reaction.key for reaction in seeded] == ["👍", "🤷", "✋", "🛑"]

    # Bob taps 👍 under the proposal: he agrees, and the proposal message is edited to show the tally.
    # His reaction is his confirmation: the bot adds no line to the room (a busy vote would flood it).
    thumbs_up = await bob.react(room, proposal.event_id, "👍")
    edit = await group.edit()
    assert edit.source["content"]["m.relates_to"] == {"rel_type": "m.replace", "event_id": proposal.event_id}
    assert edit.body.startswith("* Proposal #1 by Alice: Buy a printer\n")
    new = edit.source["content"]["m.new_content"]
    assert new["msgtype"] == "m.notice"
    assert new["body"].endswith("agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded")

    # Carol answers the proposal message itself: no item number needed.
    objection = await carol.send_text(room, "!object too dear for now", reply_to=proposal.event_id)
    answer = await group.message()
    assert answer.body == "Carol objects to #1 Buy a printer: too dear for now"
    assert answer.source["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": objection}}
    assert (await group.edit()).body.endswith("agree 1 · stand aside 0 · object 1 · block 0 — 2 of 3 responded")

    # Bob takes his 👍 back: his response is withdrawn, and the tally shows it.
    await bob.redact(room, thumbs_up)
    assert (await group.edit()).body.endswith("agree 0 · stand aside 0 · object 1 · block 0 — 1 of 3 responded")

    # ✋ alone is not enough to object: the bot asks Bob for the reason, privately (a refused reaction is never
    # posted to the whole room, which anyone could flood).
    await bob.react(room, proposal.event_id, "✋")
    opened = await bob.wait_for_invite()
    await bob.join(opened)
    bob_private = RoomView(bot, opened, bob)
    assert await bob_private.says() == "Bob, to object you need to say why: !object 1 REASON"
    # Skin tones and variation selectors (as Element sends 👍️) mean the bare emoji.
    await bob.react(room, proposal.event_id, "🤷🏽\u200d♂️")
    assert (await group.edit()).body.endswith("agree 0 · stand aside 1 · object 1 · block 0 — 2 of 3 responded")
    await alice.react(room, proposal.event_id, "👍\ufe0f")
    assert (await group.edit()).body.endswith("agree 1 · stand aside 1 · object 1 · block 0 — 3 of 3 responded")
    # A reaction that is no response, and a reaction on another message, change nothing.
    await carol.react(room, proposal.event_id, "🎉")
    await carol.react(room, objection, "👍")

    # Kept until redacted or the round ends: Bob's 🤷 and Alice's 👍 (not Bob's refused ✋, nor Carol's 🎉, no
    # choice, nor her 👍 on a message that is no ask).
    assert counted_reactions(bot) == 2
    assert unrecorded(await group.say(carol, "!close 1")) == (
        "#1 Buy a printer — adopted.\n"
        "Rule: consensus (adopted when quorum is met and no one blocks). Round 1.\n"
        "Responses: agree 1 · stand aside 1 · object 1 · block 0.\n"
        "Participation: 3 of 3 responded; quorum 2 of 3 — met.\n"
        "Objections: Carol: too dear for now\n"
        "Closed by Carol, Mon 2 Mar 2026, 09:00 UTC."
    )
    # A response after the close is refused with the outcome, by reaction as by command.
    await bob.react(room, proposal.event_id, "👍")
    assert (await bob_private.says()).startswith(
        "#1 Buy a printer is closed. Its outcome:\n#1 Buy a printer — adopted."
    )
    # The round ended: the reactions counted on its message are forgotten, not kept forever.
    await bot.runtime.idle()
    assert counted_reactions(bot) == 0


async def test_members_text_is_escaped_and_reminders_mention_with_pills(make_matrix_bot, make_member):
    bot = await make_matrix_bot()
    alice, bob, carol = [await make_member(name) for name in ("Alice", "Bob", "Carol")]
    room = await collective_room(bot, alice, bob, carol)
    group = RoomView(bot, room, alice)
    for member in (alice, bob, carol):
        await group.say(member, "!join")

    await alice.send_text(room, "!propose <b>Fix</b> the door & the lock")
    proposal = await group.message()
    assert proposal.body.startswith("Proposal #1 by Alice: <b>Fix</b> the door & the lock\n")
    assert proposal.source["content"]["formatted_body"].startswith(
        "Proposal #1 by Alice: &lt;b&gt;Fix&lt;/b&gt; the door &amp; the lock<br>"
    )
    assert proposal.source["content"]["m.mentions"] == {}  # names in a message notify no one by accident

    await group.say(alice, "!agree 1")
    await bot.tick(timedelta(days=2))  # a day before the deadline: the reminder names who is silent
    reminder = await group.message()
    assert reminder.body == (
        "Reminder: #1 <b>Fix</b> the door & the lock closes Thu 5 Mar 2026, 09:00 UTC. "
        "Not yet responded: Bob, Carol. !show 1 has the text and every response so far."
    )
    content = reminder.source["content"]
    assert content["m.mentions"] == {"user_ids": [bob.user_id, carol.user_id]}
    assert (
        f'Not yet responded: <a href="https://matrix.to/#/{bob.user_id}">Bob</a>, '
        f'<a href="https://matrix.to/#/{carol.user_id}">Carol</a>.'
    ) in content["formatted_body"]
    assert "&lt;b&gt;Fix&lt;/b&gt;" in content["formatted_body"]
