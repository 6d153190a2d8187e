"""Property test: whatever members do, the pool's books balance."""

import itertools
import re
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.events import Chat
from tests.transcript import Transcript, group

MEMBERS = ("Ann", "Ben", "Cat")
_chats = itertools.count()

amount = st.integers(1, 200).map(str) | st.sampled_from(["0.5", "12,50", "99.99"])
operation = st.one_of(
    st.tuples(st.just("contribute"), st.sampled_from(MEMBERS), amount),
    st.tuples(
        st.just("need"),
        st.sampled_from(MEMBERS),
        st.sampled_from(["5", "20", "49.99", "150"]),
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
    st.tuples(st.just("wait"), st.integers(1, 80)),
)
MONEY = re.compile(
    r"The pool holds ([\d,.]+) EUR: ([\d,.]+) EUR reserved for approved needs, (-?[\d,.]+) EUR available"
)


def cents(text):
    return round(float(text.replace(",", "")) * 100)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=25))
def test_the_books_always_balance(core, clock, unit_of_work, operations):
    # After the random part, time passes and payouts are tried for every item,
    # so that funding and paying out happen in most examples.
    settle = [("wait", 72)] + [("paid", payer, n) for n in range(1, 7) for payer in ("Ann", "Ben")]
    chat = Transcript(core, clock, Chat("console", f"pool-{next(_chats)}"))
    group(chat, " ".join(MEMBERS))
    contributed = paid_out = 0
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
            chat.say(op[1], f"/close {op[2]}")
        elif kind == "paid":
            answer = chat.say(op[1], f"/paid {op[2]}")
            if " is paid out (" in answer:
                paid_out += cents(answer.split(" is paid out (")[1].split(" EUR")[0])
        else:
            chat.wait(timedelta(hours=op[1]))
        held, reserved, available = map(cents, MONEY.search(chat.say("Ann", "/pool")).groups())
        assert held == contributed - paid_out
        assert 0 <= reserved <= held
        assert available >= 0
    # Every funded need's reservation is exactly its amount, once.
    with unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        for stage in ("funded", "paid"):
            event(f"some needs {stage}: {bool(uow.needs.in_stage(collective.id, stage))}")
            for item, need in uow.needs.in_stage(collective.id, stage):
                reserved_now = uow.ledger.reserved_for(item.id)
                assert reserved_now == (need.amount if stage == "funded" else 0)
