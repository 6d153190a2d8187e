"""Rounds of responses: opening one (with its frozen roll, deadline and
reminder), the live tally, and closing it once with an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.actions import Ask, Choice, Edit
from bot.choices import responses as labelled_responses
from bot.context import Scope
from bot.decision import Tally
from bot.duework import DueScope
from bot.durations import later
from bot.kinds import author_name, heading, kind_of
from bot.language import N_, _, ngettext
from bot.language import number as numeral
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
from bot.text import quoted

FULL, SILENT = "full", "silent"
ROUND_CLOSES = "round_closes"
ROUND_REMINDER = "round_reminder"

# Each kind of response by its name, as a label (``(was: object)``, ``• Alice — stand aside``): shown with
# ``_(NOUNS[kind])``. A sentence about a response is written whole, per kind (bot.responses).
NOUNS = {
    # Translators: the name of a response to a proposal, shown as a label (e.g. "(was: agree)").
    AGREE: N_("agree"),
    # Translators: the name of a response to a proposal, shown as a label (e.g. "(was: stand aside)").
    STAND_ASIDE: N_("stand aside"),
    # Translators: the name of a response to a proposal, shown as a label (e.g. "(was: object)").
    OBJECT: N_("object"),
    # Translators: the name of a response to a proposal, shown as a label (e.g. "(was: block)").
    BLOCK: N_("block"),
}


def choices() -> tuple[Choice, ...]:
    """A round's choices with their labels in the language spoken (``bot.choices.responses``)."""
    return labelled_responses()


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
        return Tally.of([response.kind for unused, response in self.responses])

    @property
    def silent(self) -> list[Member]:
        answered = {member.id for member, unused in self.responses}
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
    return as_proxy(scope.name(scope.uow.members.get(response.by_proxy)), scope.name(member))


def as_proxy(proxy: str, member: str) -> str:
    """ "Bob for Alice": who responded as whose proxy."""
    # Translators: a response given by a proxy: "Bob for Alice" (Bob responded as Alice's proxy).
    return _("{proxy} for {member}", proxy=proxy, member=member)


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
        scope.actions.append(Ask(chat, ask_key(round_), text, choices()))
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
    n = item.number
    lines = [_headline(scope, item, round_)]
    if round_.body:
        lines.append(card_body(round_.body, n))
    if round_.status == ROUND_OPEN and kind.reviewable and item.data.get("review") and not item.data.get("reviewing"):
        lines.append(
            _("Review date: {when}; not adopted again then, it lapses.", when=describe_when(item.data["review"]))
        )
    if round_.status != ROUND_OPEN:
        lines.append(ended_line(scope, round_))
    elif round_.mode == SILENT:
        when = scope.time(round_.closes_at)
        lines.append(_("Approved {when} unless someone objects or blocks before then.", when=when))
        # Translators: REASON stands for the reason a member types after the command.
        lines.append(_("Respond: /agree {number} · /object {number} REASON · /block {number} REASON", number=n))
    else:
        rule = scope.settings.under(round_.terms).decision_rule
        when = scope.time(round_.closes_at)
        # Translators: {rule} is the decision rule's name as set (consensus, consent, majority, supermajority).
        lines.append(_("Round {round} · {rule} · closes {when}", round=round_.number, rule=rule, when=when))
        lines.append(
            # Translators: [reason] is an optional reason, REASON a required one, typed after the command.
            _(
                "Respond: /agree {number} · /standaside {number} [reason] · /object {number} REASON · "
                "/block {number} REASON",
                number=n,
            )
        )
    lines.append(tally_line(counts(scope, [round_])[round_.id]))
    return "\n".join(lines)


def _headline(scope: Scope, item: Item, round_: Round) -> str:
    """The first line of a round's message: what kind of item, which, whose, and its title."""
    kind = kind_of(item)
    card = _(kind.review_card if item.data.get("reviewing") else kind.card)
    author, number, title = author_name(scope, item), item.number, round_.title
    if not author:
        # Translators: {card} is the kind of item: "Proposal", "Settings proposal", "Need"…
        return _("{card} #{number}: {title}", card=card, number=number, title=title)
    if kind.is_need:
        # Translators: {card} is the kind of need ("Need"); {author} who asked for it.
        return _("{card} #{number} asked by {author}: {title}", card=card, number=number, author=author, title=title)
    # Translators: {card} is the kind of item: "Proposal", "Settings proposal"…; {author} who proposed it.
    return _("{card} #{number} by {author}: {title}", card=card, number=number, author=author, title=title)


CARD_BODY = 1500  # characters of a proposal's detail shown on its message; /show has the rest


