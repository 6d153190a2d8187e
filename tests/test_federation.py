"""Federation transcripts: collectives federate by proposal and code, decide joint items each by its own rule,
change the federation's rule by a unanimous joint item, leave with a joint item open, aid each other across
pools (both ledgers checked), and hear the weekly digest. Real SQLite, fake clock."""

import re
from datetime import timedelta

import pytest

from bot.events import Chat
from tests.transcript import Transcript, adopt, group, read

pytestmark = pytest.mark.stores  # on SQLite and on PostgreSQL


def collective(core, clock, name: str, members: str, platform: str = "console", **settings) -> Transcript:
    return group(Transcript(core, clock, Chat(platform, name)), members, **settings)


def federate(inviter: Transcript, joiner: Transcript) -> str:
    """The inviter adopts /federate, the joiner adopts /federate CODE; returns what the joiner read."""
    said = adopt(inviter, first_member(inviter), "/federate")
    code = re.search(r"federation code is ([A-Z0-9]{8})", said).group(1)
    return adopt(joiner, first_member(joiner), f"/federate {code}")


def first_member(chat: Transcript) -> str:
    with chat.core.unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        return uow.members.active(collective.id)[0].display_name


def number_in(text: str, card: str = "Joint proposal") -> int:
    return int(re.search(rf"{card} #(\d+)", text).group(1))


@pytest.fixture
def three(core, clock):
    a = collective(core, clock, "bakery", "Ann Abe")
    b = collective(core, clock, "school", "Bea Bo")
    c = collective(core, clock, "clinic", "Cy")
    return a, b, c


def test_two_collectives_federate_by_proposal_and_code(three):
    a, b, _ = three
    said = adopt(a, "Ann", "/federate")
    code = re.search(r"federation code is ([A-Z0-9]{8}) \(valid until", said).group(1)
    assert "Someone in the other collective's chat types /federate" in said
    assert "Ann, who proposed it, has the federation code by direct message" in said
    number = int(re.search(r"#(\d+) ", said).group(1))
    with a.core.unit_of_work() as uow:  # the outcome the chats and the record keep does not hold the code itself
        collective = uow.collectives.for_chat(a.chat.platform, a.chat.chat_id)
        outcome = uow.rounds.latest(uow.items.by_number(collective.id, number).id).outcome
    assert "— adopted." in outcome and code not in outcome
    assert "this collective's own code" in a.say("Abe", f"/federate {code}")
    assert "belongs to no federation" in b.say("Bea", "/federation")
    joined = adopt(b, "Bea", f"/federate {code}")
    assert "now in a federation with collective 1 (bakery on Console)" in joined
    shown = a.say("Ann", "/federation")
    assert "rule: unanimous" in shown
    assert "collective 1 (bakery on Console) — this collective: delegate none" in shown
    assert "collective 2 (school on Console): delegate none" in shown
    assert "was used" in adopt_or_refusal(b, f"/federate {code}")


def adopt_or_refusal(chat, command):
    return chat.say(first_member(chat), command)


def test_a_third_collective_joins_the_existing_federation(three):
    a, b, c = three
    federate(a, b)
    heard = federate(b, c)
    assert "now in a federation with collective 1 (bakery on Console), collective 2 (school on Console)" in heard
    shown = c.say("Cy", "/federation")
    assert shown.count("• collective") == 3


def _open_joint_number(chat: Transcript) -> int:
    """The newest open item of the collective (a joint item or an aid request just opened)."""
    listed = chat.say(first_member(chat), "/proposals")
    return int(re.findall(r"^#(\d+) ", listed, re.MULTILINE)[-1])


