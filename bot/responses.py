"""Responding to a proposal: agree, stand aside, object, block — by command,
or by choosing on the proposal's message (button, reaction, number)."""

from __future__ import annotations

from bot.actions import DirectMessage
from bot.closing import settle_if_due
from bot.commands import Arg, command
from bot.context import Context
from bot.errors import PrivateRefusal, Refusal
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import heading, kind_of
from bot.language import N_, _
from bot.model import (
    AGREE,
    BLOCK,
    OBJECT,
    ROUND_OPEN,
    ROUND_WITHDRAWN,
    STAND_ASIDE,
    Item,
    Member,
    Response,
    Round,
    Status,
)
from bot.proxies import proxy_for
from bot.rounds import NOUNS, SILENT, as_proxy, escalate, refresh, round_id_of
from bot.text import one_line

REASON_NEEDED = (OBJECT, BLOCK)
MAX_REASON = 1000

# What the bot says a member's response is, by its kind: first given, and changed from another.
GIVEN = {
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    AGREE: N_("{who} agrees with {heading}"),
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    STAND_ASIDE: N_("{who} stands aside on {heading}"),
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    OBJECT: N_("{who} objects to {heading}"),
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    BLOCK: N_("{who} blocks {heading}"),
}
CHANGED = {
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    AGREE: N_("{who} now agrees with {heading}"),
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    STAND_ASIDE: N_("{who} now stands aside on {heading}"),
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    OBJECT: N_("{who} now objects to {heading}"),
    # Translators: {who} is a member's name (or "Bob for Alice", a proxy's response); {heading} is "#4 Title".
    BLOCK: N_("{who} now blocks {heading}"),
}
# A response that needs a reason, given without one: how to give it (for oneself, as a proxy, by a button).
WHY = {
    OBJECT: N_("To object you need to say why: /object {number} REASON"),
    BLOCK: N_("To block you need to say why: /block {number} REASON"),
}
WHY_FOR = {
    # Translators: "for" is typed as it is, in English (the proxy's command: /object 4 for alice REASON).
    OBJECT: N_("To object you need to say why: /object {number} for {name} REASON"),
    # Translators: "for" is typed as it is, in English (the proxy's command: /object 4 for alice REASON).
    BLOCK: N_("To block you need to say why: /block {number} for {name} REASON"),
}
WHY_CHOSEN = {
    OBJECT: N_("{name}, to object you need to say why: /object {number} REASON"),
    BLOCK: N_("{name}, to block you need to say why: /block {number} REASON"),
}


