"""The record never lies: member text cannot pose as the bot's lines, a closed
round's record never changes, every outcome stays in /decisions, and no one can
pass for someone else by taking their name."""

from datetime import timedelta

import pytest

from bot.events import MessageReceived, Sender
from tests.transcript import group, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_line_breaks_in_a_reason_cannot_fake_lines_in_show_or_the_outcome(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    chat.say("Bob", "/object 1 too dear\nBlocks: Dan: against our principles\nadopted")
    vote(chat, 1, Alice="agree", Carol="agree")
    shown = chat.say("Carol", "/show 1")
    assert "• Bob — object: too dear / Blocks: Dan: against our principles / adopted" in shown
    assert not any(line.startswith("Blocks:") for line in shown.splitlines())
    outcome = chat.say("Alice", "/close 1")
    assert "Objections: Bob: too dear / Blocks: Dan: against our principles / adopted" in outcome
    assert not any(line.startswith("Blocks:") for line in outcome.splitlines())


def test_a_contribution_note_cannot_fake_ledger_lines(chat):
    group(chat, "Alice")
    chat.say("Alice", "/contribute 5 wages\n• 9. Mon 2 Mar 2026 — paid out €5,000.00\nThe pool holds €9,999.00")
    ledger = chat.say("Alice", "/ledger").splitlines()
    assert ledger[1] == (
        "• 1. Mon 2 Mar 2026, 09:00 UTC — contribution €5.00 from Alice: wages / • 9. Mon 2 Mar 2026 — paid out "
        "€5,000.00 / The pool holds €9,999.00"
    )
    assert ledger[2] == "The pool holds €5.00, of which €0.00 is reserved for approved needs."


def test_a_proposals_detail_is_quoted_as_the_members_words(chat):
    group(chat, "Alice Bob")
    [ask] = chat.send("Alice", "/propose Paint the kitchen\nRound 1 · closed: adopted (consensus)\nagree 9")
    assert "\n│ Round 1 · closed: adopted (consensus)\n│ agree 9\n" in ask.text
    assert "│ Round 1 · closed" in chat.say("Bob", "/show 1")


def test_invisible_and_direction_override_characters_are_removed(chat):
    group(chat, "Alice Bob")
    assert chat.say("Alice", "/propose \u202eevil\u202c title").startswith("Proposal #1 by Alice: evil title\n")
    assert chat.say("Alice", "/propose \u200b\u2060\ufeff") == "Missing TITLE.\nUsage: /propose [DURATION] TITLE"
    assert chat.say("Alice", "/propose \u3164\u202e") == "Missing TITLE.\nUsage: /propose [DURATION] TITLE"
    assert chat.say("Bob", "/agree 1 fine\u202e!").startswith("Bob agrees with #1 evil title: fine!")


def test_show_of_a_closed_round_keeps_the_responses_of_members_who_left_later(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="block: the fumes", Carol="agree")
    chat.say("Alice", "/close 1")
    before = chat.say("Alice", "/show 1")
    chat.say("Bob", "/leave")
    chat.say("Dan", "/join")
    assert chat.say("Alice", "/show 1") == before
    assert "• Bob — block: the fumes" in before and "Responses (3 of 3):" in before


def test_decisions_keep_every_outcome_amended_and_withdrawn_ones_too(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    chat.say("Alice", "/amend 1 Paint the kitchen green")
    vote(chat, 1, Alice="agree", Bob="agree")
    chat.say("Bob", "/close 1")
    chat.say("Bob", "/propose Buy a van")
    chat.say("Bob", "/withdraw 2")
    assert chat.say("Alice", "/decisions").splitlines() == [
        "Decisions, newest first:",
        "#2 Buy a van — withdrawn (round 1), Mon 2 Mar 2026, 09:00 UTC",
        "#1 Paint the kitchen green — adopted (consensus, round 2), Mon 2 Mar 2026, 09:00 UTC",
        "#1 Paint the kitchen — amended (round 1), Mon 2 Mar 2026, 09:00 UTC",
    ]


def test_a_member_who_takes_anothers_name_does_not_take_over_their_responses(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    chat.say("Bob", "/block 1 the fumes")
    mallory = Sender("console", "mallory", "Bob")
    chat.core.handle(MessageReceived(chat.chat, mallory, "/join", "m-join", chat.clock.now()))
    shown = chat.say("Carol", "/show 1")
    assert "• Bob (bob) — block: the fumes" in shown
    members = chat.say("Carol", "/members")
    assert "• Bob (bob)" in members and "• Bob (mallory)" in members


def test_a_display_name_cannot_break_a_line_either(chat):
    group(chat, "Alice")
    sneaky = Sender("console", "eve", "Eve\nBob agrees with #1")
    chat.core.handle(MessageReceived(chat.chat, sneaky, "/join", "e-join", chat.clock.now()))
    assert "• Eve / Bob agrees with #1" in chat.say("Alice", "/members")


def test_a_reminder_after_a_close_that_ran_late_never_lists_the_record_twice(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 1d Paint the kitchen")
    chat.clock.advance(timedelta(days=2))
    shown = chat.say("Bob", "/show 1")  # past its deadline: it closes first, then shows the record
    assert shown.startswith("#1 Paint the kitchen — not adopted — quorum not met.")
    assert "Outcome:\n#1 Paint the kitchen — not adopted" in shown
    assert chat.wait(timedelta(days=1)) == ""


def test_a_closed_rounds_record_keeps_its_order_when_a_member_leaves_and_comes_back(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="standaside")
    chat.say("Alice", "/close 1")
    before = chat.say("Carol", "/show 1")
    chat.say("Alice", "/leave")
    chat.clock.advance(timedelta(hours=1))
    chat.say("Alice", "/join")  # a new membership, joined later than the others
    assert chat.say("Carol", "/show 1") == before


def test_names_that_only_look_alike_are_told_apart_everywhere(chat):
    group(chat, "Alice Bob")
    for user_id, name in (("mallory", "Bоb"), ("eve", "ＢＯＢ")):  # a Cyrillic о; full-width letters
        chat.core.handle(
            MessageReceived(chat.chat, Sender("console", user_id, name), "/join", user_id, chat.clock.now())
        )
    chat.say("Alice", "/propose Paint the kitchen")
    blocked = chat.core.handle(
        MessageReceived(chat.chat, Sender("console", "mallory", "Bоb"), "/block 1 no way", "b1", chat.clock.now())
    )
    assert blocked[0].text.startswith("Bоb (mallory) blocks #1")
    assert chat.say("Bob", "/contribute 5").startswith("Thank you, Bob (bob):")


def test_refusals_never_echo_a_line_break_or_a_direction_override(chat):
    group(chat, "Alice")
    assert "\n" not in chat.say("Alice", "/set decision_rule foo\nProposal #9 — adopted.").split(";")[0]
    assert chat.say("Alice", "/show 1 x\n#2 — adopted.").startswith("I did not expect 'x / #2 — adopted.' here.")
    assert "\u202e" not in chat.say("Alice", "/show #\u202eevil")


def test_decisions_come_a_page_at_a_time_and_none_is_lost(chat):
    group(chat, "Alice")
    for n in range(25):
        chat.say("Alice", f"/propose Plan {n}")
        chat.say("Alice", f"/agree {n + 1}")
        chat.say("Alice", f"/close {n + 1}")
    first = chat.say("Alice", "/decisions").splitlines()
    assert first[0] == "Decisions 1–20 of 25, newest first:" and first[-1] == "/decisions 2 for older ones."
    second = chat.say("Alice", "/decisions 2").splitlines()
    assert second[0] == "Decisions 21–25 of 25, newest first:" and second[-1] == "That is the last page."
    assert second[-2].startswith("#1 Plan 0 — adopted")


def test_windows_line_ends_make_no_blank_lines_in_a_proposals_detail(chat):
    group(chat, "Alice")
    [ask] = chat.send("Alice", "/propose Paint the kitchen\r\nGreen walls.\r\nBlue doors.")
    assert "\n│ Green walls.\n│ Blue doors.\n" in ask.text


@pytest.mark.parametrize("lookalike", ["AIice", "Aӏice", "Alice\u200d", "Alice (alice)"])
def test_a_name_made_to_look_like_anothers_is_told_apart(chat, lookalike):
    group(chat, "Alice")
    chat.core.handle(MessageReceived(chat.chat, Sender("console", "eve", lookalike), "/join", "eve", chat.clock.now()))
    members = chat.say("Alice", "/members")
    assert "• Alice (alice)" in members and "(eve)" in members
