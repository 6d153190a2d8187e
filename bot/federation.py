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
from bot.language import N_, _, ngettext, speaking
from bot.model import DELEGATE, DueWork, Item, Member, Topic
from bot.settings import CollectiveSettings

CODE_VALID = timedelta(hours=24)
DIGEST = "federation_digest"
DIGEST_EVERY = timedelta(weeks=1)
SECTION = N_("Federation")


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
        # Translators: how a collective is named to the other collectives of its federation, by its number.
        return _("collective {number}", number=collective_id)
    platform, chat_id = chats[0]
    # Translators: a collective named to the others by its number and its first chat (a chat id on Telegram or
    # Matrix).
    return _(
        "collective {number} ({chat} on {platform})", number=collective_id, chat=chat_id, platform=platform.capitalize()
    )


def federation_of(scope: Scope) -> Federation | None:
    return scope.uow.federations.of_collective(scope.collective.id)


def require_federation(ctx: Context) -> Federation:
    federation = federation_of(ctx)
    if federation is None:
        raise Refusal(_("This collective belongs to no federation. /federate invites another collective to one."))
    return federation


def open_proposal(ctx: Context, topic: Topic, title: str, data: dict) -> Item:
    from bot.proposals import new_item  # (proposals raises joint items from here: imported when used)
    from bot.rounds import open_round

    if ctx.uow.items.find_open(ctx.collective.id, topic, "what", data["what"]) is not None:
        raise Refusal(_("A proposal like this one is open already: /proposals shows it."))
    item = new_item(ctx, topic, title, data=data)
    open_round(ctx, item, ctx.settings.proposal_duration)
    return item


def parse_code(text: str) -> str:
    if not codes.looks_like_code(text):
        raise ValueError(
            _(
                "'{text}' is not a federation code: codes are {length} letters and digits.",
                text=text,
                length=codes.LENGTH,
            )
        )
    return text.upper()


@command(
    "federate",
    N_("invite another collective into a federation, or join one with its code (by proposal)"),
    args=(Arg("code", N_("CODE"), parse_code, optional=True),),
    section=SECTION,
    details=N_(
        "/federate opens a proposal; once adopted I give a code, valid 24 h. In the other collective's chat, "
        "/federate CODE opens a proposal there; once that is adopted, both belong to one federation (or the "
        "newcomer joins the one the inviting collective is in)."
    ),
)
def federate(ctx: Context, member: Member, code: str | None) -> None:
    collective = ctx.collective
    own = federation_of(ctx)
    if code is None:
        if own is None:
            title = _("Invite another collective to federate with us")
        else:
            title = _("Invite a collective into our federation")
        open_proposal(ctx, FederateProposal.topic, title, {"what": "invite"})
        return
    invitation = ctx.uow.federations.invitation(code)
    if invitation is None or invitation.used_by is not None or invitation.expires_at <= ctx.now:
        raise Refusal(
            _(
                "{code} is not a federation code I gave, or it was used or has expired. Codes are valid for 24 h.",
                code=code,
            )
        )
    if invitation.collective_id == collective.id:
        raise Refusal(_("{code} is this collective's own code: it is for another collective's chat.", code=code))
    if own is not None:
        theirs = ctx.uow.federations.of_collective(invitation.collective_id)
        if theirs is not None and theirs.id == own.id:
            raise Refusal(_("This collective is in that federation already: /federation shows it."))
        raise Refusal(
            _("This collective belongs to a federation already; it can be in one at a time (/unfederate leaves).")
        )
    inviter = label(ctx, invitation.collective_id)
    title = _("Federate with {collective}", collective=inviter)
    open_proposal(ctx, FederateProposal.topic, title, {"what": f"join {code}", "code": code})


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
        words = _(
            "The federation code is {code} (valid until {when}). Someone in the other collective's chat types "
            "/federate {code}; their collective decides by its own rule.",
            code=code,
            when=scope.time(invitation.expires_at),
        )
        proposer = scope.uow.members.get(item.author_id) if item.author_id is not None else None
        if proposer is None or not proposer.active:
            return words
        # Privately, as a link code (bot.linking): the outcome is kept in the record and its export.
        scope.tell(proposer, _("#{number} is adopted.", number=item.number) + " " + words, about=item)
        return _(
            "{name}, who proposed it, has the federation code by direct message, to hand to the other collective "
            "(valid until {when}).",
            name=scope.name(proposer),
            when=scope.time(invitation.expires_at),
        )
    return _join(scope, item.data["code"])