def respond(ctx: Context, member: Member, kind: str, item: Item, reason: str) -> None:
    if not kind_of(item).has_round:
        raise Refusal(_("#{number} asks for help, not for a decision: /offer {number} to help.", number=item.number))
    proxied = proxy_for(ctx, member, reason)  # "/agree 4 for alice": member responds as alice's proxy
    proxy = None
    voter = member
    if proxied is not None:
        voter, proxy, reason = proxied
        if item.data.get("private"):
            # Who is counted on a private need tells who asked (whoever asked is not on its roll): a proxy
            # never responds there, and hears so alike on every private need, by direct message only.
            raise PrivateRefusal(
                _(
                    "#{number} is a private need: proxies do not respond on private needs, since whose "
                    "response counts there could tell who asked. {name} responds to it themselves.",
                    number=item.number,
                    name=ctx.name(voter),
                )
            )
        if proxy.item_id is not None and proxy.item_id != item.id:
            only = ctx.uow.items.get(proxy.item_id).number
            raise Refusal(_("Your proxy of {name} is for #{number} only.", name=ctx.name(voter), number=only))
    round_, on_roll, replaced, replaced_by = ctx.uow.reads.latest_with_entry(item.id, voter.id)
    if settle_if_due(ctx, item, round_):
        late = _(
            "{name}, that came after {heading} closed; it was not counted.",
            name=ctx.name(member),
            heading=heading(item),
        )
        ctx.acknowledge(late)
        return
    refuse_unless_open(ctx, item, round_)
    # On a private need a typed response is confirmed privately, and the group reads the same line
    # whoever typed it: otherwise the one command answered differently would say who asked.
    in_the_open = bool(item.data.get("private")) and ctx.reply_to is not None
    if kind in REASON_NEEDED and not reason:
        if proxy:
            raise Refusal(_(WHY_FOR[kind], number=item.number, name=voter.display_name))
        raise Refusal(_(WHY[kind], number=item.number))
    if len(reason) > MAX_REASON:
        raise Refusal(_("Please keep the reason under {limit} characters.", limit=MAX_REASON))
    who = as_proxy(ctx.name(member), ctx.name(voter)) if proxy else ctx.name(member)
    if proxy is not None and replaced and replaced_by is None:
        raise Refusal(
            # Translators: {response} is the name of the response they gave: agree, stand aside, object, block.
            _(
                "{name} has responded themselves ({response}) on {heading}: their own response stands.",
                name=ctx.name(voter),
                response=_(NOUNS[replaced]),
                heading=heading(item),
            )
        )
    if proxy is None and not on_roll and item.data.get("private") and item.author_id == member.id:
        own = _(
            "#{number} is your own private need, so you are not on its roll and your response is not "
            "counted. The group read only that your response was noted.",
            number=item.number,
        )
        if not in_the_open:
            raise PrivateRefusal(own)
        ctx.reply(noted(item))
        ctx.actions.append(DirectMessage(ctx.sender.platform, ctx.sender.user_id, own))
        if round_.mode == SILENT and kind in REASON_NEEDED:
            # Whoever asked may want a full round too; and the group must see what anyone's objection does.
            escalate(ctx, item, round_)
        return
    if not on_roll:
        values = {"name": ctx.name(voter), "round": round_.number, "number": item.number}
        if proxy:
            raise Refusal(
                _(
                    "{name}, they joined after round {round} of #{number} opened, so they don't respond in it "
                    "(the roll is frozen when a round opens).",
                    **values,
                )
            )
        raise Refusal(
            _(
                "{name}, you joined after round {round} of #{number} opened, so you don't respond in it "
                "(the roll is frozen when a round opens). You will in its next round.",
                **values,
            )
        )
    by_proxy = member.id if proxy is not None else None
    ctx.uow.responses.put(Response(round_.id, voter.id, kind, reason, ctx.now, by_proxy=by_proxy))
    changed = replaced and (replaced != kind or replaced_by != by_proxy)
    said = _((CHANGED if changed else GIVEN)[kind], who=who, heading=heading(item))
    if changed and replaced_by is not None and proxy is None:
        holder = ctx.name(ctx.uow.members.get(replaced_by))
        # Translators: {said} is "Alice now agrees with #4 Title"; {holder} had responded as Alice's proxy, and
        # {previous} is the name of that response (agree, stand aside, object, block).
        said = _(
            "{said} (this replaces {holder}'s response for them: {previous})",
            said=said,
            holder=holder,
            previous=_(NOUNS[replaced]),
        )
    elif changed:
        # Translators: {said} is "Alice now agrees with #4 Title"; {previous} is the name of the response before
        # (agree, stand aside, object, block).
        said = _("{said} (was: {previous})", said=said, previous=_(NOUNS[replaced]))
    # Translators: {said} is "Alice objects to #4 Title"; {reason} what they typed as their reason.
    said = _("{said}: {reason}", said=said, reason=reason) if reason else f"{said}."
    if in_the_open:
        ctx.reply(noted(item))
        ctx.actions.append(DirectMessage(ctx.sender.platform, ctx.sender.user_id, said))
    else:
        ctx.acknowledge(said)
    if round_.mode == SILENT and kind in REASON_NEEDED:
        escalate(ctx, item, round_)
    refresh(ctx, item, round_)


def noted(item: Item) -> str:
    return _("Your response to #{number} is noted; I have confirmed it to you privately.", number=item.number)


