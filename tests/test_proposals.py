"""Proposals from raising to outcome: responses, amendments, integrity, timing."""

import threading
from datetime import timedelta

import pytest

from bot.actions import Ask, Edit
from bot.core import Core
from bot.events import ChoiceMade, ChoiceWithdrawn
from tests.transcript import Transcript, group, person, read, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_a_proposal_is_numbered_and_posted_with_its_closing_time_in_the_collectives_zone(chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/set timezone Europe/Berlin")  # a lone member's setting applies at once
    chat.say("Bob", "/join")
    actions = chat.send("Alice", "/propose 2d Paint the kitchen\nGreen, not grey.\nWe do it together.")
    [ask] = actions
    assert isinstance(ask, Ask)
    assert ask.text.splitlines()[:3] == [
        "Proposal #1 by Alice: Paint the kitchen",
        "│ Green, not grey.",  # the member's detail, quoted: it can never pose as the bot's own lines
        "│ We do it together.",
    ]
    assert "Round 1 · consensus · closes Wed 4 Mar 2026, 10:00 CET" in ask.text
    assert [choice.id for choice in ask.choices] == ["agree", "standaside", "object", "block"]
    assert chat.say("Bob", "/propose Buy a van").startswith("Proposal #2 by Bob: Buy a van")


def test_the_default_duration_is_the_collectives_proposal_duration(chat):
    group(chat, "Alice Bob")
    assert "closes Thu 5 Mar 2026, 09:00 UTC" in chat.say("Alice", "/propose Paint the kitchen")


def test_bad_proposals_are_answered_clearly(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/propose") == "Missing TITLE.\nUsage: /propose [DURATION] TITLE"
    assert chat.say("Alice", "/propose 3d") == "Missing TITLE.\nUsage: /propose [DURATION] TITLE"
    assert "under 200 characters" in chat.say("Alice", "/propose " + "x" * 201)
    assert chat.say("Bob", "/propose Free lunch").startswith("Only members can do that")
    assert chat.say("Alice", "/propose 3 meals a day").startswith("Proposal #1 by Alice: 3 meals a day")


def test_a_new_response_replaces_the_old_one_and_everyone_sees_them(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    assert chat.say("Bob", "/agree looks good") == "Bob agrees with #1 Paint the kitchen: looks good"
    assert chat.say("Bob", "/object 1 wrong colour") == (
        "Bob now objects to #1 Paint the kitchen (was: agree): wrong colour"
    )
    shown = chat.say("Carol", "/show 1")
    assert "Responses (1 of 3):\n• Bob — object: wrong colour\nNot yet responded: Alice, Carol." in shown
    listed = chat.say("Carol", "/proposals")
    assert "agree 0 · stand aside 0 · object 1 · block 0 — 1 of 3 responded" in listed


def test_every_response_updates_the_tally_on_the_proposal_message(chat):
    group(chat, "Alice Bob")
    [ask] = chat.send("Alice", "/propose Paint the kitchen")
    _reply, edit = chat.send("Bob", "/agree")
    assert isinstance(edit, Edit) and edit.key == ask.key
    assert edit.text.splitlines()[-1] == "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded"


def test_object_and_block_need_a_reason(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    assert chat.say("Bob", "/object 1") == "Missing REASON.\nUsage: /object [N] REASON"
    assert chat.say("Bob", "/block") == "Missing REASON.\nUsage: /block [N] REASON"
    assert chat.say("Bob", "/block it costs too much") == "Bob blocks #1 Paint the kitchen: it costs too much"


def test_the_number_may_be_left_out_only_when_one_item_is_open(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    chat.say("Alice", "/propose Buy a van")
    assert chat.say("Bob", "/agree") == "Which item? Open now: #1, #2. Say it like /agree 1 …"
    assert chat.say("Bob", "/agree 7") == "There is no #7 here. /proposals lists the open items."
    assert chat.say("Bob", "/agree #2").startswith("Bob agrees with #2 Buy a van")


def test_responding_by_choice_records_it_and_object_by_choice_asks_for_the_reason(chat):
    group(chat, "Alice Bob")
    [ask] = chat.send("Alice", "/propose Paint the kitchen")
    now = chat.clock.now()
    agreed = chat.core.handle(ChoiceMade(chat.chat, person("Bob"), ask.key, "agree", "press-1", now))
    assert agreed[0].text == "Bob agrees with #1 Paint the kitchen."
    again = chat.core.handle(ChoiceMade(chat.chat, person("Bob"), ask.key, "agree", "press-1", now))
    assert again == []  # the same press delivered twice
    objected = chat.core.handle(ChoiceMade(chat.chat, person("Bob"), ask.key, "object", "press-2", now))
    assert [read(a) for a in objected] == ["Bob, to object you need to say why: /object 1 REASON"]
    assert "• Bob — agree" in chat.say("Alice", "/show 1")  # the press without a reason changed nothing
    stranger = chat.core.handle(ChoiceMade(chat.chat, person("Zed"), ask.key, "agree", "press-3", now))
    assert stranger[0].text.startswith("Only members can do that")


def test_amend_opens_a_new_round_with_fresh_responses_and_keeps_the_old_one(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Bob="block: grey is sad")
    assert chat.say("Bob", "/amend 1 Paint it green").startswith("Only the author of #1 can amend it")
    amended = chat.send("Alice", "/amend 1 Paint the kitchen green\nTwo coats.")
    assert unrecorded(amended[0].text) == "#1 is amended: round 2 begins; earlier responses stay in the record."
    assert amended[1].text.startswith("Proposal #1 by Alice: Paint the kitchen green\n│ Two coats.\nRound 2")
    old_message = amended[2]  # round 1's message says it was replaced, and has no buttons left
    assert isinstance(old_message, Edit) and old_message.key != amended[1].key and old_message.choices == ()
    assert "Round 1 · amended Mon 2 Mar 2026, 09:00 UTC: round 2 replaces it." in old_message.text
    shown = chat.say("Carol", "/show 1")
    assert "Responses (0 of 3):" in shown
    assert "Round 1 (amended): Paint the kitchen — agree 0 · stand aside 0 · object 0 · block 1" in shown
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree")
    assert "Round 2." in chat.say("Alice", "/close 1")


def test_a_member_who_joined_after_the_round_opened_is_refused_until_the_next_round(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    chat.say("Dan", "/join")
    assert chat.say("Dan", "/agree 1").startswith("Dan, you joined after round 1 of #1 opened")
    assert "0 of 2 responded" in chat.say("Dan", "/proposals")
    chat.say("Alice", "/amend 1 Paint the kitchen green")
    assert chat.say("Dan", "/agree 1").startswith("Dan agrees with #1")


def test_a_late_response_is_refused_with_the_outcome(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree")
    chat.wait(timedelta(days=3))
    late = chat.say("Bob", "/block 1 wait!")
    assert late.startswith("#1 Paint the kitchen is closed. Its outcome:\n#1 Paint the kitchen — adopted.")


def test_closing_twice_gives_one_outcome(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")
    first = chat.say("Alice", "/close 1")
    second = chat.say("Bob", "/close 1")
    assert first.startswith("#1 Paint the kitchen — adopted.")
    assert second.startswith("#1 Paint the kitchen is closed.")
    assert chat.wait(timedelta(days=5)) == ""  # and the deadline does not close it again
    assert chat.say("Bob", "/decisions").count("#1") == 1


def test_two_racing_closes_give_one_outcome(unit_of_work, clock, chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="standaside")
    start = threading.Barrier(2)
    answers = {}

    def close(name):
        racer = Transcript(Core(unit_of_work, clock), clock)
        start.wait(timeout=10)
        answers[name] = racer.say(name, "/close 1")

    threads = [threading.Thread(target=close, args=(name,)) for name in ("Alice", "Bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = [text for text in answers.values() if text.startswith("#1 Paint the kitchen — adopted.")]
    refusals = [text for text in answers.values() if text.startswith("#1 Paint the kitchen is closed.")]
    assert len(outcomes) == 1 and len(refusals) == 1, answers


def test_withdraw_is_for_the_author_and_ends_the_round(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    assert chat.say("Bob", "/withdraw 1") == "Only the author of #1 can withdraw it."
    assert chat.say("Alice", "/withdraw 1").startswith("#1 Paint the kitchen is withdrawn by Alice")
    assert chat.say("Bob", "/agree 1") == "#1 Paint the kitchen was withdrawn by its author."
    assert chat.wait(timedelta(days=5)) == ""  # no reminder, no close
    assert chat.say("Bob", "/proposals") == "No open items. /propose TITLE starts one."


def test_extend_moves_the_deadline_and_the_reminder(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 2d Paint the kitchen")
    assert chat.say("Bob", "/extend 1 2d") == "Without a facilitator, only whoever raised #1 can extend it."
    assert chat.say("Alice", "/extend 1 2d") == (
        "#1 Paint the kitchen now closes Fri 6 Mar 2026, 09:00 UTC (extended by 2 days by Alice)."
    )
    assert chat.wait(timedelta(days=2, hours=1)) == ""
    reminded = chat.wait(timedelta(days=1))
    assert reminded.startswith("Reminder: #1 Paint the kitchen closes Fri 6 Mar 2026, 09:00 UTC.")
    assert "not adopted — quorum not met" in chat.wait(timedelta(days=1))


def test_closing_early_without_a_facilitator_waits_for_everyone_on_the_roll(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")
    refused = chat.say("Bob", "/close 1")
    assert refused == (
        "#1 Paint the kitchen cannot close early: with no facilitator, a round closes before its deadline only "
        "once everyone on its roll has responded (2 of 3 so far). Not yet responded: Carol. "
        "It closes by itself Thu 5 Mar 2026, 09:00 UTC."
    )
    assert chat.say("Zed", "/close 1").startswith("Only members can do that")


def test_the_reminder_names_only_those_who_have_not_responded(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.say("Alice", "/propose 3d Paint the kitchen")
    vote(chat, 1, Alice="agree", Carol="object: the smell")
    reminder = chat.wait(timedelta(days=2))
    assert reminder == (
        "Reminder: #1 Paint the kitchen closes Thu 5 Mar 2026, 09:00 UTC. Not yet responded: Bob, Dan. "
        "/show 1 has the text and every response so far."
    )


def test_no_reminder_when_everyone_has_responded(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 3d Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")
    assert chat.wait(timedelta(days=2, hours=12)) == ""


def test_a_deadline_that_passed_while_the_bot_was_down_closes_once_at_start_marked_late(unit_of_work, clock, chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 1d Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")
    clock.advance(timedelta(days=2))  # down all that time
    restarted = Core(unit_of_work, clock)
    actions = restarted.tick()
    texts = [action.text for action in actions if not isinstance(action, Edit)]
    assert len(texts) == 1
    assert texts[0].startswith("#1 Paint the kitchen — adopted.")
    assert "(Late by 24 h: this was due Tue 3 Mar 2026, 09:00 UTC, while the bot was offline.)" in texts[0]
    [edit] = [action for action in actions if isinstance(action, Edit)]  # the proposal's own message
    assert "Round 1 · closed Tue 3 Mar 2026, 09:00 UTC: adopted (consensus)." in edit.text  # at its deadline
    assert edit.choices == () and "Late by" not in edit.text
    assert restarted.tick() == []


def test_decisions_are_listed_newest_first(chat):
    group(chat, "Alice Bob")
    for title in ("Paint the kitchen", "Buy a van"):
        chat.say("Alice", f"/propose 1d {title}")
    vote(chat, 1, Alice="agree")
    vote(chat, 2, Alice="agree", Bob="block: no")
    chat.say("Alice", "/close 2")
    chat.wait(timedelta(days=1))
    assert chat.say("Bob", "/decisions").splitlines() == [
        "Decisions, newest first:",
        "#1 Paint the kitchen — adopted (consensus, round 1), Tue 3 Mar 2026, 09:00 UTC",
        "#2 Buy a van — not adopted (consensus, round 1), Mon 2 Mar 2026, 09:00 UTC",
    ]


def test_a_vote_by_button_is_acknowledged_to_the_voter_alone_and_shown_in_the_tally(chat):
    from bot.actions import Acknowledge

    group(chat, "Alice Bob")
    [ask] = chat.send("Alice", "/propose Paint the kitchen")
    pressed = chat.core.handle(ChoiceMade(chat.chat, person("Bob"), ask.key, "agree", "press-9", chat.clock.now()))
    acknowledgement, edit = pressed
    assert isinstance(acknowledgement, Acknowledge) and acknowledgement.user_id == "bob"
    assert acknowledgement.text == "Bob agrees with #1 Paint the kitchen."
    assert isinstance(edit, Edit) and edit.text.endswith(
        "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded"
    )
    assert (
        chat.say("Bob", "/agree 1") == "Bob agrees with #1 Paint the kitchen."
    )  # a typed command is answered in the chat


def test_a_long_list_of_open_items_comes_a_page_at_a_time(chat):
    group(chat, "Alice Bob")
    for n in range(1, 46):
        chat.say("Alice", f"/propose Idea {n}")
    chat.say("Bob", "/agree 23")
    first = chat.say("Bob", "/proposals").splitlines()
    assert first[0] == "Open items 1–20 of 45:"
    assert first[1].startswith("#1 Idea 1 — round 1, closes")
    assert first[-1] == "/proposals 2 for the next page."
    second = chat.say("Bob", "/proposals 2")
    assert second.startswith("Open items 21–40 of 45:\n#21 Idea 21")
    assert "#23 Idea 23" in second and "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded" in second
    last = chat.say("Bob", "/proposals 9").splitlines()  # past the end: the last page
    assert last[0] == "Open items 41–45 of 45:"
    assert last[-1] == "That is the last page."
    assert chat.say("Bob", "/proposals two") == (
        "'two' is not a page number; pages are 1, 2, 3, …\nUsage: /proposals [PAGE]"
    )


def test_a_closed_or_withdrawn_round_shows_how_it_ended_on_its_message_without_buttons(chat):
    group(chat, "Alice Bob")
    [ask] = chat.send("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")
    [_outcome, closed] = chat.send("Alice", "/close 1")
    assert isinstance(closed, Edit) and closed.key == ask.key and closed.choices == ()
    assert closed.text.splitlines()[1:] == [
        "Round 1 · closed Mon 2 Mar 2026, 09:00 UTC: adopted (consensus).",
        "agree 2 · stand aside 0 · object 0 · block 0 — 2 of 2 responded",
    ]
    [ask] = chat.send("Bob", "/propose Buy a van")
    [withdrawn] = [a for a in chat.send("Bob", "/withdraw 2") if isinstance(a, Edit)]
    assert withdrawn.key == ask.key and withdrawn.choices == ()
    assert "Withdrawn by its author Mon 2 Mar 2026, 09:00 UTC." in withdrawn.text


def test_a_long_proposal_shows_the_start_of_its_detail_on_its_message_and_all_of_it_on_show(chat):
    group(chat, "Alice Bob")
    detail = "\n".join(
        f"Point {n}: " + " ".join(["we paint the walls green and the doors blue"] * 3) for n in range(28)
    )
    [ask] = chat.send("Alice", f"/propose Paint the kitchen\n{detail}")
    assert len(detail) > 3900 and len(ask.text) < 2000  # one message, however often it is redrawn
    assert "…\n(The whole text: /show 1)\nRound 1 · consensus" in read(ask)
    shown = chat.say("Bob", "/show 1")
    assert all(f"│ {line}" in shown for line in detail.splitlines())


def test_a_button_for_a_round_that_does_not_exist_is_ignored(chat):
    group(chat, "Alice")
    now = chat.clock.now()
    assert chat.core.handle(ChoiceMade(chat.chat, person("Alice"), "r999", "agree", "p1", now)) == []
    assert chat.core.handle(ChoiceWithdrawn(chat.chat, person("Alice"), "r999", "agree", "p2", now)) == []
