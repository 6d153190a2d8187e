"""The pooled fund and need requests, as whole flows."""

from datetime import timedelta

import pytest

from bot.actions import DirectMessage
from tests.transcript import group, read, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_contributions_add_up_in_the_pool_and_the_ledger(chat):
    group(chat, "Alice Bob")
    assert unrecorded(chat.say("Alice", "/contribute 50 March wages")) == (
        "Thank you, Alice: €50.00 is in the pool. The pool holds €50.00, of which €0.00 is reserved for approved needs."
    )
    chat.say("Bob", "/contribute 12,50")
    assert chat.say("Bob", "/pool").startswith(
        "The pool holds €62.50: €0.00 reserved for approved needs, €62.50 available."
    )
    assert chat.say("Bob", "/ledger").splitlines() == [
        "Ledger, newest first (last 2):",
        "• 2. Mon 2 Mar 2026, 09:00 UTC — contribution €12.50 from Bob",
        "• 1. Mon 2 Mar 2026, 09:00 UTC — contribution €50.00 from Alice: March wages",
        "The pool holds €62.50, of which €0.00 is reserved for approved needs.",
    ]


def test_bad_amounts_are_refused_and_nothing_is_recorded(chat):
    group(chat, "Alice")
    for typed, reply in [
        ("-5", "An amount must be more than zero."),
        ("0", "An amount must be more than zero."),
        ("NaN", "'NaN' is not an amount; write it like €12.50."),
        ("1e309", "'1e309' is not an amount; write it like €12.50."),
        ("12.505", "EUR has 2 decimal places at most."),
        ("5000000000", "That is more than €1,000,000,000.00; please check the amount."),
    ]:
        assert chat.say("Alice", f"/contribute {typed}") == reply
    assert chat.say("Alice", "/contribute") == "Missing AMOUNT.\nUsage: /contribute AMOUNT [NOTE]"
    assert chat.say("Alice", "/ledger") == "The ledger is empty. /contribute AMOUNT adds to the pool."
    assert chat.say("Zed", "/contribute 5").startswith("Only members can do that")