def test_a_joint_item_adopted_under_unanimous_and_one_blocked_by_one_collective(three):
    a, b, c = three
    federate(a, b)
    federate(b, c)
    said = a.say("Ann", "/propose joint 2d Shared tool library")
    assert (
        "Joint item J1, raised by Ann in collective 1 (bakery on Console) for the whole federation (3 collectives)"
        in said
    )
    items = {chat.chat.chat_id: _open_joint_number(chat) for chat in (a, b, c)}
    assert f"here it is #{items['bakery']}" in said
    assert "Proposed by Ann." in a.say("Abe", f"/show {items['bakery']}")
    raised = "Proposed by collective 1 (bakery on Console), for the whole federation."
    assert raised in c.say("Cy", f"/show {items['clinic']}")  # its copy there: no member of the clinic raised it
    for name in ("Ann", "Abe"):
        a.say(name, f"/agree {items['bakery']}")
    for name in ("Bea", "Bo"):
        b.say(name, f"/agree {items['school']}")
    c.say("Cy", f"/agree {items['clinic']}")
    heard = a.wait(timedelta(days=2))
    assert "Joint item J1 Shared tool library — adopted by the federation." in heard
    assert "Rule: unanimous; 3 of 3 collectives adopted it." in heard
    assert f"• collective 2 (school on Console): adopted (#{items['school']} there)" in heard
    assert heard.count("Joint item J1 Shared tool library — adopted by the federation.") == 3  # heard in all three

    b.say("Bo", "/propose joint 2d Common strike fund")
    items = {chat.chat.chat_id: _open_joint_number(chat) for chat in (a, b, c)}
    for name in ("Ann", "Abe"):
        a.say(name, f"/agree {items['bakery']}")
    b.say("Bea", f"/agree {items['school']}")
    b.say("Bo", f"/agree {items['school']}")
    c.say("Cy", f"/block {items['clinic']} we cannot afford it now")
    heard = b.wait(timedelta(days=2))
    assert "Joint item J2 Common strike fund — not adopted by the federation." in heard
    assert "Rule: unanimous; 2 of 3 collectives adopted it." in heard
    assert f"• collective 3 (clinic on Console): not adopted (#{items['clinic']} there)" in heard


def test_the_rule_changes_to_majority_only_by_a_unanimous_joint_item(three):
    a, b, c = three
    federate(a, b)
    federate(b, c)
    assert "rule is unanimous already" in a.say("Ann", "/federation rule unanimous")
    assert "Usage: /federation rule" in a.say("Ann", "/federation rule sometimes")
    said = a.say("Ann", "/federation rule majority")
    assert "Change the federation's rule to majority" in said
    assert "the federation decides by unanimity" in said
    items = {chat.chat.chat_id: _open_joint_number(chat) for chat in (a, b, c)}
    for chat, names in ((a, "Ann Abe"), (b, "Bea Bo"), (c, "Cy")):
        for name in names.split():
            chat.say(name, f"/agree {items[chat.chat.chat_id]}")
    outcome = c.wait(timedelta(days=3))
    assert "The federation now decides joint items by majority." in outcome
    assert "rule: majority" in b.say("Bea", "/federation")
    b.say("Bo", "/propose joint 1d Shared newsletter")  # now two of three carry a joint item
    items = {chat.chat.chat_id: _open_joint_number(chat) for chat in (a, b, c)}
    for chat, names in ((a, "Ann Abe"), (b, "Bea Bo")):
        for name in names.split():
            chat.say(name, f"/agree {items[chat.chat.chat_id]}")
    c.say("Cy", f"/block {items['clinic']} not for us")
    outcome = a.wait(timedelta(days=1))
    assert "Shared newsletter — adopted by the federation." in outcome
    assert "Rule: majority; 2 of 3 collectives adopted it." in outcome


def test_a_rule_change_blocked_by_one_collective_leaves_the_rule(three):
    a, b, c = three
    federate(a, b)
    federate(b, c)
    a.say("Ann", "/federation rule majority")
    items = {chat.chat.chat_id: _open_joint_number(chat) for chat in (a, b, c)}
    for chat, names in ((a, "Ann Abe"), (b, "Bea Bo")):
        for name in names.split():
            chat.say(name, f"/agree {items[chat.chat.chat_id]}")
    c.say("Cy", f"/block {items['clinic']} we want unanimity")
    outcome = a.wait(timedelta(days=3))
    assert "Change the federation's rule to majority — not adopted by the federation." in outcome
    assert "rule: unanimous" in a.say("Ann", "/federation")


def test_a_collective_leaving_with_a_joint_item_open_no_longer_counts(three):
    a, b, c = three
    federate(a, b)
    federate(b, c)
    a.say("Ann", "/propose joint 3d Joint picnic")
    items = {chat.chat.chat_id: _open_joint_number(chat) for chat in (a, b, c)}
    c.say("Cy", f"/block {items['clinic']} too far")  # its ballot would block it
    left = adopt(c, "Cy", "/unfederate")
    assert "This collective has left the federation." in left
    assert f"#{items['clinic']} Joint picnic is withdrawn: this collective left the federation" in left
    told = a.say("Ann", "/federation")
    assert "clinic" not in told and "J1 Joint picnic" in told
    for chat, names in ((a, "Ann Abe"), (b, "Bea Bo")):
        for name in names.split():
            chat.say(name, f"/agree {items[chat.chat.chat_id]}")
    outcome = a.wait(timedelta(days=3))
    assert "Joint item J1 Joint picnic — adopted by the federation." in outcome
    assert "Rule: unanimous; 2 of 2 collectives adopted it." in outcome
    assert "collective 3 (clinic on Console): left the federation, not counted" in outcome
    assert "belongs to no federation" in c.say("Cy", "/federation")


