"""Steering a round: the facilitator (or, with no facilitator, the members as
the contract allows) gives it more time or closes it before its deadline —
always under the round's own frozen terms, never by one person's hand alone."""

from __future__ import annotations

from datetime import timedelta

from bot.closing import close, settle_if_due
from bot.commands import Arg, command
from bot.context import Context
from bot.decision import quorum_needed
from bot.durations import LONGEST, describe_duration, later, parse_duration
from bot.errors import Refusal
from bot.items import item_number, looks_like_item_number, resolve
from bot.kinds import heading
from bot.language import N_, _, ngettext
from bot.model import FACILITATOR, Member
from bot.proposals import current_round
from bot.responses import refuse_unless_open
from bot.rotation import holder_of
from bot.rounds import SILENT, schedule, standing, unschedule

_N = Arg("number", N_("N"), item_number, optional=True, looks=looks_like_item_number)
_SECTION = N_("Proposals")


_ONLY_THE_FACILITATOR = {
    "extend": N_("Only the facilitator ({name}, this term) can extend a round."),
    "close": N_("Only the facilitator ({name}, this term) can close a round."),
}


def may_steer(ctx: Context, member: Member, verb: str) -> bool:
    """Who may close early or extend: the current facilitator, where the role
    is filled; otherwise any member (under the rules of /close and /extend).
    Returns whether the facilitator is acting."""
    facilitator = holder_of(ctx.uow, ctx.collective.id, FACILITATOR)
    if facilitator is None:
        return False
    if facilitator.id != member.id:
        raise Refusal(_(_ONLY_THE_FACILITATOR[verb], name=ctx.name(facilitator)))
    return True


@command(
    "extend", N_("give a round more time"), args=(_N, Arg("duration", N_("DURATION"), parse_duration)), section=_SECTION
)
def extend(ctx: Context, member: Member, number: int | None, duration: timedelta) -> None:
    facilitating = may_steer(ctx, member, "extend")
    item = resolve(ctx, number, "extend")
    round_ = current_round(ctx, item)
    if settle_if_due(ctx, item, round_):
        return
    refuse_unless_open(ctx, item, round_)
    if not facilitating and (item.author_id != member.id or item.data.get("private")):
        raise Refusal(_("Without a facilitator, only whoever raised #{number} can extend it.", number=item.number))
    if round_.mode == SILENT:
        raise Refusal(
            _(
                "#{number}'s time for objections is not extended; object to it if it needs a full round.",
                number=item.number,
            )
        )
    if not facilitating and round_.extensions:  # one member must not keep a round open for ever
        raise Refusal(
            _(
                "Without a facilitator a round is extended once, and {heading} was. It closes {when}.",
                heading=heading(item),
                when=ctx.time(round_.closes_at),
            )
        )
    if not facilitating and duration > ctx.settings.proposal_duration:
        raise Refusal(
            # Translators: proposal_duration is the setting's key, as typed in /set: keep it as it is.
            _(
                "Without a facilitator a round is extended by at most the collective's proposal_duration ({duration}).",
                duration=describe_duration(ctx.settings.proposal_duration),
            )
        )
    closes_at = later(round_.closes_at, duration, ctx.settings.timezone)
    if closes_at - round_.opened_at > LONGEST:
        raise Refusal(
            _(
                "A round stays open a year at most; {heading} closes {when}.",
                heading=heading(item),
                when=ctx.time(round_.closes_at),
            )
        )
    unschedule(ctx, round_)
    round_.closes_at, round_.extensions = closes_at, round_.extensions + 1
    ctx.uow.rounds.save(round_)
    schedule(ctx, round_)
    ctx.reply(
        _(
            "{heading} now closes {when} (extended by {duration} by {name}).",
            heading=heading(item),
            when=ctx.time(round_.closes_at),
            duration=describe_duration(duration),
            name=ctx.name(member),
        )
    )


@command("close", N_("close a round now (once quorum is met)"), args=(_N,), section=_SECTION)
def close_now(ctx: Context, member: Member, number: int | None) -> None:
    facilitating = may_steer(ctx, member, "close")
    item = resolve(ctx, number, "close")
    round_ = current_round(ctx, item)
    if settle_if_due(ctx, item, round_):
        return
    refuse_unless_open(ctx, item, round_)
    if round_.mode == SILENT:
        raise Refusal(
            _(
                "{heading} is approved {when} unless someone objects before then; "
                "that time is for objections, so it does not close early.",
                heading=heading(item),
                when=ctx.time(round_.closes_at),
            )
        )
    state = standing(ctx, round_)
    answered, roll = len(state.responses), len(state.roll)
    by_itself = _("It closes by itself {when}.", when=ctx.time(round_.closes_at))
    if facilitating:  # under the round's own frozen quorum, never the current setting
        needed = quorum_needed(ctx.settings.under(round_.terms).quorum, roll)
        if answered < needed:
            early = ngettext(
                "{heading} cannot close early: {answered} of {roll} have responded and its quorum needs {count}.",
                "{heading} cannot close early: {answered} of {roll} have responded and its quorum needs {count}.",
                needed,
                heading=heading(item),
                answered=answered,
                roll=roll,
            )
            raise Refusal(f"{early} {by_itself}")
    else:  # everyone themselves: a proxy's response leaves its giver free to replace it until the deadline
        own = {m.id for m, r in state.responses if r.by_proxy is None}
        if len(own) < roll or not roll:
            silent = ", ".join(ctx.name(m) for m in state.roll if m.id not in own)
            proxied = answered - len(own)
            values = {"heading": heading(item), "own": len(own), "roll": roll}
            if proxied:
                early = ngettext(
                    "{heading} cannot close early: with no facilitator, a round closes before its deadline only "
                    "once everyone on its roll has responded ({own} of {roll} so far; {count} more by proxy, which "
                    "its giver may still replace).",
                    "{heading} cannot close early: with no facilitator, a round closes before its deadline only "
                    "once everyone on its roll has responded ({own} of {roll} so far; {count} more by proxy, which "
                    "its giver may still replace).",
                    proxied,
                    **values,
                )
            else:
                early = _(
                    "{heading} cannot close early: with no facilitator, a round closes before its deadline only "
                    "once everyone on its roll has responded ({own} of {roll} so far).",
                    **values,
                )
            if silent and not item.data.get("private"):
                early += " " + _("Not yet responded: {names}.", names=silent)
            raise Refusal(f"{early} {by_itself}")
    if close(ctx, item, round_, closed_by=ctx.name(member)) is None:
        outcome = ctx.uow.rounds.get(round_.id).outcome  # written when it closed
        raise Refusal(_("{heading} was closed a moment ago. Its outcome:", heading=heading(item)) + "\n" + outcome)
