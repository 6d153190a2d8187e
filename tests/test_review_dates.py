"""Review dates: an adopted proposal, setting or role comes back as a new round under the rules of the day;
adopted again it stands, otherwise it lapses and what it created is undone."""

from datetime import timedelta

import pytest

from bot.core import Core
from tests.transcript import adopt, group, read, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_a_setting_that_lapses_on_review_goes_back_to_its_previous_value(chat):
    group(chat, "Alice Bob Cara")
    adopted = adopt(chat, "Alice", "/set quorum 0.6\nreview in 26w")
    assert unrecorded(adopted).endswith(
        "quorum is now 0.6 (share of the roll that must respond). #1 comes up for review Mon 31 Aug 2026, 09:00 UTC."
    )
    assert "Comes up for review Mon 31 Aug 2026, 09:00 UTC." in chat.say("Bob", "/show 1")
    assert chat.wait(timedelta(weeks=26) - timedelta(minutes=1)) == ""  # nothing before its date
    # Meanwhile the collective changed its rule: the review is decided by today's rules, not those of March.
    with chat.core.unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        uow.settings.put(collective.id, "decision_rule", "majority")
        uow.commit()
    opened = chat.wait(timedelta(minutes=1))
    assert opened.splitlines()[:3] == [
        "#1 Set quorum to 0.6 (was 0.5) is up for review (adopted Mon 2 Mar 2026, 09:00 UTC). It stands if it is "
        "adopted again under our rules as they are now; if not, it lapses and quorum goes back to 0.5. Respond as "
        "to any proposal.",
        "Up for review — settings proposal #1 by Alice: Set quorum to 0.6 (was 0.5)",
        "Round 2 · majority · closes Thu 3 Sep 2026, 09:00 UTC",
    ]
    assert "#1 Set quorum to 0.6 (was 0.5) — round 2" in chat.say("Cara", "/proposals")
    vote(chat, 1, Alice="agree", Bob="object: it made closing harder", Cara="object: back to half")
    closed = chat.wait(timedelta(days=3))
    assert "#1 Set quorum to 0.6 (was 0.5) — not adopted." in closed
    assert "Rule: majority" in closed
    assert unrecorded(closed).endswith("It lapses: quorum is now 0.5 (share of the roll that must respond).")
    assert "• quorum = 0.5 — share" in chat.say("Bob", "/settings")
    assert chat.say("Bob", "/decisions").splitlines()[1:] == [
        "#1 Set quorum to 0.6 (was 0.5) — lapsed on review (majority, round 2), Thu 3 Sep 2026, 09:00 UTC",
        "#1 Set quorum to 0.6 (now 0.5) — adopted (consensus, round 1), Mon 2 Mar 2026, 09:00 UTC",
    ]
    assert "Round 2: lapsed." in chat.say("Bob", "/show 1")
    assert chat.say("Alice", "/agree 1").startswith("#1 Set quorum to 0.6 (was 0.5) is closed.")


