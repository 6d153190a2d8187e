"""Closing a round once, with its outcome: the decision under the round's own
frozen terms (and the fallback the contract allows), the outcome message, what
adoption carries out, and the close that runs at the deadline."""

from __future__ import annotations

from bot.chain import witnessed
from bot.context import Scope
from bot.decision import Outcome, decide, describe_rule, quorum_needed
from bot.duework import DueScope
from bot.durations import describe_duration
from bot.kinds import heading, kind_of
from bot.model import BLOCK, OBJECT, ROUND_CLOSED, ROUND_OPEN, ROUND_WITHDRAWN, Item, Round, Stage, Status
from bot.proxies import lapse_overdue
from bot.record import log_decision
from bot.review import after_adoption, concluded, under_review
from bot.rounds import (
    FULL,
    NOUNS,
    ROUND_CLOSES,
    SILENT,
    Standing,
    end,
    refresh,
    standing,
    standings,
    unschedule,
    voice,
)
from bot.settings import CollectiveSettings
from bot.text import one_line


def blocked_rounds_before(scope: Scope, item: Item, round_: Round) -> int:
    """Earlier rounds of the item that count as blocked: closed not adopted, with
    their own quorum met and a block standing at the close by someone other than
    the author (an amended round never closed, so it does not count; an author
    cannot block their own proposal into the fallback)."""
    earlier = [
        r
        for r in scope.uow.rounds.of_item(round_.item_id)
        if r.number < round_.number and r.status == ROUND_CLOSED and not r.adopted and r.mode == FULL
    ]
    count = 0
    for closed_round, state in standings(scope, earlier).items():
        terms = scope.settings.under(next(r.terms for r in earlier if r.id == closed_round))
        if state.tally.responses < quorum_needed(terms.quorum, len(state.roll)):
            continue
        if any(r.kind == BLOCK and m.id != item.author_id for m, r in state.responses):
            count += 1
    return count


def requester_left(scope: Scope, item: Item) -> bool:
    """A need whose requester left (a private one keeps that mark even if they come
    back): it is never decided, funded or paid."""
    if not kind_of(item).is_need or item.author_id is None:
        return False
    return bool(item.data.get("requester_left")) or not scope.uow.members.get(item.author_id).active


def close_withdrawn(scope: Scope, item: Item, round_: Round) -> str | None:
    """A need's round at its close when whoever asked has left meanwhile: it is
    withdrawn, not decided, and the group hears only that (a private need's
    requester left silently; this is the need's next due moment)."""
    if not end(scope, item, round_, ROUND_WITHDRAWN):
        return None
    need = scope.uow.needs.get(item.id)
    need.stage = Stage.WITHDRAWN
    scope.uow.needs.save(need)
    item.status, item.decided_at = Status.WITHDRAWN, scope.now
    scope.uow.items.save(item)
    # Worded as any withdrawal by whoever asked: for a private need, nothing ties it to someone leaving.
    text = f"{heading(item)} is withdrawn by whoever asked. Its responses stay in the record."
    scope.announce(witnessed(text, item.collective_id), about=item)
    return text


