"""Linked identities: /iam in a direct message gives a code; /iam CODE in a direct message on another platform
makes both accounts one member — one response per round, one name in /members, one place on each roster.
Two memberships of one collective are made one only when their records do not conflict."""

import re
from datetime import timedelta

import pytest

from bot.actions import Ask, DirectMessage, Post
from tests.test_linked_chats import MATRIX, TELEGRAM, linked, press, tallies
from tests.transcript import Transcript

pytestmark = pytest.mark.stores  # on SQLite, then PostgreSQL


def iam(tg: Transcript, mx: Transcript, who: str) -> str:
    """``who`` asks for a code on Telegram and sends it from Matrix; returns the answer there."""
    code = re.search(r"Your code: (\S+)", tg.direct(who, "/iam")).group(1)
    return mx.direct(who, f"/iam {code}")


def test_one_member_voting_from_both_chats_is_counted_once_the_later_replacing_the_earlier(core, clock):
    tg, mx = linked(core, clock)
    assert iam(tg, mx, "Ann") == (
        "Done: your telegram and matrix accounts are one member in each of your 1 collective(s). "
        "Direct messages go to the account you used last."
    )
    raised = tg.send("Bob", "/propose 2d Paint the kitchen")
    key = next(a for a in raised if isinstance(a, Ask)).key
    assert tallies(press(tg, TELEGRAM, "Ann", key, "agree"))["matrix"] == (
        "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded"
    )
    # The same Ann, from her Matrix account in the Matrix room: her response replaces the earlier one.
    assert mx.say("Ann", "/object 2 too dear") == "Ann now objects to #2 Paint the kitchen (was: agree): too dear"
    edited = tallies(press(tg, MATRIX, "Cat", key, "agree"))
    assert edited == {
        "telegram": "agree 1 · stand aside 0 · object 1 · block 0 — 2 of 3 responded",
        "matrix": "agree 1 · stand aside 0 · object 1 · block 0 — 2 of 3 responded",
    }
    assert mx.say("Ann", "/members") == "Members (3):\n• Ann\n• Bob\n• Cat"
    assert mx.say("Ann", "/join") == "You are already a member, Ann."


def test_linking_refuses_a_conflicting_merge_and_makes_one_member_once_it_is_gone(core, clock):
    tg, mx = linked(core, clock)
    # Ann joined in the Telegram group, and again with her Matrix account in the Matrix room.
    assert mx.say("Ann", "/join").startswith("Welcome, Ann")
    assert tg.say("Ann", "/members") == "Members (4):\n• Ann (ann)\n• Bob\n• Cat\n• Ann (ann)"
    tg.say("Bob", "/propose 12h Paint the kitchen")
    tg.say("Ann", "/agree 2")
    mx.say("Ann", "/block 2 not now")
    tg.say("Bob", "/contribute 20")
    code = re.search(r"Your code: (\S+)", tg.direct("Ann", "/iam")).group(1)
    assert mx.direct("Ann", f"/iam {code}") == (
        "Not linked: both accounts responded to the same open round — #2 (in the collective of the telegram "
        "chat -1001). A member has one response per round: withdraw one of them (or wait until it closes), "
        "then try again with a new code."
    )
    assert tg.say("Bob", "/members").startswith("Members (4):")  # nothing changed
    clock.advance(timedelta(hours=13))
    tg.core.tick()  # #2 closes: its record keeps both responses as they were given
    again = mx.direct("Ann", f"/iam {code}")  # the refusal did not use the code up
    assert again.endswith(
        "In 1 of them both accounts were members: they are one membership now. "
        "Direct messages go to the account you used last."
    )
    assert tg.say("Bob", "/members") == "Members (3):\n• Ann\n• Bob\n• Cat"
    # Now one member: one response per round from either account.
    tg.say("Bob", "/propose 2d Fix the roof")
    assert tg.say("Ann", "/agree 3") == "Ann agrees with #3 Fix the roof."
    assert mx.say("Ann", "/standaside 3") == "Ann now stands aside on #3 Fix the roof (was: agree)."
    assert [line for line in tg.say("Bob", "/show 3").splitlines() if line.startswith("•")] == ["• Ann — stand aside"]