def test_a_decision_adopted_again_on_review_stands_and_keeps_what_it_did(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/set need_window 72h\nreview on 2026-06-01")
    opened = chat.wait(timedelta(days=92))
    assert "#1 Set need_window to 3d (was 48h) is up for review" in opened
    vote(chat, 1, Alice="agree", Bob="agree")
    closed = chat.say("Bob", "/close 1")
    assert "#1 Set need_window to 3d (was 48h) — adopted." in closed
    assert unrecorded(closed).endswith("It stands. /review 1 WHEN sets another review date.")
    assert "• need_window = 3d" in chat.say("Bob", "/settings")
    assert (
        chat.say("Bob", "/decisions")
        .splitlines()[1]
        .startswith("#1 Set need_window to 3d (was 48h) — kept on review (consensus, round 2)")
    )
    shown = chat.say("Bob", "/show 1")
    assert "Round 2: adopted." in shown and "review" not in shown.split("Responses")[0].lower()
    assert chat.wait(timedelta(weeks=52)) == ""  # no further review unless one is set


def test_a_lapsed_role_is_removed_and_its_name_can_be_used_again(chat):
    group(chat, "Alice Bob Cara")
    adopt(chat, "Alice", "/rotation add treasurer 4w\nreview in 8w")
    assert chat.wait(timedelta(weeks=8)).count("is up for review") == 1
    vote(chat, 1, Alice="block: the pool is small, we need no treasurer", Bob="agree", Cara="agree")
    closed = chat.wait(timedelta(days=3))
    assert unrecorded(closed).endswith(
        "It lapses: the treasurer role is removed; Cara's turn ends now. Its turns stay in the record."
    )
    assert chat.say("Bob", "/roles") == "No rotating roles yet. /rotation add facilitator 1w starts one."
    assert chat.wait(timedelta(weeks=8)) == ""  # no handover of a removed role, no reminder
    assert chat.say("Bob", "/paid 1").startswith("#1 is a proposal")  # (no treasurer power survives either)
    again = adopt(chat, "Bob", "/rotation add treasurer 2w")
    assert "The treasurer role rotates every 2 weeks among all members" in again
    assert chat.say("Bob", "/roles").startswith("Roles:\n• treasurer — ")


def test_a_review_that_fell_due_while_the_bot_was_down_opens_once_and_says_it_is_late(chat, clock, unit_of_work):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/propose Buy a van\nThe old one is done.\nreview in 2w")
    clock.advance(timedelta(weeks=2, days=1))  # down over the review date
    restarted = Core(unit_of_work, clock)
    said = [read(action) for action in restarted.tick()]
    assert said[0].startswith("#1 Buy a van is up for review")
    assert "(Late by 24 h: this was due Mon 16 Mar 2026, 09:00 UTC, while the bot was offline.)" in said[0]
    assert said[1].startswith("Up for review — proposal #1 by Alice: Buy a van")
    assert restarted.tick() == []
    assert Core(unit_of_work, clock).tick() == []
    assert chat.say("Alice", "/show 1").count("Round 2: open") == 1


def test_review_by_proposal_sets_changes_and_takes_away_a_review_date(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/propose Buy a van")
    assert chat.say("Bob", "/review 1 in 2w").startswith("Proposal #2 by Bob: Review #1 Buy a van 2 weeks after")
    assert chat.say("Alice", "/review 1 on 2026-05-01").startswith(
        "#2 Review #1 Buy a van 2 weeks after this is adopted is still open"
    )
    vote(chat, 2, Alice="agree", Bob="agree")
    assert unrecorded(chat.say("Alice", "/close 2")).endswith("#1 comes up for review Mon 16 Mar 2026, 09:00 UTC.")
    adopted = adopt(chat, "Bob", "/review 1 on 2026-05-01")
    assert unrecorded(adopted).endswith("#1 comes up for review Fri 1 May 2026, 09:00 UTC.")
    assert chat.wait(timedelta(weeks=3)) == ""  # the earlier date is gone
    assert unrecorded(adopt(chat, "Bob", "/review 1 off")).endswith("#1 has no review date now.")
    assert chat.wait(timedelta(weeks=10)) == ""
    assert chat.say("Bob", "/review 1 off") == "#1 Buy a van has no review date to take away."


def test_only_what_a_lapse_can_undo_takes_a_review_date(chat):
    group(chat, "Alice Bob", join="consent")
    chat.say("Alice", "/contribute 50")
    chat.say("Cara", "/join")  # #1, a membership proposal
    chat.say("Alice", "/need 20 glasses")  # #2
    chat.say("Bob", "/reverse 1 typo")  # #3
    chat.say("Alice", "/propose Paint the door")  # #4, still open
    assert chat.say("Bob", "/review 1 in 4w") == (
        "#1 cannot have a review date: admitting a member is not undone by a lapse: membership ends only by leaving."
    )
    assert chat.say("Bob", "/review 2 in 4w").startswith("#2 cannot have a review date: a need is not a standing")
    assert chat.say("Bob", "/review 3 in 4w").startswith("#3 cannot have a review date: a reversal is a ledger")
    assert chat.say("Bob", "/review 4 in 4w").startswith("#4 Paint the door is still being decided.")
    assert chat.say("Bob", "/review 9 in 4w") == "There is no #9 here. /proposals lists the open items."
    assert chat.say("Bob", "/review 4 soon").startswith("Write a review date like this: review in 26w")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("review in 6m", "'6m' is 6 minutes: a review is at least a day away (write months in weeks, like 26w"),
        ("review in 60w", "That is too long: durations go up to a year (52w)."),
        ("review on 2026-13-01", "There is no such day as 2026-13-01."),
        ("review on 1/6/2027", "'1/6/2027' is not a date: write it like 2027-06-01 (year-month-day)."),
        ("review 26w", "Write a review date like this: review in 26w, or review on 2027-06-01."),
        ("Review on Monday", "'Monday' is not a date"),
    ],
)
def test_a_malformed_review_line_is_refused_never_taken_as_text(chat, line, reason):
    group(chat, "Alice Bob")
    answer = chat.say("Alice", f"/propose Buy a van\n{line}")
    assert answer.startswith("The last line reads as a review date but is not one: "), answer
    assert reason in answer
    assert chat.say("Alice", "/proposals") == "No open items. /propose TITLE starts one."


