"""What the read-only page shows, read from storage through the core's own read functions (tallies, standings,
the fairness rule, money in the collective's locale) inside one read unit of work: nothing here writes. It is
read while the collective's language is spoken (``bot.language.speaking``): the bot's own words are in it,
what members typed and what was stored stays as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from adapters.web.chart import Chart, balance_chart
from adapters.web.pool_history import HELD_SIGN, Summed
from bot.chain import short
from bot.context import Scope
from bot.decision_log import VERDICT_WORDS
from bot.fund import KIND_WORDS
from bot.kinds import author_name, kind_of
from bot.language import N_, _, spoken
from bot.model import (
    AGREE,
    BLOCK,
    CONTRIBUTION,
    OBJECT,
    PAYOUT,
    STAND_ASIDE,
    Collective,
    LedgerEntry,
    Response,
)
from bot.pool import balances_of, money
from bot.rotation import describe, next_in_line
from bot.rounds import counts
from bot.settings import CollectiveSettings

DECISIONS_SHOWN = 100  # the newest outcomes, with every reason
LEDGER_SHOWN = 200  # the newest ledger entries listed (the chart draws every day)
# What each response says on the page: without a reason, and with one (the template fills in the name and the
# reason, each in its element).
SAID = {
    AGREE: (N_("{name} agrees"), N_("{name} agrees: {reason}")),
    STAND_ASIDE: (N_("{name} stands aside"), N_("{name} stands aside: {reason}")),
    OBJECT: (N_("{name} objects"), N_("{name} objects: {reason}")),
    BLOCK: (N_("{name} blocks"), N_("{name} blocks: {reason}")),
}


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
    said: str  # the message (SAID), translated where the template fills it in
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
    decisions: list[DecisionShown]  # the newest DECISIONS_SHOWN
    decisions_total: int  # how many there are in all
    held: str
    reserved: str
    available: str
    ledger: list[LedgerLine]
    chart: Chart | None
    roles: list[RoleShown]
    head: str  # the record's hash chain's head, short, as outcome and funding messages end with it
    language: str  # the collective's, which the page is written in


def collective_page(scope: Scope, you: str, pool: Summed) -> Page:
    """The page of ``scope``'s collective, as its member ``you`` reads it; ``pool``: its ledger summed
    (``PoolHistory``), read in the same unit of work."""
    collective: Collective = scope.collective
    names = Names(scope)
    now_balance = balances_of(pool.totals)
    # The newest entries are listed, each with what the pool held after it: from now, back entry by entry.
    lines, held = [], now_balance.held
    for entry in scope.uow.ledger.recent(collective.id, LEDGER_SHOWN):
        lines.append(_ledger_line(scope, entry, held, names))
        held -= HELD_SIGN.get(entry.kind, 0) * entry.amount
    decisions, total = _decisions(scope, names)
    return Page(
        collective_id=collective.id,
        generated=scope.time(scope.now),
        you=you,
        open_items=_open_items(scope, names),
        decisions=decisions,
        decisions_total=total,
        held=money(scope, now_balance.held),
        reserved=money(scope, now_balance.reserved),
        available=money(scope, now_balance.available),
        ledger=lines,
        chart=balance_chart(pool.points(), scope.now, lambda minor: money(scope, minor), scope.settings.timezone)
        if pool.days
        else None,
        roles=_roles(scope, names),
        head=short(scope.uow.chain.head(collective.id)),
        language=spoken(),
    )


def scope_for(uow, collective: Collective, now: datetime) -> Scope:
    settings = CollectiveSettings.of(uow.settings.values(collective.id))
    return Scope(uow, now, collective, settings)


class Names:
    """Members' names as the bot writes them: the current members read at once, anyone else (a member who
    left) when first named."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.members = {member.id: member for member in scope.uow.members.active(scope.collective.id)}

    def __call__(self, member_id: int) -> str:
        member = self.members.get(member_id)
        if member is None:
            member = self.members[member_id] = self.scope.uow.members.get(member_id)
        return self.scope.name(member)


def _open_items(scope: Scope, names: Names) -> list[OpenItem]:
    items = scope.uow.items.open(scope.collective.id)
    latest = scope.uow.reads.latest_for([item.id for item in items])
    tallies = counts(scope, list(latest.values()))
    given = scope.uow.reads.reasons([round_.id for round_ in latest.values()])
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
                _(kind_of(item).card),
                round_.title,
                author_name(scope, item),
                round_.number,
                scope.time(round_.closes_at),
                Tally(tally.agree, tally.stand_aside, tally.object, tally.block, tally.responses, count.roll),
                _reasons(given[round_.id], names),
            )
        )
    return shown


def _decisions(scope: Scope, names: Names) -> tuple[list[DecisionShown], int]:
    """The newest outcomes, each with every reason given in the round that decided it (its roll frozen at the
    close: members who left since still count as they did); and how many there are in all."""
    uow = scope.uow
    logged = uow.reads.decided(scope.collective.id, DECISIONS_SHOWN)
    given = uow.reads.reasons([round_id for *unused, round_id in logged if round_id is not None])
    shown = []
    for decision, number, round_id in logged:
        # The rule as stored (a setting's value), and the round that decided.
        rounds_word = _("round {number}", number=decision.round_number) if decision.round_number else ""
        how = ", ".join(filter(None, [decision.rule, rounds_word]))
        shown.append(
            DecisionShown(
                number,
                decision.title,
                _(VERDICT_WORDS[decision.verdict]) if decision.verdict in VERDICT_WORDS else decision.verdict,
                how,
                scope.time(decision.at),
                _reasons(given[round_id], names) if round_id is not None else [],
            )
        )
    total = len(shown) if len(shown) < DECISIONS_SHOWN else uow.decisions.count(scope.collective.id)
    return shown, total


def _reasons(responses: list[Response], names: Names) -> list[Reason]:
    return [
        Reason(names(response.member_id), SAID[response.kind][bool(response.reason)], response.reason)
        for response in responses
    ]


def _ledger_line(scope: Scope, entry: LedgerEntry, held: int, names: Names) -> LedgerLine:
    who = None
    if entry.kind in (CONTRIBUTION, PAYOUT) and entry.member_id is not None:
        who = names(entry.member_id)
    return LedgerLine(
        entry.number,
        scope.time(entry.at),
        _(KIND_WORDS[entry.kind]) if entry.kind in KIND_WORDS else entry.kind,
        money(scope, entry.amount),
        who,
        entry.note,
        money(scope, held),
    )


def _roles(scope: Scope, names: Names) -> list[RoleShown]:
    shown = []
    for role in scope.uow.roles.of_collective(scope.collective.id):
        following = next_in_line(scope, role) if role.holder_id is not None else None
        shown.append(
            RoleShown(
                describe(role),
                names(role.holder_id) if role.holder_id is not None else None,
                scope.time(role.next_handover_at) if role.next_handover_at else None,
                scope.name(following) if following is not None and following.id != role.holder_id else None,
                [names(member_id) for member_id in scope.uow.roles.roster(role.id)],
            )
        )
    return shown
