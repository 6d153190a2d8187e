"""Proxies: Alice gives her response to Bob for a term, in a direct message; once Bob accepts, he responds
for her by naming her, recorded as "Bob for Alice"; her own response always replaces his; she revokes at any
time; the term ends it; leaving ends it; no one holds two (no blocs); proxies give no powers."""

from datetime import timedelta

import pytest

from bot.actions import DirectMessage, Edit
from tests.test_linked_chats import linked
from tests.test_linked_identities import iam
from tests.transcript import adopt, group, read, vote

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def _proxy(chat, giver, holder, terms=""):
    offered = chat.direct(giver, f"/proxy @{holder} {terms}".rstrip())
    assert offered.startswith(f"Offered: {holder} may respond for you"), offered
    accepted = chat.direct(holder, "/proxy accept")
    assert f"{holder} now holds {giver}'s proxy until" in accepted, accepted
    return accepted


def test_a_proxy_accepted_used_overridden_by_the_member_and_shown_in_every_tally(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.say("Carol", "/propose Paint the kitchen")
    offered = chat.direct("Alice", "/proxy @Bob for 5d")
    assert offered == (
        "Offered: Bob may respond for you for 5 days from when they accept, on every round open meanwhile. "
        "The offer lapses Wed 4 Mar 2026, 09:00 UTC unless they accept it.\n"
        "Alice offers you their response for 5 days from when they accept, on every round open meanwhile: you would "
        "respond for them by naming them (/agree N for Alice). Say /proxy accept or /proxy decline by "
        "Wed 4 Mar 2026, 09:00 UTC."
    )
    # Not yet accepted: Bob cannot respond for Alice.
    assert chat.say("Bob", "/agree 1 for Alice").startswith("You hold no proxy of Alice")
    accepted = chat.direct("Bob", "/proxy accept")
    assert accepted.startswith(
        "Bob now holds Alice's proxy until Sat 7 Mar 2026, 09:00 UTC, on every round open meanwhile: a response "
        'for them reads "Bob for Alice", and Alice\'s own response always replaces it.'
    )

    assert chat.say("Bob", "/agree 1 for alice") == "Bob for Alice agrees with #1 Paint the kitchen."
    assert chat.say("Bob", "/object 1 too soon") == "Bob objects to #1 Paint the kitchen: too soon"  # his own
    shown = chat.say("Carol", "/show 1")
    assert "Responses (2 of 4):\n• Bob for Alice — agree\n• Bob — object: too soon\n" in shown
    assert "2 of 4 responded (by proxy: Bob for Alice)" in chat.say("Carol", "/proposals")
    card = [read(a) for a in chat.send("Dan", "/standaside 1") if isinstance(a, Edit)]  # the live tally on the card
    assert card and "3 of 4 responded (by proxy: Bob for Alice)" in card[-1]

    # Alice's own response replaces Bob's for her; after it, Bob's for her is refused.
    assert chat.say("Alice", "/standaside 1 busy") == (
        "Alice now stands aside on #1 Paint the kitchen (this replaces Bob's response for them: agree): busy"
    )
    assert chat.say("Bob", "/agree 1 for Alice") == (
        "Alice has responded themselves (stand aside) on #1 Paint the kitchen: their own response stands."
    )
    shown = chat.say("Carol", "/show 1")
    assert "• Alice — stand aside: busy\n• Bob — object: too soon" in shown and "Bob for Alice" not in shown
    vote(chat, 1, Carol="agree", Dan="agree")
    chat.say("Carol", "/propose Buy a van")  # #2: Bob responds for Alice first, and Alice after him
    assert chat.say("Bob", "/block 2 for Alice it is too dear") == "Bob for Alice blocks #2 Buy a van: it is too dear"
    outcome = chat.wait(timedelta(days=3))
    assert "#1 Paint the kitchen — adopted." in outcome
    assert "Blocks: Bob for Alice: it is too dear" in outcome
    assert "By proxy: Bob for Alice (block)." in outcome


def test_a_proxy_revoked_takes_back_its_responses_in_open_rounds(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Carol", "/propose Paint the kitchen")
    _proxy(chat, "Alice", "Bob")
    chat.say("Bob", "/agree 1 for Alice")
    revoked = chat.direct("Alice", "/proxy revoke")
    assert revoked.startswith(
        "Bob no longer holds Alice's proxy (Alice revoked it). The responses Bob gave for Alice in rounds still "
        "open are taken back: #1."
    )
    assert "Responses (0 of 3)" in chat.say("Carol", "/show 1")
    assert chat.say("Bob", "/agree 1 for Alice").startswith("You hold no proxy of Alice")
    assert chat.direct("Alice", "/proxy revoke") == "You give no proxy right now."


def test_a_proxy_expires_with_its_term_and_a_closed_round_keeps_what_it_gave(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Carol", "/propose 1d Paint the kitchen")
    chat.say("Carol", "/propose 5d Buy a van")
    _proxy(chat, "Alice", "Bob", "for 2d")
    chat.say("Bob", "/agree 1 for Alice")
    chat.say("Carol", "/agree 1")
    chat.say("Bob", "/agree 2 for Alice")
    heard = chat.wait(timedelta(days=2))
    assert "#1 Paint the kitchen — adopted." in heard and "By proxy: Bob for Alice (agree)." in heard
    assert (
        "Bob no longer holds Alice's proxy (its term ended Wed 4 Mar 2026, 09:00 UTC). The responses Bob gave for "
        "Alice in rounds still open are taken back: #2."
    ) in heard
    assert "• Bob for Alice — agree" in chat.say("Carol", "/show 1")  # the closed round's record stays
    assert "• Bob for Alice" not in chat.say("Carol", "/show 2")
    assert chat.say("Bob", "/agree 2 for Alice").startswith("You hold no proxy of Alice")


def test_an_offer_not_accepted_lapses_and_can_be_declined(chat):
    group(chat, "Alice Bob Carol")
    chat.direct("Alice", "/proxy @Bob")
    chat.wait(timedelta(days=2))
    assert chat.direct("Bob", "/proxy accept") == "No one has offered you a proxy."
    chat.direct("Alice", "/proxy @Carol on all")
    assert chat.direct("Carol", "/proxy decline").startswith("Carol declines Alice's proxy.")
    assert (
        chat.direct("Alice", "/proxy status")
        == "You give no proxy and hold none. Usage: /proxy @member [for DURATION] [on #N|all]"
    )


def test_no_bloc_a_member_holds_one_proxy_and_gives_one(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.direct("Alice", "/proxy @Bob")
    chat.direct("Carol", "/proxy @Bob")  # two offers wait for Bob
    assert chat.direct("Bob", "/proxy accept").startswith("Several offers wait for you (Alice, Carol)")
    assert "Bob now holds Alice's proxy" in chat.direct("Bob", "/proxy accept @Alice")
    assert chat.direct("Bob", "/proxy accept @Carol") == (
        "You already hold Alice's proxy: a member holds one proxy at a time (no blocs). "
        "Decline this one, or wait until that one ends."
    )
    assert chat.direct("Dan", "/proxy @Bob") == (
        "Bob already holds Alice's proxy: a member holds one proxy at a time (no blocs)."
    )
    assert chat.direct("Alice", "/proxy @Dan") == (
        "You give one proxy at a time, and yours is held by Bob. /proxy revoke ends it first."
    )
    assert chat.direct("Alice", "/proxy @Alice").startswith("That is you")
    assert chat.direct("Alice", "/proxy @Dan for 31d").startswith("A proxy lasts at most 30 days.")


def test_a_proxy_ends_when_either_leaves(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Carol", "/propose Paint the kitchen")
    _proxy(chat, "Alice", "Bob")
    chat.say("Bob", "/agree 1 for Alice")
    left = chat.say("Bob", "/leave")
    assert (
        "Bob no longer holds Alice's proxy (Bob left). The responses Bob gave for Alice in rounds still open are taken back: #1."
        in left
    )
    assert "Responses (0 of 2)" in chat.say("Carol", "/show 1")
    chat.say("Bob", "/join")
    assert chat.say("Bob", "/agree 1 for Alice").startswith("You hold no proxy of Alice")


def test_a_proxy_on_one_item_and_no_powers(chat):
    group(chat, "Alice Bob Carol")
    adopt(chat, "Alice", "/rotation add facilitator 4w")  # #1: Alice facilitates
    chat.say("Carol", "/propose Paint the kitchen")  # #2
    chat.say("Carol", "/propose Buy a van")  # #3
    _proxy(chat, "Alice", "Bob", "on #3")
    assert chat.say("Bob", "/agree 2 for Alice") == "Your proxy of Alice is for #3 only."
    assert chat.say("Bob", "/agree 3 for Alice") == "Bob for Alice agrees with #3 Buy a van."
    chat.say("Bob", "/agree 3")
    assert chat.say("Bob", "/close 3").startswith("Only the facilitator (Alice, this term) can close a round.")
    # "for" and a word that names no member is an ordinary comment; naming a member is never one.
    assert chat.say("Carol", "/agree 2 for the kids") == "Carol agrees with #2 Paint the kitchen: for the kids"
    assert chat.say("Bob", "/agree 3 for Carol").startswith("You hold no proxy of Carol, so you cannot respond")
    assert (
        chat.say("Bob", "/object 3 for @alice: too dear")
        == "Bob for Alice now objects to #3 Buy a van (was: agree): too dear"
    )


def test_two_accounts_made_one_member_end_the_proxy_the_one_merged_away_gave(core, clock):
    tg, mx = linked(core, clock)  # Ann and Bob on Telegram, Cat on Matrix
    mx.say("Ann", "/join")  # Ann's Matrix account joins too: two memberships until /iam
    mx.say("Cat", "/propose Paint the kitchen")
    assert mx.direct("Ann", "/proxy @cat").startswith("Offered: Cat may respond for you")
    mx.direct("Cat", "/proxy accept")
    assert mx.say("Cat", "/agree 2 for Ann") == "Cat for Ann (ann) agrees with #2 Paint the kitchen."
    merged = iam(tg, mx, "Ann")
    assert (
        "Cat no longer holds Ann (ann)'s proxy (Ann (ann)'s two accounts became one member). The responses Cat "
        "gave for Ann (ann) in rounds still open are taken back: #2."
    ) in merged
    assert "Responses (0 of 3)" in tg.say("Bob", "/show 2")


def test_on_a_private_need_a_proxy_is_refused_privately_alike_whoever_asked(chat):
    group(chat, "Alice Bob Carol Dan")
    _proxy(chat, "Alice", "Bob")
    chat.direct("Carol", "/need €30 bus passes")  # #1: Carol asked, privately
    chat.direct("Alice", "/need €40 glasses")  # #2: Alice asked, privately: she is not on its roll

    def answers(number):
        actions = chat.send("Bob", f"/object {number} for Alice too much")
        group_lines = [a for a in actions if not isinstance(a, DirectMessage)]
        direct_lines = [read(a).replace(f"#{number}", "#N") for a in actions if isinstance(a, DirectMessage)]
        return group_lines, direct_lines

    said_on_carols, told_on_carols = answers(1)
    said_on_alices, told_on_alices = answers(2)
    # Nothing in the group, no tally moved, the same words to Bob: who asked cannot be told from it.
    assert said_on_carols == said_on_alices == []
    assert (
        told_on_carols
        == told_on_alices
        == [
            "#N is a private need: proxies do not respond on private needs, since whose response counts there could "
            "tell who asked. Alice responds to it themselves."
        ]
    )
    assert "Responses (0 of 3)" in chat.say("Dan", "/show 1")
    assert "no longer approved by silence" not in chat.say("Dan", "/show 1")
    assert chat.say("Alice", "/object 1 too much").startswith("Your response to #1 is noted")  # she still may
    assert chat.direct("Bob", "/whoasked 1").startswith("Only the current treasurer")  # no private details


def test_after_downtime_a_round_due_inside_the_term_closes_with_what_the_proxy_gave(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.say("Carol", "/propose Paint the kitchen")  # #1 closes Thu 5 Mar, inside Bob's term
    chat.say("Carol", "/propose 10d Buy a van")  # #2 closes Thu 12 Mar, after it
    _proxy(chat, "Alice", "Bob", "for 7d")  # until Mon 9 Mar
    chat.say("Bob", "/agree 1 for Alice")
    chat.say("Bob", "/agree 2 for Alice")
    vote(chat, 1, Carol="agree", Dan="agree")
    chat.clock.advance(timedelta(days=9))  # the bot was down from before the deadline of #1 to after the term
    status = chat.direct("Alice", "/proxy status")  # the first thing after: the term's end is noticed first
    assert (
        "Bob no longer holds Alice's proxy (its term ended Mon 9 Mar 2026, 09:00 UTC). The responses Bob gave for "
        "Alice in rounds still open are taken back: #2."
    ) in status
    heard = chat.wait(timedelta(0))  # then the close of #1, due on 5 March
    assert "#1 Paint the kitchen — adopted." in heard
    assert "Participation: 3 of 4 responded" in heard and "By proxy: Bob for Alice (agree)." in heard
    assert "• Bob for Alice — agree" in chat.say("Carol", "/show 1")
    assert "Bob for Alice" not in chat.say("Carol", "/show 2")


def test_after_downtime_the_close_itself_counts_a_proxy_in_force_at_the_deadline(chat):
    group(chat, "Alice Bob Carol Dan")
    chat.say("Carol", "/propose Paint the kitchen")  # closes Thu 5 Mar
    _proxy(chat, "Alice", "Bob", "for 7d")
    chat.say("Bob", "/agree 1 for Alice")
    vote(chat, 1, Carol="agree", Dan="agree")
    chat.clock.advance(timedelta(days=9))
    heard = "\n".join(read(a) for a in chat.core.tick() if not isinstance(a, DirectMessage | Edit))
    assert "Participation: 3 of 4 responded" in heard and "By proxy: Bob for Alice (agree)." in heard
    assert "taken back" not in heard


def test_with_no_facilitator_only_members_own_responses_make_everyone(chat):
    group(chat, "Alice Bob Carol")
    chat.say("Carol", "/propose Paint the kitchen")
    _proxy(chat, "Alice", "Bob")
    vote(chat, 1, Bob="agree", Carol="agree")
    chat.say("Bob", "/agree 1 for Alice")
    assert chat.say("Carol", "/close 1") == (
        "#1 Paint the kitchen cannot close early: with no facilitator, a round closes before its deadline only "
        "once everyone on its roll has responded (2 of 3 so far; 1 more by proxy, which its giver may still "
        "replace). Not yet responded: Alice. It closes by itself Thu 5 Mar 2026, 09:00 UTC."
    )
    chat.say("Alice", "/block 1 not this colour")  # she may still replace it, and does
    assert "#1 Paint the kitchen — not adopted." in chat.say("Carol", "/close 1")


def test_a_comment_starting_with_for_names_a_member_only_by_their_whole_name(chat):
    group(chat, "Alice Bob Carol")
    chat.say("The Kid", "/join")  # a member whose first name is The
    chat.say("Alice Smith", "/join")
    chat.say("Carol", "/propose Buy a van")
    assert chat.say("Carol", "/agree 1 for the kids") == "Carol agrees with #1 Buy a van: for the kids"
    assert chat.say("Bob", "/agree 1 for the kid").startswith("You hold no proxy of The Kid")  # named in full
    assert chat.say("Bob", "/agree 1 for the: soon").startswith("You hold no proxy of The Kid")  # a colon names
    _proxy(chat, "Alice Smith", "Bob")
    assert chat.say("Bob", "/object 1 for Alice too dear") == (
        "To respond for Alice Smith, name them in full or put a colon after Alice: for Alice Smith: REASON. "
        "(A comment of your own must not start with 'for Alice'.)"
    )
    assert chat.say("Bob", "/object 1 for alice: too dear") == "Bob for Alice Smith objects to #1 Buy a van: too dear"
    assert chat.say("Bob", "/object 1 for Alice Smith far too dear") == (
        "Bob for Alice Smith objects to #1 Buy a van: far too dear"
    )


def test_a_proxy_is_offered_in_a_direct_message_only(chat):
    group(chat, "Alice Bob Carol")
    assert chat.say("Alice", "/proxy @Bob for 3d") == (
        "Offer a proxy in a direct message with me: /proxy @member [for DURATION] [on #N|all]. The group hears of "
        "it once it is accepted."
    )
    assert chat.direct("Bob", "/proxy accept") == "No one has offered you a proxy."
    assert chat.direct("Alice", "/proxy @Bob for 3d").startswith("Offered: Bob may respond for you for 3 days")


def test_a_tally_names_a_few_responses_by_proxy_and_counts_more(chat):
    group(chat, "Ann Bea Cai Dov Eve Fay Gus Hal")
    chat.say("Ann", "/propose Paint the kitchen")
    for giver, holder in (("Ann", "Bea"), ("Cai", "Dov"), ("Eve", "Fay")):
        _proxy(chat, giver, holder)
        chat.say(holder, f"/agree 1 for {giver}")
    assert "3 of 8 responded (by proxy: Bea for Ann, Dov for Cai, Fay for Eve)" in chat.say("Hal", "/proposals")
    _proxy(chat, "Gus", "Hal")
    chat.say("Hal", "/agree 1 for Gus")
    assert "4 of 8 responded (4 by proxy: /show names them)" in chat.say("Hal", "/proposals")
