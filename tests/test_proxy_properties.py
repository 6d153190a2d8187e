"""Property test: for random proxies, responses and revocations, no member's response is ever counted twice
in a round, and a proxy never outlives its term (nothing it gave counts in an open round once it ended)."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.events import Chat
from bot.live_records import ProxyStatus
from tests.transcript import Transcript, group

NAMES = ("Ann", "Bob", "Cem", "Dee")
STEPS = st.one_of(
    st.tuples(st.just("offer"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.integers(1, 4)),
    st.tuples(st.just("accept"), st.sampled_from(NAMES)),
    st.tuples(st.just("revoke"), st.sampled_from(NAMES)),
    st.tuples(
        st.just("own"), st.sampled_from(NAMES), st.sampled_from((1, 2)), st.sampled_from(("agree", "standaside"))
    ),
    st.tuples(st.just("for"), st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from((1, 2))),
    st.tuples(st.just("wait"), st.integers(1, 36)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEPS, min_size=1, max_size=25))
def test_no_response_counts_twice_and_no_proxy_outlives_its_term(worlds, steps):
    with worlds.fresh() as world:
        chat = Transcript(world.core, world.clock, Chat("console", "proxies"))
        group(chat, " ".join(NAMES))
        chat.say("Ann", "/propose 5d Paint the kitchen")
        chat.say("Bob", "/propose 5d Buy a van")
        for step in steps:
            match step:
                case ("offer", giver, holder, days):
                    chat.direct(giver, f"/proxy @{holder} for {days}d")
                case ("accept", holder):
                    chat.direct(holder, "/proxy accept")
                case ("revoke", giver):
                    chat.direct(giver, "/proxy revoke")
                case ("own", who, number, kind):
                    chat.say(who, f"/{kind} {number}")
                case ("for", holder, giver, number):
                    chat.say(holder, f"/agree {number} for {giver}")
                case ("wait", hours):
                    chat.wait(timedelta(hours=hours))
            _check(chat)


def _check(chat):
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
            for response in responses:
                if response.by_proxy is None:
                    continue
                backing = [
                    p
                    for p in holding
                    if (p.giver_id, p.holder_id) == (response.member_id, response.by_proxy)
                    and p.accepted_at <= response.at
                ]
                assert backing, f"a response by proxy counts in an open round without a proxy in force: {response}"
