"""The record as members read it: names that cannot be confused, and the log of
decisions that /decisions shows."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from bot.model import Decision, Item, Member, Round

# Letters of other scripts that look like Latin ones, so "Bоb" (a Cyrillic о) is
# not a different name from "Bob" to a reader.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝаАВЕКМНОРСТХУІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwaabekmhopctxyijsabeiknoptuxabezhikmnoptyx",
)


@lru_cache(maxsize=8192)  # a pure function of the name; every message that names someone asks
def skeleton(name: str) -> str:
    """What a name looks like: compatibility forms folded (ＢＯＢ is BOB), case
    and accents ignored, look-alike letters of other scripts taken as Latin."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(bare.translate(_LOOK_ALIKES).split())


def twin_names(display_names: list[str]) -> set[str]:
    """The skeletons that more than one member has (or had)."""
    seen: set[str] = set()
    twins: set[str] = set()
    for name in display_names:
        shape = skeleton(name)
        (twins if shape in seen else seen).add(shape)
    return twins


def shown_name(member: Member, twins: set[str]) -> str:
    """A member's name as the bot writes it: with their user id where another
    member's name looks the same, so no one can pass for someone else."""
    if skeleton(member.display_name) in twins:
        return f"{member.display_name} ({member.user_id})"
    return member.display_name


def log_decision(scope, item: Item, verdict: str, round_: Round | None = None, rule: str | None = None) -> None:
    """Append an outcome to the log of decisions; it never changes afterwards."""
    title = round_.title if round_ is not None else item.title
    number = round_.number if round_ is not None else None
    scope.uow.decisions.add(Decision(item.collective_id, item.id, verdict, title, scope.now, number, rule))
