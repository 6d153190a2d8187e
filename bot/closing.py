"""Closing a round once, with its outcome: the decision under the round's own
frozen terms (and the fallback the contract allows), the outcome message, what
adoption carries out, and the close that runs at the deadline."""

from __future__ import annotations

from bot.chain import witnessed
from bot.context import Scope
from bot.decision import Outcome, decide, describe_rule, quorum_needed, response_name
from bot.duework import DueScope
from bot.durations import describe_duration
from bot.kinds import heading, kind_of
from bot.language import _, ngettext
from bot.model import BLOCK, OBJECT, ROUND_CLOSED, ROUND_OPEN, ROUND_WITHDRAWN, Item, Round, Stage, Status
from bot.proxies import lapse_overdue
from bot.record import log_decision
from bot.review import after_adoption, concluded, under_review
from bot.rounds import (
    FULL,
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
    text = _("{heading} is withdrawn by whoever asked. Its responses stay in the record.", heading=heading(item))
    scope.announce(witnessed(text, item.collective_id), about=item)
    return text


def close(scope: Scope, item: Item, round_: Round, closed_by: str | None = None) -> str | None:
    """Close the round once and announce its outcome; None when it was already
    closed (two closes, one outcome). The outcome is written after what adoption carries out: a collective
    that has just adopted a language hears the outcome in it."""
    if round_.status == ROUND_OPEN and requester_left(scope, item):
        return close_withdrawn(scope, item, round_)
    if scope.collective is not None and scope.collective.id == item.collective_id:
        lapse_overdue(scope)  # a proxy past its term gives nothing to this close (its responses are taken back)
    if not scope.uow.rounds.finish(round_.id, ROUND_CLOSED, scope.now):
        return None
    scope.uow.rounds.freeze_roll(round_.id)
    unschedule(scope, round_)
    state = standing(scope, round_)
    outcome, fallback, settings = None, 0, scope.settings
    if round_.mode == SILENT:
        adopted = state.tally.object == 0 and state.tally.block == 0
        rule = "no objection"
    else:
        settings = scope.settings.under(round_.terms)
        rule = settings.decision_rule
        fallback = settings.fallback_after_rounds
        fell_back = (
            bool(fallback) and rule != "supermajority" and blocked_rounds_before(scope, item, round_) >= fallback
        )
        if fell_back:
            rule = "supermajority"
        fallback = fallback if fell_back else 0
        outcome = decide(rule, state.tally, len(state.roll), settings.quorum, settings.supermajority)
        adopted = outcome.adopted
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
    if outcome is None:
        text = silent_outcome_text(scope, item, round_, adopted)
    else:
        text = outcome_text(scope, item, round_, state, outcome, closed_by, fallback, settings)
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
        return _(
            "{heading} — approved: no one objected or blocked within {window}.", heading=heading(item), window=window
        )
    return _("{heading} — not approved.", heading=heading(item))


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
    lines = [_headline(item, outcome)]
    rule = describe_rule(outcome.rule, settings.supermajority)
    if fallback_after:  # the round fell back to supermajority
        lines.append(
            ngettext(
                "Rule: {rule}; the fallback after {count} blocked round. Round {round}.",
                "Rule: {rule}; the fallback after {count} blocked rounds. Round {round}.",
                fallback_after,
                rule=rule,
                round=round_.number,
            )
        )
    else:
        lines.append(_("Rule: {rule}. Round {round}.", rule=rule, round=round_.number))
    lines.append(_("Responses: {tally}.", tally=state.tally.line()))
    values = {"responded": len(state.responses), "roll": outcome.roll, "needed": outcome.needed}
    # Translators: the number deciding the form is {responded} (French: "0 sur 3 a répondu").
    if outcome.quorum_met:
        participation = ngettext(
            "Participation: {responded} of {roll} responded; quorum {needed} of {roll} — met.",
            "Participation: {responded} of {roll} responded; quorum {needed} of {roll} — met.",
            values["responded"],
            **values,
        )
    else:
        participation = ngettext(
            "Participation: {responded} of {roll} responded; quorum {needed} of {roll} — not met.",
            "Participation: {responded} of {roll} responded; quorum {needed} of {roll} — not met.",
            values["responded"],
            **values,
        )
    lines.append(participation)
    blocks = _reasons(scope, state, BLOCK)
    if blocks:
        lines.append(_("Blocks: {reasons}", reasons=blocks))
    objections = _reasons(scope, state, OBJECT)
    if objections:
        lines.append(_("Objections: {reasons}", reasons=objections))
    proxied = [
        # Translators: a response given by proxy: who gave it (and for whom), and its kind (agree, object, …).
        _("{who} ({response})", who=voice(scope, m, r), response=response_name(r.kind))
        for m, r in state.responses
        if r.by_proxy is not None
    ]
    if proxied:
        lines.append(_("By proxy: {responses}.", responses="; ".join(proxied)))
    if closed_by:
        lines.append(_("Closed by {name}, {when}.", name=closed_by, when=scope.time(scope.now)))
    else:
        lines.append(_("Closed at its deadline, {when}.", when=scope.time(round_.closes_at)))
    return "\n".join(lines)


def _headline(item: Item, outcome: Outcome) -> str:
    """The outcome's first line: the item and whether it was adopted (never without quorum)."""
    if outcome.adopted:
        return _("{heading} — adopted.", heading=heading(item))
    if outcome.quorum_met:
        return _("{heading} — not adopted.", heading=heading(item))
    return _("{heading} — not adopted — quorum not met.", heading=heading(item))


def _reasons(scope: Scope, state: Standing, kind: str) -> str:
    """The reasons given with the responses of ``kind`` (blocks, objections), each with who gave it."""
    return "; ".join(
        # Translators: one reason in an outcome's list ("Carol: too loud"); {name} gave it, {reason} is their words.
        _("{name}: {reason}", name=voice(scope, m, r), reason=one_line(r.reason))
        for m, r in state.responses
        if r.kind == kind
    )


def closes_when_due(scope: DueScope) -> None:
    round_ = scope.uow.rounds.get(scope.work.subject_id)
    if round_.status != ROUND_OPEN:
        return
    close(scope, scope.uow.items.get(round_.item_id), round_)


DUE_HANDLERS = {ROUND_CLOSES: closes_when_due}
