"""A property of federations: whatever collectives do — federate, leave, raise joint items, contribute, ask,
put needs to the federation, decide aid requests, pay out, and time passing — the sum of all collectives' pools
changes only by contributions and payouts (what mutual aid took from one pool arrived in another), and no
collective's ledger ever goes negative (nothing reserved beyond what is held). Each example its own database."""

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.events import Chat
from bot.model import CONTRIBUTION, PAYOUT, RELEASE, RESERVATION, REVERSAL, TRANSFER_IN, TRANSFER_OUT
from tests.transcript import Transcript, adopt, group

COLLECTIVES = {"bakery": "Ann Abe", "school": "Bea Bo", "clinic": "Cy Cal"}
TREASURERS = {"bakery": "Ann", "school": "Bea", "clinic": "Cy"}
where = st.sampled_from(list(COLLECTIVES))
operation = st.one_of(
    st.tuples(st.just("federate"), where, where),
    st.tuples(st.just("unfederate"), where),
    st.tuples(st.just("contribute"), where, st.integers(1, 400)),
    st.tuples(st.just("need"), where, st.integers(10, 300)),
    st.tuples(st.just("aid"), where),
    st.tuples(st.just("decide"), where, st.sampled_from(["agree", "block 1 no"])),
    st.tuples(st.just("joint"), where),
    st.tuples(st.just("paid"), where),
    st.tuples(st.just("wait"), st.integers(1, 80)),
    st.tuples(st.just("aid round"), where, where, st.integers(10, 300), st.integers(0, 400)),
)


@pytest.fixture
def unfederated(worlds, tmp_path):
    """Three collectives, each with its treasurer, in no federation yet: built once, copied for each example."""
    with worlds.fresh() as world:
        for name, members in COLLECTIVES.items():
            chat = group(Transcript(world.core, world.clock, Chat("console", name)), members)
            said = adopt(chat, members.split()[0], "/rotation add treasurer 8w")
            assert f"{TREASURERS[name]} is treasurer now" in said, said
        return world.save(tmp_path / "three.db")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=14))
def test_pools_change_only_by_contributions_and_payouts_and_never_go_negative(worlds, unfederated, operations):
    with worlds.fresh(unfederated) as world:
        chats = {name: Transcript(world.core, world.clock, Chat("console", name)) for name in COLLECTIVES}
        for op in operations:
            _apply(chats, op)
            _check_books(world)
        event(f"aid transferred: {_transferred(world) > 0}")


def _transferred(world) -> int:
    with world.unit_of_work() as uow:
        ids = [uow.collectives.for_chat("console", name).id for name in COLLECTIVES]
        return sum(uow.ledger.totals(collective_id).get(TRANSFER_OUT, 0) for collective_id in ids)


def _apply(chats: dict[str, Transcript], op: tuple) -> None:
    kind, name, *rest = op
    if kind == "wait":
        next(iter(chats.values())).wait(timedelta(hours=name))
        return
    chat = chats[name]
    first, second = COLLECTIVES[name].split()
    treasurer = TREASURERS[name]
    if kind == "aid round":  # a need, approved, put to the federation, and decided in another collective
        _apply(chats, ("federate", name, rest[0]))
        _apply(chats, ("contribute", rest[0], rest[2])) if rest[2] else None
        _apply(chats, ("need", name, rest[1]))
        _apply(chats, ("wait", 49))  # a small need is approved when its window passes
        _apply(chats, ("aid", name))
        _apply(chats, ("decide", rest[0], "agree"))
    elif kind == "federate":
        other = chats[rest[0]]
        said = _adopted(chat, "/federate")
        code = re.search(r"federation code is ([A-Z0-9]{8})", said)
        if code and other is not chat:
            _adopted(other, f"/federate {code.group(1)}")
    elif kind == "unfederate":
        _adopted(chat, "/unfederate")
    elif kind == "contribute":
        chat.say(second, f"/contribute {rest[0]}")
    elif kind == "need":
        chat.say(second, f"/need €{rest[0]} supplies")
        _apply(chats, ("decide", name, "agree"))  # a need over the auto limit is decided by a round
    elif kind == "aid":
        queued = re.findall(r"^\d+\. #(\d+) ", chat.say(first, "/pool"), re.MULTILINE)
        if queued:
            chat.say(treasurer, f"/aid {queued[0]}")
    elif kind == "decide":
        listed = re.findall(r"^#(\d+) ", chat.say(first, "/proposals"), re.MULTILINE)
        if listed:
            for member in (first, second):
                chat.say(member, f"/{rest[0]} {listed[-1]}" if member == first else f"/agree {listed[-1]}")
            chat.say(first, f"/close {listed[-1]}")
    elif kind == "joint":
        chat.say(first, "/propose joint 1d Shared van")
    elif kind == "paid":
        ledger = chat.say(first, "/ledger")
        funded = re.findall(r"reserved .* for #(\d+)", ledger)
        if funded:
            chat.say(treasurer, f"/paid {funded[0]}")


def _adopted(chat: Transcript, command: str) -> str:
    """Open a proposal with ``command`` and have every member agree and close it; what the chat read."""
    opened = chat.say(COLLECTIVES[chat.chat.chat_id].split()[0], command)
    number = re.search(r"#(\d+)", opened)
    if not number or "Proposal #" not in opened:
        return opened
    heard = []
    for member in COLLECTIVES[chat.chat.chat_id].split():
        chat.say(member, f"/agree {number.group(1)}")
    heard.append(chat.say(COLLECTIVES[chat.chat.chat_id].split()[0], f"/close {number.group(1)}"))
    return "\n".join(heard)


def _check_books(world) -> None:
    total_held, contributed, paid, sent, received = 0, 0, 0, 0, 0
    with world.unit_of_work() as uow:
        for name in COLLECTIVES:
            collective = uow.collectives.for_chat("console", name)
            totals = uow.ledger.totals(collective.id)
            inflow = totals.get(CONTRIBUTION, 0) - totals.get(REVERSAL, 0) + totals.get(TRANSFER_IN, 0)
            held = inflow - totals.get(TRANSFER_OUT, 0) - totals.get(PAYOUT, 0)
            reserved = totals.get(RESERVATION, 0) - totals.get(RELEASE, 0) - totals.get(PAYOUT, 0)
            assert held >= 0, (name, totals)
            assert 0 <= reserved <= held, (name, totals)
            total_held += held
            contributed += totals.get(CONTRIBUTION, 0) - totals.get(REVERSAL, 0)
            paid += totals.get(PAYOUT, 0)
            sent += totals.get(TRANSFER_OUT, 0)
            received += totals.get(TRANSFER_IN, 0)
    assert sent == received  # what left one pool arrived in another
    assert total_held == contributed - paid
