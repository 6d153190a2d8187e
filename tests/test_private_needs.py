"""A need sent privately is posted without the requester's name, anywhere."""

from datetime import timedelta

import pytest

from bot.actions import DirectMessage
from tests.transcript import group, read, unrecorded, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def group_texts(actions):
    return [read(a) for a in actions if not isinstance(a, DirectMessage) and not a.chat.is_direct]


def test_a_private_need_never_names_its_requester_to_the_group(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/contribute 500")
    seen_by_group = []
    actions = chat.send(
        "Carol", "/need 300 overdue rent #housing", chat=chat.chat.__class__("console", "dm-carol", True)
    )
    seen_by_group += group_texts(actions)
    direct = [a.text for a in actions if a.chat.is_direct]
    assert direct == ["Your need is posted in the group as #1, without your name."]
    assert seen_by_group[0].startswith("Need #1 asked by a member, privately: €300.00 — overdue rent (housing)")
    for who, text in [("Bob", "/agree 1"), ("Alice", "/agree 1"), ("Bob", "/show 1"), ("Bob", "/proposals")]:
        seen_by_group += group_texts(chat.send(who, text))
    seen_by_group += group_texts(chat.send("Alice", "/close 1"))
    seen_by_group += group_texts(chat.send("Alice", "/paid 1"))
    for who, text in [("Bob", "/ledger"), ("Bob", "/pool"), ("Bob", "/decisions"), ("Bob", "/show 1")]:
        seen_by_group += group_texts(chat.send(who, text))
    everything = "\n".join(seen_by_group)
    assert "Asked by a member, privately." in everything
    assert "is paid out (€300.00)" in everything
    # Carol is not on her own need's roll, so she appears nowhere, not even as "not yet responded".
    assert "Carol" not in everything
    assert "Responses (2 of 2):" in everything


def test_a_private_need_window_outcome_names_no_one(chat):
    group(chat, "Alice Bob")
    chat.direct("Bob", "/need 20 phone credit")
    announced = chat.wait(timedelta(days=2))
    assert "approved" in announced and "Bob" not in announced


def test_private_help_offers_reach_the_requester_privately(chat):
    group(chat, "Alice Bob")
    chat.direct("Bob", "/need someone to talk to this week #care")
    actions = chat.send("Alice", "/offer 1 call me any evening")
    assert [read(a) for a in actions if isinstance(a, DirectMessage)] == [
        "Alice offers to help with your need #1: call me any evening. When it is met, say /done 1."
    ]
    assert all("Bob" not in text for text in group_texts(actions))
    assert (
        unrecorded(chat.direct("Bob", "/done 1"))
        == "#1 someone to talk to this week (care) is met. Thank you, Alice!\nMarked as met."
    )


def test_a_direct_message_from_someone_in_no_collective_is_told_why(chat):
    assert chat.direct("Zed", "/need 20 phone credit").startswith(
        "In a direct message I act for the collective you belong to, and I can't tell which one"
    )
    vote  # noqa: B018  (imported for symmetry with other need tests)
