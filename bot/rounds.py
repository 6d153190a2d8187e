"""Rounds of responses: opening one (with its frozen roll, deadline and
reminder), the live tally, and closing it once with an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.actions import Ask, Edit
from bot.choices import RESPONSES
from bot.context import Scope
from bot.decision import Tally
from bot.duework import DueScope
from bot.durations import later
from bot.kinds import author_name, heading, kind_of
from bot.model import (
    AGREE,
    BLOCK,
    OBJECT,
    ROUND_AMENDED,
    ROUND_OPEN,
    ROUND_WITHDRAWN,
    STAND_ASIDE,
    DueWork,
    Item,
    Member,
    Response,
    Round,
)
from bot.record import log_decision
from bot.review_dates import describe_when
from bot.text import cmd, quoted

FULL, SILENT = "full", "silent"
ROUND_CLOSES = "round_closes"
ROUND_REMINDER = "round_reminder"

CHOICES = RESPONSES
VERBS = {AGREE: "agrees with", STAND_ASIDE: "stands aside on", OBJECT: "objects to", BLOCK: "blocks"}
NOUNS = {AGREE: "agree", STAND_ASIDE: "stand aside", OBJECT: "object", BLOCK: "block"}


def ask_key(round_: Round) -> str:
    return f"r{round_.id}"


def round_id_of(key: str) -> int | None:
    """The round an ask key names; None for anything else (a forged button's data)."""
    digits = key[1:]
    if not key.startswith("r") or not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        return None
    return int(digits)


@dataclass(frozen=True, slots=True)
class Standing:
    """A round as it stands: the roll still in the collective and their responses."""

    roll: list[Member]
    responses: list[tuple[Member, Response]]

    @property
    def tally(self) -> Tally:
        return Tally.of([response.kind for _, response in self.responses])

    @property
    def silent(self) -> list[Member]:
        answered = {member.id for member, _ in self.responses}
        return [member for member in self.roll if member.id not in answered]


@dataclass(frozen=True, slots=True)
class Count:
    """A round's tally without names: enough for a live tally line."""

    tally: Tally
    roll: int
    proxied: int = 0  # of the responses, how many a proxy gave
    proxies: tuple[str, ...] = ()  # "Bob for Alice", each, when few enough to name on a tally line


def voice(scope: Scope, member: Member, response: Response) -> str:
    """Who gave a response, as the record shows it: the member, or "Bob for Alice" when Bob gave it as
    Alice's proxy (bot.proxies)."""
    if response.by_proxy is None:
        return scope.name(member)
    return f"{scope.name(scope.uow.members.get(response.by_proxy))} for {scope.name(member)}"


def counts(scope: Scope, rounds: list[Round]) -> dict[int, Count]:
    """The tallies of several rounds, in one query."""
    found = scope.uow.reads.counts([round_.id for round_ in rounds])
    return {
        round_id: Count(Tally.counted(count.given), count.roll, count.proxied, _proxies(scope, round_id, count.proxied))
        for round_id, count in found.items()
    }


NAMED_PROXIES = 3  # a tally line names up to this many responses by proxy; beyond, it counts them


def _proxies(scope: Scope, round_id: int, proxied: int) -> tuple[str, ...]:
    """ "Bob for Alice" for each response by proxy a tally counts (read only for a round that has some)."""
    if not proxied or proxied > NAMED_PROXIES:
        return ()
    given = [r for r in scope.uow.responses.of_round(round_id) if r.by_proxy is not None]
    named = tuple(voice(scope, scope.uow.members.get(r.member_id), r) for r in given)
    return named if len(named) == proxied else ()  # someone left meanwhile: the count alone


def standing(scope: Scope, round_: Round) -> Standing:
    """Only members on the frozen roll who are still members count."""
    return standings(scope, [round_])[round_.id]


def standings(scope: Scope, rounds: list[Round]) -> dict[int, Standing]:
    """How several rounds stand, in one query."""
    found = scope.uow.reads.standings([round_.id for round_ in rounds])
    standings = {}
    for round_id, (roll, responses) in found.items():
        by_id = {member.id: member for member in roll}
        standings[round_id] = Standing(roll, [(by_id[response.member_id], response) for response in responses])
    return standings


def open_round(scope: Scope, item: Item, duration: timedelta, number: int = 1, mode: str = FULL) -> Round:
    title, body = item.title, item.body
    # Whoever asked a private need is not on its roll: their name in "not yet
    # responded" (or its absence) would say who asked.
    left_out = item.author_id if item.data.get("private") else None
    roll = [member.id for member in scope.uow.members.active(item.collective_id) if member.id != left_out]
    opened = Round(
        None,
        item.id,
        number,
        title,
        body,
        scope.now,
        later(scope.now, duration, scope.settings.timezone),
        mode=mode,
        terms=scope.settings.decision_terms(),
    )
    round_ = scope.uow.rounds.add(opened, roll)
    schedule(scope, round_)
    text = ask_text(scope, item, round_)
    for chat in scope.places(item.collective_id, item):
        scope.actions.append(Ask(chat, ask_key(round_), text, CHOICES))
    return round_


def schedule(scope: Scope, round_: Round) -> None:
    due = scope.uow.due
    due.add(DueWork(None, scope.collective.id, ROUND_CLOSES, round_.id, round_.closes_at))
    remind_at = round_.closes_at - scope.settings.reminder_before
    if round_.mode == FULL and remind_at > scope.now:  # silence is consent in a silent round
        due.add(DueWork(None, scope.collective.id, ROUND_REMINDER, round_.id, remind_at))


def unschedule(scope: Scope, round_: Round) -> None:
    for kind in (ROUND_CLOSES, ROUND_REMINDER):
        scope.uow.due.cancel(scope.collective.id, kind, round_.id)


def ask_text(scope: Scope, item: Item, round_: Round) -> str:
    kind = kind_of(item)
    author = author_name(scope, item)
    verb = "asked by" if kind.is_need else "by"
    card = f"Up for review — {kind.card.lower()}" if item.data.get("reviewing") else kind.card
    lines = [f"{card} #{item.number}" + (f" {verb} {author}" if author else "") + f": {round_.title}"]
    n = item.number
    if round_.body:
        lines.append(card_body(round_.body, n))
    if round_.status == ROUND_OPEN and kind.reviewable and item.data.get("review") and not item.data.get("reviewing"):
        lines.append(f"Review date: {describe_when(item.data['review'])}; not adopted again then, it lapses.")
    if round_.status != ROUND_OPEN:
        lines.append(ended_line(scope, round_))
    elif round_.mode == SILENT:
        lines.append(f"Approved {scope.time(round_.closes_at)} unless someone objects or blocks before then.")
        lines.append(f"Respond: {cmd('agree')} {n} · {cmd('object')} {n} REASON · {cmd('block')} {n} REASON")
    else:
        rule = scope.settings.under(round_.terms).decision_rule
        lines.append(f"Round {round_.number} · {rule} · closes {scope.time(round_.closes_at)}")
        lines.append(
            f"Respond: {cmd('agree')} {n} · {cmd('standaside')} {n} [reason] · {cmd('object')} {n} REASON · "
            f"{cmd('block')} {n} REASON"
        )
    lines.append(tally_line(counts(scope, [round_])[round_.id]))
    return "\n".join(lines)


CARD_BODY = 1500  # characters of a proposal's detail shown on its message; /show has the rest


def card_body(body: str, number: int) -> str:
    """The detail as the round's message shows it, quoted as the member's words. The message is redrawn at every vote
    and must stay one message (an edit replaces one; a Matrix edit carries the text
    several times under a 64 KiB limit), so a long detail is cut, pointing to /show."""
    if len(body) <= CARD_BODY:
        return quoted(body)
    cut = body[:CARD_BODY]
    end = max(cut.rfind("\n"), cut.rfind(" "))
    return quoted(f"{cut[:end] if end > CARD_BODY // 2 else cut}…") + f"\n(The whole text: {cmd('show')} {number})"


def ended_line(scope: Scope, round_: Round) -> str:
    """What an ask says once its round is over (its buttons are gone then)."""
    # Closed at or after its deadline (on time, or late after downtime): the deadline, as the outcome says.
    when = scope.time(min(round_.closed_at or scope.now, round_.closes_at))
    if round_.status == ROUND_AMENDED:
        return f"Round {round_.number} · amended {when}: round {round_.number + 1} replaces it."
    if round_.status == ROUND_WITHDRAWN:
        return f"Withdrawn by its author {when}."
    if round_.mode == SILENT:
        return f"Closed {when}: {'approved' if round_.adopted else 'not approved'}."
    return f"Round {round_.number} · closed {when}: {'adopted' if round_.adopted else 'not adopted'} ({round_.rule})."


def tally_line(count: Count) -> str:
    if count.proxies:
        by_proxy = f" (by proxy: {', '.join(count.proxies)})"
    else:
        by_proxy = f" ({count.proxied} by proxy: {cmd('show')} names them)" if count.proxied else ""
    return f"{count.tally.line()} — {count.tally.responses} of {count.roll} responded{by_proxy}"


def refresh(scope: Scope, item: Item, round_: Round) -> None:
    """Edit the round's message in every chat to show the live tally, or, once the
    round is over, how it ended, without the choices (no button to press in vain)."""
    text = ask_text(scope, item, round_)
    choices = CHOICES if round_.status == ROUND_OPEN else ()
    for chat in scope.places(item.collective_id, item):
        scope.actions.append(Edit(chat, ask_key(round_), text, choices))


def end(scope: Scope, item: Item, round_: Round, status: str) -> bool:
    """End an open round other than by closing it (amended, withdrawn): its due work
    is cancelled and its message says so; False when it was no longer open."""
    if not scope.uow.rounds.finish(round_.id, status, scope.now):
        return False
    scope.uow.rounds.freeze_roll(round_.id)
    log_decision(scope, item, status, round_)
    round_.status, round_.closed_at = status, scope.now
    unschedule(scope, round_)
    refresh(scope, item, round_)
    return True


def escalate(scope: Scope, item: Item, round_: Round) -> None:
    """An objection or block on a need waiting in silence: it becomes a round
    decided under the collective's rule, with a full round's time from now."""
    unschedule(scope, round_)
    round_.mode = FULL
    round_.closes_at = max(
        round_.closes_at, later(scope.now, scope.settings.proposal_duration, scope.settings.timezone)
    )
    scope.uow.rounds.save(round_)
    schedule(scope, round_)
    scope.announce(
        f"#{item.number} is no longer approved by silence: it is now decided by a round under "
        f"{scope.settings.under(round_.terms).decision_rule}, closing {scope.time(round_.closes_at)}.",
        about=item,
    )


def remind(scope: DueScope) -> None:
    round_ = scope.uow.rounds.get(scope.work.subject_id)
    if round_.status != ROUND_OPEN or round_.closes_at <= scope.now:
        return  # closed, or about to close late: a reminder would only confuse
    silent = standing(scope, round_).silent
    if not silent:
        return
    item = scope.uow.items.get(round_.item_id)
    if item.data.get("private"):
        # Names here, beside the members list, would tell who asked by elimination: a count in the
        # group, and each who has not responded is reminded privately.
        scope.announce(
            f"Reminder: {heading(item)} closes {scope.time(round_.closes_at)}. {len(silent)} of "
            f"{len(standing(scope, round_).roll)} have not responded yet; I have reminded them privately.",
            about=item,
        )
        for member in silent:
            reminder = f"A reminder: {heading(item)} closes {scope.time(round_.closes_at)}, and you have not "
            scope.tell(member, reminder + f"responded yet. {cmd('show')} {item.number} has the text.", private=True)
        return
    shown = scope.name
    names = ", ".join(shown(member) for member in silent)
    scope.announce(
        f"Reminder: {heading(item)} closes {scope.time(round_.closes_at)}. "
        f"Not yet responded: {names}. {cmd('show')} {item.number} has the text and every response so far.",
        mentioning=silent,
        about=item,
    )


DUE_HANDLERS = {ROUND_REMINDER: remind}
