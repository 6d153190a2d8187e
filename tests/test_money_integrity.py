"""Money is never rescaled or misread, and a mistake in the ledger is undone by
the group, in the open, by appending — never by editing."""

from datetime import timedelta

import pytest

from tests.transcript import adopt, group, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_the_currency_cannot_change_while_a_need_asked_in_it_is_open(chat):
    group(chat, "Alice Bob")
    chat.say("Bob", "/need €50 boots #other")
    assert chat.say("Alice", "/set currency JPY") == (
        "The currency can't change now: needs asked in EUR are still open."
    )
    assert "• currency = EUR" in chat.say("Alice", "/settings")


def test_a_currency_change_adopted_after_a_need_was_asked_leaves_the_currency_alone(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/set currency JPY")  # #1, opened while nothing was asked
    chat.say("Bob", "/need €50 boots #other")  # #2
    chat.say("Alice", "/agree 1")
    closed = chat.say("Bob", "/agree 1") + chat.say("Bob", "/close 1")
    assert "But needs asked in EUR are still open, so the currency stays EUR." in closed
    chat.say("Alice", "/contribute 5000")
    assert "€50.00 is reserved" in chat.wait(timedelta(days=2))  # funded with euros, never with 5,000 yen


def test_only_currencies_in_use_are_accepted(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/set currency XYZ").startswith("'XYZ' is not a currency in use")
    assert chat.say("Alice", "/set currency DEM").startswith("'DEM' is not a currency in use")
    assert chat.say("Alice", "/set currency kwd").startswith("You are the only member, so it applies at once")


def test_amounts_are_read_as_the_collectives_locale_writes_them(chat):
    group(chat, "Alice", currency="KWD")  # three decimals, and "," groups thousands in English
    assert chat.say("Alice", "/contribute 1,000").startswith("Thank you, Alice: KWD1,000.000 is in the pool.")
    assert chat.say("Alice", "/contribute 1.5").startswith("Thank you, Alice: KWD1.500 is in the pool.")


def test_an_amount_with_its_currency_works_the_same_everywhere(chat):
    group(chat, "Alice Bob")
    assert chat.say("Alice", "/contribute €5").startswith("Thank you, Alice: €5.00 is in the pool.")
    assert chat.say("Alice", "/contribute 5€50 for the kitty").startswith("Thank you, Alice: €5.50 is in the pool.")
    assert chat.say("Alice", "/contribute 12 EUR wages").startswith("Thank you, Alice: €12.00 is in the pool.")
    assert chat.say("Bob", "/need €5 bus fare").startswith("Need #1 asked by Bob: €5.00 — bus fare (other)")
    assert chat.say("Bob", "/need 5€50 soap").startswith("Need #2 asked by Bob: €5.50 — soap (other)")
    assert chat.say("Bob", "/contribute $5") == "The pool is kept in EUR; give the amount in EUR."


def test_a_mistaken_contribution_is_reversed_by_an_adopted_proposal_and_its_fundings_go_back_in_order(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 1000 oops")  # she meant 100
    chat.say("Bob", "/contribute 100")
    chat.say("Carol", "/need €80 glasses #health")  # #1
    chat.say("Bob", "/need €60 food #food")  # #2
    adopt(chat, "Bob", "/need €900 rent #housing")  # #3, a round: adopted and funded at once
    chat.wait(timedelta(days=2))  # #1 and #2 approved by silence and funded
    assert chat.say("Bob", "/pool").startswith("The pool holds €1,100.00: €1,040.00 reserved")

    opened = chat.say("Alice", "/reverse 1 I typed a zero too many")
    assert opened.startswith(
        "Proposal #4 by Alice: Reverse ledger entry 1 (contribution of €1,000.00): I typed a zero too many"
    )
    assert "€1,100.00" in chat.say("Bob", "/pool")  # nothing moves before the group decides
    outcome = adopt_open(chat, 4)
    assert "Entry 1 (€1,000.00) is reversed by a new ledger entry; the pool now holds €100.00" in outcome
    # The least urgent first, until what is reserved fits in what is held: food, then rent; glasses keep theirs.
    assert "#2 €60.00 — food (food) goes back to the queue" in outcome
    assert "#3 €900.00 — rent (housing) goes back to the queue" in outcome
    assert "#1" not in outcome.split("Needs it had funded")[1]
    pool = chat.say("Bob", "/pool")
    assert pool.startswith("The pool holds €100.00: €80.00 reserved for approved needs, €20.00 available.")
    assert "1. #3 €900.00 — rent (housing)\n2. #2 €60.00 — food (food)" in pool  # back in the queue's order
    ledger = chat.say("Bob", "/ledger")
    assert "— reversal €1,000.00 of entry 1: I typed a zero too many" in ledger
    assert "• 1. Mon 2 Mar 2026, 09:00 UTC — contribution €1,000.00 from Alice: oops" in ledger  # never edited
    assert "is funded" not in chat.say("Carol", "/contribute 60")  # #3 (€900) is first and does not fit yet
    assert chat.say("Alice", "/reverse 1 again") == "Entry 1 was reversed already."


def adopt_open(chat, number):
    for name in ("Alice", "Bob", "Carol"):
        chat.say(name, f"/agree {number}")
    return chat.say("Alice", f"/close {number}")


def test_what_cannot_be_reversed_is_refused_saying_why(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/contribute 100")
    chat.say("Bob", "/need €80 glasses #health")
    chat.wait(timedelta(days=2))
    chat.say("Alice", "/paid 1")
    assert chat.say("Bob", "/reverse 2 no") == (
        "Entry 2 is a reservation; only a contribution can be reversed (reservations, releases and payouts follow "
        "from needs and are corrected through them)."
    )
    assert chat.say("Bob", "/reverse 1 typo") == (
        "The pool holds €20.00, less than the €100.00 of entry 1: part of it has been paid out, so it cannot be "
        "undone by a reversal."
    )
    assert (
        chat.say("Bob", "/reverse 9 typo")
        == "There is no ledger entry 9. /ledger shows the entries with their numbers."
    )
    assert chat.say("Bob", "/reverse 1") == "Missing REASON.\nUsage: /reverse ENTRY REASON"
    assert chat.say("Zed", "/reverse 1 typo").startswith("Only members can do that")


def test_a_currency_change_adopted_after_money_arrived_leaves_the_currency_alone(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/set currency JPY")
    chat.say("Bob", "/contribute 12.50")
    vote(chat, 1, Alice="agree", Bob="agree")
    outcome = chat.say("Alice", "/close 1")
    assert unrecorded(outcome).endswith(
        "But the pool's ledger is kept in EUR already, and its amounts can't change currency, so the currency "
        "stays EUR."
    )
    assert "contribution €12.50 from Bob" in chat.say("Bob", "/ledger")
