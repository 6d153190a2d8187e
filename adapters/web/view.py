"""What the read-only page shows, read from storage through the core's own read functions (tallies, standings,
the fairness rule, money in the collective's locale) inside one read unit of work: nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from adapters.web.chart import Chart, balance_chart
from bot.context import Scope
from bot.decision_log import VERDICT_WORDS
from bot.fund import KIND_WORDS
from bot.kinds import author_name, kind_of
from bot.model import (
    AGREE,
    BLOCK,
    CONTRIBUTION,
    OBJECT,
    PAYOUT,
    REVERSAL,
    STAND_ASIDE,
    TRANSFER_IN,
    TRANSFER_OUT,
    Collective,
    LedgerEntry,
)
from bot.pool import balances, money
from bot.rotation import describe, next_in_line
from bot.rounds import counts, standings
from bot.settings import CollectiveSettings

DECISIONS_SHOWN = 100  # the newest outcomes, with every reason
LEDGER_SHOWN = 200  # the newest ledger entries listed (the chart draws them all)
RESPONSE_WORDS = {AGREE: "agrees", STAND_ASIDE: "stands aside", OBJECT: "objects", BLOCK: "blocks"}
# How each kind of ledger entry moves the money the pool holds (reservations and releases only set it aside).
HELD_SIGN = {CONTRIBUTION: 1, TRANSFER_IN: 1, REVERSAL: -1, TRANSFER_OUT: -1, PAYOUT: -1}


@dataclass(frozen=True, slots=True)
class Tally:
    agree: int
    stand_aside: int
    object: int
    block: int
    responded: int
    roll: int


@dataclass(frozen=True, slots=True)
class Reason:
    name: str
    response: str
    reason: str


@dataclass(frozen=True, slots=True)
class OpenItem:
    number: int
    card: str
    title: str
    author: str | None
    round_number: int
    closes: str
    tally: Tally
    reasons: list[Reason] = field(default_factory=list)  # the responses so far, first given first


@dataclass(frozen=True, slots=True)
class DecisionShown:
    number: int
    title: str
    verdict: str
    how: str
    at: str
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    number: int | None
    at: str
    kind: str
    amount: str
    who: str | None
    note: str
    held_after: str


@dataclass(frozen=True, slots=True)
class RoleShown:
    name: str
    holder: str | None
    until: str | None
    following: str | None
    roster: list[str]


@dataclass(frozen=True, slots=True)
class Page:
    collective_id: int
    generated: str
    you: str
    open_items: list[OpenItem]
    decisions: list[DecisionShown]
    held: str
    reserved: str
    available: str
    ledger: list[LedgerLine]
    chart: Chart | None
    roles: list[RoleShown]


def collective_page(scope: Scope, you: str) -> Page:
    """The page of ``scope``'s collective, as its member ``you`` reads it."""
    collective: Collective = scope.collective
    uow = scope.uow
    now_balance = balances(scope)
    held, points = 0, []
    for at, kind, amount in uow.ledger.history(collective.id):
        held += HELD_SIGN.get(kind, 0) * amount
        points.append((at, held))
    # The newest entries are listed, each with what the pool held after it (the series' last points).
    newest = uow.ledger.recent(collective.id, LEDGER_SHOWN)
    names: dict[int, str] = {}
    lines = [_ledger_line(scope, entry, points[len(points) - 1 - back][1], names) for back, entry in enumerate(newest)]
    return Page(
        collective_id=collective.id,
        generated=scope.time(scope.now),
        you=you,
        open_items=_open_items(scope),
        decisions=_decisions(scope),
        held=money(scope, now_balance.held),
        reserved=money(scope, now_balance.reserved),
        available=money(scope, now_balance.available),
        ledger=lines,
        chart=balance_chart(points, scope.now, lambda minor: money(scope, minor), scope.settings.timezone)
        if points
        else None,
        roles=_roles(scope),
    )


