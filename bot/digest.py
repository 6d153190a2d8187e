"""The weekly federation digest: every member collective's outcomes, fundings and handovers of the week,
posted in each member collective and sent to each collective's delegate by direct message. Private needs
stay nameless: the digest names no one who asked for anything. Due work (one row per federation), on the
injected clock; it schedules the next week's as it runs."""

from __future__ import annotations

from datetime import datetime

from bot.duework import DueScope
from bot.federation import DIGEST, DIGEST_EVERY, delegate, label, scope_of
from bot.model import RESERVATION, TRANSFER_IN, DueWork
from bot.pool import money

VERDICT_WORDS = {
    "adopted": "adopted",
    "not_adopted": "not adopted",
    "approved": "approved",
    "not_approved": "not approved",
    "withdrawn": "withdrawn",
    "paid": "paid out",
    "met": "met",
    "kept": "kept on review",
    "lapsed": "lapsed on review",
}
SHOWN = 500  # entries read per collective for a week: far more than a week holds


def digest(scope: DueScope) -> None:
    federations = scope.uow.federations
    federation_id = scope.work.subject_id
    members = federations.members(federation_id)
    if not members:
        return  # every collective left: the federation is over, and so is its digest
    scope.uow.lock_collectives(members)
    # From where the last digest stopped (a bot down for weeks sends one digest for all of them, not one per
    # missed week, and loses no event between two digests).
    since = datetime.fromisoformat(scope.work.data["since"]) if "since" in scope.work.data else None
    since = since or scope.work.due_at - DIGEST_EVERY
    span = "week" if scope.now - since <= DIGEST_EVERY + DIGEST_EVERY / 7 else f"weeks since {scope.time(since)}"
    lines = [f"Federation digest for the {span} to {scope.time(scope.now)} ({len(members)} collectives):"]
    for collective_id in members:
        lines += _collective_week(scope_of(scope, collective_id), collective_id, since)
    text = "\n".join(lines)
    for collective_id in members:
        here = scope_of(scope, collective_id)
        here.announce(text)
        holder = delegate(here, collective_id)
        if holder is not None:
            here.tell(
                holder,
                "You are this collective's delegate this term; here is the federation's weekly digest.\n" + text,
                private=True,
            )
    following = scope.work.due_at + DIGEST_EVERY
    while following <= scope.now:  # the next on its weekly beat, after now
        following += DIGEST_EVERY
    data = {"since": scope.now.isoformat()}
    scope.uow.due.add(DueWork(None, scope.work.collective_id, DIGEST, federation_id, following, data=data))


def _collective_week(scope, collective_id: int, since) -> list[str]:
    uow = scope.uow
    lines = [f"{label(scope, collective_id)} — delegate: {_delegate(scope, collective_id)}"]
    decided = [d for d in uow.decisions.recent(collective_id, SHOWN) if d.at >= since and d.verdict in VERDICT_WORDS]
    for decision in reversed(decided):
        number = uow.items.get(decision.item_id).number
        lines.append(f"  • #{number} {decision.title} — {VERDICT_WORDS[decision.verdict]}")
    fundings = [
        e for e in uow.ledger.recent(collective_id, SHOWN) if e.at >= since and e.kind in (RESERVATION, TRANSFER_IN)
    ]
    for entry in reversed(fundings):
        if entry.kind == RESERVATION:
            item = uow.items.get(entry.item_id)
            lines.append(f"  • funded: #{item.number} {item.title}, {money(scope, entry.amount)}")
        else:
            lines.append(f"  • mutual aid received: {money(scope, entry.amount)} ({entry.note})")
    for role in uow.roles.of_collective(collective_id):
        for turn in uow.roles.turns(role.id):
            if turn.started_at >= since:
                lines.append(f"  • handover: {role.name} to {scope.name(uow.members.get(turn.member_id))}")
    if len(lines) == 1:
        lines.append("  • a quiet week: no outcomes, fundings or handovers")
    return lines


def _delegate(scope, collective_id: int) -> str:
    holder = delegate(scope, collective_id)
    return scope.name(holder) if holder else "none"


DUE_HANDLERS = {DIGEST: digest}
