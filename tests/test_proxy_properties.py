"""Property test: for random proxies, responses and revocations, no member's response is ever counted twice
in a round, and a proxy never outlives its term (nothing it gave counts in an open round once it ended) — also
when the bot was down past deadlines and terms: a round, open or closed, counts what a proxy gave only if the
proxy was still in force when the round was decided (its deadline, or the moment it was closed early)."""

from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.events import Chat
from bot.live_records import ProxyStatus
from bot.model import ROUND_OPEN
from tests.transcript import Transcript, group

NAMES = ("Ann", "Bob", "Cem")
KINDS = ("agree", "standaside", "object x", "block y")
GIVE = st.tuples(st.just("give"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.integers(1, 5))
FOR = st.tuples(st.just("for"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(KINDS))
STEPS = st.one_of(  # giving and responding by proxy twice as likely as the rest
    GIVE,
    GIVE,
    FOR,
    FOR,
    st.tuples(st.just("offer"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("accept"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("revoke"), st.sampled_from(NAMES)),
    st.tuples(st.just("own"), st.sampled_from(NAMES), st.sampled_from(KINDS)),
    st.tuples(st.just("wait"), st.integers(1, 72)),
    st.tuples(st.just("down"), st.integers(1, 240), st.sampled_from(NAMES)),
    st.tuples(st.just("leave"), st.sampled_from(NAMES)),
    st.just(("propose",)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEPS, min_size=1, max_size=25))
@example(steps=[("give", "Ann", "Bob", 2), ("for", "Bob", "Ann", "agree"), ("revoke", "Ann")])
@example(steps=[("give", "Ann", "Bob", 1), ("for", "Bob", "Ann", "block y"), ("wait", 30)])
@example(steps=[("give", "Ann", "Bob", 3), ("for", "Bob", "Ann", "agree"), ("leave", "Bob")])
@example(steps=[("offer", "Ann", "Bob"), ("offer", "Cem", "Bob"), ("accept", "Bob", "Ann"), ("accept", "Bob", "Cem")])
@example(steps=[("give", "Ann", "Bob", 4), ("for", "Bob", "Ann", "agree"), ("down", 120, "Ann"), ("wait", 1)])
@example(steps=[("give", "Ann", "Bob", 4), ("for", "Bob", "Ann", "agree"), ("down", 120, "Cem")])
def test_no_response_counts_twice_and_no_proxy_outlives_its_term(worlds, steps):
    with worlds.fresh() as world:
        chat = Transcript(world.core, world.clock, Chat("console", "proxies"))
        group(chat, " ".join(NAMES))
        chat.say("Ann", "/propose 3d Paint the kitchen")
        seen = {}  # by round and member: the response it counted while open, as last seen
        for step in steps:
            match step:
                case ("give", giver, holder, days):
                    chat.direct(giver, f"/proxy @{holder} for {days}d")
                    chat.direct(holder, f"/proxy accept @{giver}")
                case ("offer", giver, holder):
                    chat.direct(giver, f"/proxy @{holder}")
                case ("accept", holder, giver):
                    chat.direct(holder, f"/proxy accept @{giver}")
                case ("revoke", giver):
                    chat.direct(giver, "/proxy revoke")
                case ("own", who, kind):
                    verb, _, reason = kind.partition(" ")
                    chat.say(who, f"/{verb} {_latest(chat)} {reason}".rstrip())
                case ("for", holder, giver, kind):
                    verb, _, reason = kind.partition(" ")
                    chat.say(holder, f"/{verb} {_latest(chat)} for {giver} {reason}".rstrip())
                case ("wait", hours):
                    chat.wait(timedelta(hours=hours))
                case ("down", hours, who):  # the bot was down; the first thing after it is someone's command
                    chat.clock.advance(timedelta(hours=hours))
                    chat.direct(who, "/proxy status")
                case ("leave", who):
                    chat.say(who, "/leave")
                    chat.say(who, "/join")
                case ("propose",):
                    chat.say("Cem", "/propose 2d Another thing")
            _check(chat, seen)


def _latest(chat) -> str:
    """The newest open item's number (there is always one: a new one is proposed when none is)."""
    with chat.core.unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        open_items = uow.items.open(collective.id)
    if not open_items:
        chat.say("Cem", "/propose 2d Another thing")
        return _latest(chat)
    return str(open_items[-1].number)


def _check(chat, seen):
    now = chat.clock.now()
    with chat.core.unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        proxies = uow.proxies.of_collective(collective.id)
        holding = [p for p in proxies if p.status == ProxyStatus.ACTIVE]
        # a proxy never outlives its term, and no one holds or gives two
        assert all(p.ends_at > now for p in holding)
        assert len({p.holder_id for p in holding}) == len(holding)
        assert len({p.giver_id for p in proxies if p.pending}) == len([p for p in proxies if p.pending])
        for item in uow.items.open(collective.id):
            round_ = uow.rounds.latest(item.id)
            responses = uow.responses.of_round(round_.id)
            # one response per member: a proxy's response for Alice is Alice's, never a second one
            assert len({r.member_id for r in responses}) == len(responses)
            count = uow.reads.counts([round_.id])[round_.id]
            assert sum(count.given.values()) == len(responses)
        number = 1
        while (item := uow.items.by_number(collective.id, number)) is not None:
            number += 1
            for round_ in uow.rounds.of_item(item.id):
                if round_.status == ROUND_OPEN:  # decided at its deadline, unless it is still ahead
                    decided = min(now, round_.closes_at)
                elif round_.closed_at is not None:
                    decided = min(round_.closed_at, round_.closes_at)
                else:
                    continue
                responses = uow.responses.of_round(round_.id)
                for response in responses:
                    if response.by_proxy is not None:
                        assert _in_force(proxies, response, decided), (
                            f"a response counts without a proxy in force when #{item.number} was decided"
                        )
                if round_.status == ROUND_OPEN:  # a response by proxy stays seen until one replaces it
                    mine = seen.setdefault(round_.id, {})
                    for response in responses:
                        mine[response.member_id] = response
                    continue
                kept = {(r.member_id, r.by_proxy) for r in responses}
                for response in seen.pop(round_.id, {}).values():  # closed since: it kept what a proxy gave
                    if response.by_proxy is not None and _in_force(proxies, response, decided):
                        assert (response.member_id, response.by_proxy) in kept, (
                            f"#{item.number} lost a response given by a proxy in force when it was decided"
                        )


def _in_force(proxies, response, decided) -> bool:
    """A proxy of the response's giver and holder, accepted by the time it was given, still held at ``decided``."""
    return any(
        (p.giver_id, p.holder_id) == (response.member_id, response.by_proxy)
        and p.accepted_at is not None
        and p.accepted_at <= response.at
        and (p.ends_at if p.status == ProxyStatus.ACTIVE else p.ended_at) > decided
        for p in proxies
    )