def test_a_small_need_is_approved_by_silence_and_funded(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    asked = chat.say("Bob", "/need 80 new glasses #health")
    assert asked.splitlines()[:2] == [
        "Need #1 asked by Bob: €80.00 — new glasses (health)",
        "Approved Wed 4 Mar 2026, 09:00 UTC unless someone objects or blocks before then.",
    ]
    assert "cannot" not in chat.say("Carol", "/agree 1")
    assert unrecorded(chat.wait(timedelta(days=2)), count=2).splitlines() == [
        "#1 €80.00 — new glasses (health) — approved: no one objected or blocked within 2 days.",
        "#1 is funded: €80.00 is reserved for it from the pool. The treasurer records the payout with /paid 1.",
    ]
    assert chat.say("Carol", "/pool").startswith(
        "The pool holds €100.00: €80.00 reserved for approved needs, €20.00 available."
    )


def test_a_small_need_with_an_objection_becomes_a_round(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    chat.say("Bob", "/need 60 concert tickets")
    objected = chat.say("Carol", "/object 1 that is a want, not a need")
    assert objected == (
        "Carol objects to #1 €60.00 — concert tickets (other): that is a want, not a need\n"
        "#1 is no longer approved by silence: it is now decided by a round under consensus, "
        "closing Thu 5 Mar 2026, 09:00 UTC."
    )
    meanwhile = chat.wait(timedelta(days=2))
    assert "approved" not in meanwhile  # the silent window no longer approves it
    assert "Not yet responded: Alice, Bob." in meanwhile  # a full round reminds like any other
    vote(chat, 1, Alice="agree", Bob="agree")
    outcome = chat.say("Alice", "/close 1")
    assert outcome.startswith("#1 €60.00 — concert tickets (other) — adopted.")  # an objection does not block
    assert "Objections: Carol: that is a want, not a need" in outcome
    assert "#1 is funded: €60.00" in outcome


def test_a_small_need_blocked_in_its_round_is_not_funded(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    chat.say("Bob", "/need 60 concert tickets")
    vote(chat, 1, Carol="block: not from the pool")
    vote(chat, 1, Alice="agree", Bob="agree")
    assert "— not adopted." in chat.say("Alice", "/close 1")
    assert "€0.00 reserved" in chat.say("Alice", "/pool")
    assert chat.say("Alice", "/paid 1") == "#1 is rejected; only a funded need can be paid out."


def test_a_large_need_starts_as_a_round(chat):
    group(chat, "Alice Bob Carol")
    asked = chat.say("Bob", "/need 500 rent arrears #housing")
    assert "Round 1 · consensus · closes Thu 5 Mar 2026, 09:00 UTC" in asked
    assert "cannot close early" in chat.say("Alice", "/close 1")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree")
    outcome = chat.say("Alice", "/close 1")
    assert unrecorded(outcome).endswith("It waits for funds: €0.00 is available now. /pool shows the queue.")


def test_a_silent_need_does_not_close_early(chat):
    group(chat, "Alice Bob")
    chat.say("Bob", "/need 20 bus pass #transport")
    vote(chat, 1, Alice="agree", Bob="agree")
    assert "that time is for objections" in chat.say("Alice", "/close 1")


def test_queued_needs_are_funded_in_priority_order_as_contributions_arrive(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/need 30 bus pass #transport")  # oldest, but transport ranks low
    chat.say("Bob", "/need 50 dentist #health")
    chat.say("Carol", "/need 40 school books #education")
    chat.say("Carol", "/need 20 medicine #health")
    chat.wait(timedelta(days=2))
    assert chat.say("Alice", "/pool").splitlines()[1:] == [
        "Approved needs waiting for funds, in the order they will be funded:",
        "1. #2 €50.00 — dentist (health)",
        "2. #4 €20.00 — medicine (health)",
        "3. #1 €30.00 — bus pass (transport)",
        "4. #3 €40.00 — school books (education)",
    ]
    # 60 arrives: the dentist is funded; the medicine (20) waits behind nothing
    # but its own turn, which has come too.
    funded = chat.say("Bob", "/contribute 60")
    assert "#2 is funded: €50.00" in funded
    assert "#4" not in funded  # 10 left: not enough for the medicine, and nothing overtakes it
    funded = chat.say("Bob", "/contribute 40")
    assert "#4 is funded: €20.00" in funded and "#1 is funded: €30.00" in funded
    assert "#3" not in funded
    assert funded.index("#4 is funded") < funded.index("#1 is funded")


def test_the_priority_order_follows_the_collectives_setting(chat):
    group(chat, "Alice Bob", need_priorities="education,health,transport,housing,food,childcare,care,other")
    chat.say("Alice", "/need 50 dentist #health")
    chat.say("Bob", "/need 40 school books #education")
    chat.wait(timedelta(days=2))
    assert chat.say("Alice", "/pool").splitlines()[2] == "1. #2 €40.00 — school books (education)"


def test_a_payout_is_recorded_once_by_someone_other_than_the_requester(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/contribute 100")
    chat.say("Bob", "/need 80 new glasses #health")
    assert chat.say("Alice", "/paid 1") == "#1 is deciding; only a funded need can be paid out."
    chat.wait(timedelta(days=2))
    assert chat.say("Bob", "/paid 1") == "Someone other than whoever asked records the payout of #1."
    assert unrecorded(chat.say("Alice", "/paid 1")) == (
        "#1 €80.00 — new glasses (health) is paid out (€80.00), recorded by Alice. "
        "The pool holds €20.00, of which €0.00 is reserved for approved needs."
    )
    assert chat.say("Alice", "/paid 1") == "#1 was paid out already."
    assert "paid out €80.00 for #1, recorded by Alice" in chat.say("Bob", "/ledger")


def test_help_that_is_not_money_gets_offers_and_ends_when_met(chat):
    group(chat, "Alice Bob Carol")
    actions = chat.send("Carol", "/need a ride to the clinic on Friday #care")
    assert (
        read(actions[0])
        == "Need #1 asked by Carol: a ride to the clinic on Friday (care)\nCan you help? /offer 1 [note]"
    )
    offered = chat.send("Alice", "/offer 1 I can drive")
    assert offered[0].text == "Alice offers to help with #1: I can drive"
    assert isinstance(offered[1], DirectMessage) and offered[1].user_id == "carol"
    assert read(offered[1]) == "Alice offers to help with your need #1: I can drive. When it is met, say /done 1."
    assert chat.say("Carol", "/offer 1") == "#1 is your own need."
    assert chat.say("Alice", "/agree 1") == "#1 asks for help, not for a decision: /offer 1 to help."
    assert "asking for help, 1 offer so far" in chat.say("Bob", "/proposals")
    assert chat.say("Bob", "/done 1") == "Only whoever asked can say #1 is met."
    assert (
        unrecorded(chat.say("Carol", "/done 1")) == "#1 a ride to the clinic on Friday (care) is met. Thank you, Alice!"
    )
    assert chat.say("Bob", "/offer 1") == "#1 is not asking for help: it is done."


def test_a_need_names_a_known_category(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/need 20 snacks #fun").startswith(
        "'#fun' is not a category; the categories are: #health,"
    )
    assert chat.say("Alice", "/need").startswith("Missing [AMOUNT] DESCRIPTION [#category].")
    assert chat.say("Alice", "/need -20 snacks") == "An amount must be more than zero."
    assert chat.say("Alice", "/need 20").startswith("Say what the need is")


def test_the_currency_cannot_change_under_an_existing_ledger(chat):
    group(chat, "Alice")
    chat.say("Alice", "/contribute 10")
    assert chat.say("Alice", "/set currency JPY") == (
        "The currency can't change now: the pool's ledger is kept in EUR already, and its amounts can't change "
        "currency."
    )


def test_yen_have_no_decimals(chat):
    group(chat, "Alice", currency="JPY")
    assert chat.say("Alice", "/contribute 1500").startswith("Thank you, Alice: ¥1,500 is in the pool.")
    assert chat.say("Alice", "/contribute 15.5") == "JPY has no smaller unit; write a whole number."


def test_help_needs_have_no_round_to_amend_extend_or_close(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/need a ride to the clinic #care")
    for command in ("/amend 1 a ride home too", "/extend 1 1d", "/close 1"):
        assert chat.say("Alice", command) == (
            "#1 asks for help, not for a decision, so it has no round. /offer 1 helps."
        ), command


def test_a_need_approved_by_silence_shows_it_on_its_message_without_buttons(chat):
    from bot.actions import Edit

    group(chat, "Alice Bob")
    [ask] = chat.send("Bob", "/need 30 bus pass #transport")
    chat.clock.advance(timedelta(days=2))
    [edit] = [action for action in chat.core.tick() if isinstance(action, Edit)]
    assert edit.key == ask.key and edit.choices == ()
    assert "Closed Wed 4 Mar 2026, 09:00 UTC: approved." in edit.text


def test_a_need_window_cannot_be_stretched_and_only_the_author_extends_without_a_facilitator(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/need 40 glasses #health")
    assert chat.say("Bob", "/extend 1 1w") == "Without a facilitator, only whoever raised #1 can extend it."
    assert chat.say("Alice", "/extend 1 1w") == (
        "#1's time for objections is not extended; object to it if it needs a full round."
    )


def test_an_approved_need_can_be_withdrawn_and_what_was_reserved_goes_back(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/contribute 100")
    chat.say("Bob", "/need 80 glasses #health")
    chat.wait(timedelta(days=2))
    assert unrecorded(chat.say("Bob", "/withdraw 1")) == (
        "#1 €80.00 — glasses (health) is withdrawn (no longer needed); €80.00 goes back to the pool."
    )
    assert chat.say("Bob", "/pool").startswith("The pool holds €100.00: €0.00 reserved")
    assert "released €80.00 for #1: no longer needed" in chat.say("Bob", "/ledger")


def test_a_member_who_leaves_takes_their_queued_need_out_of_the_queue(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/need 500 rent #housing")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree")
    chat.say("Bob", "/close 1")
    chat.say("Carol", "/need 20 bus pass #transport")
    chat.wait(timedelta(days=2))
    assert "1. #1 €500.00 — rent (housing)" in chat.say("Bob", "/pool")
    left = chat.say("Alice", "/leave")
    assert "#1 €500.00 — rent (housing) is withdrawn (whoever asked has left)." in left
    assert unrecorded(chat.say("Carol", "/contribute 20"), count=2).endswith(
        "#2 is funded: €20.00 is reserved for it from the pool. The treasurer records the payout with /paid 2."
    )


def test_new_priorities_fund_the_queue_in_their_order_at_once(chat):
    group(chat, "Alice")
    chat.say("Alice", "/contribute 30")
    chat.say("Alice", "/need 50 dentist #health")
    chat.say("Alice", "/need 30 school books #education")
    chat.wait(timedelta(days=2))
    assert "is funded" not in chat.say("Alice", "/pool")
    changed = chat.say("Alice", "/set need_priorities education,health,housing,food,childcare,care,transport,other")
    assert "#2 is funded: €30.00" in changed


def test_a_need_with_a_currency_sign_is_money_and_another_currency_is_refused(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/need 50€ groceries #food").startswith("Need #1 asked by Alice: €50.00 — groceries")
    assert chat.say("Alice", "/need €12.50 bread #food").startswith("Need #2 asked by Alice: €12.50 — bread")
    assert chat.say("Alice", "/need 20EUR soap #food").startswith("Need #3 asked by Alice: €20.00 — soap")
    assert chat.say("Alice", "/need $50 groceries") == "The pool is kept in EUR; give the amount in EUR."
    assert chat.say("Alice", "/need 50USD groceries") == "The pool is kept in EUR; give the amount in EUR."