def test_a_collective_joining_while_a_joint_item_is_open_does_not_vote_on_it(three):
    a, b, c = three
    federate(a, b)
    a.say("Ann", "/propose joint 3d Joint picnic")
    federate(b, c)
    assert "J1 Joint picnic — not voted on here (joined later)" in c.say("Cy", "/federation")
    assert "No open items" in c.say("Cy", "/proposals")


def ledger_kinds(chat: Transcript) -> str:
    return chat.say(first_member(chat), "/ledger")


def pool_line(chat: Transcript) -> str:
    return chat.say(first_member(chat), "/pool").splitlines()[0]


def with_treasurer(chat: Transcript) -> str:
    """The collective makes the treasurer role; returns who holds it."""
    said = adopt(chat, first_member(chat), "/rotation add treasurer 4w")
    return re.search(r"(\w+) is (?:now )?(?:the )?treasurer", said).group(1)


def test_mutual_aid_funds_a_need_across_collectives_and_both_ledgers_record_it(three):
    a, b, c = three
    federate(a, b)
    federate(b, c)
    treasurer = with_treasurer(a)
    a.say("Abe", "/contribute 20")
    asked = a.say("Ann", "/need €300 new oven #food")
    need = int(re.search(r"#(\d+)", asked).group(1))
    a.say("Abe", f"/agree {need}")
    a.wait(timedelta(days=3))
    assert f"#{need} €300.00 — new oven" in a.say("Abe", "/pool")  # approved, waiting for funds
    b.say("Bea", "/contribute 1000")
    c.say("Cy", "/contribute 50")
    other = "Abe" if treasurer == "Ann" else "Ann"
    assert "Only the treasurer" in a.say(other, f"/aid {need}")
    put = a.say(treasurer, f"/aid {need}")
    assert f"#{need} €300.00 — new oven (food) is put to the federation: aid requests are open in" in put
    assert "collective 2 (school on Console)" in put and "collective 3 (clinic on Console)" in put
    assert "put to the federation already" in a.say(treasurer, f"/aid {need}")
    in_b, in_c = _open_joint_number(b), _open_joint_number(c)
    shown = b.say("Bea", f"/show {in_b}")
    assert f"Mutual aid to collective 1 (bakery on Console) for its need #{need}: €300.00 — new oven" in shown
    assert "Proposed by collective 1 (bakery on Console), asking for mutual aid." in shown
    c.say("Cy", f"/agree {in_c}")  # the clinic adopts first, but has only €50
    heard_c = c.wait(timedelta(hours=1)) + c.say("Cy", f"/close {in_c}")
    assert "nothing is transferred, and the request stays open" in heard_c
    b.say("Bea", f"/agree {in_b}")
    b.say("Bo", f"/agree {in_b}")
    heard_b = b.say("Bea", f"/close {in_b}")
    assert "€300.00 is transferred to collective 1 (bakery on Console)." in heard_b
    assert (
        f"#{need} €300.00 — new oven (food) is funded by mutual aid: collective 2 (school on Console) transferred €300.00"
        in heard_b
    )
    assert "mutual aid sent €300.00" in ledger_kinds(b)
    assert "The pool holds €700.00" in pool_line(b)
    assert "mutual aid received €300.00" in ledger_kinds(a)
    assert "The pool holds €320.00: €300.00 reserved for approved needs, €20.00 available." in pool_line(a)
    assert "is paid out (€300.00)" in a.say(treasurer if treasurer != "Ann" else "Abe", f"/paid {need}")
    assert "The pool holds €20.00" in pool_line(a)


def test_aid_across_currencies_is_refused_clearly(core, clock):
    a = collective(core, clock, "bakery", "Ann Abe")
    b = collective(core, clock, "mill", "Max", currency="USD")
    federate(a, b)
    treasurer = with_treasurer(a)
    asked = a.say("Ann", "/need €300 new oven #food")
    need = int(re.search(r"#(\d+)", asked).group(1))
    a.say("Abe", f"/agree {need}")
    a.wait(timedelta(days=3))
    refused = a.say(treasurer, f"/aid {need}")
    assert "No other collective of the federation keeps its pool in EUR" in refused
    assert "collective 2 (mill on Console) keeps its pool in USD" in refused
    assert "never converted between currencies" in refused


