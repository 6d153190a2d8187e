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
from bot.language import _, ngettext, number, speaking
from bot.model import ROUND_OPEN, ROUND_WITHDRAWN, Item, ItemKind, Member, Status

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
            raise Refusal(f"{error}\n" + _("Usage: /propose joint [DURATION] TITLE")) from None
    if not text.strip():
        raise Refusal(_("A joint item needs a title: /propose joint [DURATION] TITLE"))
    title, body = split_text(text)
    open_joint(ctx, member, federation, title, body, duration or ctx.settings.proposal_duration, federation.rule, {})


def propose_rule(ctx: Context, member: Member, federation: Federation, change: str) -> None:
    """``/federation rule unanimous|majority``: a joint item decided unanimously, whatever the rule in force."""
    word, __, value = change.strip().partition(" ")
    rule = RULE_WORDS.get(value.strip().lower())
    if word.lower() != "rule" or rule is None:
        # Translators: "rule", "unanimous" and "majority" are typed as they are, in every language.
        raise Refusal(_("Usage: /federation rule unanimous|majority (by a joint item every collective must adopt)"))
    if rule == federation.rule:
        # Translators: {rule} is the rule as typed in commands: unanimous or majority.
        raise Refusal(_("The federation's rule is {rule} already.", rule=rule))
    if any(joint.data.get("rule") for joint in ctx.uow.federations.open_joints(federation.id)):
        raise Refusal(_("A change of the federation's rule is open already: /federation shows it."))
    title = _rule_title(rule)
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
    for collective_id in members:
        scope = scope_of(ctx, collective_id)
        with speaking(scope.settings.language):  # each collective hears of it in its own language
            origin = label(ctx, ctx.collective.id)
            # A rule change is titled by the bot: in each collective's language (the joint item keeps the proposer's).
            own_title = _rule_title(FederationRule(data["rule"])) if data.get("rule") else title
            if scope is ctx:
                item = new_item(ctx, JointProposal.topic, own_title, body, data={"joint": joint.id})
            else:
                number_there = ctx.uow.items.next_number(collective_id)
                item = Item(
                    None,
                    collective_id,
                    number_there,
                    ItemKind.PROPOSAL,
                    JointProposal.topic,
                    None,
                    own_title,
                    body,
                    ctx.now,
                )
                item.data = {"joint": joint.id, "from": origin}
                item = ctx.uow.items.add(item)
            ctx.uow.federations.add_ballot(JointBallot(joint.id, collective_id, item.id))
            scope.announce(_announcement(ctx, member, scope is ctx, joint, item, origin, len(members)), about=item)
            open_round(scope, item, duration)
    return joint


def _rule_title(rule: FederationRule) -> str:
    # Translators: {rule} is the rule as typed in commands: unanimous or majority.
    return _("Change the federation's rule to {rule}", rule=rule)


