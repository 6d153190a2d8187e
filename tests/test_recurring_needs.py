"""Recurring needs: one approval on the total over the term, then one funding per period, each queued by
the collective's priorities and announced; /withdraw stops the rest."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.actions import DirectMessage
from tests.transcript import adopt, group, read, unrecorded

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_a_recurring_need_is_funded_three_times_then_withdrawn(chat):
    group(chat, "Alice Bob Cara")
    chat.say("Bob", "/contribute 200")
    # €30 a week for 6 weeks is €180: over need_auto_limit (100), so a round decides it, not silence.
    approved = adopt(chat, "Alice", "/need 30 rent every week for 6 weeks #housing")
    assert approved.splitlines()[0] == "#1 €30.00 every week, 6 times (€180.00 in all) — rent (housing) — adopted."
    assert unrecorded(approved, 2).endswith(
        "#1 is funded for period 1 of 6: €30.00 is reserved for it from the pool. The treasurer records the "
        "payout with /paid 1."
    )
    assert chat.say("Bob", "/paid 1").startswith(
        "#1 €30.00 every week, 6 times (€180.00 in all) — rent (housing) is paid"
    )
    assert unrecorded(chat.wait(timedelta(weeks=1))) == (
        "#1 is funded for period 2 of 6: €30.00 is reserved for it from the pool. The treasurer records the "
        "payout with /paid 1."
    )
    shown = chat.say("Cara", "/show 1")
    assert "Recurring: €30.00 every week, 6 times (€180.00 in all).\nPeriod 2 of 6 is due; 2 of 6 funded so far.\n" in (
        shown
    )
    assert "Next funding: Mon 16 Mar 2026, 09:00 UTC (period 3 of 6)." in shown
    assert "#1 €30.00 every week: period 2 of 6 now; next funding Mon 16 Mar 2026, 09:00 UTC." in chat.say(
        "Cara", "/pool"
    )
    assert "funded for period 3 of 6" in chat.wait(timedelta(weeks=1))  # unpaid period 2 still reserved
    assert chat.say("Bob", "/paid 1").startswith(
        "#1 €30.00 every week, 6 times (€180.00 in all) — rent (housing) is paid out (€60.00)"
    )
    withdrawn = unrecorded(chat.say("Alice", "/withdraw 1"))
    assert withdrawn == (
        "#1 €30.00 every week, 6 times (€180.00 in all) — rent (housing) is withdrawn (no longer needed): the "
        "fundings still to come stop (3 of 6 were funded)."
    )
    assert chat.wait(timedelta(weeks=6)) == ""  # no fourth funding
    assert "Withdrawn: no more fundings." in chat.say("Cara", "/show 1")
    assert chat.say("Cara", "/pool").startswith("The pool holds €110.00: €0.00 reserved")
    assert (
        chat.say("Cara", "/decisions")
        .splitlines()[1]
        .startswith("#1 €30.00 every week, 6 times (€180.00 in all) — rent (housing) — withdrawn")
    )


def test_what_was_funded_stays_for_its_payout_when_the_rest_is_withdrawn(chat):
    group(chat, "Alice Bob")
    chat.say("Bob", "/contribute 100")
    chat.say("Alice", "/need 20 bus pass every 2w for 3 #transport")
    chat.wait(timedelta(days=2))  # approved by silence (€60 in all), period 1 funded
    assert unrecorded(chat.say("Alice", "/withdraw 1")).endswith(
        "stop (1 of 3 were funded). €20.00 stays reserved for what was funded: /paid 1 records its payout."
    )
    assert chat.say("Bob", "/paid 1").startswith("#1 €20.00 every 2 weeks, 3 times (€60.00 in all) — bus pass")
    assert chat.say("Bob", "/pool").startswith("The pool holds €80.00: €0.00 reserved")
    assert chat.say("Alice", "/withdraw 1") == (
        "#1 €20.00 every 2 weeks, 3 times (€60.00 in all) — bus pass (transport) was withdrawn already; what was "
        "funded before waits for its payout."
    )
    assert chat.wait(timedelta(weeks=6)) == ""


def test_every_month_keeps_the_day_of_the_month_clamped_to_a_shorter_one(chat, clock):
    clock.set(datetime(2027, 1, 29, 9, 0, tzinfo=UTC))
    group(chat, "Alice Bob", timezone="Europe/Berlin")
    chat.say("Bob", "/contribute 100")
    chat.say("Alice", "/need 30 rent every month for 3 months #housing")
    assert "#1 is funded for period 1 of 3" in chat.wait(timedelta(days=2))  # approved Sun 31 Jan, 10:00 local
    assert "Next funding: Sun 28 Feb 2027, 10:00 CET (period 2 of 3)." in chat.say("Bob", "/show 1")
    assert chat.wait(timedelta(days=27, hours=23)) == ""
    assert "#1 is funded for period 2 of 3" in chat.wait(timedelta(hours=1))  # 28 Feb, the month's last day
    # March has 31 days again; the clock time stays 10:00 local across the change to summer time.
    assert "Next funding: Wed 31 Mar 2027, 10:00 CEST (period 3 of 3)." in chat.say("Bob", "/show 1")
    assert chat.wait(timedelta(days=30, hours=22)) == ""
    assert "#1 is funded for period 3 of 3" in chat.wait(timedelta(hours=1))
    assert "That is its last period." in chat.say("Bob", "/show 1")
    assert chat.wait(timedelta(days=62)) == ""


def test_each_period_waits_its_turn_by_the_collectives_priorities(chat):
    group(chat, "Alice Bob Cara")
    chat.say("Bob", "/contribute 25")
    chat.say("Alice", "/need 25 rent every week for 4 #housing")
    chat.wait(timedelta(days=2))  # approved (€100 in all, at the limit), period 1 funded
    due = chat.wait(timedelta(weeks=1))
    assert due == (
        "#1 €25.00 every week, 4 times (€100.00 in all) — rent (housing): period 2 of 4 is due and waits for funds "
        "(€25.00; €0.00 is available now). /pool shows the queue."
    )
    chat.say("Cara", "/need 25 medicine #health")
    chat.wait(timedelta(days=2))
    assert chat.say("Bob", "/pool").splitlines()[1:4] == [
        "Approved needs waiting for funds, in the order they will be funded:",
        "1. #2 €25.00 — medicine (health)",
        "2. #1 €25.00 every week, 4 times (€100.00 in all) — rent (housing)",
    ]
    assert "#2 is funded" in chat.say("Bob", "/contribute 25")  # health comes before housing
    assert "#1 is funded for period 2 of 4" in chat.say("Bob", "/contribute 25")


def test_a_private_recurring_need_never_names_whoever_asked(chat):
    group(chat, "Alice Bob Cara")
    chat.say("Bob", "/contribute 100")
    assert chat.direct("Cara", "/need 20 therapy every week for 3 #health").endswith(
        "Your need is posted in the group as #1, without your name."
    )
    heard = [chat.wait(timedelta(days=2)), chat.wait(timedelta(weeks=1)), chat.say("Alice", "/show 1")]
    assert "funded for period 2 of 3" in heard[1]
    assert "Recurring: €20.00 every week, 3 times" in heard[2]
    withdrawn = [a for a in chat.send("Cara", "/withdraw 1", chat=_dm(chat, "Cara"))]
    group_text = [
        unrecorded(read(a)) for a in withdrawn if not isinstance(a, DirectMessage) and a.chat.chat_id == "group-1"
    ]
    assert group_text == [
        "#1 €20.00 every week, 3 times (€60.00 in all) — therapy (health) is withdrawn: the fundings still to come "
        "stop (2 of 3 were funded). €40.00 stays reserved for what was funded: /paid 1 records its payout."
    ]
    assert all("Cara" not in text for text in heard + group_text)


def _dm(chat, name):
    from bot.events import Chat

    return Chat(chat.chat.platform, f"dm-{name.lower()}", is_direct=True)


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        (
            "/need 30 rent every 1m",
            "'every 1m' is every 1 minute: a need recurs in whole days or weeks, or every month (months are not "
            "written with m, which is minutes).",
        ),
        (
            "/need 30 rent every 2 weeks",
            "Write the period as one word: every 2w (weeks) or every 2d (days); or every month.",
        ),
        (
            "/need 30 rent every 2w for 6 weeks",
            "'for 6 weeks' does not say how many fundings: 'for N' counts them (for 6, or for 6 times).",
        ),
        ("/need 30 rent every month for 30 months", "A need recurs for two years at most: 24 fundings every month."),
        ("/need 30 rent every 0d", "'every 0d' is not a period: A duration must be longer than zero."),
        ("/need 30 rent every month for 0", "'for 0' needs a whole number of fundings, like for 6."),
        ("/need 30 rent every month please", "I could not read 'please' after the period."),
        ("/need 30 rent every year", "A need recurs for two years at most: every month for 24 months, say."),
        (
            "/need a ride every week",
            "Only a need for money recurs: /need AMOUNT DESCRIPTION every month [for N months].",
        ),
    ],
)
def test_a_malformed_recurrence_is_refused_never_taken_as_text(chat, typed, answer):
    group(chat, "Alice Bob")
    assert chat.say("Alice", typed).startswith(answer)
    assert chat.say("Alice", "/proposals") == "No open items. /propose TITLE starts one."


def test_every_that_is_not_a_period_is_part_of_the_description_and_no_for_means_a_year(chat):
    group(chat, "Alice Bob")
    assert chat.say("Alice", "/need 10 food for every child #food").startswith(
        "Need #1 asked by Alice: €10.00 — food for every child (food)"
    )
    assert chat.say("Alice", "/need €1 tea #food every month").startswith(
        "Need #2 asked by Alice: €1.00 every month, 12 times (€12.00 in all) — tea (food)"
    )


def test_a_recurring_need_ends_when_whoever_asked_leaves(chat):
    group(chat, "Alice Bob Cara")
    chat.say("Bob", "/contribute 100")
    chat.say("Alice", "/need 20 bus every week for 4 #transport")  # #1
    chat.say("Cara", "/need 10 phone every week for 4 #other")  # #2
    chat.wait(timedelta(days=2))  # both approved, period 1 of each funded
    chat.say("Bob", "/paid 1")  # #1 paid, between periods; #2 still reserved
    left = chat.say("Cara", "/leave")
    assert (
        "#2 €10.00 every week, 4 times (€40.00 in all) — phone (other) is withdrawn (whoever asked has left); " in left
    )
    assert unrecorded(left).endswith("€10.00 goes back to the pool.")
    assert unrecorded(chat.say("Alice", "/leave")).endswith(  # between periods too: at once, as a withdrawal
        "#1 €20.00 every week, 4 times (€80.00 in all) — bus (transport) is withdrawn (whoever asked has left): the "
        "fundings still to come stop (1 of 4 were funded)."
    )
    assert chat.say("Alice", "/join").startswith("Welcome, Alice!")  # coming back does not revive it
    assert chat.wait(timedelta(weeks=4)) == ""
    assert chat.say("Bob", "/pool").startswith("The pool holds €80.00: €0.00 reserved")
    assert "Withdrawn: no more fundings." in chat.say("Bob", "/show 1")


def test_a_reversal_releases_an_unpaid_earlier_period_while_the_next_one_waits(chat):
    group(chat, "Alice Bob Cara")
    chat.say("Bob", "/contribute 50")  # entry 1
    adopt(chat, "Alice", "/need 40 rent every week for 3 #housing")  # period 1: €40 reserved
    assert "period 2 of 3 is due and waits for funds (€40.00; €10.00 is available now)" in chat.wait(timedelta(weeks=1))
    reversed_ = adopt(chat, "Bob", "/reverse 1 typed the wrong amount")
    assert (
        "rent (housing) goes back to the queue: the money reserved for it (€40.00) was undone by the reversal."
        in reversed_
    )
    assert chat.say("Cara", "/pool").startswith("The pool holds €0.00: €0.00 reserved")
    assert chat.say("Bob", "/paid 1") == "#1 waits for funds; only a funded need can be paid out."
    refunded = chat.say("Bob", "/contribute 80")  # both periods due are funded again, in turn
    assert "#1 is funded for period 1 of 3" in refunded and "#1 is funded for period 2 of 3" in refunded
    assert chat.say("Bob", "/paid 1").startswith(
        "#1 €40.00 every week, 3 times (€120.00 in all) — rent (housing) is paid out (€80.00)"
    )


def test_a_private_recurring_need_between_periods_ends_at_its_next_period_after_its_requester_left(chat):
    group(chat, "Alice Bob Cara")
    chat.say("Bob", "/contribute 100")
    chat.direct("Cara", "/need 20 therapy every week for 3 #health")  # #1, private
    chat.wait(timedelta(days=2))  # approved by silence, period 1 funded
    chat.say("Bob", "/paid 1")  # between periods: nothing reserved
    assert "#1" not in chat.say("Cara", "/leave")  # nothing said then: it would tell who asked
    chat.say("Cara", "/join")  # coming back does not revive it
    assert unrecorded(chat.wait(timedelta(weeks=1))) == (
        "#1 €20.00 every week, 3 times (€60.00 in all) — therapy (health) is withdrawn: the fundings still to come "
        "stop (1 of 3 were funded)."
    )
    assert chat.wait(timedelta(weeks=2)) == ""
    assert chat.say("Bob", "/pool").startswith("The pool holds €80.00: €0.00 reserved")


def test_a_recurring_need_paid_for_its_last_period_is_complete_and_cannot_be_withdrawn(chat):
    group(chat, "Alice Bob Cara")
    chat.say("Bob", "/contribute 500")
    adopt(chat, "Alice", "/need 40 rent every week for 3 #housing")
    chat.say("Bob", "/paid 1")
    chat.wait(timedelta(weeks=1))
    assert "That was its last period" not in chat.say("Bob", "/paid 1")
    chat.wait(timedelta(weeks=1))
    assert "(€40.00), recorded by Bob. That was its last period: it is complete. The pool holds" in chat.say(
        "Bob", "/paid 1"
    )
    assert "Complete: all 3 periods were funded and paid out." in chat.say("Cara", "/show 1")
    assert chat.say("Alice", "/withdraw 1") == (
        "#1 €40.00 every week, 3 times (€120.00 in all) — rent (housing) is complete: all 3 periods were funded and "
        "paid out."
    )
    assert "withdrawn" not in chat.say("Cara", "/decisions")
