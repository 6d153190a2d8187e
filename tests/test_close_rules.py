"""No one closes a round for the group: an early close follows the round's own
frozen rules, and a block can only be overridden by the fallback the contract
allows."""

from datetime import timedelta

import pytest

from tests.transcript import adopt, group, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_without_a_facilitator_a_round_closes_early_only_once_everyone_on_its_roll_responded(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")  # two of four: the quorum (0.5) is met, but not everyone spoke
    assert chat.say("Bob", "/close 1") == (
        "#1 Paint the kitchen cannot close early: with no facilitator, a round closes before its deadline only once "
        "everyone on its roll has responded (2 of 4 so far). Not yet responded: Carol, Dan. "
        "It closes by itself Thu 5 Mar 2026, 09:00 UTC."
    )
    vote(chat, 1, Carol="agree", Dan="block: the fumes")
    closed = chat.say("Bob", "/close 1")
    assert closed.startswith("#1 Paint the kitchen — not adopted.")
    assert "Closed by Bob" in closed


def test_the_facilitator_closes_early_under_the_rounds_frozen_quorum_not_todays(chat):
    group(chat, "Alice Bob Carol Dan")
    adopt(chat, "Alice", "/rotation add facilitator 4w")  # #1: Alice facilitates
    chat.say("Bob", "/propose Paint the kitchen")  # #2, opened under quorum 0.5
    adopt(chat, "Carol", "/set quorum 0.25")  # #3: a lower quorum for rounds opened from now on
    vote(chat, 2, Bob="agree")
    assert chat.say("Alice", "/close 2") == (
        "#2 Paint the kitchen cannot close early: 1 of 4 have responded and its quorum needs 2. "
        "It closes by itself Thu 5 Mar 2026, 09:00 UTC."
    )
    vote(chat, 2, Carol="agree")
    assert chat.say("Alice", "/close 2").startswith("#2 Paint the kitchen — adopted.")


def test_only_the_facilitator_closes_early_where_there_is_one_even_when_all_have_responded(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/rotation add facilitator 4w")
    chat.say("Bob", "/propose Paint the kitchen")
    vote(chat, 2, Alice="agree", Bob="agree")
    assert chat.say("Bob", "/close 2") == "Only the facilitator (Alice, this term) can close a round."
    assert chat.say("Alice", "/close 2").startswith("#2 Paint the kitchen — adopted.")


def test_an_author_who_blocks_their_own_proposal_cannot_force_the_fallback(chat):
    group(chat, "Alice Bob Carol Dan", fallback_after_rounds="1")
    chat.say("Alice", "/propose Open on Sundays")
    vote(chat, 1, Alice="block: I changed my mind", Bob="agree", Carol="agree")
    assert "— not adopted." in chat.wait(timedelta(days=3))
    chat.say("Alice", "/amend 1 Open on Sundays, volunteers only")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="block: rest day")
    decided = chat.wait(timedelta(days=3))
    assert "#1 Open on Sundays, volunteers only — not adopted." in decided  # Dan's block stands
    assert "fallback" not in decided


def test_a_round_that_never_met_its_quorum_does_not_count_toward_the_fallback(chat):
    group(chat, "Alice Bob Carol Dan Erin", fallback_after_rounds="1")
    chat.say("Alice", "/propose Open on Sundays")
    vote(chat, 1, Dan="block: rest day")  # one of five: quorum not met
    assert "— not adopted — quorum not met." in chat.wait(timedelta(days=3))
    chat.say("Alice", "/amend 1 Open on Sundays, volunteers only")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="block: still no")
    decided = chat.wait(timedelta(days=3))
    assert "— not adopted." in decided and "fallback" not in decided
    chat.say("Alice", "/amend 1 Open on Sundays, volunteers only, a trial month")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Erin="agree", Dan="block: no")
    decided = chat.wait(timedelta(days=3))  # now one blocked round with its quorum met stands behind it
    assert "— adopted." in decided and "the fallback after 1 blocked round" in decided


