"""Whoever asks a private need stays unknown to the group: no group message is
linkable to their own actions, not even the answers to what they do."""

from datetime import timedelta

import pytest

from bot.actions import Acknowledge, DirectMessage, Edit
from bot.events import Chat, ChoiceMade
from tests.transcript import adopt, group, person, read, unrecorded

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def group_texts(actions):
    """What the group reads as new messages (tally edits left out)."""
    return [read(a) for a in actions if not isinstance(a, DirectMessage | Acknowledge | Edit) and not a.chat.is_direct]


def test_whoever_asked_is_not_on_the_roll_and_the_silent_are_not_named_beside_the_members_list(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Carol", "/need €300 overdue rent #housing")
    chat.say("Alice", "/agree 1")
    shown = chat.say("Bob", "/show 1")
    assert "Responses (1 of 2):\n• Alice — agree\nNot yet responded: 1 of 2." in shown
    chat.clock.advance(timedelta(days=2))
    actions = chat.core.tick()
    assert group_texts(actions) == [
        "Reminder: #1 €300.00 — overdue rent (housing) closes Thu 5 Mar 2026, 09:00 UTC. 1 of 2 have not "
        "responded yet; I have reminded them privately."
    ]
    [private] = [a for a in actions if isinstance(a, DirectMessage)]
    assert private.user_id == "bob" and private.fallback is None  # never a mention in the group instead
    chat.say("Bob", "/agree 1")
    outcome = chat.say("Alice", "/close 1")  # everyone on its roll responded
    assert outcome.startswith("#1 €300.00 — overdue rent (housing) — adopted.")
    assert "Participation: 2 of 2 responded" in outcome and "Carol" not in outcome


def test_on_a_private_need_the_group_reads_the_same_answer_whoever_responds(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Carol", "/need €300 overdue rent #housing")
    for who in ("Carol", "Bob"):  # Carol asked it; Bob did not
        actions = chat.send(who, "/agree 1")
        assert group_texts(actions) == ["Your response to #1 is noted; I have confirmed it to you privately."]
        [private] = [a for a in actions if isinstance(a, DirectMessage)]
        assert private.user_id == who.lower() and private.fallback is None
        assert ("your own private need" in private.text) == (who == "Carol")
    pressed = chat.core.handle(ChoiceMade(chat.chat, person("Carol"), "r1", "agree", "press-1", chat.clock.now()))
    assert group_texts(pressed) == []  # a button press: answered to her alone
    assert "1 of 2 responded" in chat.say("Bob", "/proposals")  # Bob's, not Carol's


def test_in_the_group_everyone_gets_the_same_answer_to_withdraw_or_done(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Carol", "/need €30 phone credit")
    chat.direct("Carol", "/need a ride to the clinic #care")
    for command in ("/withdraw 1", "/done 2"):
        answers = {who: chat.say(who, command) for who in ("Alice", "Bob", "Carol")}
        assert len(set(answers.values())) == 1, answers  # the answer does not depend on who asked
        assert "in a direct message" in answers["Carol"]
    assert chat.direct("Carol", "/withdraw 1").endswith("Withdrawn.")
    assert chat.direct("Carol", "/done 2").endswith("Marked as met.")


def test_leaving_withdraws_a_private_need_silently_and_the_group_hears_at_its_next_due_moment(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    chat.direct("Bob", "/need €40 glasses #health")
    chat.wait(timedelta(days=2))  # approved by silence and funded
    left = chat.send("Bob", "/leave")
    assert group_texts(left) == [
        "Bob has left the collective. What you said and decided stays in the record; /join again whenever you like."
    ]
    assert chat.say("Carol", "/paid 1") == "#1 can no longer be paid out: it is being withdrawn."
    assert chat.wait(timedelta(hours=11)) == ""  # nothing right after the leaving
    heard = chat.wait(timedelta(days=1))
    assert unrecorded(heard) == "#1 €40.00 — glasses (health) is withdrawn; €40.00 goes back to the pool."
    assert "Bob" not in heard and "left" not in heard and "member" not in heard
    assert chat.say("Carol", "/pool").startswith("The pool holds €100.00: €0.00 reserved")


def test_a_private_need_still_being_decided_is_withdrawn_at_its_close_when_whoever_asked_left(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Bob", "/need €300 overdue rent #housing")
    chat.say("Alice", "/agree 1")
    assert group_texts(chat.send("Bob", "/leave"))[0].startswith("Bob has left")
    closed = chat.wait(timedelta(days=3))
    assert "#1 €300.00 — overdue rent (housing) is withdrawn by whoever asked." in closed
    assert "adopted" not in closed


def test_a_departed_members_public_need_is_never_funded_or_paid(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Bob", "/need €300 rent #housing")
    left = chat.say("Bob", "/leave")
    assert "#1 €300.00 — rent (housing) is withdrawn (whoever asked has left)." in left
    chat.say("Alice", "/contribute 500")
    assert "is funded" not in chat.wait(timedelta(days=4))
    assert chat.say("Alice", "/paid 1") == "#1 is withdrawn; only a funded need can be paid out."


def test_the_treasurer_learns_who_asked_only_while_the_need_is_approved_and_unpaid(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    adopt(chat, "Alice", "/rotation add treasurer 4w")  # #1: Alice keeps the accounts
    chat.direct("Carol", "/need €40 medicine #health")  # #2
    assert chat.direct("Alice", "/whoasked 2").startswith("#2 is deciding: the treasurer learns who asked only while")
    chat.wait(timedelta(days=2))
    assert chat.direct("Alice", "/whoasked 2") == "#2 was asked by Carol. Keep it to yourself."
    chat.say("Alice", "/paid 2")
    assert chat.direct("Alice", "/whoasked 2").startswith("#2 is paid: the treasurer learns who asked only while")


def test_no_one_makes_themselves_treasurer_to_learn_earlier_private_needs(chat):
    group(chat, "Alice Bob Mallory")
    chat.direct("Alice", "/need €40 medicine #health")
    opened = chat.say("Mallory", "/rotation add treasurer 52w")
    assert opened.startswith("Proposal #2 by Mallory: Create the treasurer role")  # the group decides
    assert chat.say("Mallory", "/rotation join treasurer") == (
        "There is no treasurer role. /roles lists them; /rotation add treasurer EVERY starts one."
    )
    assert chat.direct("Mallory", "/whoasked 1") == "Only the current treasurer can learn who asked a private need."


def test_a_private_need_is_never_announced_in_a_chat_that_ties_it_to_whoever_asked(chat):
    group(chat, "Alice Bob Carol")
    actions = chat.send("Carol", "/need €30 phone credit", chat=Chat("console", "dm-carol", is_direct=True))
    posted = group_texts(actions)
    assert posted and all("Carol" not in text for text in posted)
    assert [a.text for a in actions if a.chat.is_direct] == [
        "Your need is posted in the group as #1, without your name."
    ]


def test_a_payout_refused_because_the_requester_left_is_told_to_the_payer_alone(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    chat.direct("Bob", "/need €50 rent #housing")
    chat.wait(timedelta(days=2))  # approved and funded
    chat.say("Bob", "/leave")
    actions = chat.send("Carol", "/paid 1")
    assert group_texts(actions) == []
    assert [a.text for a in actions] == ["#1 can no longer be paid out: it is being withdrawn."]


def test_a_requester_who_leaves_and_comes_back_does_not_bring_the_need_back(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    chat.direct("Bob", "/need €50 rent #housing")
    chat.say("Bob", "/leave")
    chat.say("Bob", "/join")
    closed = chat.wait(timedelta(days=3))
    assert "#1 €50.00 — rent (housing) is withdrawn by whoever asked." in closed
    assert "funded" not in closed and "approved" not in closed


def test_a_help_needs_detail_is_quoted_so_it_cannot_pose_as_the_bots_lines(chat):
    group(chat, "Alice Bob")
    asked = chat.say("Bob", "/need help moving boxes\nProposal #9 — adopted.")
    assert "\n│ Proposal #9 — adopted.\n" in asked


def test_whoever_asked_objecting_in_the_group_has_the_visible_effect_anyones_objection_has(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.direct("Bob", "/need €50 rent #housing")
    answer = chat.say("Bob", "/object 1 too much")
    assert answer.startswith("Your response to #1 is noted; I have confirmed it to you privately.")
    assert "#1 is no longer approved by silence" in answer  # as when Carol objects
    assert chat.say("Bob", "/block 1 " + "x" * 1001) == "Please keep the reason under 1000 characters."


def test_a_departed_requesters_need_is_never_funded_and_the_money_goes_to_the_next_in_line(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Bob", "/need €50 rent #housing")  # #1, first in the queue
    chat.say("Carol", "/need €40 food #food")  # #2
    chat.wait(timedelta(days=2))  # both approved, the pool empty
    chat.say("Bob", "/leave")
    assert "#2 is funded" in chat.say("Alice", "/contribute 60")


def test_a_private_need_can_be_withdrawn_privately_and_the_group_never_learns_who(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Carol", "/need 400 rent #housing")
    actions = chat.send("Carol", "/withdraw 1", chat=Chat("console", "dm-carol", is_direct=True))
    group_texts = [unrecorded(a.text) for a in actions if not a.chat.is_direct and not isinstance(a, Edit)]
    assert group_texts == [
        "#1 €400.00 — rent (housing) is withdrawn by whoever asked. Its responses stay in the record."
    ]
    [edit] = [a for a in actions if isinstance(a, Edit)]  # the need's message, in the group, names no one
    assert edit.text.startswith("Need #1 asked by a member, privately: €400.00 — rent (housing)\nWithdrawn")
    assert "Carol" not in edit.text
    assert [a.text for a in actions if a.chat.is_direct] == ["Withdrawn."]


def test_refusals_that_would_reveal_a_private_requester_go_to_them_alone(chat):
    from bot.actions import DirectMessage

    group(chat, "Alice Bob Carol")
    chat.direct("Carol", "/need a ride to the clinic #care")
    answer, refusal = chat.send("Carol", "/offer 1")
    assert isinstance(refusal, DirectMessage) and refusal.fallback is None
    assert refusal.text == "#1 is your own need."
    assert answer.text == "Thank you: your offer for #1 went to whoever asked, privately."  # as for anyone
    offered = chat.send("Bob", "/offer 1 I can drive")
    [note] = [a for a in offered if isinstance(a, DirectMessage)]
    assert note.fallback is None  # never a mention of Carol in the group, even if a DM is impossible


def test_anyone_answers_a_private_payout_the_same_way(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    adopt(chat, "Alice", "/rotation add treasurer 4w")  # #1
    chat.say("Alice", "/swap treasurer @bob")
    chat.say("Bob", "/swap accept")
    chat.direct("Bob", "/need 30 medicine #health")  # #2: the treasurer asks privately
    chat.say("Carol", "/need 20 bus pass #transport")  # #3
    chat.wait(timedelta(days=2))
    assert chat.say("Alice", "/paid 2") == chat.say("Alice", "/paid 3").replace("#3", "#2")
    assert "is paid out" in chat.say("Bob", "/paid 2")  # the treasurer records it, as for any need
