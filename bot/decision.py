"""The outcome rules, as pure functions of a round's tally.

Fractions are exact (``Fraction("0.5")``), so "quorum met by exactly the
fraction" and "supermajority at exactly the threshold" are decided without
rounding errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from babel.numbers import format_percent

from bot.language import N_, _, number, pgettext, spoken
from bot.model import AGREE, BLOCK, OBJECT, STAND_ASIDE

# Each rule explained after its name ({rule}: the name as members type it in /set, which stays as it is).
RULE_NAMES = {
    # Translators: {rule} is the decision rule's name as typed in /set (consensus): keep it as it is.
    "consensus": N_("{rule} (adopted when quorum is met and no one blocks)"),
    # Translators: {rule} is the decision rule's name as typed in /set (consent): keep it as it is.
    "consent": N_("{rule} (adopted when quorum is met and no one objects or blocks)"),
    # Translators: {rule} is the decision rule's name as typed in /set (majority): keep it as it is. "agree",
    # "object" and "block" are the kinds of response.
    "majority": N_("{rule} (adopted when quorum is met and agree outnumber object and block together)"),
    # Translators: {rule} is the decision rule's name as typed in /set (supermajority): keep it as it is.
    # {share} is a percentage (75%); "agree", "object" and "block" are the kinds of response.
    "supermajority": N_("{rule} (adopted when quorum is met and at least {share} of agree, object and block agree)"),
}


@dataclass(frozen=True, slots=True)
class Tally:
    agree: int = 0
    stand_aside: int = 0
    object: int = 0
    block: int = 0

    @classmethod
    def of(cls, kinds: list[str]) -> Tally:
        return cls(kinds.count(AGREE), kinds.count(STAND_ASIDE), kinds.count(OBJECT), kinds.count(BLOCK))

    @classmethod
    def counted(cls, counts: dict[str, int]) -> Tally:
        return cls(counts.get(AGREE, 0), counts.get(STAND_ASIDE, 0), counts.get(OBJECT, 0), counts.get(BLOCK, 0))

    @property
    def responses(self) -> int:
        return self.agree + self.stand_aside + self.object + self.block

    def line(self) -> str:
        # Translators: a round's tally, each kind of response with how many gave it.
        return _(
            "agree {agree} · stand aside {stand_aside} · object {object} · block {block}",
            agree=number(self.agree),
            stand_aside=number(self.stand_aside),
            object=number(self.object),
            block=number(self.block),
        )


def response_name(kind: str) -> str:
    """A kind of response as a list of responses names it: agree, stand aside, object, block."""
    if kind == AGREE:
        return pgettext("response", "agree")
    if kind == STAND_ASIDE:
        return pgettext("response", "stand aside")
    if kind == OBJECT:
        return pgettext("response", "object")
    if kind == BLOCK:
        return pgettext("response", "block")
    raise LookupError(f"no response of the kind {kind!r}")


@dataclass(frozen=True, slots=True)
class Outcome:
    adopted: bool
    rule: str
    quorum_met: bool
    needed: int  # responses needed for quorum
    roll: int


def quorum_needed(quorum: Fraction, roll: int) -> int:
    """The fewest responses that meet the quorum: responses ≥ quorum × roll.
    (At least one: a round whose whole roll has left decides nothing.)"""
    return max(1, math.ceil(quorum * roll))


def decide(rule: str, tally: Tally, roll: int, quorum: Fraction, supermajority: Fraction) -> Outcome:
    needed = quorum_needed(quorum, roll)
    quorum_met = tally.responses >= needed
    if rule == "consensus":
        passes = tally.block == 0
    elif rule == "consent":
        passes = tally.block == 0 and tally.object == 0
    elif rule == "majority":
        passes = tally.agree > tally.object + tally.block
    elif rule == "supermajority":
        passes = tally.agree >= supermajority * (tally.agree + tally.object + tally.block)
    else:
        raise ValueError(f"unknown decision rule {rule!r}")
    return Outcome(quorum_met and passes, rule, quorum_met, needed, roll)


def describe_rule(rule: str, supermajority: Fraction) -> str:
    share = format_percent(float(supermajority), locale=spoken())
    return _(RULE_NAMES[rule], rule=rule, share=share)
