"""Federation: collectives link up for joint decisions and mutual aid. ``/federate`` (a proposal) gives a
code once adopted; ``/federate CODE`` in another collective's chat is a proposal there, and once adopted both
belong to one federation (the newcomer joins the inviter's, if it has one). A federation's members are
collectives, never people. ``/federation`` shows it; ``/unfederate`` (a proposal) leaves it. Joint items are
``bot.joint``, mutual aid ``bot.aid``, the weekly digest ``bot.digest``."""

from __future__ import annotations

from datetime import timedelta

from bot import codes
from bot.commands import Arg, command
from bot.context import Context, Scope
from bot.errors import Refusal
from bot.federation_records import Federation, FederationRule, Invitation
from bot.kinds import FederateProposal, UnfederateProposal
from bot.model import DELEGATE, DueWork, Item, Member, Topic
from bot.settings import CollectiveSettings
from bot.text import cmd

CODE_VALID = timedelta(hours=24)
DIGEST = "federation_digest"
DIGEST_EVERY = timedelta(weeks=1)
SECTION = "Federation"


def scope_of(scope: Scope, collective_id: int) -> Scope:
    """The same unit of work, time and list of actions, acting for another collective (with its settings)."""
    if scope.collective is not None and scope.collective.id == collective_id:
        return scope
    collective = scope.uow.collectives.get(collective_id)
    settings = CollectiveSettings.of(scope.uow.settings.values(collective_id))
    return Scope(scope.uow, scope.now, collective, settings, scope.actions)


def label(scope: Scope, collective_id: int) -> str:
    """How other collectives read a collective's name: its number and its first chat."""
    chats = scope.uow.collectives.chats(collective_id)
    if not chats:
        return f"collective {collective_id}"
    platform, chat_id = chats[0]
    return f"collective {collective_id} ({chat_id} on {platform.capitalize()})"


def federation_of(scope: Scope) -> Federation | None:
    return scope.uow.federations.of_collective(scope.collective.id)


def require_federation(ctx: Context) -> Federation:
    federation = federation_of(ctx)
    if federation is None:
        raise Refusal(f"This collective belongs to no federation. {cmd('federate')} invites another collective to one.")
    return federation


def open_proposal(ctx: Context, topic: Topic, title: str, data: dict) -> Item:
    from bot.proposals import new_item  # (proposals raises joint items from here: imported when used)
    from bot.rounds import open_round

    if ctx.uow.items.find_open(ctx.collective.id, topic, "what", data["what"]) is not None:
        raise Refusal(f"A proposal like this one is open already: {cmd('proposals')} shows it.")
    item = new_item(ctx, topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)
    return item


def parse_code(text: str) -> str:
    if not codes.looks_like_code(text):
        raise ValueError(f"'{text}' is not a federation code: codes are {codes.LENGTH} letters and digits.")
    return text.upper()


@command(
    "federate",
    "invite another collective into a federation, or join one with its code (by proposal)",
    args=(Arg("code", "CODE", parse_code, optional=True),),
    section=SECTION,
    details=f"{cmd('federate')} opens a proposal; once adopted I give a code, valid {CODE_VALID.days * 24} h. In the "
    f"other collective's chat, {cmd('federate')} CODE opens a proposal there; once that is adopted, both belong to one "
    "federation (or the newcomer joins the one the inviting collective is in).",
)
def federate(ctx: Context, member: Member, code: str | None) -> None:
    collective = ctx.collective
    own = federation_of(ctx)
    if code is None:
        title = (
            "Invite another collective to federate with us"
            if own is None
            else "Invite a collective into our federation"
        )
        open_proposal(ctx, FederateProposal.topic, title, {"what": "invite"})
        return
    invitation = ctx.uow.federations.invitation(code)
    if invitation is None or invitation.used_by is not None or invitation.expires_at <= ctx.now:
        raise Refusal(
            f"{code} is not a federation code I gave, or it was used or has expired. Codes are valid for 24 h."
        )
    if invitation.collective_id == collective.id:
        raise Refusal(f"{code} is this collective's own code: it is for another collective's chat.")
    if own is not None:
        theirs = ctx.uow.federations.of_collective(invitation.collective_id)
        if theirs is not None and theirs.id == own.id:
            raise Refusal(f"This collective is in that federation already: {cmd('federation')} shows it.")
        raise Refusal(
            f"This collective belongs to a federation already; it can be in one at a time ({cmd('unfederate')} leaves)."
        )
    inviter = label(ctx, invitation.collective_id)
    open_proposal(ctx, FederateProposal.topic, f"Federate with {inviter}", {"what": f"join {code}", "code": code})


