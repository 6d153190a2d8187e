"""A kind of item is one class: defined anywhere, it registers itself under its topic, and is raised,
decided, carried out and shown like the kinds the bot has — here a petition, defined in this file only."""

from __future__ import annotations

import pytest

from bot.commands import Arg, Command
from bot.context import Context, Scope
from bot.core import Core, default_commands
from bot.kinds import KINDS, TOPIC_LENGTH, Kind
from bot.model import Item, ItemKind, Member
from bot.proposals import new_item
from bot.rounds import open_round
from storage.sql import item_t
from tests.transcript import Transcript, group, unrecorded, vote


@pytest.fixture
def petitions(unit_of_work, clock):
    """A collective whose bot has one more kind than it ships with, and the command that raises it."""

    class Petition(Kind, topic="petition"):
        card = "Petition"

        def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
            return f"The petition for {item.data['to']} is sent." if adopted else ""

    def petition(ctx: Context, member: Member, title: str) -> None:
        item = new_item(ctx, Petition.topic, title, data={"to": "the council"})
        open_round(ctx, item, ctx.settings.proposal_duration)

    raise_it = Command("petition", "petition the council", petition, args=(Arg("title", "TITLE", rest=True),))
    try:
        yield Transcript(Core(unit_of_work, clock, [*default_commands(), raise_it]), clock)
    finally:
        del KINDS["petition"]


def test_a_kind_defined_in_one_class_is_raised_decided_and_shown(petitions, unit_of_work):
    chat = group(petitions, "Alice Bob")
    raised = chat.say("Alice", "/petition Fix the roof of the hall")
    assert raised.startswith("Petition #1 by Alice: Fix the roof of the hall\nRound 1 · consensus")
    assert "Respond: /agree 1" in raised
    assert chat.say("Bob", "/proposals").startswith("Open items:\n#1 Fix the roof of the hall — round 1, closes")
    assert chat.say("Bob", "/show 1").startswith("#1 Fix the roof of the hall\nProposed by Alice. Round 1: open")
    vote(chat, 1, Alice="agree", Bob="agree")
    closed = chat.say("Alice", "/close 1")
    assert "#1 Fix the roof of the hall — adopted." in closed
    assert unrecorded(closed).endswith("The petition for the council is sent.")
    assert chat.say("Bob", "/proposals") == "No open items. /propose TITLE starts one."
    with unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        stored = uow.items.by_number(collective.id, 1)
    assert (stored.topic, stored.kind) == ("petition", ItemKind.PROPOSAL)


def test_a_topic_is_taken_once_and_fits_its_column(petitions):
    assert item_t.c.topic.type.length == TOPIC_LENGTH
    with pytest.raises(ValueError, match=r"'petition' is not a free topic.*Petition has it"):

        class Another(Kind, topic="petition"):
            pass

    with pytest.raises(ValueError, match="not a free topic of 1–16 characters"):

        class TooLong(Kind, topic="a-very-long-topic-name"):
            pass

    assert "petition" in KINDS and "a-very-long-topic-name" not in KINDS