def card_body(body: str, number: int) -> str:
    """The detail as the round's message shows it, quoted as the member's words. The message is redrawn at every vote
    and must stay one message (an edit replaces one; a Matrix edit carries the text
    several times under a 64 KiB limit), so a long detail is cut, pointing to /show."""
    if len(body) <= CARD_BODY:
        return quoted(body)
    cut = body[:CARD_BODY]
    end = max(cut.rfind("\n"), cut.rfind(" "))
    whole = _("(The whole text: /show {number})", number=number)
    return quoted(f"{cut[:end] if end > CARD_BODY // 2 else cut}…") + "\n" + whole


def ended_line(scope: Scope, round_: Round) -> str:
    """What an ask says once its round is over (its buttons are gone then)."""
    # Closed at or after its deadline (on time, or late after downtime): the deadline, as the outcome says.
    when = scope.time(min(round_.closed_at or scope.now, round_.closes_at))
    n = round_.number
    if round_.status == ROUND_AMENDED:
        return _("Round {round} · amended {when}: round {next} replaces it.", round=n, when=when, next=n + 1)
    if round_.status == ROUND_WITHDRAWN:
        return _("Withdrawn by its author {when}.", when=when)
    if round_.mode == SILENT:
        if round_.adopted:
            return _("Closed {when}: approved.", when=when)
        return _("Closed {when}: not approved.", when=when)
    if round_.adopted:
        # Translators: {rule} is the decision rule's name as set (consensus, consent, majority, supermajority).
        return _("Round {round} · closed {when}: adopted ({rule}).", round=n, when=when, rule=round_.rule)
    # Translators: {rule} is the decision rule's name as set (consensus, consent, majority, supermajority).
    return _("Round {round} · closed {when}: not adopted ({rule}).", round=n, when=when, rule=round_.rule)


def tally_line(count: Count) -> str:
    tally, roll = count.tally.line(), numeral(count.roll)
    responses = count.tally.responses
    # Translators: {tally} is the count of each response ("agree 2 · stand aside 0 · …"); {roll} how many may respond.
    line = ngettext(
        "{tally} — {count} of {roll} responded",
        "{tally} — {count} of {roll} responded",
        responses,
        tally=tally,
        roll=roll,
    )
    if count.proxies:
        # Translators: {line} is a round's tally; {names} who responded as whose proxy ("Bob for Alice, …").
        return _("{line} (by proxy: {names})", line=line, names=", ".join(count.proxies))
    if count.proxied:
        # Translators: {line} is a round's tally; {count} of its responses were given by proxies.
        return ngettext(
            "{line} ({count} by proxy: /show names them)",
            "{line} ({count} by proxy: /show names them)",
            count.proxied,
            line=line,
        )
    return line


def refresh(scope: Scope, item: Item, round_: Round) -> None:
    """Edit the round's message in every chat to show the live tally, or, once the
    round is over, how it ended, without the choices (no button to press in vain)."""
    text = ask_text(scope, item, round_)
    offered = choices() if round_.status == ROUND_OPEN else ()
    for chat in scope.places(item.collective_id, item):
        scope.actions.append(Edit(chat, ask_key(round_), text, offered))


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
    rule, when = scope.settings.under(round_.terms).decision_rule, scope.time(round_.closes_at)
    scope.announce(
        # Translators: {rule} is the decision rule's name as set (consensus, consent, majority, supermajority).
        _(
            "#{number} is no longer approved by silence: it is now decided by a round under {rule}, closing {when}.",
            number=item.number,
            rule=rule,
            when=when,
        ),
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
    when = scope.time(round_.closes_at)
    if item.data.get("private"):
        # Names here, beside the members list, would tell who asked by elimination: a count in the
        # group, and each who has not responded is reminded privately.
        roll = numeral(len(standing(scope, round_).roll))
        scope.announce(
            # Translators: {count} of the {roll} members who may respond have not.
            ngettext(
                "Reminder: {heading} closes {when}. {count} of {roll} have not responded yet; "
                "I have reminded them privately.",
                "Reminder: {heading} closes {when}. {count} of {roll} have not responded yet; "
                "I have reminded them privately.",
                len(silent),
                heading=heading(item),
                when=when,
                roll=roll,
            ),
            about=item,
        )
        for member in silent:
            reminder = _(
                "A reminder: {heading} closes {when}, and you have not responded yet. /show {number} has the text.",
                heading=heading(item),
                when=when,
                number=item.number,
            )
            scope.tell(member, reminder, private=True)
        return
    shown = scope.name
    names = ", ".join(shown(member) for member in silent)
    scope.announce(
        _(
            "Reminder: {heading} closes {when}. Not yet responded: {names}. "
            "/show {number} has the text and every response so far.",
            heading=heading(item),
            when=when,
            names=names,
            number=item.number,
        ),
        mentioning=silent,
        about=item,
    )


DUE_HANDLERS = {ROUND_REMINDER: remind}
