"""Linked chats: one collective in a Telegram group and a Matrix room. /link is a proposal that, adopted,
gives a one-time code valid 24 hours; /link CODE in the other chat makes it one of the collective's chats.
Every announcement then appears in both, each copy with its own buttons, all counting toward one tally;
/unlink (a proposal, from the chat that leaves) ends it."""

import re
from datetime import timedelta

import pytest

from bot.actions import Ask, DirectMessage, Edit, Post
from bot.events import Chat, ChoiceMade
from tests.transcript import Transcript, adopt, group, person, read

TELEGRAM, MATRIX = Chat("telegram", "-1001"), Chat("matrix", "!room:example.org")

pytestmark = pytest.mark.stores  # on SQLite, then PostgreSQL


def link_code(tg: Transcript) -> str:
    outcome = adopt(tg, "Ann", "/link")
    return re.search(r"type /link (\S+)", outcome).group(1)


def linked(core, clock) -> tuple[Transcript, Transcript]:
    """Ann and Bob's collective in a Telegram group, linked to a new Matrix room where Cat then joins."""
    tg, mx = Transcript(core, clock, TELEGRAM), Transcript(core, clock, MATRIX)
    group(tg, "Ann Bob")
    said = mx.send("Cat", f"/link {link_code(tg)}")
    assert [(a.chat, a.text.split(":")[0]) for a in said] == [
        (TELEGRAM, "This collective now lives in 2 linked chats"),
        (MATRIX, "This collective now lives in 2 linked chats"),
    ]
    assert mx.say("Cat", "/join").startswith("Welcome, Cat! You are member 3 of this collective.")
    return tg, mx


def press(tg: Transcript, chat: Chat, who: str, key: str, choice: str):
    event = ChoiceMade(chat, person(who, chat.platform), key, choice, f"press-{who}-{choice}", tg.clock.now())
    return tg.core.handle(event)


def tallies(actions) -> dict[str, str]:
    """The tally line of each edited copy of a round's message, by platform."""
    return {a.chat.platform: a.text.splitlines()[-1] for a in actions if isinstance(a, Edit)}


def test_link_is_a_proposal_and_adopted_it_gives_a_code(core, clock):
    tg = group(Transcript(core, clock, TELEGRAM), "Ann Bob")
    opened = tg.send("Ann", "/link")
    assert [(type(a), a.text.splitlines()[0]) for a in opened] == [
        (Ask, "Link proposal #1 by Ann: Link another group chat to this collective")
    ]
    assert (
        tg.say("Bob", "/link")
        == "#1 Link another group chat to this collective is open already; respond to it, or wait for its outcome."
    )
    tg.say("Ann", "/agree 1")
    tg.say("Bob", "/agree 1")
    closed = tg.send("Bob", "/close 1")
    group_heard = "\n".join(read(a) for a in closed if not isinstance(a, DirectMessage))
    assert "#1 Link another group chat to this collective — adopted." in group_heard
    assert "Ann, who proposed it, has the link code by direct message" in group_heard
    assert "Link code" not in group_heard  # the outcome goes to every linked chat and into the record: no code there
    [private] = [a for a in closed if isinstance(a, DirectMessage)]
    assert private.user_id == "ann"
    assert re.search(
        r"^#1 is adopted. Link code: [A-Z2-9]{5}-[A-Z2-9]{5} — type /link \S+ .* before Tue 3 Mar 2026, 09:00 UTC",
        read(private),
    )
    assert Transcript(core, clock, Chat("console", "elsewhere")).say("Dan", "/link NOPE-NOPE") == (
        "NOPE-NOPE is not a code I gave. Ask for a new one with /link in the collective's chat."
    )


def test_votes_from_both_linked_chats_count_once_toward_one_tally(core, clock):
    tg, mx = linked(core, clock)
    raised = tg.send("Ann", "/propose 2d Paint the kitchen")
    asks = [a for a in raised if isinstance(a, Ask)]
    assert [a.chat for a in asks] == [TELEGRAM, MATRIX]  # one copy in each, each with its own buttons
    assert [len(a.choices) for a in asks] == [4, 4]
    key = asks[0].key
    # Cat presses on the Matrix copy, Bob on the Telegram copy: every copy is edited to the one tally.
    assert tallies(press(tg, MATRIX, "Cat", key, "agree")) == {
        "telegram": "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded",
        "matrix": "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded",
    }
    assert tallies(press(tg, TELEGRAM, "Bob", key, "agree")) == {
        "telegram": "agree 2 · stand aside 0 · object 0 · block 0 — 2 of 3 responded",
        "matrix": "agree 2 · stand aside 0 · object 0 · block 0 — 2 of 3 responded",
    }
    # Commands work from either chat, on the same numbers.
    assert mx.say("Cat", "/show 2").splitlines()[3:5] == ["• Bob — agree", "• Cat — agree"]
    assert tg.say("Ann", "/agree 2") == "Ann agrees with #2 Paint the kitchen."
    closed = tg.send("Ann", "/close 2")
    outcomes = [(a.chat, a.text.splitlines()[0]) for a in closed if isinstance(a, Post)]
    assert outcomes == [(TELEGRAM, "#2 Paint the kitchen — adopted."), (MATRIX, "#2 Paint the kitchen — adopted.")]
    assert "Responses: agree 3 · stand aside 0 · object 0 · block 0." in closed[0].text


