"""Parsing is strict where a guess could hurt: a word that looks like a duration,
an item number or an amount but is not a valid one is refused or asked about,
never quietly taken for something else."""

from datetime import timedelta

import pytest

from bot.events import ChoiceMade
from tests.transcript import adopt, group, person


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/propose 0d Paint", "A duration must be longer than zero."),
        ("/propose 53w Paint", "That is too long: durations go up to a year (52w)."),
        ("/propose 1.5d Paint", "'1.5d' is not a duration: use a whole number and a unit, e.g. 30m, 12h, 3d or 2w."),
        ("/propose 53w", "That is too long: durations go up to a year (52w)."),
        ("/propose 2days Paint", "'2days' is not a duration: use a whole number and a unit, e.g. 30m, 12h, 3d or 2w."),
    ],
)
def test_a_bad_duration_is_refused_never_made_part_of_the_title(chat, typed, answer):
    group(chat, "Alice Bob")
    assert chat.say("Alice", typed) == f"{answer}\nUsage: /propose [DURATION] TITLE"
    assert chat.say("Alice", "/proposals") == "No open items. /propose TITLE starts one."


def test_a_title_that_starts_with_a_plain_number_is_still_a_title(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/propose 3 meals a day").startswith("Proposal #1 by Alice: 3 meals a day")


@pytest.mark.parametrize("word", ["1,", "1.", "#one", "0", "1:", "99999999999"])
def test_a_malformed_item_number_is_refused_never_taken_as_the_only_open_item(chat, word):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    answer = chat.say("Bob", f"/block {word} too dear")
    assert answer.startswith(f"'{word}' is not an item number; items are written like 3 or #3.")
    assert "0 of 2 responded" in chat.say("Bob", "/proposals")


def test_a_need_that_starts_with_a_count_is_asked_about_never_made_money(chat):
    group(chat, "Alice Bob")
    asked = chat.say("Bob", "/need 2 kids need a ride")
    assert asked.startswith("Is 2 an amount of money?")
    assert "/need €2.00 kids need a ride" in asked and "/need help: 2 kids need a ride" in asked
    assert chat.say("Bob", "/proposals") == "No open items. /propose TITLE starts one."
    assert chat.say("Bob", "/need 12 hours of childcare").startswith("Is 12 an amount of money?")
    helped = chat.say("Bob", "/need help: 2 kids need a ride")
    assert helped.startswith("Need #1 asked by Bob: 2 kids need a ride (other)\nCan you help?")


def test_a_need_that_starts_with_a_word_like_24h_is_help(chat):
    group(chat, "Alice Bob")
    assert chat.say("Bob", "/need 24h care for mum #care").startswith(
        "Need #1 asked by Bob: 24h care for mum (care)\nCan you help? /offer 1"
    )


def test_a_clear_amount_is_money(chat):
    group(chat, "Alice Bob")
    assert chat.say("Bob", "/need 40 glasses #health").startswith("Need #1 asked by Bob: €40.00 — glasses (health)")
    assert chat.say("Bob", "/need 4.50 bus fare").startswith("Need #2 asked by Bob: €4.50 — bus fare (other)")
    assert chat.say("Bob", "/need 100 EUR rent #housing").startswith("Need #3 asked by Bob: €100.00 — rent (housing)")


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        (
            "/rotation add sweep 1h at tue 09:00",
            "A handover on a weekday needs a cadence in whole weeks (1w, 2w, …), not 1h.",
        ),
        (
            "/rotation add sweep 3d at tue 09:00",
            "A handover on a weekday needs a cadence in whole weeks (1w, 2w, …), not 3d.",
        ),
        (
            "/rotation add sweep 12h at 09:00",
            "A handover at a time of day needs a cadence in whole days or weeks, not 12h.",
        ),
        ("/rotation add sweep 1w at", "Say when after 'at': at mon 09:00, or at 09:00 for a daily handover."),
    ],
)
def test_a_handover_time_that_cannot_be_kept_is_refused(chat, typed, answer):
    group(chat, "Alice")
    assert chat.say("Alice", typed).startswith(answer)
    assert chat.say("Alice", "/roles") == "No rotating roles yet. /rotation add facilitator 1w starts one."


def test_a_daily_handover_at_a_time_is_kept(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/rotation add sweep 1d at 18:00") == (
        "The sweep (chore) role rotates every day, at 18:00. Its roster is empty: /rotation join sweep to take part."
    )


def test_a_swap_answer_naming_a_role_answers_only_that_roles_request(chat):
    group(chat, "Alice Bob Carol")
    adopt(chat, "Alice", "/rotation add facilitator 1w")  # Alice facilitates
    chat.say("Alice", "/swap facilitator @bob")
    assert chat.say("Bob", "/swap accept treasurer") == "No one has asked you to swap a treasurer turn."
    assert "facilitator — Alice" in chat.say("Bob", "/roles")
    assert chat.say("Bob", "/swap accept facilitator").startswith("Swapped: Bob is facilitator now")


