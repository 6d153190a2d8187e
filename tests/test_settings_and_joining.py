"""Executable outcomes: settings and membership change only by adopted proposals."""

from datetime import timedelta

import pytest

from tests.transcript import group, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_settings_show_every_key_with_its_value(chat):
    group(chat, "Alice")
    shown = chat.say("Alice", "/settings")
    for line in ("• decision_rule = consensus", "• quorum = 0.5", "• need_window = 48h", "• join = open"):
        assert line in shown


def test_a_setting_changes_only_when_its_proposal_is_adopted(chat):
    group(chat, "Alice Bob Carol")
    opened = chat.say("Bob", "/set decision_rule consent")
    assert opened.startswith("Settings proposal #1 by Bob: Set decision_rule to consent (now consensus)")
    assert "• decision_rule = consensus" in chat.say("Alice", "/settings")
    vote(chat, 1, Alice="agree", Bob="agree", Carol="agree")
    outcome = chat.say("Alice", "/close 1")
    assert unrecorded(outcome).endswith("decision_rule is now consent (how a round's outcome is decided).")
    assert "• decision_rule = consent (default consensus)" in chat.say("Alice", "/settings")
    # And the next proposal is decided by the new rule.
    chat.say("Alice", "/propose Paint the kitchen")
    vote(chat, 2, Alice="agree", Bob="agree", Carol="object: smell")
    assert "#2 Paint the kitchen — not adopted." in chat.say("Alice", "/close 2")


def test_a_setting_not_adopted_changes_nothing(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Bob", "/set quorum 0.9")
    vote(chat, 1, Alice="block: too high", Bob="agree", Carol="agree")
    assert "not adopted" in chat.say("Bob", "/close 1")
    assert "• quorum = 0.5 —" in chat.say("Alice", "/settings")


def test_invalid_settings_are_refused_naming_what_is_allowed(chat):
    group(chat, "Alice Bob")
    assert chat.say("Alice", "/set decision_rule vibes") == (
        "'vibes' is not allowed here; choose one of: consensus, consent, majority, supermajority."
    )
    assert chat.say("Alice", "/set quorum 1.5") == (
        "Give a fraction greater than 0 and at most 1, such as 0.5 or 0.75."
    )
    assert chat.say("Alice", "/set quorum nan") == "'nan' is not a number; give a fraction such as 0.5 or 0.75."
    assert "not a time zone" in chat.say("Alice", "/set timezone Mars/Olympus")
    assert chat.say("Alice", "/set colour red").startswith(
        "'colour' is not a setting; the settings are: decision_rule,"
    )
    assert chat.say("Alice", "/set quorum") == "Missing VALUE.\nUsage: /set KEY VALUE"
    assert chat.say("Alice", "/set quorum 0.5") == "quorum is already 0.5."
    assert chat.say("Alice", "/proposals") == "No open items. /propose TITLE starts one."


def test_one_open_proposal_per_setting(chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/set quorum 0.6")
    assert chat.say("Bob", "/set quorum 0.7") == (
        "#1 Set quorum to 0.6 (now 0.5) about quorum is still open; respond to it, or wait for its outcome."
    )


def test_a_lone_member_applies_a_setting_at_once(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/set proposal_duration 1w") == (
        "You are the only member, so it applies at once: proposal_duration is now 1w "
        "(how long a round stays open by default)."
    )
    assert "closes Mon 9 Mar 2026" in chat.say("Alice", "/propose Paint the kitchen")


def test_settings_are_the_collectives_own(chat):
    from bot.events import Chat

    group(chat, "Alice")
    chat.say("Alice", "/set decision_rule majority")
    other = Chat("console", "another-group")
    chat.say("Alice", "/join", chat=other)
    assert "• decision_rule = consensus —" in chat.say("Alice", "/settings", chat=other)


def test_join_by_consent_opens_a_membership_proposal_that_admits_when_adopted(chat):
    group(chat, "Alice Bob", join="consent")
    asked = chat.send("Dan", "/join")
    assert asked[0].text == (
        "Dan, this collective admits members by consent: your request is proposal #1, "
        "and you become a member when it is adopted."
    )
    assert asked[1].text.startswith("Membership proposal #1: Admit Dan as a member (accepting our principles)")
    assert chat.say("Dan", "/join") == (
        "Your request to join is open as #1 Admit Dan as a member (accepting our principles); the members are deciding."
    )
    assert chat.say("Dan", "/agree 1").startswith("Only members can do that")
    vote(chat, 1, Alice="agree", Bob="agree")
    assert unrecorded(chat.say("Alice", "/close 1")).endswith("Dan is now a member. Welcome!")
    assert "• Dan" in chat.say("Dan", "/members")


def test_join_by_consent_not_adopted_leaves_the_candidate_outside(chat):
    group(chat, "Alice Bob", join="consent")
    chat.say("Dan", "/join")
    vote(chat, 1, Alice="block: we have not met Dan yet")
    chat.wait(timedelta(days=3))
    assert "Dan" not in chat.say("Alice", "/members")
    assert chat.say("Dan", "/join").startswith("Dan, this collective admits members by consent")


def test_a_stored_setting_that_can_no_longer_be_read_gives_way_to_its_default(chat, engine):
    """A time zone gone from the zone database, or a hand-edited row: the collective keeps working on the
    default, and a /set puts it right."""
    from sqlalchemy import text

    chat.say("Alice", "/join")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO setting (collective_id, key, value) SELECT id, 'timezone', 'Mars/Olympus' FROM collective"
            )
        )
    assert chat.say("Alice", "/members") == "Members (1):\n• Alice"
    assert "• timezone = UTC" in chat.say("Alice", "/settings")
    assert "timezone is now Europe/Madrid" in chat.say("Alice", "/set timezone Europe/Madrid")
