"""Regressions found in review: each test is a way a member could have been
wronged before."""

from datetime import timedelta

from bot.core import Core
from bot.events import Chat, ChoiceMade, ChoiceWithdrawn
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
    group_texts = [a.text for a in actions if not a.chat.is_direct]
    assert group_texts == [
        "#1 400.00 EUR — rent (housing) is withdrawn by whoever asked. Its responses stay in the record."
    ]
    assert [a.text for a in actions if a.chat.is_direct] == ["Withdrawn."]


def test_refusals_that_would_reveal_a_private_requester_go_to_them_alone(chat):
    from bot.actions import DirectMessage

    group(chat, "Alice Bob Carol")
    chat.direct("Carol", "/need a ride to the clinic #care")
    [refusal] = chat.send("Carol", "/offer 1")
    assert isinstance(refusal, DirectMessage) and refusal.fallback is None
    assert refusal.text == "#1 is your own need."
    offered = chat.send("Bob", "/offer 1 I can drive")
    [note] = [a for a in offered if isinstance(a, DirectMessage)]
    assert note.fallback is None  # never a mention of Carol in the group, even if a DM is impossible


def test_anyone_answers_a_private_payout_the_same_way(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    chat.say("Alice", "/rotation add treasurer 4w")
    chat.say("Bob", "/rotation join treasurer")
    chat.direct("Bob", "/need 30 medicine #health")  # the treasurer asks privately
    chat.say("Carol", "/need 20 bus pass #transport")
    chat.wait(timedelta(days=2))
    assert chat.say("Alice", "/paid 1") == chat.say("Alice", "/paid 2").replace("#2", "#1")
    assert "is paid out" in chat.say("Bob", "/paid 1")  # the treasurer records it, as for any need


def test_a_swap_accepted_after_the_asker_lost_the_turn_lapses(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/rotation add facilitator 1w")
    chat.say("Alice", "/swap facilitator @carol")
    chat.say("Alice", "/rotation leave facilitator")  # Bob takes over at once
    assert chat.say("Carol", "/swap accept") == "That request lapsed: Alice no longer holds the facilitator turn."
    assert "facilitator — Bob" in chat.say("Carol", "/roles")


def test_a_swap_names_someone_unambiguously(chat):
    from bot.events import MessageReceived, Sender

    group(chat, "Alice")
    chat.say("Alice", "/rotation add facilitator 1w")
    for user_id in ("sam.k", "sam.p"):  # two members who both go by Sam
        chat.core.handle(
            MessageReceived(chat.chat, Sender("console", user_id, "Sam"), "/join", user_id, chat.clock.now())
        )
    assert (
        chat.say("Alice", "/swap facilitator Sam") == "More than one member is called Sam; name them by their user id."
    )
    assert chat.say("Alice", "/swap facilitator @sam.p").startswith(
        "Alice asks Sam to take the current facilitator turn"
    )
