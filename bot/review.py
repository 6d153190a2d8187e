"""Review dates: an adopted item comes back. When its review date falls due (a row of due work; late after
downtime, once, saying so) the bot opens a new round of the same item, "up for review", under the
collective's rules as they are then. Adopted again, it stands (with no further review date until ``/review``
sets one); not adopted, it lapses: marked lapsed in /decisions, and what it created is undone by its kind
(``Kind.lapse``: a setting goes back to its previous value, a role is removed).

Which kinds may carry a review date is ``Kind.reviewable``: general proposals, settings and roles. The
others create what a lapse must not undo (a member admitted, a ledger entry reversed, a chat linked, a
federation joined) or are decided elsewhere (needs, joint items, aid)."""

from __future__ import annotations

from datetime import datetime

from bot.context import Scope
from bot.duework import DueScope
from bot.kinds import heading, kind_of
from bot.language import _
from bot.model import DueWork, Item, Status
from bot.review_dates import describe_when, review_moment, too_far_or_past
from bot.rounds import open_round

REVIEW_DUE = "review_due"


def set_review(scope: Scope, item: Item, when: dict | None) -> str:
    """Give an adopted item its review date (``None``: none), replacing any it had; a sentence saying so.
    The caller saves the item."""
    scope.uow.due.cancel(item.collective_id, REVIEW_DUE, item.id)
    item.data.pop("review_at", None)
    if when is None:
        return _("#{number} has no review date now.", number=item.number)
    problem = too_far_or_past(when, scope.now, scope.settings.timezone)
    if problem:
        # Translators: {problem} is a sentence saying why the date cannot be.
        return _("But it has no review date: {problem}", problem=problem)
    moment = review_moment(when, scope.now, scope.settings.timezone)
    item.data["review_at"] = moment.isoformat()
    scope.uow.due.add(DueWork(None, item.collective_id, REVIEW_DUE, item.id, moment))
    return _("#{number} comes up for review {when}.", number=item.number, when=scope.time(moment))


def after_adoption(scope: Scope, item: Item) -> str:
    """An item adopted with a review line: its review date is set from the adoption."""
    when = item.data.get("review")
    if not when or not kind_of(item).reviewable:
        return ""
    return set_review(scope, item, when)


def under_review(item: Item) -> bool:
    return bool(item.data.get("reviewing"))


def up_for_review(scope: DueScope) -> None:
    """The review date fell due: a new round of the same item, decided by today's rules."""
    item = scope.uow.items.get(scope.work.subject_id)
    if item.status != Status.ADOPTED or "review_at" not in item.data:
        return  # lapsed, or its review date was taken away meanwhile (the row is cancelled then; a guard)
    latest = scope.uow.rounds.latest(item.id)
    adopted_at = item.decided_at
    item.status, item.decided_at = Status.OPEN, None
    item.data.pop("review_at")
    item.data["reviewing"] = True
    kind_of(item).on_review(scope, item)
    scope.uow.items.save(item)
    undone = kind_of(item).lapse_preview(scope, item)
    scope.announce(_up_for_review(scope, item, adopted_at, undone), about=item)
    open_round(scope, item, scope.settings.proposal_duration, number=latest.number + 1)


def _up_for_review(scope: Scope, item: Item, adopted_at: datetime | None, undone: str) -> str:
    """The announcement of an item up for review: when it was adopted, and what a lapse would undo."""
    values = {"heading": heading(item), "undone": undone}
    if adopted_at and undone:
        # Translators: {undone} says what a lapse undoes ("decision_rule goes back to consensus").
        return _(
            "{heading} is up for review (adopted {when}). It stands if it is adopted again under our rules as they "
            "are now; if not, it lapses and {undone}. Respond as to any proposal.",
            when=scope.time(adopted_at),
            **values,
        )
    if adopted_at:
        return _(
            "{heading} is up for review (adopted {when}). It stands if it is adopted again under our rules as they "
            "are now; if not, it lapses. Respond as to any proposal.",
            when=scope.time(adopted_at),
            **values,
        )
    if undone:
        # Translators: {undone} says what a lapse undoes ("decision_rule goes back to consensus").
        return _(
            "{heading} is up for review. It stands if it is adopted again under our rules as they are now; if not, "
            "it lapses and {undone}. Respond as to any proposal.",
            **values,
        )
    return _(
        "{heading} is up for review. It stands if it is adopted again under our rules as they are now; if not, "
        "it lapses. Respond as to any proposal.",
        **values,
    )


def concluded(scope: Scope, item: Item, adopted: bool) -> str:
    """A review round closed: the item stands, or it lapses and what it created is undone. The caller sets
    its status and saves it."""
    item.data.pop("reviewing", None)
    if adopted:
        # Translators: WHEN stands for a review date a member types (in 26w, on 2027-06-01).
        return _("It stands. /review {number} WHEN sets another review date.", number=item.number)
    undone = kind_of(item).lapse(scope, item)
    if not undone:
        return _("It lapses.")
    undone = undone[0].lower() + undone[1:]
    # Translators: {undone} is a sentence saying what the lapse undid, its first letter made small.
    return _("It lapses: {undone}", undone=undone)


def review_note(scope: Scope, item: Item) -> str | None:
    """What /show and the round's message say about the item's review date, if it has one."""
    if under_review(item):
        return _("Up for review: if this round does not adopt it again, it lapses.")
    if item.status == Status.ADOPTED and "review_at" in item.data:
        return _("Comes up for review {when}.", when=scope.time(datetime.fromisoformat(item.data["review_at"])))
    if item.status == Status.OPEN and item.data.get("review") and kind_of(item).reviewable:
        # Translators: {when} is "26 weeks after it is adopted" or "on 2027-06-01".
        return _("Review date: {when}.", when=describe_when(item.data["review"]))
    return None


DUE_HANDLERS = {REVIEW_DUE: up_for_review}
