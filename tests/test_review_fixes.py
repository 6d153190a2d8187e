"""Regressions found in review: each test is a way a member could have been
wronged before."""

from datetime import timedelta

from bot.core import Core
from bot.events import ChoiceMade, ChoiceWithdrawn
from tests.transcript import group, person, vote


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


def test_a_button_for_a_round_that_does_not_exist_is_ignored(chat):
    group(chat, "Alice")
    now = chat.clock.now()
    assert chat.core.handle(ChoiceMade(chat.chat, person("Alice"), "r999", "agree", "p1", now)) == []
    assert chat.core.handle(ChoiceWithdrawn(chat.chat, person("Alice"), "r999", "agree", "p2", now)) == []


def test_superscript_and_other_non_ascii_digits_get_a_clear_refusal(chat):
    group(chat, "Alice")
    assert (
        chat.say("Alice", "/show ¹") == "'¹' is not an item number; items are written like 3 or #3.\nUsage: /show [N]"
    )
    assert "not a number of rounds" in chat.say("Alice", "/set fallback_after_rounds ²")


def test_after_downtime_no_reminder_comes_for_a_round_already_past_its_deadline(unit_of_work, clock, chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 2d Paint the kitchen")
    clock.advance(timedelta(days=3))
    texts = [a.text for a in Core(unit_of_work, clock).tick()]
    assert len(texts) == 1 and texts[0].startswith("#1 Paint the kitchen — not adopted")
    assert "Closed at its deadline, Wed 4 Mar 2026, 09:00 UTC." in texts[0]