def carry_out_federate(scope: Scope, item: Item, adopted: bool) -> str:
    """What an adopted /federate does: give a code, or join the federation the code invites to."""
    if not adopted:
        return ""
    if item.data["what"] == "invite":
        code = codes.new_code()
        while scope.uow.federations.invitation(code) is not None:  # (a reused demo database)
            code = codes.new_code()
        invitation = Invitation(code, scope.collective.id, scope.now, scope.now + CODE_VALID)
        scope.uow.federations.add_invitation(invitation)
        words = (
            f"The federation code is {code} (valid until {scope.time(invitation.expires_at)}). Someone in the "
            f"other collective's chat types {cmd('federate')} {code}; their collective decides by its own rule."
        )
        proposer = scope.uow.members.get(item.author_id) if item.author_id is not None else None
        if proposer is None or not proposer.active:
            return words
        # Privately, as a link code (bot.linking): the outcome is kept in the record and its export.
        scope.tell(proposer, f"#{item.number} is adopted. {words}", about=item)
        return (
            f"{scope.name(proposer)}, who proposed it, has the federation code by direct message, to hand to the "
            f"other collective (valid until {scope.time(invitation.expires_at)})."
        )
    return _join(scope, item.data["code"])


def _join(scope: Scope, code: str) -> str:
    federations = scope.uow.federations
    invitation = federations.invitation(code)
    if federations.of_collective(scope.collective.id) is not None:
        return "But this collective joined a federation meanwhile; it can be in one at a time."
    scope.uow.lock_collectives([scope.collective.id, invitation.collective_id])
    if not federations.use_invitation(code, scope.collective.id):
        return f"But the code {code} was used by another collective meanwhile: ask for a new one."
    federation = federations.of_collective(invitation.collective_id)
    if federation is None:
        federation = federations.add(Federation(None, scope.now, FederationRule.UNANIMOUS))
        federations.join(federation.id, invitation.collective_id, scope.now)
        first_digest = scope.now + DIGEST_EVERY
        scope.uow.due.add(DueWork(None, invitation.collective_id, DIGEST, federation.id, first_digest))
    others = federations.members(federation.id)
    federations.join(federation.id, scope.collective.id, scope.now)
    newcomer = label(scope, scope.collective.id)
    for collective_id in others:
        scope_of(scope, collective_id).announce(
            f"{newcomer} joined our federation, which is now {len(others) + 1} collectives. "
            f"{cmd('federation')} shows it."
        )
    names = ", ".join(label(scope, collective_id) for collective_id in others)
    return f"This collective is now in a federation with {names}. {cmd('federation')} shows it."


@command(
    "federation",
    "the federation: its collectives, their delegates, open joint items, its rule",
    args=(Arg("change", "rule unanimous|majority", optional=True, rest=True),),
    section=SECTION,
    details=f"{cmd('federation')} rule majority (or unanimous) opens a joint item to change the rule; it is adopted "
    "only when every collective adopts it, whatever the rule in force.",
)
def federation(ctx: Context, change: str | None) -> None:
    ctx.require_collective()
    found = require_federation(ctx)
    if change is not None:
        from bot.joint import propose_rule  # (joint items build on this module)

        propose_rule(ctx, ctx.require_member(), found, change)
        return
    federations = ctx.uow.federations
    lines = [f"Our federation (rule: {found.rule}; a change of rule needs every collective):"]
    for collective_id in federations.members(found.id):
        here = " — this collective" if collective_id == ctx.collective.id else ""
        lines.append(f"• {label(ctx, collective_id)}{here}: delegate {delegate_name(ctx, collective_id)}")
    joints = federations.open_joints(found.id)
    if joints:
        lines.append("Open joint items:")
        for joint in joints:
            mine = next((b for b in federations.ballots(joint.id) if b.collective_id == ctx.collective.id), None)
            here = f"#{ctx.uow.items.get(mine.item_id).number} here" if mine else "not voted on here (joined later)"
            lines.append(f"• J{joint.id} {joint.title} — {here}, closes {ctx.time(joint.closes_at)}")
    else:
        lines.append(f"No open joint items. {cmd('propose')} joint TITLE raises one.")
    ctx.reply("\n".join(lines))


def delegate(scope: Scope, collective_id: int) -> Member | None:
    role = scope.uow.roles.named(collective_id, DELEGATE)
    if role is None or role.holder_id is None:
        return None
    return scope.uow.members.get(role.holder_id)


def delegate_name(scope: Scope, collective_id: int) -> str:
    holder = delegate(scope, collective_id)
    return scope.name(holder) if holder else f"none ({cmd('rotation')} add delegate …)"


@command("unfederate", "leave the federation (by proposal)", section=SECTION)
def unfederate(ctx: Context, member: Member) -> None:
    require_federation(ctx)
    open_proposal(ctx, UnfederateProposal.topic, "Leave the federation", {"what": "leave"})


def carry_out_unfederate(scope: Scope, item: Item, adopted: bool) -> str:
    if not adopted:
        return ""
    from bot.joint import leave_joints  # (joint items build on this module)

    found = federation_of(scope)
    if found is None:
        return "But this collective had left the federation already."
    members = scope.uow.federations.members(found.id)
    scope.uow.lock_collectives(members)
    scope.uow.federations.leave(scope.collective.id)
    leaver = label(scope, scope.collective.id)
    for collective_id in members:
        if collective_id != scope.collective.id:
            scope_of(scope, collective_id).announce(f"{leaver} left our federation.")
    leave_joints(scope, found)
    return "This collective has left the federation."
