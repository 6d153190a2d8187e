"""Assemblies: a live meeting over the open items, chaired by the facilitator (or anyone, with none); the
agenda posted, /next moving on, responses and /close as usual, and minutes kept for /minutes."""

from datetime import timedelta

import pytest

from tests.transcript import adopt, group, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_an_assembly_with_two_items_and_its_minutes(chat):
    group(chat, "Fay Ann Bob Cem")
    assert "Fay is facilitator now" in adopt(chat, "Ann", "/rotation add facilitator 4w")  # #1
    chat.say("Ann", "/propose Paint the kitchen")  # #2
    chat.say("Bob", "/propose Buy a van")  # #3
    assert chat.say("Ann", "/assembly start") == "Only the facilitator (Fay, this term) can start an assembly."
    chair = "Fay"
    opened = chat.say(chair, "/assembly start")
    assert opened.startswith(f"Assembly 1 is open, chaired by {chair}. It ends by itself ")
    assert "Agenda:\n1. #2 Paint the kitchen\n2. #3 Buy a van\n" in opened
    assert "Now (1 of 2):\nProposal #2 by Ann: Paint the kitchen" in opened
    assert chat.say(chair, "/assembly start").startswith(
        "Assembly 1 is meeting since Mon 2 Mar 2026, 09:00 UTC: one at"
    )
    chat.say("Cem", "I think we should")  # plain talk: Cem attended
    vote(chat, 2, Ann="agree", Bob="object: the smell")  # N left out works too: the item on the agenda now
    assert chat.say(chair, "/agree").startswith(f"{chair} agrees with #2 Paint the kitchen")
    closed = chat.say(chair, "/close")
    assert closed.startswith("#2 Paint the kitchen — adopted.")
    moved = chat.say(chair, "/next")
    assert moved.startswith("Now (2 of 2):\nProposal #3 by Bob: Buy a van")
    assert chat.say(chair, "/next").startswith("That was the last item on the agenda.")
    vote(chat, 3, Bob="agree", Ann="block: we cannot afford it")
    assert chat.say("Ann", "/minutes") == (
        "Assembly 1 is meeting since Mon 2 Mar 2026, 09:00 UTC; on the agenda now: #3 Buy a van. "
        "Its minutes come when it ends."
    )
    posted = chat.say(chair, "/assembly end")
    minutes = unrecorded(posted)  # posted with the record's head: the minutes are kept in the record
    lines = minutes.splitlines()
    assert lines[0] == (
        f"Minutes of assembly 1: opened by {chair} Mon 2 Mar 2026, 09:00 UTC, ended by {chair} Mon 2 Mar 2026, 09:00 UTC."
    )
    attended = lines[1]
    assert attended.startswith("Attended (4): ") and all(name in attended for name in ("Fay", "Ann", "Bob", "Cem"))
    assert lines[2] == (
        "• #2 Paint the kitchen — adopted (consensus, round 1): agree 2 · stand aside 0 · object 1 · block 0. "
        "Reasons: Bob (object): the smell."
    )
    assert lines[3].startswith("• #3 Buy a van — still open (round 1, closes Thu 5 Mar 2026, 09:00 UTC): agree 1")
    assert chat.say("Cem", "/minutes 1") == minutes
    assert chat.say("Cem", "/minutes 2") == "There is no assembly 2."
    assert chat.say(chair, "/next") == "No assembly is meeting. /assembly start opens one."


def test_an_assembly_left_open_ends_by_itself_with_its_minutes(chat):
    group(chat, "Ann Bob")
    chat.say("Ann", "/propose Paint the kitchen")
    assert chat.say("Bob", "/assembly start").startswith("Assembly 1 is open, chaired by Bob")  # no facilitator
    heard = chat.wait(timedelta(hours=12))
    assert "Minutes of assembly 1: opened by Bob Mon 2 Mar 2026, 09:00 UTC, ended by itself after 12 hours, " in heard
    assert "Attended (1): Bob." in heard
    assert chat.say("Ann", "/assembly start").startswith("Assembly 2 is open")


def test_minutes_say_a_review_that_did_not_keep_its_item_lapsed(chat):
    group(chat, "Alice Bob Cara")
    adopt(chat, "Alice", "/set quorum 0.6\nreview in 2w")
    assert "is up for review" in chat.wait(timedelta(weeks=2))
    chat.say("Alice", "/assembly start")
    vote(chat, 1, Alice="agree", Bob="block: no", Cara="agree")
    assert unrecorded(chat.say("Cara", "/close")).endswith(
        "It lapses: quorum is now 0.5 (share of the roll that must respond)."
    )
    minutes = chat.say("Alice", "/assembly end")
    assert (
        "• #1 Set quorum to 0.6 (was 0.5) — lapsed on review (consensus, round 2): agree 2 · stand aside 0 · "
        "object 0 · block 1. Reasons: Bob (block): no."
    ) in minutes