def test_merged_memberships_keep_one_place_on_each_roster(core, clock):
    tg, mx = linked(core, clock)
    mx.say("Ann", "/join")
    adopt_chore = tg.send("Ann", "/rotation add dishes 1w")
    assert any("dishes" in a.text for a in adopt_chore)
    tg.say("Ann", "/rotation join dishes")
    mx.say("Ann", "/rotation join dishes")
    iam(tg, mx, "Ann")
    assert mx.say("Ann", "/rotation join dishes") == "You are on the dishes roster already."
    with core.unit_of_work() as uow:
        collective = uow.collectives.for_chat(TELEGRAM.platform, TELEGRAM.chat_id)
        roster = uow.roles.roster(uow.roles.named(collective.id, "dishes").id)
        assert [uow.members.get(member_id).display_name for member_id in roster] == ["Ann"]


def test_identity_codes_expire_and_work_once(core, clock):
    tg, mx = linked(core, clock)
    code = re.search(r"Your code: (\S+)", tg.direct("Ann", "/iam")).group(1)
    assert tg.direct("Ann", f"/iam {code}") == (
        "That code is this account's own (or one linked to it already). "
        "Send it from your account on the other platform."
    )
    clock.advance(timedelta(hours=25))
    assert mx.direct("Ann", f"/iam {code}") == (
        "That code expired at Tue 3 Mar 2026, 09:00 UTC (a code is valid for 24 hours). "
        "Ask for a new one with /iam from your other account."
    )
    fresh = re.search(r"Your code: (\S+)", tg.direct("Ann", "/iam")).group(1)
    assert mx.direct("Ann", f"/iam {fresh}").startswith("Done: ")
    assert mx.direct("Cat", f"/iam {fresh}").startswith("That code was used already (Tue 3 Mar 2026, 10:00 UTC)")
    assert tg.say("Ann", "/iam") == "/iam works in a direct message with me, not in the group."
    assert mx.direct("Ann", "/iam ABCDE-FGHJK") == (
        "ABCDE-FGHJK is not a code I gave. Ask for a new one with /iam from your other account."
    )


def test_direct_messages_go_to_the_account_used_last(core, clock):
    tg, mx = linked(core, clock)
    iam(tg, mx, "Ann")
    tg.say("Ann", "/need a ride on Friday #care")

    def told(chat: Transcript, who: str) -> list[tuple[str, str]]:
        return [(a.platform, a.user_id) for a in chat.send(who, "/offer 2") if isinstance(a, DirectMessage)]

    clock.advance(timedelta(minutes=5))
    mx.say("Ann", "/members")  # Ann spoke last from her Matrix account
    assert told(mx, "Cat") == [("matrix", "ann")]
    clock.advance(timedelta(minutes=5))
    tg.say("Ann", "/members")  # and now from Telegram
    assert told(tg, "Bob") == [("telegram", "ann")]


def test_a_linked_member_is_mentioned_with_their_account_on_each_chats_platform(core, clock):
    tg, mx = linked(core, clock)
    iam(tg, mx, "Bob")  # Bob's memberships are kept under his Telegram account; he has a Matrix one too

    def mentioned(actions) -> dict[str, set[str]]:
        """Who is mentioned in the posts to each chat (by platform)."""
        found: dict[str, set[str]] = {}
        for action in actions:
            if isinstance(action, Post):
                found.setdefault(action.chat.platform, set()).update(m.name for m in action.mentions)
        return found

    tg.say("Ann", "/rotation add dishes 1w")
    joined = mentioned(mx.send("Bob", "/rotation join dishes"))  # from his Matrix account
    assert joined == {"telegram": {"Bob"}, "matrix": {"Bob"}}


def test_an_older_code_counts_for_the_account_its_giver_is_kept_under_now(core, clock):
    """Ann's Telegram account gave a code, then was linked to her Matrix account; a second Matrix account
    redeeming the old code would link two Matrix accounts — refused, so no one ends up as two members."""
    tg, mx = linked(core, clock)
    old_code = re.search(r"Your code: (\S+)", tg.direct("Ann", "/iam")).group(1)
    assert iam(mx, tg, "Ann").startswith("Done:")  # Telegram Ann is now kept under Matrix Ann
    mx.say("Ann2", "/join")
    refused = mx.direct("Ann2", f"/iam {old_code}")
    assert refused == "Send the code from your account on another platform; both of these are on the same one."
    assert mx.say("Bob", "/members") == "Members (4):\n• Ann\n• Bob\n• Cat\n• Ann2"  # Ann once, Ann2 apart
