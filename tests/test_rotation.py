"""Rotating roles: fair turns, handovers on time, powers that move with the role."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.actions import DirectMessage
from bot.core import Core
from tests.transcript import Transcript, adopt, group, read, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_the_facilitator_rotates_among_every_member_and_the_first_takes_it_at_once(chat):
    group(chat, "Alice Bob Carol")
    added = adopt(chat, "Bob", "/rotation add facilitator 1w")  # a role with powers: only by proposal
    assert unrecorded(added).endswith(
        "The facilitator role rotates every week among all members; the first holder is chosen by the fairness "
        "rule.\nAlice is facilitator now, until Mon 9 Mar 2026, 09:00 UTC. Next: Bob."
    )
    assert chat.say("Carol", "/roles") == (
        "Roles:\n• facilitator — Alice, until Mon 9 Mar 2026, 09:00 UTC; next: Bob. Roster: Alice, Bob, Carol."
    )
    assert chat.wait(timedelta(weeks=1)).endswith(
        "Handover: Bob is facilitator now, until Mon 16 Mar 2026, 09:00 UTC. Next: Carol."
    )
    chat.say("Dan", "/join")  # joins the facilitator's roster, behind Carol, who has not served yet either
    assert chat.wait(timedelta(weeks=1)) == (
        "Handover: Carol is facilitator now, until Mon 23 Mar 2026, 09:00 UTC. Next: Dan."
    )
    assert chat.wait(timedelta(weeks=1)) == (
        "Handover: Dan is facilitator now, until Mon 30 Mar 2026, 09:00 UTC. Next: Alice."
    )


def test_how_often_a_role_turns_is_said_as_people_say_it(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/rotation add dishes 1w").startswith("The dishes (chore) role rotates every week.")
    assert chat.say("Alice", "/rotation add bins 2w at mon 18:00").startswith(
        "The bins (chore) role rotates every 2 weeks, Mondays at 18:00."
    )
    assert chat.say("Alice", "/rotation add plants 1d at 08:30").startswith(
        "The plants (chore) role rotates every day, at 08:30."
    )


def test_a_chore_starts_with_an_empty_roster_and_the_first_to_join_takes_it(chat):
    group(chat, "Alice Bob")
    assert chat.say("Alice", "/rotation add dishes 3d") == (
        "The dishes (chore) role rotates every 3 days. Its roster is empty: /rotation join dishes to take part."
    )
    assert chat.say("Bob", "/rotation join dishes") == (
        "Bob joins the dishes roster.\nBob is on dishes now, until Thu 5 Mar 2026, 09:00 UTC."
    )
    assert chat.say("Bob", "/rotation join dishes") == "You are on the dishes roster already."
    chat.say("Alice", "/rotation join dishes")
    assert "Handover: Alice is on dishes now" in chat.wait(timedelta(days=3))


def test_rotation_commands_answer_mistakes_clearly(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/rotation add dishes").startswith("'' is not a duration")
    assert chat.say("Alice", "/rotation add dishes 10m") == "A role changes hands at most once an hour."
    assert chat.say("Alice", "/rotation add dishes 1w at someday 09:00").startswith(
        "'someday' is not a weekday; write mon, tue, wed, thu, fri, sat or sun."
    )
    assert chat.say("Alice", "/rotation add dishes 1w at mon 25:00").startswith(
        "'25:00' is not a time of day; write it like 09:00 or 18:30."
    )
    assert chat.say("Alice", "/rotation join cooking") == (
        "There is no cooking role. /roles lists them; /rotation add cooking EVERY starts one."
    )
    assert chat.say("Alice", "/rotation dance dishes") == (
        "'dance' is not one of add, join, leave.\nUsage: /rotation add|join|leave ROLE [EVERY [at WEEKDAY HH:MM]]"
    )
    chat.say("Alice", "/rotation add dishes 1w")
    assert chat.say("Alice", "/rotation add dishes 2w") == "There is a dishes role already. /roles shows it."
    # The role exists: that is said first, before anything about the schedule typed for it.
    for schedule in ("", "10m", "1w at", "1w at mon 25:00"):
        said = chat.say("Alice", f"/rotation add dishes {schedule}")
        assert said == "There is a dishes role already. /roles shows it.", schedule


def test_the_next_holder_is_whoever_served_least_recently_skipping_those_away(chat):
    group(chat, "Alice Bob Carol Dan")
    adopt(chat, "Alice", "/rotation add facilitator 1w")  # Alice, then Bob, Carol, Dan
    chat.say("Bob", "/away 10d")
    assert "Handover: Carol is facilitator now" in chat.wait(timedelta(weeks=1))
    assert "Handover: Bob is facilitator now" in chat.wait(timedelta(weeks=1))  # back, and waited longest
    assert "Handover: Dan is facilitator now" in chat.wait(timedelta(weeks=1))
    assert "Handover: Alice is facilitator now" in chat.wait(timedelta(weeks=1))


def test_the_next_holder_is_reminded_a_day_before_by_direct_message(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    chat.clock.advance(timedelta(days=5, hours=23))
    assert chat.core.tick() == []
    chat.clock.advance(timedelta(hours=1))
    [reminder] = chat.core.tick()
    assert isinstance(reminder, DirectMessage) and reminder.user_id == "bob"
    assert reminder.fallback == chat.chat  # where to mention Bob if the platform forbids a direct message
    assert read(reminder) == (
        "A reminder: your facilitator turn begins Mon 9 Mar 2026, 09:00 UTC, in a day. "
        "Can't? Ask someone to swap: /swap facilitator @member"
    )


def test_powers_move_with_the_facilitator_role_at_handover(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Carol", "/propose 3w Paint the kitchen")
    adopt(chat, "Carol", "/rotation add facilitator 1w")  # Alice facilitates first
    assert chat.say("Bob", "/close 1") == "Only the facilitator (Alice, this term) can close a round."
    assert chat.say("Carol", "/extend 1 1d") == "Only the facilitator (Alice, this term) can extend a round."
    assert "now closes" in chat.say("Alice", "/extend 1 1d")
    chat.wait(timedelta(weeks=1))  # Bob takes over
    assert chat.say("Alice", "/close 1") == "Only the facilitator (Bob, this term) can close a round."
    vote(chat, 1, Alice="agree")
    assert chat.say("Bob", "/close 1").startswith("#1 Paint the kitchen cannot close early: 1 of 3 have responded")
    vote(chat, 1, Carol="agree")  # the round's own quorum (0.5 of 3) is met: the facilitator may close it
    assert chat.say("Bob", "/close 1").startswith("#1 Paint the kitchen — adopted.")


def test_treasurer_powers_payouts_and_who_asked(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 100")
    chat.direct("Carol", "/need €40 medicine #health")
    adopt(chat, "Alice", "/rotation add treasurer 4w")  # Alice, who joined first, holds it first
    chat.say("Alice", "/swap treasurer @Bob")
    chat.say("Bob", "/swap accept")  # Bob holds it now
    chat.wait(timedelta(days=2))
    assert chat.say("Alice", "/paid 1") == "The treasurer (Bob, this term) records payouts."
    assert chat.say("Alice", "/whoasked 1") == "Only the current treasurer can learn who asked a private need."
    assert chat.say("Bob", "/whoasked 1") == "Ask me that in a direct message, so the answer stays private."
    assert chat.direct("Bob", "/whoasked 1") == "#1 was asked by Carol. Keep it to yourself."
    assert chat.direct("Alice", "/whoasked 1") == "Only the current treasurer can learn who asked a private need."
    assert "is paid out (€40.00), recorded by Bob" in chat.say("Bob", "/paid 1")


def test_the_treasurer_cannot_pay_their_own_need_but_others_can(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/contribute 100")
    adopt(chat, "Alice", "/rotation add treasurer 4w")  # #1
    chat.say("Alice", "/swap treasurer @Bob")
    chat.say("Bob", "/swap accept")
    chat.say("Bob", "/need €30 bike repair #transport")  # #2
    chat.wait(timedelta(days=2))
    assert chat.say("Bob", "/paid 2") == "Someone other than whoever asked records the payout of #2."
    assert "recorded by Alice" in chat.say("Alice", "/paid 2")


def test_a_swap_accepted_hands_over_the_current_turn(chat):
    group(chat, "Alice Bob Carol")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    assert chat.say("Alice", "/swap facilitator @Carol") == (
        "Alice asks Carol to take the current facilitator turn (until Mon 9 Mar 2026, 09:00 UTC). "
        "Carol: /swap accept or /swap decline."
    )
    assert (
        chat.say("Bob", "/swap facilitator @Carol")
        == "Only the current holder of the facilitator turn can ask to swap it."
    )
    assert chat.say("Carol", "/swap accept") == (
        "Swapped: Carol is facilitator now, until Mon 9 Mar 2026, 09:00 UTC; Alice takes a later turn in their place."
    )
    assert "facilitator — Carol" in chat.say("Bob", "/roles")
    assert "Only the facilitator (Carol, this term)" in chat.say("Alice", "/extend 1 1d")
    # Alice gave her turn away, so she serves next; Carol's turn counts as served.
    assert "Handover: Alice is facilitator now" in chat.wait(timedelta(weeks=1))


def test_a_swap_declined_changes_nothing(chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    chat.say("Alice", "/swap facilitator Bob")
    assert chat.say("Bob", "/swap decline") == "Bob declines to swap the facilitator turn with Alice."
    assert "facilitator — Alice" in chat.say("Bob", "/roles")
    assert chat.say("Bob", "/swap accept") == "No one has asked you to swap a turn."


def test_an_unanswered_swap_expires_at_the_handover(chat):
    group(chat, "Alice Bob Carol")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    chat.say("Alice", "/swap facilitator @Carol")
    handover = chat.wait(timedelta(weeks=1))
    assert handover.startswith("Alice's request to swap the facilitator turn expired at the handover.")
    assert chat.say("Carol", "/swap accept") == "No one has asked you to swap a turn."


def test_a_vacant_role_is_announced_once(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/rotation add dishes 1d")
    chat.say("Alice", "/rotation join dishes")
    chat.say("Alice", "/away 1w")
    first = chat.wait(timedelta(days=1))
    assert first == (
        "The dishes (chore) role is vacant: no one on its roster can take it now (/rotation join dishes to take part)."
    )
    assert "vacant" not in chat.wait(timedelta(days=4))
    assert "dishes (chore) — vacant" in chat.say("Bob", "/roles")
    assert chat.say("Bob", "/rotation join dishes").endswith("Bob is on dishes now, until Sun 8 Mar 2026, 09:00 UTC.")


def test_leaving_the_collective_leaves_every_roster_and_hands_over_at_once(chat):
    group(chat, "Alice Bob Carol")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    assert chat.say("Alice", "/leave").endswith(
        "Alice has left, so Bob is facilitator now, until Mon 9 Mar 2026, 09:00 UTC. Next: Carol."
    )
    assert "Roster: Bob, Carol." in chat.say("Bob", "/roles")


def test_handovers_keep_local_time_across_the_berlin_clock_changes(chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/set timezone Europe/Berlin")
    chat.say("Bob", "/join")
    chat.clock.set(datetime(2026, 3, 16, 8, 0, tzinfo=UTC))  # Monday 09:00 CET
    adopt(chat, "Alice", "/rotation add facilitator 1w at mon 09:00")
    before = chat.wait(timedelta(days=7))  # Monday 23 March, still CET
    assert before.endswith("until Mon 30 Mar 2026, 09:00 CEST. Next: Alice.")
    chat.clock.set(datetime(2026, 3, 30, 6, 59, tzinfo=UTC))
    assert chat.wait(timedelta(0)) == ""  # 08:59 CEST: not yet
    chat.clock.set(datetime(2026, 3, 30, 7, 0, tzinfo=UTC))  # 09:00 CEST, the first Monday of summer time
    [handover] = [a.text for a in chat.core.tick() if not isinstance(a, DirectMessage)]
    assert handover.startswith("Handover: Alice is facilitator now, until Mon 6 Apr 2026, 09:00 CEST.")
    chat.clock.set(datetime(2026, 10, 19, 7, 0, tzinfo=UTC))  # the last Monday of summer time, on the hour
    chat.core.tick()
    assert "until Mon 26 Oct 2026, 09:00 CET;" in chat.say("Bob", "/roles")
    chat.clock.set(datetime(2026, 10, 26, 7, 59, tzinfo=UTC))  # 08:59 CET
    assert chat.wait(timedelta(0)) == ""
    chat.clock.set(datetime(2026, 10, 26, 8, 0, tzinfo=UTC))  # 09:00 CET, after the switch back
    texts = [a.text for a in chat.core.tick() if not isinstance(a, DirectMessage)]
    assert len(texts) == 1 and "until Mon 2 Nov 2026, 09:00 CET" in texts[0]


def test_a_restart_mid_term_changes_nothing_and_a_missed_handover_happens_once_late(unit_of_work, clock, chat):
    group(chat, "Alice Bob")
    adopt(chat, "Alice", "/rotation add facilitator 1w")
    clock.advance(timedelta(days=3))
    restarted = Transcript(Core(unit_of_work, clock), clock)
    assert restarted.core.tick() == []
    assert "facilitator — Alice" in restarted.say("Bob", "/roles")
    clock.advance(timedelta(weeks=3))  # down over three handover times
    again = Core(unit_of_work, clock)
    texts = [a.text for a in again.tick() if not isinstance(a, DirectMessage)]
    assert len(texts) == 1
    assert texts[0].startswith("Handover: Bob is facilitator now, until Mon 30 Mar 2026, 09:00 UTC.")
    assert "(Late by" in texts[0] and "while the bot was offline" in texts[0]
    assert again.tick() == []


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