def test_a_private_need_put_to_the_federation_never_names_who_asked(three):
    a, b, _ = three
    federate(a, b)
    treasurer = with_treasurer(a)
    asker = "Abe" if treasurer == "Ann" else "Ann"
    a.direct(asker, "/need €80 rent arrears #housing")
    a.wait(timedelta(days=3))
    need = int(re.findall(r"^\d+\. #(\d+) ", a.say(treasurer, "/pool"), re.MULTILINE)[0])
    b.say("Bea", "/contribute 100")
    a.say(treasurer, f"/aid {need}")
    in_b = _open_joint_number(b)
    shown = b.say("Bea", f"/show {in_b}")
    b.say("Bea", f"/agree {in_b}")
    b.say("Bo", f"/agree {in_b}")
    heard = b.say("Bea", f"/close {in_b}")
    for text in (shown, heard, ledger_kinds(b)):
        assert asker not in text
    assert "rent arrears" in shown


def test_the_weekly_digest_goes_to_each_collective_and_its_delegate(three):
    a, b, _ = three
    federate(a, b)
    delegate = re.search(r"(\w+) is (?:now )?(?:the )?delegate", adopt(b, "Bea", "/rotation add delegate 4w")).group(1)
    a.say("Ann", "/contribute 100")
    a.direct("Abe", "/need €40 glasses #health")
    sent = []
    target = a.clock.now() + timedelta(days=8)
    while (due := a.core.next_due()) is not None and due <= target:
        a.clock.set(max(due, a.clock.now()))
        sent += a.core.tick()
    a.clock.set(target)
    digests = [x for x in sent if "Federation digest for the week" in x.text]
    in_chats = {x.chat.chat_id for x in digests if hasattr(x, "chat")}
    assert in_chats == {"bakery", "school"}
    direct = [x for x in digests if getattr(x, "user_id", None) == delegate.lower()]
    assert len(direct) == 1 and "You are this collective's delegate" in direct[0].text
    text = digests[0].text
    assert f"collective 2 (school on Console) — delegate: {delegate}" in text
    assert "funded: #" in text and "glasses (health), €40.00" in text
    assert f"handover: delegate to {delegate}" in text
    assert "Abe" not in text  # the private need's requester is never named


def test_a_joint_item_is_not_one_authors_to_withdraw_and_help_lists_the_federation_commands(three):
    a, b, _ = three
    federate(a, b)
    said = a.say("Ann", "/propose joint Shared van")
    number = number_in(said)
    assert "cannot be withdrawn here" in a.say("Ann", f"/withdraw {number}")
    shown = a.say("Ann", "/help")
    assert "Federation:" in shown
    for usage in ("/federate [CODE]", "/federation [rule unanimous|majority]", "/unfederate", "/aid [N]"):
        assert usage in shown, usage
    assert "/propose joint [DURATION] TITLE" in a.say("Ann", "/help propose")


def test_once_one_collective_gives_the_aid_the_other_requests_are_withdrawn(three):
    a, b, c = three
    federate(a, b)
    federate(b, c)
    treasurer = with_treasurer(a)
    asked = a.say("Ann", "/need €150 van tyres #transport")
    need = int(re.search(r"#(\d+)", asked).group(1))
    a.say("Abe", f"/agree {need}")
    a.say("Ann", f"/agree {need}")
    a.say("Ann", f"/close {need}")
    b.say("Bo", "/contribute 200")
    a.say(treasurer, f"/aid {need}")
    in_b, in_c = _open_joint_number(b), _open_joint_number(c)
    b.say("Bea", f"/agree {in_b}")
    heard = b.say("Bo", f"/agree {in_b}") + b.say("Bea", f"/close {in_b}")
    assert "€150.00 is transferred to collective 1 (bakery on Console)." in heard
    assert (
        f"#{in_c} Mutual aid to collective 1" in heard
        and "is withdrawn: collective 2 (school on Console) gave the aid." in heard
    )
    assert "No open items" in c.say("Cy", "/proposals")
    assert "The pool holds €0.00" in pool_line(c)


