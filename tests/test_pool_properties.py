"""Property test: whatever members do, the pool's books balance."""

import re
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.events import Chat
from tests.transcript import Transcript, group

MEMBERS = ("Ann", "Ben", "Cat")

amount = st.integers(1, 200).map(str) | st.sampled_from(["0.5", "12,50", "99.99"])
operation = st.one_of(
    st.tuples(st.just("contribute"), st.sampled_from(MEMBERS), amount),
    st.tuples(
        st.just("need"),
        st.sampled_from(MEMBERS),
        st.sampled_from(["€5", "20", "49.99", "150"]),
        st.sampled_from(["#health", "#food", "#other", ""]),
    ),
    st.tuples(
        st.just("respond"),
        st.sampled_from(MEMBERS),
        st.integers(1, 6),
        st.sampled_from(["agree", "object 1 no", "block 1 no", "standaside"]),
    ),
    st.tuples(st.just("close"), st.sampled_from(MEMBERS), st.integers(1, 6)),
    st.tuples(st.just("paid"), st.sampled_from(MEMBERS), st.integers(1, 6)),
    st.tuples(st.just("reverse"), st.sampled_from(MEMBERS), st.integers(1, 3)),
    st.tuples(st.just("wait"), st.integers(1, 80)),
)
MONEY = re.compile(r"The pool holds €([\d,.]+): €([\d,.]+) reserved for approved needs, (-?)€([\d,.]+) available")
REVERSED = re.compile(r"Entry \d+ \(€([\d,.]+)\) is reversed")


def cents(text):
    return round(float(text.replace(",", "")) * 100)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=25))
def test_the_books_always_balance(worlds, operations):
    with worlds.fresh() as world:  # its own collective: no example starts where an earlier one ended
        _balance(world, operations)


def _balance(world, operations):
    # After the random part, time passes and payouts are tried for every item,
    # so that funding and paying out happen in most examples.
    settle = [("wait", 72)] + [("paid", payer, n) for n in range(1, 7) for payer in ("Ann", "Ben")]
    chat = Transcript(world.core, world.clock, Chat("console", "pool"))
    group(chat, " ".join(MEMBERS))
    contributed = paid_out = reversed_ = 0
    for op in operations + settle:
        kind = op[0]
        if kind == "contribute":
            answer = chat.say(op[1], f"/contribute {op[2]}")
            if answer.startswith("Thank you"):
                contributed += cents(op[2].replace(",", "."))
        elif kind == "need":
            chat.say(op[1], f"/need {op[2]} something {op[3]}".rstrip())
        elif kind == "respond":
            verb, _, reason = op[3].partition(" ")
            chat.say(op[1], f"/{verb} {op[2]} {reason}".rstrip())
        elif kind == "close":
            closed = chat.say(op[1], f"/close {op[2]}")
            if "Its outcome:" not in closed:  # not a refusal quoting an earlier outcome
                reversed_ += sum(cents(found) for found in REVERSED.findall(closed))
        elif kind == "reverse":  # a mistaken contribution is undone by an adopted proposal
            opened = chat.say(op[1], f"/reverse {op[2]} typed wrong")
            number = re.match(r"Proposal #(\d+)", opened)
            if number:
                closed = "\n".join(chat.say(name, f"/agree {number.group(1)}") for name in MEMBERS)
                closed = chat.say(op[1], f"/close {number.group(1)}")
                reversed_ += sum(cents(found) for found in REVERSED.findall(closed))
        elif kind == "paid":
            answer = chat.say(op[1], f"/paid {op[2]}")
            if found := re.search(r" is paid out \(€([\d,.]+)\)", answer):
                paid_out += cents(found.group(1))
        else:
            waited = chat.wait(timedelta(hours=op[1]))
            reversed_ += sum(cents(found) for found in REVERSED.findall(waited))
        held, reserved, negative, available = MONEY.search(chat.say("Ann", "/pool")).groups()
        held, reserved, available = cents(held), cents(reserved), cents(available)
        assert held == contributed - reversed_ - paid_out
        assert 0 <= reserved <= held
        assert not negative and available >= 0
    # Every funded need's reservation is exactly its amount, once.
    with world.unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        event(f"a reversal: {bool(reversed_)}")
        for stage in ("funded", "paid"):
            event(f"some needs {stage}: {bool(uow.needs.in_stage(collective.id, stage))}")
            for item, need in uow.needs.in_stage(collective.id, stage):
                reserved_now = uow.ledger.reserved_for(item.id)
                assert reserved_now == (need.amount if stage == "funded" else 0)