def refuse_unless_open(ctx: Context, item: Item, round_: Round) -> None:
    if item.status == Status.WITHDRAWN or round_.status == ROUND_WITHDRAWN:
        raise Refusal(_("{heading} was withdrawn by its author.", heading=heading(item)))
    if round_.status != ROUND_OPEN:
        # Translators: {outcome} is the round's outcome as it was announced (kept in the language spoken then).
        raise Refusal(_("{heading} is closed. Its outcome:\n{outcome}", heading=heading(item), outcome=round_.outcome))


# Translators: in a usage line, the comment a member may add to their response (/agree [N] [COMMENT]).
COMMENT = N_("COMMENT")
# Translators: in a usage line, the reason a member gives for their response (/object [N] REASON).
REASON = N_("REASON")
# Each response's command: its summary in /help and its last argument (the metavars are N_, shown with _()).
_SUMMARIES = {
    AGREE: (N_("agree with a proposal"), COMMENT),
    STAND_ASIDE: (N_("stand aside: you won't stop it, but won't take part"), REASON),
    OBJECT: (N_("object, saying why (under consensus it does not stop it)"), REASON),
    BLOCK: (N_("block: a principled objection that stops it under consensus"), REASON),
}
# Translators: N is an item's number in a usage line (/agree [N]).
OPTIONAL_REASON = N_("N may be left out when only one item is open.")
# Translators: N is an item's number in a usage line (/object [N] REASON).
REQUIRED_REASON = N_("N may be left out when only one item is open. A reason is required.")


def _declare(kind: str, summary: str, metavar: str) -> None:
    """/agree, /standaside, /object and /block: one handler each, alike but for the response they give."""
    required = kind in REASON_NEEDED

    @command(
        kind,
        summary,
        args=(
            Arg("number", N_("N"), item_number, optional=True, looks=looks_like_item_number),
            Arg("reason", metavar, rest=True, optional=not required),
        ),
        section=N_("Proposals"),
        details=REQUIRED_REASON if required else OPTIONAL_REASON,
    )
    def run(ctx: Context, member: Member, number: int | None, reason: str | None) -> None:
        respond(ctx, member, kind, resolve(ctx, number, kind), one_line(reason or ""))


for _kind, (_summary, _metavar) in _SUMMARIES.items():
    _declare(_kind, _summary, _metavar)


def choice_made(ctx: Context, key: str, choice: str) -> None:
    """A button, reaction or number chosen on a round's message."""
    round_id = round_id_of(key)
    round_ = ctx.uow.rounds.find(round_id) if round_id is not None else None
    if round_ is None or choice not in NOUNS:
        return  # not an ask of ours (an old or forged button): nothing to do
    item = ctx.uow.items.get(round_.item_id)
    if ctx.collective is None or item.collective_id != ctx.collective.id:
        return
    latest = ctx.uow.rounds.latest(item.id)
    if round_.id != latest.id:
        raise Refusal(
            _(
                "That message is for round {round} of #{number}, which was amended; respond to round {latest}.",
                round=round_.number,
                number=item.number,
                latest=latest.number,
            )
        )
    if choice in REASON_NEEDED:
        ctx.require_member()
        refuse_unless_open(ctx, item, round_)
        raise Refusal(_(WHY_CHOSEN[choice], name=ctx.sender.display_name, number=item.number))
    respond(ctx, ctx.require_member(), choice, item, "")


def choice_withdrawn(ctx: Context, key: str, choice: str) -> None:
    """A reaction taken back: the member's response of that kind is withdrawn."""
    round_id = round_id_of(key)
    round_ = ctx.uow.rounds.find(round_id) if round_id is not None else None
    member = ctx.member
    if round_ is None or member is None or choice not in NOUNS:
        return
    item = ctx.uow.items.get(round_.item_id)
    if ctx.collective is None or item.collective_id != ctx.collective.id or round_.status != ROUND_OPEN:
        return  # a closed round keeps its record
    if ctx.uow.responses.remove(round_.id, member.id, choice):
        ctx.acknowledge(
            # Translators: {response} is the name of the response withdrawn: agree, stand aside, object, block.
            _(
                "{name} withdraws their response ({response}) to {heading}.",
                name=ctx.name(member),
                response=_(NOUNS[choice]),
                heading=heading(item),
            )
        )
        refresh(ctx, item, round_)
