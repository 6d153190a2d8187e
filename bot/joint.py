"""Joint items: ``/propose joint [DURATION] TITLE`` opens one item in every member collective of the federation
at once, each with its own ``#N``, each decided by its own collective's rule over its own frozen roll. A
collective's outcome is its ballot; when the last ballot is in, the joint outcome follows the federation's rule
(``unanimous``: every collective adopted it; ``majority``: more than half did), and every member collective
hears it with each collective's ballot. ``/federation rule RULE`` changes the rule by a joint item that needs
every collective, whatever the rule in force.

A collective that joins while a joint item is open does not vote on it. One that leaves while it is open: its
item there is withdrawn, its ballot no longer counts (even one already cast), the others are told, and the
joint outcome follows from the ballots of the collectives that remain."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context, Scope
from bot.durations import later, looks_like_duration, parse_duration
from bot.errors import Refusal
from bot.federation import label, require_federation, scope_of
from bot.federation_records import Ballot, Federation, FederationRule, JointBallot, JointItem
from bot.kinds import JointProposal
from bot.model import ROUND_OPEN, ROUND_WITHDRAWN, Item, ItemKind, Member, Status
from bot.text import cmd

RULE_WORDS = {rule.value: rule for rule in FederationRule}


def propose_joint(ctx: Context, member: Member, text: str) -> None:
    """``/propose joint [DURATION] TITLE``, with further lines of detail."""
    from bot.proposals import _first_word, split_text

    federation = require_federation(ctx)
    first, rest = _first_word(text)
    duration = None
    try:
        duration = parse_duration(first.strip())
        text = rest
    except ValueError as error:
        if looks_like_duration(first.strip()):
            raise Refusal(f"{error}\nUsage: {cmd('propose')} joint [DURATION] TITLE") from None
    if not text.strip():
        raise Refusal(f"A joint item needs a title: {cmd('propose')} joint [DURATION] TITLE")
    title, body = split_text(text)
    open_joint(ctx, member, federation, title, body, duration or ctx.settings.proposal_duration, federation.rule, {})


def propose_rule(ctx: Context, member: Member, federation: Federation, change: str) -> None:
    """``/federation rule unanimous|majority``: a joint item decided unanimously, whatever the rule in force."""
    word, _, value = change.strip().partition(" ")
    rule = RULE_WORDS.get(value.strip().lower())
    if word.lower() != "rule" or rule is None:
        raise Refusal(
            f"Usage: {cmd('federation')} rule unanimous|majority (by a joint item every collective must adopt)"
        )
    if rule == federation.rule:
        raise Refusal(f"The federation's rule is {rule} already.")
    if any(joint.data.get("rule") for joint in ctx.uow.federations.open_joints(federation.id)):
        raise Refusal(f"A change of the federation's rule is open already: {cmd('federation')} shows it.")
    title = f"Change the federation's rule to {rule}"
    duration = ctx.settings.proposal_duration
    open_joint(ctx, member, federation, title, "", duration, FederationRule.UNANIMOUS, {"rule": rule.value})


def open_joint(
    ctx: Context,
    member: Member,
    federation: Federation,
    title: str,
    body: str,
    duration: timedelta,
    rule: FederationRule,
    data: dict,
) -> JointItem:
    from bot.proposals import new_item
    from bot.rounds import open_round

    members = ctx.uow.federations.members(federation.id)
    ctx.uow.lock_collectives(members)
    closes_at = later(ctx.now, duration, ctx.settings.timezone)
    joint = ctx.uow.federations.add_joint(JointItem(None, federation.id, title, ctx.now, closes_at, rule, data=data))
    origin = label(ctx, ctx.collective.id)
    numbers = []
    for collective_id in members:
        scope = scope_of(ctx, collective_id)
        if scope is ctx:
            item = new_item(ctx, JointProposal.topic, title, body, data={"joint": joint.id})
        else:
            number = ctx.uow.items.next_number(collective_id)
            item = Item(None, collective_id, number, ItemKind.PROPOSAL, JointProposal.topic, None, title, body, ctx.now)
            item.data = {"joint": joint.id, "from": origin}
            item = ctx.uow.items.add(item)
        ctx.uow.federations.add_ballot(JointBallot(joint.id, collective_id, item.id))
        numbers.append(f"#{item.number} in {label(ctx, collective_id)}")
        by = f"by {ctx.name(member)} " if scope is ctx else ""
        scope.announce(
            f"Joint item J{joint.id}, raised {by}in {origin} for the whole federation ({len(members)} collectives): "
            f"here it is #{item.number}, decided by this collective's own rule. Its outcome is this collective's "
            f"ballot; the federation decides by {_rule_text(rule)}.",
            about=item,
        )
        open_round(scope, item, duration)
    return joint


def _rule_text(rule: FederationRule) -> str:
    if rule == FederationRule.UNANIMOUS:
        return "unanimity (adopted when every collective adopts it)"
    return "majority (adopted when more than half of the collectives adopt it)"


def ballot_cast(scope: Scope, item: Item, adopted: bool) -> str:
    """A collective's round on a joint item closed: its outcome is its ballot."""
    ballot = scope.uow.federations.ballot_of_item(item.id)
    if ballot is None:
        return ""
    joint = scope.uow.federations.joint(ballot.joint_id)
    if joint.status != "open" or ballot.ballot == Ballot.LEFT:
        return ""
    ballots = scope.uow.federations.ballots(joint.id)
    scope.uow.lock_collectives([b.collective_id for b in ballots])
    cast = Ballot.ADOPTED if adopted else Ballot.NOT_ADOPTED
    scope.uow.federations.cast(joint.id, scope.collective.id, cast)
    waiting = [b for b in ballots if b.ballot is None and b.collective_id != scope.collective.id]
    if waiting:
        more = f"{len(waiting)} more collective" + ("s decide" if len(waiting) != 1 else " decides")
        return f"This is this collective's ballot on joint item J{joint.id}; the joint outcome follows when {more}."
    decide(scope, joint)
    return f"This is this collective's ballot on joint item J{joint.id}, the last one: the joint outcome follows."