def _announcement(
    ctx: Context, member: Member, here: bool, joint: JointItem, item: Item, origin: str, collectives: int
) -> str:
    """A joint item opened: what it is, in a collective of the federation (``here``: the one that raised it)."""
    values = {"joint": joint.id, "collective": origin, "number": item.number}
    if here:
        opened = ngettext(
            "Joint item J{joint}, raised by {name} in {collective} for the whole federation ({count} collective): "
            "here it is #{number}, decided by this collective's own rule.",
            "Joint item J{joint}, raised by {name} in {collective} for the whole federation ({count} collectives): "
            "here it is #{number}, decided by this collective's own rule.",
            collectives,
            name=ctx.name(member),
            **values,
        )
    else:
        opened = ngettext(
            "Joint item J{joint}, raised in {collective} for the whole federation ({count} collective): here it is "
            "#{number}, decided by this collective's own rule.",
            "Joint item J{joint}, raised in {collective} for the whole federation ({count} collectives): here it is "
            "#{number}, decided by this collective's own rule.",
            collectives,
            **values,
        )
    if joint.rule == FederationRule.UNANIMOUS:
        decides = _(
            "Its outcome is this collective's ballot; the federation decides by unanimity (adopted when every "
            "collective adopts it)."
        )
    else:
        decides = _(
            "Its outcome is this collective's ballot; the federation decides by majority (adopted when more than "
            "half of the collectives adopt it)."
        )
    return opened + " " + decides


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
        return ngettext(
            "This is this collective's ballot on joint item J{joint}; the joint outcome follows when {count} more "
            "collective decides.",
            "This is this collective's ballot on joint item J{joint}; the joint outcome follows when {count} more "
            "collectives decide.",
            len(waiting),
            joint=joint.id,
        )
    decide(scope, joint)
    return _(
        "This is this collective's ballot on joint item J{joint}, the last one: the joint outcome follows.",
        joint=joint.id,
    )


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
    federation = federations.get(joint.federation_id)
    changed = adopted and bool(joint.data.get("rule"))
    if changed:
        federation.rule = FederationRule(joint.data["rule"])
        federations.save(federation)
    told = {b.collective_id for b in ballots if b.ballot != Ballot.LEFT} | set(federations.members(federation.id))
    for collective_id in sorted(told):
        other = scope_of(scope, collective_id)
        with speaking(other.settings.language):  # each collective hears the outcome in its own language
            other.announce(
                _outcome(scope, joint, ballots, ayes, len(counted), adopted, federation if changed else None)
            )


def _outcome(
    scope: Scope,
    joint: JointItem,
    ballots: list[JointBallot],
    ayes: int,
    counted: int,
    adopted: bool,
    changed: Federation | None,
) -> str:
    """The joint outcome with each collective's ballot (``changed``: the federation whose rule it changed)."""
    if adopted:
        headline = _("Joint item J{joint} {title} — adopted by the federation.", joint=joint.id, title=joint.title)
    else:
        headline = _("Joint item J{joint} {title} — not adopted by the federation.", joint=joint.id, title=joint.title)
    lines = [
        headline,
        # Translators: {rule} is the rule as typed in commands: unanimous or majority.
        ngettext(
            "Rule: {rule}; {ayes} of {count} collective adopted it.",
            "Rule: {rule}; {ayes} of {count} collectives adopted it.",
            counted,
            rule=joint.rule,
            ayes=number(ayes),
        ),
        _("Ballots:"),
    ]
    for b in ballots:
        shown = {"collective": label(scope, b.collective_id), "number": scope.uow.items.get(b.item_id).number}
        if b.ballot == Ballot.ADOPTED:
            lines.append(_("• {collective}: adopted (#{number} there)", **shown))
        elif b.ballot == Ballot.NOT_ADOPTED:
            lines.append(_("• {collective}: not adopted (#{number} there)", **shown))
        else:
            lines.append(_("• {collective}: left the federation, not counted (#{number} there)", **shown))
    if changed is not None:
        # Translators: {rule} is the rule as typed in commands: unanimous or majority.
        lines.append(_("The federation now decides joint items by {rule}.", rule=changed.rule))
    return "\n".join(lines)


def leave_joints(scope: Scope, federation: Federation) -> None:
    """This collective left the federation: its open joint items are withdrawn here, its ballots no longer
    count, the others are told, and a joint item whose other ballots are all in is decided now."""
    from bot.rounds import end

    federations = scope.uow.federations
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
                _(
                    "#{number} {title} is withdrawn: this collective left the federation, so its ballot on joint item "
                    "J{joint} no longer counts.",
                    number=item.number,
                    title=item.title,
                    joint=joint.id,
                ),
                about=item,
            )
        for ballot in ballots:
            if ballot.collective_id != scope.collective.id:
                other = scope_of(scope, ballot.collective_id)
                with speaking(other.settings.language):
                    other.announce(
                        _(
                            "{collective} left the federation while joint item J{joint} {title} was open: its ballot "
                            "no longer counts.",
                            collective=label(scope, scope.collective.id),
                            joint=joint.id,
                            title=joint.title,
                        )
                    )
        remaining = [b for b in federations.ballots(joint.id) if b.ballot != Ballot.LEFT]
        if all(b.ballot is not None for b in remaining):
            decide(scope, joint)
