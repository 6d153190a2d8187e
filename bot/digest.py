"""The weekly federation digest: every member collective's outcomes, fundings and handovers of the week,
posted in each member collective and sent to each collective's delegate by direct message. Private needs
stay nameless: the digest names no one who asked for anything. Due work (one row per federation), on the
injected clock; it schedules the next week's as it runs. Each collective reads it in its own language (and each
amount written that language's way)."""

from __future__ import annotations

from datetime import datetime

from bot.decision_log import VERDICT_WORDS as LOGGED
from bot.duework import DueScope
from bot.federation import DIGEST, DIGEST_EVERY, delegate, label, scope_of
from bot.language import _, ngettext, speaking, spoken
from bot.model import RESERVATION, TRANSFER_IN, DueWork
from bot.money import format_amount

# The outcomes a digest tells (the log's words for them; an amendment is no outcome for other collectives).
VERDICT_WORDS = {verdict: LOGGED[verdict] for verdict in LOGGED if verdict != "amended"}
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
    texts: dict[str, str] = {}  # the digest in each language the collectives speak
    for collective_id in members:
        here = scope_of(scope, collective_id)
        with speaking(here.settings.language):
            if spoken() not in texts:
                texts[spoken()] = _digest_text(scope, members, since)
            text = texts[spoken()]
            here.announce(text)
            holder = delegate(here, collective_id)
            if holder is not None:
                told = _("You are this collective's delegate this term; here is the federation's weekly digest.")
                here.tell(holder, told + "\n" + text, private=True)
    following = scope.work.due_at + DIGEST_EVERY
    while following <= scope.now:  # the next on its weekly beat, after now
        following += DIGEST_EVERY
    data = {"since": scope.now.isoformat()}
    scope.uow.due.add(DueWork(None, scope.work.collective_id, DIGEST, federation_id, following, data=data))


def _digest_text(scope: DueScope, members: list[int], since: datetime) -> str:
    """The digest in the language spoken: a heading, then each collective's week."""
    values = {"end": scope.time(scope.now)}
    if scope.now - since <= DIGEST_EVERY + DIGEST_EVERY / 7:
        heading = ngettext(
            "Federation digest for the week to {end} ({count} collectives):",
            "Federation digest for the week to {end} ({count} collectives):",
            len(members),
            **values,
        )
    else:  # the digests of weeks the bot was down, in one
        heading = ngettext(
            "Federation digest for the weeks since {start} to {end} ({count} collectives):",
            "Federation digest for the weeks since {start} to {end} ({count} collectives):",
            len(members),
            start=scope.time(since),
            **values,
        )
    lines = [heading]
    for collective_id in members:
        lines += _collective_week(scope_of(scope, collective_id), collective_id, since)
    return "\n".join(lines)


def _collective_week(scope, collective_id: int, since) -> list[str]:
    uow = scope.uow
    holder = delegate(scope, collective_id)
    if holder is not None:
        lines = [_("{collective} — delegate: {name}", collective=label(scope, collective_id), name=scope.name(holder))]
    else:
        lines = [_("{collective} — delegate: none", collective=label(scope, collective_id))]
    decided = [d for d in uow.decisions.recent(collective_id, SHOWN) if d.at >= since and d.verdict in VERDICT_WORDS]
    for decision in reversed(decided):
        number = uow.items.get(decision.item_id).number
        verdict = _(VERDICT_WORDS[decision.verdict])
        lines.append(
            # Translators: a line of the federation digest: an item of a collective and its outcome.
            "  • " + _("#{number} {title} — {verdict}", number=number, title=decision.title, verdict=verdict)
        )
    fundings = [
        e for e in uow.ledger.recent(collective_id, SHOWN) if e.at >= since and e.kind in (RESERVATION, TRANSFER_IN)
    ]
    for entry in reversed(fundings):
        amount = format_amount(entry.amount, scope.settings.currency, spoken())  # its currency, the reader's way
        if entry.kind == RESERVATION:
            item = uow.items.get(entry.item_id)
            funded = _("funded: #{number} {title}, {amount}", number=item.number, title=item.title, amount=amount)
            lines.append("  • " + funded)
        else:
            # Translators: {note} is the ledger's note of the transfer, as it was written.
            lines.append("  • " + _("mutual aid received: {amount} ({note})", amount=amount, note=entry.note))
    for role in uow.roles.of_collective(collective_id):
        for turn in uow.roles.turns(role.id):
            if turn.started_at >= since:
                name = scope.name(uow.members.get(turn.member_id))
                # Translators: {role} is the role's name as the collective keeps it (facilitator, treasurer, …).
                lines.append("  • " + _("handover: {role} to {name}", role=role.name, name=name))
    if len(lines) == 1:
        lines.append("  • " + _("a quiet week: no outcomes, fundings or handovers"))
    return lines


DUE_HANDLERS = {DIGEST: digest}