def test_a_late_amendment_or_withdrawal_does_not_touch_a_round_already_decided_at_its_deadline(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 1d Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")
    chat.clock.advance(timedelta(days=1, minutes=5))  # the deadline passed; the close has not run yet
    amended = chat.say("Alice", "/amend 1 Paint the kitchen green")
    assert amended.startswith("#1 Paint the kitchen — adopted.")  # the outcome first, as it stood
    assert amended.endswith(
        "#1 Paint the kitchen reached its deadline before your change, so it was decided as it stood."
    )
    assert chat.say("Alice", "/withdraw 1").startswith("#1 Paint the kitchen is closed. Its outcome:")
    assert chat.say("Bob", "/decisions").splitlines()[1:] == [
        "#1 Paint the kitchen — adopted (consensus, round 1), Tue 3 Mar 2026, 09:05 UTC"
    ]


def test_a_withdrawal_after_the_deadline_gets_the_outcome_instead(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 1d Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="block: no money")
    chat.clock.advance(timedelta(days=1, minutes=5))
    withdrawn = chat.say("Alice", "/withdraw 1")
    assert withdrawn.startswith("#1 Paint the kitchen — not adopted.")
    assert withdrawn.endswith("reached its deadline before your withdrawal, so it was decided as it stood.")


def test_a_deadline_in_whole_days_keeps_the_local_clock_time_across_daylight_saving(chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/set timezone Europe/Berlin")
    chat.say("Bob", "/join")
    chat.clock.advance(timedelta(days=25))  # Friday 27 March 2026, 10:00 CET; summer time starts on Sunday
    opened = chat.say("Alice", "/propose 3d Paint the kitchen")
    assert "closes Mon 30 Mar 2026, 10:00 CEST" in opened
    extended = chat.say("Alice", "/extend 1 3d")
    assert extended.startswith("#1 Paint the kitchen now closes Thu 2 Apr 2026, 10:00 CEST")
    short = chat.say("Bob", "/propose 60h Buy a van")  # hours are exact, and the clocks skip one of them
    assert "closes Sun 29 Mar 2026, 23:00 CEST" in short


def test_without_a_facilitator_the_proposer_extends_a_round_once(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/set quorum 0.9")
    assert chat.say("Alice", "/extend 1 51w") == (
        "Without a facilitator a round is extended by at most the collective's proposal_duration (3 days)."
    )
    assert chat.say("Alice", "/extend 1 3d").startswith("#1 Set quorum to 0.9 (now 0.5) now closes")
    assert chat.say("Alice", "/extend 1 1d") == (
        "Without a facilitator a round is extended once, and #1 Set quorum to 0.9 (now 0.5) was. "
        "It closes Sun 8 Mar 2026, 09:00 UTC."
    )


def test_a_round_stays_open_a_year_at_most(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/rotation add facilitator 4w")
    chat.say("Bob", "/propose 52w Paint the kitchen")
    assert chat.say("Alice", "/extend 2 2w").startswith("A round stays open a year at most;")


def test_an_amended_round_keeps_the_local_clock_time_of_its_deadline(chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/set timezone Europe/Berlin")
    chat.say("Bob", "/join")
    chat.clock.advance(timedelta(days=25))  # Friday 27 March, 10:00 CET
    chat.say("Alice", "/propose 3d Paint the kitchen")  # closes Monday 10:00 CEST
    chat.clock.advance(timedelta(days=2, hours=1))  # Sunday 29 March, 12:00 CEST: the clocks went forward
    [ask] = [a for a in chat.send("Alice", "/amend 1 Paint the kitchen green") if type(a).__name__ == "Ask"]
    assert "closes Wed 1 Apr 2026, 12:00 CEST" in ask.text  # three local days, though the first lasted 71 hours


def test_an_escalated_need_names_the_rule_that_will_decide_it(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Bob", "/need €60 tickets")  # opened under consensus
    chat.say("Alice", "/set decision_rule majority")
    chat.say("Bob", "/agree 2")
    chat.say("Carol", "/agree 2")
    chat.say("Alice", "/agree 2")
    chat.say("Alice", "/close 2")  # majority from now on
    objected = chat.say("Carol", "/object 1 a want, not a need")
    assert "it is now decided by a round under consensus" in objected


def test_a_rule_changed_mid_round_does_not_decide_that_round(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose 5d Buy a van")  # opened under consensus
    chat.say("Bob", "/set decision_rule majority")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="block: we cannot afford it")
    vote(chat, 2, Alice="agree", Bob="agree", Carol="agree")
    assert "decision_rule is now majority" in chat.say("Alice", "/close 2")
    closed = chat.wait(timedelta(days=5))
    assert "#1 Buy a van — not adopted." in closed  # Carol's block stands under the round's own rule
    assert "Rule: consensus" in closed


def test_amended_rounds_do_not_count_towards_the_fallback(chat):
    group(chat, "Alice Bob Carol Dan", fallback_after_rounds="2")
    chat.say("Alice", "/propose 3d Buy a van")
    vote(chat, 1, Dan="block: no")
    chat.say("Alice", "/amend 1 Buy a van.")
    vote(chat, 1, Dan="block: still no")
    chat.say("Alice", "/amend 1 Buy a van!")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="block: still no")
    closed = chat.wait(timedelta(days=3))
    assert "— not adopted." in closed and "fallback" not in closed


def test_a_response_after_the_deadline_closes_the_round_first_and_is_not_counted(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose 1d Paint the kitchen")
    vote(chat, 1, Alice="agree", Bob="agree")
    chat.clock.advance(timedelta(days=1, minutes=5))  # the close has not run yet
    late = chat.say("Carol", "/block 1 wait for me")
    assert late.startswith("#1 Paint the kitchen — adopted.")
    assert late.endswith("Carol, that came after #1 Paint the kitchen closed; it was not counted.")
    assert "Closed at its deadline, Tue 3 Mar 2026, 09:00 UTC." in late
    assert chat.say("Alice", "/extend 1 1w").startswith("#1 Paint the kitchen is closed.")
    assert chat.core.tick() == []  # the due close finds it closed already
