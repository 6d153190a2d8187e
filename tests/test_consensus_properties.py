"""Property tests: for random memberships and response sets, the outcome equals
a plain restatement of PRODUCT.md's rules."""

from datetime import timedelta
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.decision import Tally, decide
from bot.events import Chat
from tests.transcript import Transcript, group

RULES = ("consensus", "consent", "majority", "supermajority")
FRACTIONS = ("0.25", "0.5", "0.6", "0.67", "0.75", "1")


def restated(rule, agree, aside, obj, block, roll, quorum, share):
    """PRODUCT.md, word for word: quorum is responses ≥ quorum × roll."""
    responses = agree + aside + obj + block
    quorum_met = responses >= Fraction(quorum) * roll
    if rule == "consensus":
        return quorum_met and block == 0
    if rule == "consent":
        return quorum_met and obj == 0 and block == 0
    if rule == "majority":
        return quorum_met and agree > obj + block
    return quorum_met and agree >= Fraction(share) * (agree + obj + block)


@given(
    rule=st.sampled_from(RULES),
    counts=st.lists(st.integers(0, 12), min_size=4, max_size=4),
    silent=st.integers(0, 12),
    quorum=st.sampled_from(FRACTIONS),
    share=st.sampled_from(FRACTIONS),
)
def test_the_pure_rule_matches_the_restatement(rule, counts, silent, quorum, share):
    agree, aside, obj, block = counts
    roll = agree + aside + obj + block + silent
    if roll == 0:
        return  # a round always has someone on its roll: its opener at least
    outcome = decide(rule, Tally(agree, aside, obj, block), roll, Fraction(quorum), Fraction(share))
    assert outcome.adopted == restated(rule, agree, aside, obj, block, roll, quorum, share)


KINDS = ("agree", "standaside", "object", "block", None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rule=st.sampled_from(RULES),
    quorum=st.sampled_from(FRACTIONS),
    share=st.sampled_from(FRACTIONS),
    members=st.lists(st.tuples(st.sampled_from(KINDS), st.booleans()), min_size=1, max_size=7),
    latecomers=st.integers(0, 2),
)
def test_a_round_closed_by_its_deadline_follows_the_rule(worlds, rule, quorum, share, members, latecomers):
    """Each member responds (or not) and may leave before the close."""
    with worlds.fresh() as world:  # its own collective and clock
        _round(
            Transcript(world.core, world.clock, Chat("console", "property")), rule, quorum, share, members, latecomers
        )


def _round(chat, rule, quorum, share, members, latecomers):
    names = [f"M{i}" for i in range(len(members))]
    group(chat, " ".join(names), decision_rule=rule, quorum=quorum, supermajority=share)
    chat.say(names[0], "/propose 1d Something")
    for n in range(latecomers):  # joined after the round opened: neither count nor respond
        chat.say(f"Late{n}", "/join")
        chat.say(f"Late{n}", "/agree 1")
    for name, (kind, _) in zip(names, members, strict=True):
        if kind:
            chat.say(name, f"/{kind} 1 because")
    for name, (_, leaves) in zip(names, members, strict=True):
        if leaves:
            chat.say(name, "/leave")
    outcome = chat.wait(timedelta(days=1))
    kinds = [kind for kind, leaves in members if not leaves]
    counts = [kinds.count(kind) for kind in KINDS[:4]]
    # A round whose whole roll has left decides nothing.
    expected = bool(kinds) and restated(rule, *counts, len(kinds), quorum, share)
    verdict = "adopted" if expected else "not adopted"
    assert outcome.startswith(f"#1 Something — {verdict}"), (outcome, members)