def test_a_code_works_once_and_not_after_24_hours(core, clock):
    tg = group(Transcript(core, clock, TELEGRAM), "Ann Bob")
    code = link_code(tg)
    clock.advance(timedelta(hours=24))
    assert Transcript(core, clock, MATRIX).say("Cat", f"/link {code}") == (
        "That code expired at Tue 3 Mar 2026, 09:00 UTC (a code is valid for 24 hours). "
        "Ask for a new one with /link in the collective's chat."
    )
    fresh = link_code(tg)
    assert "now lives in 2 linked chats" in Transcript(core, clock, MATRIX).say("Cat", f"/link {fresh.lower()}")
    again = Transcript(core, clock, Chat("matrix", "!another:example.org")).say("Dan", f"/link {fresh}")
    assert again.startswith("That code was used already (Tue 3 Mar 2026, 09:00 UTC); a code works once.")


def test_link_code_refused_in_a_chat_with_members_of_its_own(core, clock):
    tg = group(Transcript(core, clock, TELEGRAM), "Ann Bob")
    code = link_code(tg)
    busy = group(Transcript(core, clock, MATRIX), "Cat")
    assert busy.say("Cat", f"/link {code}") == (
        "This chat has members or items of its own, so it can't join another collective: a chat is linked "
        "before anything happens in it. Use a new group chat, or link the other way round."
    )
    assert busy.say("Cat", "/members") == "Members (1):\n• Cat"  # nothing changed there
    # The refusal did not use the code up: a new chat can still take it.
    quiet = Transcript(core, clock, Chat("matrix", "!quiet:example.org"))
    assert "now lives in 2 linked chats" in quiet.say("Dan", f"/link {code}")
    assert quiet.say("Dan", "/members") == "Members (2):\n• Ann\n• Bob"


def test_unlink_is_a_proposal_from_the_chat_that_leaves(core, clock):
    alone = group(Transcript(core, clock, Chat("telegram", "-2002")), "Eve")
    assert alone.say("Eve", "/unlink") == "This is the collective's only chat; there is nothing to unlink it from."
    tg, mx = linked(core, clock)
    assert mx.say("Dan", "/unlink") == "Only members can do that. Read /principles, then /join if they are yours too."
    opened = mx.send("Cat", "/unlink")
    assert [(a.chat, a.text.splitlines()[0]) for a in opened] == [
        (TELEGRAM, "Unlink proposal #2 by Cat: Unlink the Matrix room !room:example.org from the collective"),
        (MATRIX, "Unlink proposal #2 by Cat: Unlink the Matrix room !room:example.org from the collective"),
    ]
    for name, chat in (("Ann", tg), ("Bob", tg), ("Cat", mx)):
        chat.say(name, "/agree 2")
    closed = tg.send("Ann", "/close 2")
    heard = [(a.chat, read(a).splitlines()[0]) for a in closed if isinstance(a, Post)]
    assert heard == [
        (TELEGRAM, "#2 Unlink the Matrix room !room:example.org from the collective — adopted."),
        (
            MATRIX,
            "#2 is adopted: this chat is no longer linked to the collective. Its announcements no longer "
            "come here and commands here no longer reach it; this chat starts afresh (/join to begin).",
        ),
    ]
    assert "The Matrix room is no longer linked; the collective goes on in 1 chat(s)." in closed[0].text
    # Announcements stay in Telegram; the room is a collective of its own, with no members yet.
    raised = tg.send("Ann", "/propose Paint the kitchen")
    assert [a.chat for a in raised if isinstance(a, Ask)] == [TELEGRAM]
    assert mx.say("Cat", "/members") == "No members yet. /principles, then /join to be the first."
    assert tg.say("Ann", "/members") == "Members (3):\n• Ann\n• Bob\n• Cat"


def test_help_lists_linking_chats_and_accounts(chat):
    listed = chat.say("Ann", "/help").split("Linked chats and accounts:\n")[1].split("\n\n")[0]
    assert listed.splitlines() == [
        "  /link [CODE] — propose linking another group chat to this collective; with CODE, link this chat",
        "  /unlink — propose that this chat leaves the collective",
        "  /iam [CODE] — make your accounts on two platforms one member",
    ]
