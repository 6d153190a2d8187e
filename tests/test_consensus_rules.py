"""The outcome rules at their edges, as members see them in the outcome message."""

import re
from datetime import timedelta

from tests.transcript import group, vote


def outcome_of(chat, number=1):
    """The outcome the group reads when the round closes at its deadline."""
    said = chat.wait(timedelta(days=3))
    found = re.search(rf"^#{number} .* — (?:adopted|not adopted).*", said, re.MULTILINE | re.DOTALL)
    assert found, said
    return found.group(0)


def test_consensus_quorum_met_by_exactly_the_fraction(chat):
    group(chat, "Alice Bob Carol Dan")  # roll 4, quorum 0.5: 2 responses are exactly enough
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 1, Bob="agree", Carol="standaside")
    outcome = outcome_of(chat)
    assert outcome.startswith("#1 Paint the kitchen — adopted.")
    assert "Participation: 2 of 4 responded; quorum 2 of 4 — met." in outcome


def test_consensus_one_block_stops_it_and_its_reason_is_told(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Buy a van")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="block: we cannot insure it")
    outcome = outcome_of(chat)
    assert outcome.startswith("#1 Buy a van — not adopted.")
    assert "Rule: consensus (adopted when quorum is met and no one blocks). Round 1." in outcome
    assert "Responses: agree 2 · stand aside 0 · object 0 · block 1." in outcome
    assert "Blocks: Carol: we cannot insure it" in outcome


def test_consensus_objections_are_heard_but_do_not_stop_it(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose Buy a van")
    vote(chat, 1, Alice="agree", Bob="object: too dear", Carol="object: ugly")
    outcome = outcome_of(chat)
    assert "— adopted." in outcome
    assert "Objections: Bob: too dear; Carol: ugly" in outcome


def test_consent_one_objection_stops_it(chat):
    group(chat, "Alice Bob Carol", decision_rule="consent")
    chat.say("Alice", "/propose Buy a van")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="object: not now")
    assert "— not adopted." in outcome_of(chat)


def test_majority_tie_is_not_adopted_and_one_more_agree_is(chat):
    group(chat, "Alice Bob Carol Dan Erin", decision_rule="majority")
    chat.say("Alice", "/propose Four-day week")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="object: rota", Dan="block: pay")
    assert "— not adopted." in outcome_of(chat)  # 2 agree, 2 object+block: a tie
    chat.say("Alice", "/amend 1 Four-day week, rota planned")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="block: pay", Erin="object: hmm")
    outcome = outcome_of(chat)
    assert "— adopted." in outcome  # 3 agree > 2
    assert "Round 2." in outcome


def test_supermajority_at_exactly_the_threshold(chat):
    group(chat, "Alice Bob Carol Dan Erin", decision_rule="supermajority")
    chat.say("Alice", "/propose New kitchen")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="object: cost", Erin="standaside")
    outcome = outcome_of(chat)  # 3 ≥ 0.75 × 4: exactly the threshold
    assert "— adopted." in outcome
    assert "at least 75% of agree, object and block agree" in outcome
    chat.say("Alice", "/propose Second kitchen")
    vote(chat, 2, Alice="agree", Bob="agree", Carol="object: cost", Erin="standaside")
    assert "— not adopted." in outcome_of(chat, 2)  # 2 < 0.75 × 3


def test_fallback_after_k_blocked_rounds_decides_by_supermajority(chat):
    group(chat, "Alice Bob Carol Dan Erin", fallback_after_rounds="2")
    chat.say("Alice", "/propose Open on Sundays")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="block: rest day")
    assert "— not adopted." in outcome_of(chat)
    chat.say("Alice", "/amend 1 Open on Sundays, volunteers only")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="block: still no")
    round_two = outcome_of(chat)
    assert "— not adopted." in round_two and "fallback" not in round_two
    chat.say("Alice", "/amend 1 Open on Sundays, volunteers only, trial month")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree", Dan="block: no", Erin="agree")
    round_three = outcome_of(chat)
    assert round_three.startswith("#1 Open on Sundays, volunteers only, trial month — adopted.")
    assert "the fallback after 2 blocked rounds. Round 3." in round_three
    assert "Blocks: Dan: no" in round_three


def test_quorum_not_met_at_the_deadline(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.say("Alice", "/propose 1d Quiet hours")
    vote(chat, 1, Bob="agree")
    closed = chat.wait(timedelta(days=1))
    assert "#1 Quiet hours — not adopted — quorum not met." in closed
    assert "Participation: 1 of 4 responded; quorum 2 of 4 — not met." in closed
    assert "Closed at its deadline" in closed


def test_members_who_left_do_not_count_at_close(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.say("Alice", "/propose Move the meeting")
    vote(chat, 1, Dan="block: no")
    chat.say("Dan", "/leave")
    chat.say("Carol", "/leave")
    vote(chat, 1, Alice="agree")
    outcome = outcome_of(chat)  # roll is now Alice and Bob; Dan's block left with him
    assert "— adopted." in outcome
    assert "Participation: 1 of 2 responded" in outcome
