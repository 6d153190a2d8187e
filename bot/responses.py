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
from bot.rounds import NOUNS, SILENT, VERBS, escalate, refresh, round_id_of
from bot.text import cmd, one_line

REASON_NEEDED = (OBJECT, BLOCK)
MAX_REASON = 1000


def respond(ctx: Context, member: Member, kind: str, item: Item, reason: str) -> None:
    if not kind_of(item).has_round:
        raise Refusal(f"#{item.number} asks for help, not for a decision: {cmd('offer')} {item.number} to help.")
    proxied = proxy_for(ctx, member, reason)  # "/agree 4 for alice": member responds as alice's proxy
    proxy = None
    voter = member
    if proxied is not None:
        voter, proxy, reason = proxied
        if item.data.get("private"):
            # Who is counted on a private need tells who asked (whoever asked is not on its roll): a proxy
            # never responds there, and hears so alike on every private need, by direct message only.
            raise PrivateRefusal(
                f"#{item.number} is a private need: proxies do not respond on private needs, since whose "
                f"response counts there could tell who asked. {ctx.name(voter)} responds to it themselves."
            )
        if proxy.item_id is not None and proxy.item_id != item.id:
            only = ctx.uow.items.get(proxy.item_id).number
            raise Refusal(f"Your proxy of {ctx.name(voter)} is for #{only} only.")
    round_, on_roll, replaced, replaced_by = ctx.uow.reads.latest_with_entry(item.id, voter.id)
    if settle_if_due(ctx, item, round_):
        ctx.acknowledge(f"{ctx.name(member)}, that came after {heading(item)} closed; it was not counted.")
        return
    refuse_unless_open(ctx, item, round_)
    # On a private need a typed response is confirmed privately, and the group reads the same line
    # whoever typed it: otherwise the one command answered differently would say who asked.
    in_the_open = bool(item.data.get("private")) and ctx.reply_to is not None
    if kind in REASON_NEEDED and not reason:
        how = f" for {voter.display_name}" if proxy else ""
        raise Refusal(f"To {NOUNS[kind]} you need to say why: {cmd(kind)} {item.number}{how} REASON")
    if len(reason) > MAX_REASON:
        raise Refusal(f"Please keep the reason under {MAX_REASON} characters.")
    who = f"{ctx.name(member)} for {ctx.name(voter)}" if proxy else ctx.name(member)
    if proxy is not None and replaced and replaced_by is None:
        raise Refusal(
            f"{ctx.name(voter)} has responded themselves ({NOUNS[replaced]}) on {heading(item)}: "
            "their own response stands."
        )
    if proxy is None and not on_roll and item.data.get("private") and item.author_id == member.id:
        own = (
            f"#{item.number} is your own private need, so you are not on its roll and your response is not "
            "counted. The group read only that your response was noted."
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
        raise Refusal(
            f"{ctx.name(voter)}, {'they' if proxy else 'you'} joined after round {round_.number} of #{item.number} "
            f"opened, so {'they' if proxy else 'you'} don't respond in it (the roll is frozen when a round opens)."
            + ("" if proxy else " You will in its next round.")
        )
    by_proxy = member.id if proxy is not None else None
    ctx.uow.responses.put(Response(round_.id, voter.id, kind, reason, ctx.now, by_proxy=by_proxy))
    changed = replaced and (replaced != kind or replaced_by != by_proxy)
    said = f"{who} {'now ' if changed else ''}{VERBS[kind]} {heading(item)}"
    if changed and replaced_by is not None and proxy is None:
        holder = ctx.uow.members.get(replaced_by)
        said += f" (this replaces {ctx.name(holder)}'s response for them: {NOUNS[replaced]})"
    elif changed:
        said += f" (was: {NOUNS[replaced]})"
    said += f": {reason}" if reason else "."
    if in_the_open:
        ctx.reply(noted(item))
        ctx.actions.append(DirectMessage(ctx.sender.platform, ctx.sender.user_id, said))
    else:
        ctx.acknowledge(said)
    if round_.mode == SILENT and kind in REASON_NEEDED:
        escalate(ctx, item, round_)
    refresh(ctx, item, round_)


def noted(item: Item) -> str:
    return f"Your response to #{item.number} is noted; I have confirmed it to you privately."


def refuse_unless_open(ctx: Context, item: Item, round_: Round) -> None:
    if item.status == Status.WITHDRAWN or round_.status == ROUND_WITHDRAWN:
        raise Refusal(f"{heading(item)} was withdrawn by its author.")
    if round_.status != ROUND_OPEN:
        raise Refusal(f"{heading(item)} is closed. Its outcome:\n{round_.outcome}")


_SUMMARIES = {
    AGREE: ("agree with a proposal", "COMMENT"),
    STAND_ASIDE: ("stand aside: you won't stop it, but won't take part", "REASON"),
    OBJECT: ("object, saying why (under consensus it does not stop it)", "REASON"),
    BLOCK: ("block: a principled objection that stops it under consensus", "REASON"),
}


def _declare(kind: str, summary: str, metavar: str) -> None:
    """/agree, /standaside, /object and /block: one handler each, alike but for the response they give."""
    required = kind in REASON_NEEDED

    @command(
        kind,
        summary,
        args=(
            Arg("number", "N", item_number, optional=True, looks=looks_like_item_number),
            Arg("reason", metavar, rest=True, optional=not required),
        ),
        section="Proposals",
        details="N may be left out when only one item is open." + (" A reason is required." if required else ""),
    )
    def run(ctx: Context, member: Member, number: int | None, reason: str | None) -> None:
        respond(ctx, member, kind, resolve(ctx, number, kind), one_line(reason or ""))


for _kind, (_summary, _metavar) in _SUMMARIES.items():
    _declare(_kind, _summary, _metavar)


def choice_made(ctx: Context, key: str, choice: str) -> None:
    """A button, reaction or number chosen on a round's message."""
    round_id = round_id_of(key)
    round_ = ctx.uow.rounds.find(round_id) if round_id is not None else None
    if round_ is None or choice not in VERBS:
        return  # not an ask of ours (an old or forged button): nothing to do
    item = ctx.uow.items.get(round_.item_id)
    if ctx.collective is None or item.collective_id != ctx.collective.id:
        return
    latest = ctx.uow.rounds.latest(item.id)
    if round_.id != latest.id:
        raise Refusal(
            f"That message is for round {round_.number} of #{item.number}, which was amended; "
            f"respond to round {latest.number}."
        )
    if choice in REASON_NEEDED:
        ctx.require_member()
        refuse_unless_open(ctx, item, round_)
        raise Refusal(
            f"{ctx.sender.display_name}, to {NOUNS[choice]} you need to say why: {cmd(choice)} {item.number} REASON"
        )
    respond(ctx, ctx.require_member(), choice, item, "")


def choice_withdrawn(ctx: Context, key: str, choice: str) -> None:
    """A reaction taken back: the member's response of that kind is withdrawn."""
    round_id = round_id_of(key)
    round_ = ctx.uow.rounds.find(round_id) if round_id is not None else None
    member = ctx.member
    if round_ is None or member is None or choice not in VERBS:
        return
    item = ctx.uow.items.get(round_.item_id)
    if ctx.collective is None or item.collective_id != ctx.collective.id or round_.status != ROUND_OPEN:
        return  # a closed round keeps its record
    if ctx.uow.responses.remove(round_.id, member.id, choice):
        ctx.acknowledge(f"{ctx.name(member)} withdraws their response ({NOUNS[choice]}) to {heading(item)}.")
        refresh(ctx, item, round_)
