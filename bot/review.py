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
from bot.model import DueWork, Item, Status
from bot.review_dates import describe_when, review_moment, too_far_or_past
from bot.rounds import open_round
from bot.text import cmd

REVIEW_DUE = "review_due"


def set_review(scope: Scope, item: Item, when: dict | None) -> str:
    """Give an adopted item its review date (``None``: none), replacing any it had; a sentence saying so.
    The caller saves the item."""
    scope.uow.due.cancel(item.collective_id, REVIEW_DUE, item.id)
    item.data.pop("review_at", None)
    if when is None:
        return f"#{item.number} has no review date now."
    problem = too_far_or_past(when, scope.now, scope.settings.timezone)
    if problem:
        return f"But it has no review date: {problem}"
    moment = review_moment(when, scope.now, scope.settings.timezone)
    item.data["review_at"] = moment.isoformat()
    scope.uow.due.add(DueWork(None, item.collective_id, REVIEW_DUE, item.id, moment))
    return f"#{item.number} comes up for review {scope.time(moment)}."


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
    since = f" (adopted {scope.time(adopted_at)})" if adopted_at else ""
    scope.announce(
        f"{heading(item)} is up for review{since}. It stands if it is adopted again under our rules as they are "
        f"now; if not, it lapses{undone}. Respond as to any proposal.",
        about=item,
    )
    open_round(scope, item, scope.settings.proposal_duration, number=latest.number + 1)


def concluded(scope: Scope, item: Item, adopted: bool) -> str:
    """A review round closed: the item stands, or it lapses and what it created is undone. The caller sets
    its status and saves it."""
    item.data.pop("reviewing", None)
    if adopted:
        return f"It stands. {cmd('review')} {item.number} WHEN sets another review date."
    undone = kind_of(item).lapse(scope, item)
    return f"It lapses: {undone[0].lower()}{undone[1:]}" if undone else "It lapses."


def review_note(scope: Scope, item: Item) -> str | None:
    """What /show and the round's message say about the item's review date, if it has one."""
    if under_review(item):
        return "Up for review: if this round does not adopt it again, it lapses."
    if item.status == Status.ADOPTED and "review_at" in item.data:
        return f"Comes up for review {scope.time(datetime.fromisoformat(item.data['review_at']))}."
    if item.status == Status.OPEN and item.data.get("review") and kind_of(item).reviewable:
        return f"Review date: {describe_when(item.data['review'])}."
    return None


DUE_HANDLERS = {REVIEW_DUE: up_for_review}