def test_review_lines_where_nothing_could_lapse_are_refused(chat):
    group(chat, "Alice Bob")
    assert chat.say("Alice", "/propose Buy a van\nreview on 2026-01-01") == (
        "The last line is a review date that cannot be: 2026-01-01 has passed; a review date is in the future."
    )
    assert chat.say("Alice", "/need 20 glasses\nreview in 4w").startswith(
        "/need cannot carry a review date. A review line goes on a proposal that can lapse: /propose, /set or "
        "/rotation add of a role with powers"
    )
    assert chat.say("Alice", "/rotation add dishes 1w\nreview in 4w") == (
        "dishes is a chore, made at once and not by proposal, so it has no review date to come back at."
    )
    assert chat.say("Alice", "/proposals") == "No open items. /propose TITLE starts one."
    # A last line that only begins with the word is the member's text.
    chat.say("Alice", "/propose Buy a van\nreview the insurance first")
    assert "review the insurance first" in chat.say("Alice", "/show 1")
    opened = chat.say("Alice", "/propose Fix the roof\nreview in 26w")
    assert opened.splitlines()[:2] == [
        "Proposal #2 by Alice: Fix the roof",
        "Review date: 26 weeks after it is adopted; not adopted again then, it lapses.",
    ]
    assert "Review date: 26 weeks after it is adopted." in chat.say("Bob", "/show 2")


