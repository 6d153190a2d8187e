"""``/review N WHEN``: set, change or take away the review date of an adopted item — by proposal, like
every change to what the collective decided (``bot.review`` brings it back when the date falls due)."""

from __future__ import annotations

from bot.commands import Arg, command
from bot.context import Context, Scope
from bot.errors import Refusal
from bot.items import item_number, resolve
from bot.kinds import ReviewProposal, heading, kind_of
from bot.model import Item, Member, Status
from bot.proposals import new_item
from bot.review import set_review, under_review
from bot.review_dates import FORMS, describe_when, parse_when, too_far_or_past
from bot.rounds import open_round
from bot.text import cmd


def _when(text: str) -> dict | None:
    if text.strip().lower() == "off":
        return None
    return parse_when(text)


@command(
    "review",
    "propose a review date for an adopted proposal, setting or role (or none)",
    args=(Arg("number", "N", item_number), Arg("when", "in DURATION|on DATE|off", _when, rest=True)),
    details=f"E.g. {cmd('review')} 4 in 26w (counted from when this is adopted) or {cmd('review')} 4 on "
    "2027-06-01. When it falls due, the item comes up for review: a new round under the rules as they are then; "
    "not adopted again, "
    f"it lapses (a setting goes back to its previous value, a role is removed). {cmd('review')} N off takes the date "
    f"away. A proposal may also carry one on its last line: {FORMS}.",
    section="Proposals",
)
def review(ctx: Context, member: Member, number: int, when: dict | None) -> None:
    item = resolve(ctx, number, "review")
    _refuse_unless_reviewable(ctx, item, when)
    if len(ctx.uow.members.active(ctx.collective.id)) == 1:
        said = set_review(ctx, item, when)
        ctx.uow.items.save(item)
        ctx.reply(f"You are the only member, so it applies at once: {said}")
        return
    pending = ctx.uow.items.find_open(ctx.collective.id, ReviewProposal.topic, "target", item.id)
    if pending is not None:
        raise Refusal(f"{heading(pending)} is still open; respond to it, or wait for its outcome.")
    if when is None:
        title = f"Take away the review date of #{item.number} {item.title}"
    elif "in" in when:
        title = f"Review #{item.number} {item.title} {describe_when(when).replace('it is', 'this is')}"
    else:
        title = f"Review #{item.number} {item.title} on {when['on']}"
    data = {"target": item.id, "when": when}
    open_round(ctx, new_item(ctx, ReviewProposal.topic, title[:200], data=data), ctx.settings.proposal_duration)


def _refuse_unless_reviewable(ctx: Context, item: Item, when: dict | None) -> None:
    kind = kind_of(item)
    if not kind.reviewable:
        raise Refusal(f"#{item.number} cannot have a review date: {kind.not_reviewable}.")
    if under_review(item):
        raise Refusal(f"{heading(item)} is up for review now; its round decides whether it stands.")
    if item.status == Status.OPEN:
        raise Refusal(
            f"{heading(item)} is still being decided. A review date is set once it is adopted (its author may "
            f"put one on its last line with {cmd('amend')}: {FORMS})."
        )
    if item.status != Status.ADOPTED:
        raise Refusal(f"{heading(item)} is {item.status.replace('_', ' ')}: only an adopted item comes up for review.")
    if when is None and "review_at" not in item.data:
        raise Refusal(f"{heading(item)} has no review date to take away.")
    if when is not None and (problem := too_far_or_past(when, ctx.now, ctx.settings.timezone)):
        raise Refusal(problem)


def carry_out_review(scope: Scope, item: Item, adopted: bool) -> str:
    """The /review proposal adopted: its item gets the review date (counted from now)."""
    if not adopted:
        return ""
    target = scope.uow.items.get(item.data["target"])
    if target.status != Status.ADOPTED or under_review(target):
        state = "up for review" if under_review(target) else target.status.replace("_", " ")
        return f"But #{target.number} is {state} now, so its review date did not change."
    said = set_review(scope, target, item.data["when"])
    scope.uow.items.save(target)
    return said
