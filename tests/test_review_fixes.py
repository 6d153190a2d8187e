"""Regressions found in review: each test is a way a member could have been
wronged before."""

from datetime import timedelta

from bot.actions import Edit
from bot.core import Core
from bot.events import Chat, ChoiceMade, ChoiceWithdrawn
from tests.transcript import adopt, group, person, vote


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
    texts = [a.text for a in Core(unit_of_work, clock).tick() if not isinstance(a, Edit)]
    assert len(texts) == 1 and texts[0].startswith("#1 Paint the kitchen — not adopted")
    assert "Closed at its deadline, Wed 4 Mar 2026, 09:00 UTC." in texts[0]


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


def test_a_need_window_cannot_be_stretched_and_only_the_author_extends_without_a_facilitator(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/need 40 glasses #health")
    assert chat.say("Bob", "/extend 1 1w") == "Without a facilitator, only whoever raised #1 can extend it."
    assert chat.say("Alice", "/extend 1 1w") == (
        "#1's time for objections is not extended; object to it if it needs a full round."
    )


def test_a_private_need_can_be_withdrawn_privately_and_the_group_never_learns_who(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Carol", "/need 400 rent #housing")
    actions = chat.send("Carol", "/withdraw 1", chat=Chat("console", "dm-carol", is_direct=True))
    group_texts = [a.text for a in actions if not a.chat.is_direct and not isinstance(a, Edit)]
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


def test_a_swap_accepted_after_the_asker_lost_the_turn_lapses(chat):
    group(chat, "Alice Bob Carol")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    chat.say("Alice", "/swap facilitator @carol")
    chat.say("Alice", "/rotation leave facilitator")  # Bob takes over at once
    assert chat.say("Carol", "/swap accept") == "That request lapsed: Alice no longer holds the facilitator turn."
    assert "facilitator — Bob" in chat.say("Carol", "/roles")


def test_a_swap_names_someone_unambiguously(chat):
    from bot.events import MessageReceived, Sender

    group(chat, "Alice")
    chat.say("Alice", "/rotation add facilitator 1w")  # the only member: it applies at once
    for user_id in ("sam.k", "sam.p"):  # two members who both go by Sam
        chat.core.handle(
            MessageReceived(chat.chat, Sender("console", user_id, "Sam"), "/join", user_id, chat.clock.now())
        )
    assert (
        chat.say("Alice", "/swap facilitator Sam") == "More than one member is called Sam; name them by their user id."
    )
    assert chat.say("Alice", "/swap facilitator @sam.p").startswith(
        "Alice asks Sam (sam.p) to take the current facilitator turn"  # two Sams: told apart
    )


def test_a_currency_change_adopted_after_money_arrived_leaves_the_currency_alone(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/set currency JPY")
    chat.say("Bob", "/contribute 12.50")
    vote(chat, 1, Alice="agree", Bob="agree")
    outcome = chat.say("Alice", "/close 1")
    assert outcome.endswith(
        "But the pool's ledger is kept in EUR already, and its amounts can't change currency, so the currency "
        "stays EUR."
    )
    assert "contribution €12.50 from Bob" in chat.say("Bob", "/ledger")


def test_an_approved_need_can_be_withdrawn_and_what_was_reserved_goes_back(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/contribute 100")
    chat.say("Bob", "/need 80 glasses #health")
    chat.wait(timedelta(days=2))
    assert chat.say("Bob", "/withdraw 1") == (
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
    assert chat.say("Carol", "/contribute 20").endswith(
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


def test_a_weekly_handover_in_the_spring_gap_comes_back_to_its_time_the_next_week(chat):
    from datetime import UTC, datetime

    chat.say("Alice", "/join")
    chat.say("Alice", "/set timezone Europe/Berlin")
    chat.say("Bob", "/join")
    chat.clock.set(datetime(2026, 3, 22, 1, 30, tzinfo=UTC))  # Sunday 02:30 CET
    chat.say("Alice", "/rotation add dishes 1w at sun 02:30")
    chat.say("Alice", "/rotation join dishes")
    chat.say("Bob", "/rotation join dishes")
    gap = chat.wait(timedelta(days=7))  # 29 March 02:30 does not exist: 03:30 CEST
    assert gap.endswith("until Sun 5 Apr 2026, 02:30 CEST. Next: Alice.")
