"""The record as members read it: names that cannot be confused, and the log of
decisions that /decisions shows."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.model import Decision, Item, Member, Round

# Letters of other scripts that look like Latin ones, so "Bоb" (a Cyrillic о) is
# not a different name from "Bob" to a reader.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝаАВЕКМНОРСТХУІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧӏi1|0",
    "aeopcyxljsdqwaabekmhopctxyljsabelknoptuxabezhlkmnoptyxllllo",
)
_TAG = re.compile(r"\s*\([^()]*\)$")  # "Alice (alice)": how the bot itself writes a twin


@lru_cache(maxsize=8192)  # a pure function of the name; every message that names someone asks
def skeleton(name: str) -> str:
    """What a name looks like: compatibility forms folded (ＢＯＢ is BOB), case,
    accents and invisible characters ignored, look-alike letters of other scripts
    taken as Latin (and I, l, 1 as one), and a copied "(user id)" tag dropped."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    shape = " ".join(bare.translate(_LOOK_ALIKES).split())
    return _TAG.sub("", shape).strip()


def recount_twins(uow, collective_id: int) -> set[int]:
    """After a member joined or changed their name: mark every member (past ones
    too) whose name looks like another's, so each message can tell them apart
    without asking again. Returns the ids marked."""
    by_shape: dict[str, list[int]] = {}
    for member_id, name in uow.members.names(collective_id):
        by_shape.setdefault(skeleton(name), []).append(member_id)
    twins = {member_id for ids in by_shape.values() if len(ids) > 1 for member_id in ids}
    uow.members.mark_twins(collective_id, twins)
    return twins


def shown_name(member: Member) -> str:
    """A member's name as the bot writes it: with their user id where another
    member's name looks the same, so no one can pass for someone else."""
    return f"{member.display_name} ({member.user_id})" if member.twin else member.display_name


def log_decision(scope, item: Item, verdict: str, round_: Round | None = None, rule: str | None = None) -> None:
    """Append an outcome to the log of decisions; it never changes afterwards."""
    title = round_.title if round_ is not None else item.title
    number = round_.number if round_ is not None else None
    scope.uow.decisions.add(Decision(item.collective_id, item.id, verdict, title, scope.now, number, rule))