def test_a_decision_up_for_review_is_decided_by_its_round_not_by_its_author(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/propose Buy a van\nreview in 1w")
    chat.wait(timedelta(weeks=1))
    assert chat.say("Alice", "/withdraw 1").startswith("#1 Buy a van was adopted by the collective and is up for")
    assert chat.say("Alice", "/amend 1 Buy two vans") == (
        "#1 Buy a van is up for review as it was adopted; a change to it is a new proposal."
    )
    assert (
        chat.say("Bob", "/review 1 in 4w") == "#1 Buy a van is up for review now; its round decides whether it stands."
    )


def test_a_lapse_never_undoes_a_later_decision_on_the_same_setting(chat):
    group(chat, "Alice Bob Cara")
    adopt(chat, "Alice", "/set quorum 0.6\nreview in 4w")  # #1: 0.5 → 0.6
    adopt(chat, "Bob", "/set quorum 0.7")  # #2: 0.6 → 0.7
    adopt(chat, "Cara", "/set quorum 0.6")  # #3: 0.7 → 0.6, a later decision that happens to agree with #1
    opened = chat.wait(timedelta(weeks=4))
    assert opened.startswith(
        "#1 Set quorum to 0.6 (was 0.5) is up for review (adopted Mon 2 Mar 2026, 09:00 UTC). It stands if it is "
        "adopted again under our rules as they are now; if not, it lapses. Respond as to any proposal."
    )
    vote(chat, 1, Alice="agree", Bob="block: no")
    closed = chat.wait(timedelta(days=4))
    assert unrecorded(closed).endswith("It lapses: quorum was set by a later decision (#3), so it stays 0.6.")
    assert "• quorum = 0.6 (default 0.5) — share" in chat.say("Bob", "/settings")


def test_a_lapse_restores_the_value_in_force_before_it_skipping_decisions_that_lapsed(chat):
    group(chat, "Alice Bob Cara")
    adopt(chat, "Alice", "/set quorum 0.6\nreview on 2026-04-01")  # #1: 0.5 → 0.6, reviewed first
    adopt(chat, "Bob", "/set quorum 0.7\nreview on 2026-05-01")  # #2: 0.6 → 0.7, reviewed a month later
    opened = chat.wait(timedelta(weeks=4, days=3))
    assert opened.startswith("#1 Set quorum to 0.6 (was 0.5) is up for review")
    assert "it lapses. Respond" in opened  # #2 is in force: #1 lapsing would change nothing
    vote(chat, 1, Alice="block: no", Bob="agree", Cara="agree")
    assert unrecorded(chat.wait(timedelta(days=3))).endswith(
        "quorum was set by a later decision (#2), so it stays 0.7."
    )
    opened = chat.wait(timedelta(weeks=4))
    assert "if not, it lapses and quorum goes back to 0.5." in opened  # #1 lapsed: what was before it
    vote(chat, 2, Alice="block: no", Bob="agree", Cara="agree")
    assert unrecorded(chat.wait(timedelta(days=3))).endswith(
        "It lapses: quorum is now 0.5 (share of the roll that must respond)."
    )


@pytest.mark.parametrize("zone", ["Australia/Sydney", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_dates_at_the_ends_of_the_calendar_are_refused_in_every_time_zone(chat, zone):
    group(chat, "Alice Bob Cara", timezone=zone)
    adopt(chat, "Alice", "/propose Buy a van")
    assert chat.say("Bob", "/review 1 on 0001-01-01").endswith("0001-01-01 has passed; a review date is in the future.")
    assert chat.say("Bob", "/review 1 on 9999-12-31").endswith(
        "9999-12-31 is more than 5 years away; a decision is reviewed sooner than that."
    )
    assert chat.say("Bob", "/propose Paint\nreview on 0001-01-01") == (
        "The last line is a review date that cannot be: 0001-01-01 has passed; a review date is in the future."
    )
    assert chat.say("Bob", "/set quorum 0.6\nreview on 9999-12-31").endswith(
        "is more than 5 years away; a decision is reviewed sooner than that."
    )


def test_a_setting_adopted_before_adoptions_were_numbered_still_goes_back_when_it_lapses(chat):
    group(chat, "Alice Bob Cara")
    adopt(chat, "Alice", "/set quorum 0.6\nreview in 2w")
    with chat.core.unit_of_work() as uow:  # as a database from before: no number on the adoption
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        item = uow.items.by_number(collective.id, 1)
        del item.data["set_seq"]
        uow.items.save(item)
        uow.commit()
    assert "if not, it lapses and quorum goes back to 0.5." in chat.wait(timedelta(weeks=2))
    vote(chat, 1, Alice="agree", Bob="block: no", Cara="agree")
    assert unrecorded(chat.wait(timedelta(days=3))).endswith(
        "It lapses: quorum is now 0.5 (share of the roll that must respond)."
    )
