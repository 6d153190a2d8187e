"""``/review N WHEN``: set, change or take away the review date of an adopted item — by proposal, like
every change to what the collective decided (``bot.review`` brings it back when the date falls due)."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import Arg, command
from bot.context import Context, Scope
from bot.durations import describe_duration
from bot.errors import Refusal
from bot.items import item_number, resolve
from bot.kinds import ReviewProposal, heading, kind_of
from bot.language import N_, _
from bot.model import Item, Member, Status
from bot.proposals import new_item
from bot.review import set_review, under_review
from bot.review_dates import FORMS, parse_when, too_far_or_past
from bot.rounds import open_round


def _when(text: str) -> dict | None:
    if text.strip().lower() == "off":
        return None
    return parse_when(text)


@command(
    "review",
    N_("propose a review date for an adopted proposal, setting or role (or none)"),
    # Translators: how WHEN is written; "in", "on" and "off" are typed as they are, in English.
    args=(Arg("number", "N", item_number), Arg("when", N_("in DURATION|on DATE|off"), _when, rest=True)),
    # Translators: "in 26w", "on 2027-06-01", "off" and "review in", "review on" are typed as they are, in English.
    details=N_(
        "E.g. /review 4 in 26w (counted from when this is adopted) or /review 4 on "
        "2027-06-01. When it falls due, the item comes up for review: a new round under the rules as they are then; "
        "not adopted again, it lapses (a setting goes back to its previous value, a role is removed). /review N off "
        "takes the date away. A proposal may also carry one on its last line: review in 26w, or review on 2027-06-01."
    ),
    section=N_("Proposals"),
)
def review(ctx: Context, member: Member, number: int, when: dict | None) -> None:
    item = resolve(ctx, number, "review")
    _refuse_unless_reviewable(ctx, item, when)
    if len(ctx.uow.members.active(ctx.collective.id)) == 1:
        said = set_review(ctx, item, when)
        ctx.uow.items.save(item)
        # Translators: {said} is a sentence saying what was done.
        ctx.reply(_("You are the only member, so it applies at once: {said}", said=said))
        return
    pending = ctx.uow.items.find_open(ctx.collective.id, ReviewProposal.topic, "target", item.id)
    if pending is not None:
        raise Refusal(_("{heading} is still open; respond to it, or wait for its outcome.", heading=heading(pending)))
    if when is None:
        title = _("Take away the review date of #{number} {title}", number=item.number, title=item.title)
    elif "in" in when:
        duration = describe_duration(timedelta(seconds=when["in"]))
        title = _(
            "Review #{number} {title} {duration} after this is adopted",
            number=item.number,
            title=item.title,
            duration=duration,
        )
    else:
        title = _("Review #{number} {title} on {date}", number=item.number, title=item.title, date=when["on"])
    data = {"target": item.id, "when": when}
    open_round(ctx, new_item(ctx, ReviewProposal.topic, title[:200], data=data), ctx.settings.proposal_duration)


def _refuse_unless_reviewable(ctx: Context, item: Item, when: dict | None) -> None:
    kind, shown = kind_of(item), heading(item)
    if not kind.reviewable:
        # Translators: {reason} says why, e.g. "a need for help is not a decision".
        raise Refusal(
            _("#{number} cannot have a review date: {reason}.", number=item.number, reason=_(kind.not_reviewable))
        )
    if under_review(item):
        raise Refusal(_("{heading} is up for review now; its round decides whether it stands.", heading=shown))
    if item.status == Status.OPEN:
        raise Refusal(
            # Translators: {forms} shows how a review date is written ("review in 26w, or review on 2027-06-01").
            _(
                "{heading} is still being decided. A review date is set once it is adopted (its author may "
                "put one on its last line with /amend: {forms}).",
                heading=shown,
                forms=_(FORMS),
            )
        )
    if item.status != Status.ADOPTED:
        raise Refusal(
            _(NOT_ADOPTED.get(item.status, _NOT_ADOPTED_ELSE), heading=shown, status=item.status.replace("_", " "))
        )
    if when is None and "review_at" not in item.data:
        raise Refusal(_("{heading} has no review date to take away.", heading=shown))
    if when is not None and (problem := too_far_or_past(when, ctx.now, ctx.settings.timezone)):
        raise Refusal(problem)


# Why an item that is not adopted (any more) cannot have a review date, by its status.
NOT_ADOPTED = {
    Status.NOT_ADOPTED: N_("{heading} is not adopted: only an adopted item comes up for review."),
    Status.WITHDRAWN: N_("{heading} is withdrawn: only an adopted item comes up for review."),
    Status.MET: N_("{heading} is done: only an adopted item comes up for review."),
    Status.LAPSED: N_("{heading} is lapsed: only an adopted item comes up for review."),
}
# Translators: {status} is an item's status as stored (open, adopted, …).
_NOT_ADOPTED_ELSE = N_("{heading} is {status}: only an adopted item comes up for review.")
# A /review proposal adopted while its item is no longer adopted, by the item's status.
NO_CHANGE = {
    Status.OPEN: N_("But #{number} is open now, so its review date did not change."),
    Status.NOT_ADOPTED: N_("But #{number} is not adopted now, so its review date did not change."),
    Status.WITHDRAWN: N_("But #{number} is withdrawn now, so its review date did not change."),
    Status.MET: N_("But #{number} is done now, so its review date did not change."),
    Status.LAPSED: N_("But #{number} is lapsed now, so its review date did not change."),
}
# Translators: {status} is an item's status as stored (open, adopted, …).
_NO_CHANGE_ELSE = N_("But #{number} is {status} now, so its review date did not change.")


def carry_out_review(scope: Scope, item: Item, adopted: bool) -> str:
    """The /review proposal adopted: its item gets the review date (counted from now)."""
    if not adopted:
        return ""
    target = scope.uow.items.get(item.data["target"])
    if under_review(target):
        return _("But #{number} is up for review now, so its review date did not change.", number=target.number)
    if target.status != Status.ADOPTED:
        template = NO_CHANGE.get(target.status, _NO_CHANGE_ELSE)
        return _(template, number=target.number, status=target.status.replace("_", " "))
    said = set_review(scope, target, item.data["when"])
    scope.uow.items.save(target)
    return said