def test_a_refused_button_press_is_answered_to_the_presser_alone(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    pressed = chat.core.handle(ChoiceMade(chat.chat, person("Zed"), "r1", "agree", "press-1", chat.clock.now()))
    [answer] = pressed
    assert type(answer).__name__ == "Acknowledge" and answer.user_id == "zed" and answer.refusal
    assert answer.text.startswith("Only members can do that")


def test_forged_button_data_is_ignored(chat):
    group(chat, "Alice")
    chat.say("Alice", "/propose Paint the kitchen")
    for key in ("r" + "9" * 40, "r-1", "r1x", "x1", "r", "r١"):
        assert chat.core.handle(ChoiceMade(chat.chat, person("Alice"), key, "agree", f"f{key}", chat.clock.now())) == []


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/set need_auto_limit ²", "'²' is not an amount; give a whole number of the pool's currency, such as 100."),
        (
            "/set need_auto_limit 1e3",
            "'1e3' is not an amount; give a whole number of the pool's currency, such as 100.",
        ),
        ("/set quorum ½", "'½' is not a number; give a fraction such as 0.5 or 0.75."),
        ("/set quorum 1e-1", "'1e-1' is not a number; give a fraction such as 0.5 or 0.75."),
        ("/set fallback_after_rounds ٣", "'٣' is not a number of rounds; give a whole number from 0 (never) to 100."),
    ],
)
def test_odd_digits_in_a_setting_get_a_plain_answer(chat, typed, answer):
    group(chat, "Alice")
    assert chat.say("Alice", typed) == answer


@pytest.mark.parametrize("word", ["3d.", "1w!", "3d,", "1h30m", "3d12h"])
def test_a_duration_with_something_stuck_to_it_is_refused(chat, word):
    group(chat, "Alice")
    assert chat.say("Alice", f"/propose {word} Paint").startswith(f"'{word}' is not a duration")


@pytest.mark.parametrize("word", ["-1", "²", "1st"])
def test_other_malformed_item_numbers_are_refused(chat, word):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose Paint the kitchen")
    assert chat.say("Bob", f"/block {word} nope").startswith(f"'{word}' is not an item number")


def test_a_swap_answer_with_a_bad_role_name_is_answered_not_a_crash(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/swap accept @bob").startswith("'@bob' is not a role name")


def test_a_button_press_after_the_deadline_is_answered_to_the_presser_alone(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 1d Paint the kitchen")
    chat.clock.advance(timedelta(days=1, minutes=1))
    pressed = chat.core.handle(ChoiceMade(chat.chat, person("Bob"), "r1", "agree", "late-press", chat.clock.now()))
    [late] = [a for a in pressed if type(a).__name__ == "Acknowledge"]
    assert late.text == "Bob, that came after #1 Paint the kitchen closed; it was not counted."
    assert not [a for a in pressed if type(a).__name__ == "Reply"]


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/contribute 1.000", "EUR has 2 decimal places at most."),
        ("/contribute 5€500", "EUR has 2 decimal places at most."),
        ("/contribute 50 dollars", "The pool is kept in EUR; give the amount in EUR."),
    ],
)
def test_money_is_never_misread_through_extra_decimals_or_another_currency(chat, typed, answer):
    group(chat, "Alice")
    assert chat.say("Alice", typed) == answer
    assert chat.say("Alice", "/ledger") == "The ledger is empty. /contribute AMOUNT adds to the pool."


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/need 10000000000 rent", "That is more than €1,000,000,000.00; please check the amount."),
        ("/need 1.000 rent", "EUR has 2 decimal places at most."),
        ("/contribute 1 000", "Is that 1000? Write an amount without spaces, like 1000 or 1,000."),
        ("/contribute 50 kr", "The pool is kept in EUR; give the amount in EUR."),
    ],
)
def test_a_number_that_is_no_good_amount_is_refused_never_taken_as_help_or_a_note(chat, typed, answer):
    group(chat, "Alice")
    assert chat.say("Alice", typed) == answer
    assert chat.say("Alice", "/proposals") == "No open items. /propose TITLE starts one."


def test_a_currency_sign_before_a_spaced_amount_is_read(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/need € 50 rent #housing").startswith("Need #1 asked by Alice: €50.00 — rent (housing)")


@pytest.mark.stores
def test_superscript_and_other_non_ascii_digits_get_a_clear_refusal(chat):
    group(chat, "Alice")
    assert (
        chat.say("Alice", "/show ¹") == "'¹' is not an item number; items are written like 3 or #3.\nUsage: /show [N]"
    )
    assert "not a number of rounds" in chat.say("Alice", "/set fallback_after_rounds ²")