def _join(scope: Scope, code: str) -> str:
    federations = scope.uow.federations
    invitation = federations.invitation(code)
    if federations.of_collective(scope.collective.id) is not None:
        return _("But this collective joined a federation meanwhile; it can be in one at a time.")
    scope.uow.lock_collectives([scope.collective.id, invitation.collective_id])
    if not federations.use_invitation(code, scope.collective.id):
        return _("But the code {code} was used by another collective meanwhile: ask for a new one.", code=code)
    federation = federations.of_collective(invitation.collective_id)
    if federation is None:
        federation = federations.add(Federation(None, scope.now, FederationRule.UNANIMOUS))
        federations.join(federation.id, invitation.collective_id, scope.now)
        first_digest = scope.now + DIGEST_EVERY
        scope.uow.due.add(DueWork(None, invitation.collective_id, DIGEST, federation.id, first_digest))
    others = federations.members(federation.id)
    federations.join(federation.id, scope.collective.id, scope.now)
    for collective_id in others:
        other = scope_of(scope, collective_id)
        with speaking(other.settings.language):
            other.announce(
                ngettext(
                    "{collective} joined our federation, which is now {count} collective. /federation shows it.",
                    "{collective} joined our federation, which is now {count} collectives. /federation shows it.",
                    len(others) + 1,
                    collective=label(scope, scope.collective.id),
                )
            )
    names = ", ".join(label(scope, collective_id) for collective_id in others)
    return _("This collective is now in a federation with {collectives}. /federation shows it.", collectives=names)


@command(
    "federation",
    N_("the federation: its collectives, their delegates, open joint items, its rule"),
    args=(Arg("change", "rule unanimous|majority", optional=True, rest=True),),
    section=SECTION,
    # Translators: "rule", "majority" and "unanimous" are typed as they are, in every language.
    details=N_(
        "/federation rule majority (or unanimous) opens a joint item to change the rule; it is adopted only when "
        "every collective adopts it, whatever the rule in force."
    ),
)
def federation(ctx: Context, change: str | None) -> None:
    ctx.require_collective()
    found = require_federation(ctx)
    if change is not None:
        from bot.joint import propose_rule  # (joint items build on this module)

        propose_rule(ctx, ctx.require_member(), found, change)
        return
    federations = ctx.uow.federations
    # Translators: {rule} is the federation's rule as typed in commands: unanimous or majority.
    lines = [_("Our federation (rule: {rule}; a change of rule needs every collective):", rule=found.rule)]
    for collective_id in federations.members(found.id):
        shown = {"collective": label(ctx, collective_id), "name": delegate_name(ctx, collective_id)}
        if collective_id == ctx.collective.id:
            lines.append(_("• {collective} — this collective: delegate {name}", **shown))
        else:
            lines.append(_("• {collective}: delegate {name}", **shown))
    joints = federations.open_joints(found.id)
    if joints:
        lines.append(_("Open joint items:"))
        for joint in joints:
            mine = next((b for b in federations.ballots(joint.id) if b.collective_id == ctx.collective.id), None)
            shown = {"joint": joint.id, "title": joint.title, "when": ctx.time(joint.closes_at)}
            if mine:
                number = ctx.uow.items.get(mine.item_id).number
                lines.append(_("• J{joint} {title} — #{number} here, closes {when}", number=number, **shown))
            else:
                lines.append(_("• J{joint} {title} — not voted on here (joined later), closes {when}", **shown))
    else:
        lines.append(_("No open joint items. /propose joint TITLE raises one."))
    ctx.reply("\n".join(lines))


def delegate(scope: Scope, collective_id: int) -> Member | None:
    role = scope.uow.roles.named(collective_id, DELEGATE)
    if role is None or role.holder_id is None:
        return None
    return scope.uow.members.get(role.holder_id)


def delegate_name(scope: Scope, collective_id: int) -> str:
    holder = delegate(scope, collective_id)
    if holder:
        return scope.name(holder)
    # Translators: no member holds the delegate role; "add delegate" is typed as it is, in every language.
    return _("none (/rotation add delegate …)")


@command("unfederate", N_("leave the federation (by proposal)"), section=SECTION)
def unfederate(ctx: Context, member: Member) -> None:
    require_federation(ctx)
    open_proposal(ctx, UnfederateProposal.topic, _("Leave the federation"), {"what": "leave"})


def carry_out_unfederate(scope: Scope, item: Item, adopted: bool) -> str:
    if not adopted:
        return ""
    from bot.joint import leave_joints  # (joint items build on this module)

    found = federation_of(scope)
    if found is None:
        return _("But this collective had left the federation already.")
    members = scope.uow.federations.members(found.id)
    scope.uow.lock_collectives(members)
    scope.uow.federations.leave(scope.collective.id)
    for collective_id in members:
        if collective_id != scope.collective.id:
            other = scope_of(scope, collective_id)
            with speaking(other.settings.language):
                other.announce(_("{collective} left our federation.", collective=label(scope, scope.collective.id)))
    leave_joints(scope, found)
    return _("This collective has left the federation.")