def decide(scope: Scope, joint: JointItem) -> None:
    """Every ballot that counts is in: the joint outcome by the rule the item opened under, heard everywhere."""
    federations = scope.uow.federations
    ballots = federations.ballots(joint.id)
    counted = [b for b in ballots if b.ballot != Ballot.LEFT]
    ayes = sum(1 for b in counted if b.ballot == Ballot.ADOPTED)
    if joint.rule == FederationRule.UNANIMOUS:
        adopted = bool(counted) and ayes == len(counted)
    else:
        adopted = ayes * 2 > len(counted)
    if not federations.decide_joint(joint.id, "adopted" if adopted else "not_adopted", scope.now):
        return
    lines = [
        f"Joint item J{joint.id} {joint.title} — {'adopted' if adopted else 'not adopted'} by the federation.",
        f"Rule: {joint.rule}; {ayes} of {len(counted)} collective{'s' if len(counted) != 1 else ''} adopted it.",
        "Ballots:",
    ]
    for b in ballots:
        number = scope.uow.items.get(b.item_id).number
        shown = {Ballot.ADOPTED: "adopted", Ballot.NOT_ADOPTED: "not adopted"}.get(
            b.ballot, "left the federation, not counted"
        )
        lines.append(f"• {label(scope, b.collective_id)}: {shown} (#{number} there)")
    federation = federations.get(joint.federation_id)
    if adopted and joint.data.get("rule"):
        federation.rule = FederationRule(joint.data["rule"])
        federations.save(federation)
        lines.append(f"The federation now decides joint items by {federation.rule}.")
    text = "\n".join(lines)
    told = {b.collective_id for b in ballots if b.ballot != Ballot.LEFT} | set(federations.members(federation.id))
    for collective_id in sorted(told):
        scope_of(scope, collective_id).announce(text)


def leave_joints(scope: Scope, federation: Federation) -> None:
    """This collective left the federation: its open joint items are withdrawn here, its ballots no longer
    count, the others are told, and a joint item whose other ballots are all in is decided now."""
    from bot.rounds import end

    federations = scope.uow.federations
    leaver = label(scope, scope.collective.id)
    for joint in federations.open_joints(federation.id):
        ballots = federations.ballots(joint.id)
        mine = next((b for b in ballots if b.collective_id == scope.collective.id), None)
        if mine is None:
            continue
        federations.cast(joint.id, scope.collective.id, Ballot.LEFT)
        item = scope.uow.items.get(mine.item_id)
        round_ = scope.uow.rounds.latest(item.id)
        if round_.status == ROUND_OPEN and end(scope, item, round_, ROUND_WITHDRAWN):
            item.status, item.decided_at = Status.WITHDRAWN, scope.now
            scope.uow.items.save(item)
            scope.announce(
                f"#{item.number} {item.title} is withdrawn: this collective left the federation, so its ballot on "
                f"joint item J{joint.id} no longer counts.",
                about=item,
            )
        for other in ballots:
            if other.collective_id != scope.collective.id:
                scope_of(scope, other.collective_id).announce(
                    f"{leaver} left the federation while joint item J{joint.id} {joint.title} was open: its ballot "
                    "no longer counts."
                )
        remaining = [b for b in federations.ballots(joint.id) if b.ballot != Ballot.LEFT]
        if all(b.ballot is not None for b in remaining):
            decide(scope, joint)