def close(scope: Scope, item: Item, round_: Round, closed_by: str | None = None) -> str | None:
    """Close the round once and announce its outcome; None when it was already
    closed (two closes, one outcome)."""
    if round_.status == ROUND_OPEN and requester_left(scope, item):
        return close_withdrawn(scope, item, round_)
    if scope.collective is not None and scope.collective.id == item.collective_id:
        lapse_overdue(scope)  # a proxy past its term gives nothing to this close (its responses are taken back)
    if not scope.uow.rounds.finish(round_.id, ROUND_CLOSED, scope.now):
        return None
    scope.uow.rounds.freeze_roll(round_.id)
    unschedule(scope, round_)
    state = standing(scope, round_)
    if round_.mode == SILENT:
        adopted = state.tally.object == 0 and state.tally.block == 0
        rule, text = "no objection", silent_outcome_text(scope, item, round_, adopted)
    else:
        settings = scope.settings.under(round_.terms)
        rule = settings.decision_rule
        fallback = settings.fallback_after_rounds
        fell_back = (
            bool(fallback) and rule != "supermajority" and blocked_rounds_before(scope, item, round_) >= fallback
        )
        if fell_back:
            rule = "supermajority"
        outcome = decide(rule, state.tally, len(state.roll), settings.quorum, settings.supermajority)
        adopted = outcome.adopted
        text = outcome_text(scope, item, round_, state, outcome, closed_by, fallback if fell_back else 0, settings)
    round_.status, round_.closed_at, round_.rule, round_.adopted = ROUND_CLOSED, scope.now, rule, adopted
    reviewing = under_review(item)  # a review round: adopted again it stands, otherwise it lapses
    not_adopted = Status.LAPSED if reviewing else Status.NOT_ADOPTED
    item.status, item.decided_at = (Status.ADOPTED if adopted else not_adopted), scope.now
    kind = kind_of(item)
    before = len(scope.actions)
    if reviewing:
        effect = concluded(scope, item, adopted)
    else:
        effect = kind.carry_out(scope, item, adopted)
        if adopted and (review := after_adoption(scope, item)):
            effect = f"{effect} {review}" if effect else review
    follow_ups = scope.actions[before:]  # announced after the outcome they follow from
    del scope.actions[before:]
    round_.outcome = f"{text}\n{effect}" if effect else text
    scope.uow.rounds.save(round_)
    scope.uow.items.save(item)
    verdict = ("kept" if adopted else "lapsed") if reviewing else kind.verdict(adopted)
    log_decision(scope, item, verdict, round_, rule)
    scope.announce(witnessed(round_.outcome, item.collective_id), about=item)
    refresh(scope, item, round_)
    scope.actions.extend(follow_ups)
    return round_.outcome


def settle_if_due(scope: Scope, item: Item, round_: Round) -> bool:
    """A round past its deadline whose close has not run yet (the bot was busy
    or down) closes now, before anyone acts on it; True when it did."""
    if round_.status != ROUND_OPEN or scope.now < round_.closes_at:
        return False
    close(scope, item, round_)
    return True


def silent_outcome_text(scope: Scope, item: Item, round_: Round, adopted: bool) -> str:
    window = describe_duration(round_.closes_at - round_.opened_at)
    if adopted:
        return f"{heading(item)} — approved: no one objected or blocked within {window}."
    return f"{heading(item)} — not approved."


def outcome_text(
    scope: Scope,
    item: Item,
    round_: Round,
    state: Standing,
    outcome: Outcome,
    closed_by: str | None,
    fallback_after: int,
    settings: CollectiveSettings,
) -> str:
    verdict = "adopted" if outcome.adopted else "not adopted"
    if not outcome.quorum_met:
        verdict += " — quorum not met"
    lines = [f"{heading(item)} — {verdict}."]
    rule = describe_rule(outcome.rule, settings.supermajority)
    if fallback_after:
        rule += f"; the fallback after {fallback_after} blocked round{'s' if fallback_after != 1 else ''}"
    lines.append(f"Rule: {rule}. Round {round_.number}.")
    lines.append(f"Responses: {state.tally.line()}.")
    met = "met" if outcome.quorum_met else "not met"
    lines.append(
        f"Participation: {len(state.responses)} of {outcome.roll} responded; "
        f"quorum {outcome.needed} of {outcome.roll} — {met}."
    )
    for kind, label in ((BLOCK, "Blocks"), (OBJECT, "Objections")):
        reasons = [f"{voice(scope, m, r)}: {one_line(r.reason)}" for m, r in state.responses if r.kind == kind]
        if reasons:
            lines.append(f"{label}: " + "; ".join(reasons))
    proxied = [f"{voice(scope, m, r)} ({NOUNS[r.kind]})" for m, r in state.responses if r.by_proxy is not None]
    if proxied:
        lines.append("By proxy: " + "; ".join(proxied) + ".")
    if closed_by:
        lines.append(f"Closed by {closed_by}, {scope.time(scope.now)}.")
    else:
        lines.append(f"Closed at its deadline, {scope.time(round_.closes_at)}.")
    return "\n".join(lines)


def closes_when_due(scope: DueScope) -> None:
    round_ = scope.uow.rounds.get(scope.work.subject_id)
    if round_.status != ROUND_OPEN:
        return
    close(scope, scope.uow.items.get(round_.item_id), round_)


DUE_HANDLERS = {ROUND_CLOSES: closes_when_due}