def test_a_pool_whose_currency_changed_while_aid_was_asked_transfers_nothing(core, clock):
    """The mill had no ledger yet, so it could change its currency while the bakery's aid request was open:
    money is never converted, so adopting the request transfers nothing — and while such a request is open
    here, the currency stays."""
    a = collective(core, clock, "bakery", "Ann Abe")
    b = collective(core, clock, "mill", "Max")
    federate(a, b)
    treasurer = with_treasurer(a)
    need = int(re.search(r"#(\d+)", a.say("Ann", "/need €50 rent #housing")).group(1))
    a.say("Abe", f"/agree {need}")
    a.wait(timedelta(days=3))
    a.say(treasurer, f"/aid {need}")
    request = _open_joint_number(b)
    refused = b.say("Max", "/set currency JPY")
    assert refused == "The currency can't change now: an aid request in EUR from another collective is still open here."
    with core.unit_of_work() as uow:  # (as if it had changed before the request came: a hand-edited store)
        mill = uow.collectives.for_chat("console", "mill")
        uow.settings.put(mill.id, "currency", "JPY")
        uow.commit()
    b.say("Max", "/contribute 5000")
    b.say("Max", f"/agree {request}")
    closed = b.say("Max", f"/close {request}")
    assert "money is never converted, so nothing is transferred" in closed
    assert "mutual aid" not in ledger_kinds(b) and "mutual aid" not in ledger_kinds(a)


def test_aid_that_funds_a_need_lets_the_pool_fund_the_next_in_the_queue(three):
    a, b, _ = three
    federate(a, b)
    treasurer = with_treasurer(a)
    a.say("Abe", "/contribute 40")
    first = int(re.search(r"#(\d+)", a.say("Ann", "/need €50 rent #housing")).group(1))
    second = int(re.search(r"#(\d+)", a.say("Ann", "/need €30 flour #food")).group(1))
    for need in (first, second):
        a.say("Abe", f"/agree {need}")
    a.wait(timedelta(days=3))
    assert f"#{second} €30.00" in a.say("Abe", "/pool")  # waiting behind #first, which €40 cannot fund
    a.say(treasurer, f"/aid {first}")
    b.say("Bea", "/contribute 100")
    request = _open_joint_number(b)
    b.say("Bea", f"/agree {request}")
    b.say("Bo", f"/agree {request}")
    heard = b.say("Bea", f"/close {request}")
    assert f"#{second} is funded: €30.00 is reserved for it from the pool." in heard
    assert "€80.00 reserved for approved needs, €10.00 available" in pool_line(a)


def test_a_title_that_begins_with_joint_is_an_ordinary_proposal(three):
    a, b, _ = three
    federate(a, b)
    opened = a.say("Ann", "/propose Joint purchase of flour with the mill")
    assert opened.startswith("Proposal #") and "Joint purchase of flour with the mill" in opened
    assert "Joint proposal" not in b.say("Bea", "/proposals")


def test_after_weeks_down_one_digest_covers_them_and_the_next_keeps_its_weekly_beat(three):
    a, b, _ = three
    federate(a, b)
    a.say("Ann", "/contribute 100")
    a.clock.advance(timedelta(days=22))  # the bot was down three weeks: every missed tick runs at once
    digests = [x for x in a.core.tick() if "Federation digest" in x.text and getattr(x, "chat", None) == a.chat]
    assert len(digests) == 1 and "Federation digest for the weeks since" in digests[0].text
    assert not [x for x in a.core.tick() if "Federation digest" in x.text]  # not again, and not once per week
    following = a.core.next_due()
    assert a.clock.now() < following <= a.clock.now() + timedelta(weeks=1)


def test_aid_no_collective_gave_is_said_and_can_be_asked_again(three):
    a, b, _ = three
    federate(a, b)
    treasurer = with_treasurer(a)
    need = int(re.search(r"#(\d+)", a.say("Ann", "/need €50 rent #housing")).group(1))
    a.say("Abe", f"/agree {need}")
    a.wait(timedelta(days=3))
    a.say(treasurer, f"/aid {need}")
    request = _open_joint_number(b)
    b.say("Bea", f"/block {request} we are short ourselves")
    b.say("Bo", f"/block {request} same")
    heard = b.send("Bea", f"/close {request}")
    told = [read(x) for x in heard if getattr(x, "chat", None) == a.chat]
    assert told == [
        f"No collective of the federation gave the aid for #{need} €50.00 — rent (housing); it waits in our own "
        f"queue, and the treasurer may put it to the federation again with /aid {need}."
    ]
    assert "is put to the federation: aid requests are open in" in a.say(treasurer, f"/aid {need}")