def scope_for(uow, collective: Collective, now: datetime) -> Scope:
    settings = CollectiveSettings.of(uow.settings.values(collective.id))
    return Scope(uow, now, collective, settings)


def _open_items(scope: Scope) -> list[OpenItem]:
    items = scope.uow.items.open(scope.collective.id)
    latest = scope.uow.reads.latest_for([item.id for item in items])
    tallies = counts(scope, list(latest.values()))
    found = standings(scope, list(latest.values()))
    shown = []
    for item in items:
        round_ = latest.get(item.id)
        if round_ is None:  # help that is not money: asked, not decided
            continue
        count = tallies[round_.id]
        tally = count.tally
        shown.append(
            OpenItem(
                item.number,
                kind_of(item).card,
                round_.title,
                author_name(scope, item),
                round_.number,
                scope.time(round_.closes_at),
                Tally(tally.agree, tally.stand_aside, tally.object, tally.block, tally.responses, count.roll),
                _reasons(scope, found[round_.id]),
            )
        )
    return shown


def _decisions(scope: Scope) -> list[DecisionShown]:
    """The newest outcomes, each with every reason given in the round that decided it (its roll frozen at the
    close: members who left since still count as they did)."""
    uow = scope.uow
    logged = uow.decisions.recent(scope.collective.id, DECISIONS_SHOWN)
    rounds = {}
    numbers = {}
    for decision in logged:
        if decision.item_id not in numbers:
            numbers[decision.item_id] = uow.items.get(decision.item_id).number
            for round_ in uow.rounds.of_item(decision.item_id):
                rounds[(decision.item_id, round_.number)] = round_
    decided = [rounds[key] for key in {(d.item_id, d.round_number) for d in logged} if key in rounds]
    found = standings(scope, decided)
    shown = []
    for decision in logged:
        rounds_word = f"round {decision.round_number}" if decision.round_number else ""
        how = ", ".join(filter(None, [decision.rule, rounds_word]))
        round_ = rounds.get((decision.item_id, decision.round_number))
        reasons = _reasons(scope, found[round_.id]) if round_ is not None else []
        shown.append(
            DecisionShown(
                numbers[decision.item_id],
                decision.title,
                VERDICT_WORDS.get(decision.verdict, decision.verdict),
                how,
                scope.time(decision.at),
                reasons,
            )
        )
    return shown


def _reasons(scope: Scope, standing) -> list[Reason]:
    return [
        Reason(scope.name(member), RESPONSE_WORDS.get(response.kind, response.kind), response.reason)
        for member, response in standing.responses
    ]


def _ledger_line(scope: Scope, entry: LedgerEntry, held: int, names: dict[int, str]) -> LedgerLine:
    who = None
    if entry.kind in (CONTRIBUTION, PAYOUT) and entry.member_id is not None:
        if entry.member_id not in names:
            names[entry.member_id] = scope.name(scope.uow.members.get(entry.member_id))
        who = names[entry.member_id]
    return LedgerLine(
        entry.number,
        scope.time(entry.at),
        KIND_WORDS.get(entry.kind, entry.kind),
        money(scope, entry.amount),
        who,
        entry.note,
        money(scope, held),
    )


def _roles(scope: Scope) -> list[RoleShown]:
    shown = []
    members = {member.id: member for member in scope.uow.members.active(scope.collective.id)}

    def name(member_id: int) -> str:
        member = members.get(member_id) or scope.uow.members.get(member_id)
        return scope.name(member)

    for role in scope.uow.roles.of_collective(scope.collective.id):
        following = next_in_line(scope, role) if role.holder_id is not None else None
        shown.append(
            RoleShown(
                describe(role),
                name(role.holder_id) if role.holder_id is not None else None,
                scope.time(role.next_handover_at) if role.next_handover_at else None,
                scope.name(following) if following is not None and following.id != role.holder_id else None,
                [name(member_id) for member_id in scope.uow.roles.roster(role.id)],
            )
        )
    return shown
