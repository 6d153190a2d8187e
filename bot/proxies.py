"""Proxies: a member gives their response to another member for a bounded term, and only once the other
accepts. The holder responds for the giver by naming them (``/agree 4 for alice``); a plain press or
``/agree 4`` is the holder's own response. The giver's own response always replaces the holder's, before
or after it; the giver may revoke at any time; each member holds at most one proxy and gives at most one
(no bloc-building); a proxy ends when either of them leaves, and never outlives its term: when it ends, the
responses it gave in rounds still open are taken back. Proxies carry a response and nothing else: never a
role's powers, /close, or anything private of a need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.actions import Post
from bot.addressing import destinations
from bot.commands import Arg, Where, group
from bot.context import Context, Scope
from bot.duework import DueScope
from bot.durations import describe_duration, parse_duration
from bot.errors import Refusal
from bot.items import item_number
from bot.kinds import kind_of
from bot.live_records import Proxy, ProxyStatus
from bot.model import DueWork, Member, Status
from bot.naming import find_member
from bot.rounds import refresh
from bot.settings import CollectiveSettings
from bot.text import cmd

DEFAULT_TERM = timedelta(days=7)
LONGEST_TERM = timedelta(days=30)
OFFER_LAPSES_AFTER = timedelta(days=2)  # an offer not accepted by then lapses
PROXY_OFFER_LAPSES = "proxy_offer_lapses"
PROXY_ENDS = "proxy_ends"
_SECTION = "Proxies"

_FOR = re.compile(r"for\s+(\S.*)", re.IGNORECASE | re.DOTALL)


@dataclass(slots=True)
class Terms:
    """What ``[for DURATION] [on #N|all]`` says."""

    term: timedelta = DEFAULT_TERM
    item_number: int | None = None  # None: every round open during the term


def terms_of(text: str) -> Terms:
    words = text.split()
    terms = Terms()
    while words:
        word = words.pop(0).lower()
        if word not in ("for", "on") or not words:
            raise ValueError(f"'{word}' is not understood here: say for DURATION (7d, 2w) and on #N or on all.")
        value = words.pop(0)
        if word == "for":
            terms.term = parse_duration(value)
            if terms.term > LONGEST_TERM:
                raise ValueError(f"A proxy lasts at most {describe_duration(LONGEST_TERM)}.")
        elif value.lower() == "all":
            terms.item_number = None
        else:
            terms.item_number = item_number(value)
    return terms


proxy = group(
    "proxy",
    "give your response to another member for a while (offered in a direct message); they accept or decline; "
    "you revoke",
    section=_SECTION,
    where=Where.ANY,
    details=(
        f"TERMS: [for DURATION] [on #N|all]. For {describe_duration(DEFAULT_TERM)} unless you say (at most "
        f"{describe_duration(LONGEST_TERM)}, from when they accept), on every round open meanwhile unless you name "
        f"one item. The offer lapses after {describe_duration(OFFER_LAPSES_AFTER)} if not accepted. The holder "
        f"responds for you by naming you ({cmd('agree')} 4 for alice); your own response always replaces "
        f"theirs. A member holds one proxy at a time and gives one. {cmd('proxy')} status shows yours."
    ),
)


def _in_force(proxy_: Proxy, scope: Scope) -> bool:
    return proxy_.status == ProxyStatus.ACTIVE and proxy_.ends_at is not None and proxy_.ends_at > scope.now


def _describe(scope: Scope, proxy_: Proxy) -> str:
    if proxy_.item_id is None:
        return "on every round open meanwhile"
    return f"on #{scope.uow.items.get(proxy_.item_id).number}"


@proxy.default(args=(Arg("who", "@member"), Arg("terms", "TERMS", terms_of, rest=True, optional=True)))
def offer(ctx: Context, member: Member, who: str, terms: Terms | None) -> None:
    if not ctx.chat.is_direct:  # an offer is between two members: declined, no one else need know of it
        raise Refusal(
            f"Offer a proxy in a direct message with me: {cmd('proxy')} @member [for DURATION] [on #N|all]. "
            "The group hears of it once it is accepted."
        )
    lapse_overdue(ctx)
    pending = ctx.uow.proxies.pending(ctx.collective.id)
    terms = terms or Terms()
    holder = find_member(ctx, who)
    if holder.id == member.id:
        raise Refusal("That is you: give your response to another member.")
    given = next((p for p in pending if p.giver_id == member.id), None)
    if given is not None:
        other = ctx.name(ctx.uow.members.get(given.holder_id))
        state = "is waiting for" if given.status == ProxyStatus.OFFERED else "is held by"
        raise Refusal(f"You give one proxy at a time, and yours {state} {other}. {cmd('proxy')} revoke ends it first.")
    held = next((p for p in pending if p.holder_id == holder.id and p.status == ProxyStatus.ACTIVE), None)
    if held is not None:
        giver = ctx.name(ctx.uow.members.get(held.giver_id))
        raise Refusal(
            f"{ctx.name(holder)} already holds {giver}'s proxy: a member holds one proxy at a time (no blocs)."
        )
    item_id = None
    if terms.item_number is not None:
        item = ctx.uow.items.by_number(ctx.collective.id, terms.item_number)
        if item is None or not kind_of(item).has_round or item.status != Status.OPEN:
            raise Refusal(f"#{terms.item_number} is not open for a decision. {cmd('proposals')} lists the open items.")
        item_id = item.id
    made = ctx.uow.proxies.add(
        Proxy(None, ctx.collective.id, member.id, holder.id, int(terms.term.total_seconds()), ctx.now, item_id)
    )
    lapses = ctx.now + OFFER_LAPSES_AFTER
    ctx.uow.due.add(DueWork(None, ctx.collective.id, PROXY_OFFER_LAPSES, made.id, lapses))
    span = f"for {describe_duration(terms.term)} from when they accept, {_describe(ctx, made)}"
    ctx.reply(
        f"Offered: {ctx.name(holder)} may respond for you {span}. The offer lapses {ctx.time(lapses)} "
        "unless they accept it."
    )
    ctx.tell(
        holder,
        f"{ctx.name(member)} offers you their response {span}: you would respond for them by naming them "
        f"({cmd('agree')} N for {member.display_name}). Say {cmd('proxy accept')} or {cmd('proxy decline')} "
        f"by {ctx.time(lapses)}.",
    )


@proxy.subcommand("status")
def status(ctx: Context, member: Member) -> None:
    lapse_overdue(ctx)
    ctx.reply(_status(ctx, member, ctx.uow.proxies.pending(ctx.collective.id)))


def _status(ctx: Context, member: Member, pending: list[Proxy]) -> str:
    lines = []
    for p in pending:
        if member.id not in (p.giver_id, p.holder_id):
            continue
        giver, holder = ctx.uow.members.get(p.giver_id), ctx.uow.members.get(p.holder_id)
        if p.status == ProxyStatus.OFFERED:
            lines.append(f"{ctx.name(giver)} offered {ctx.name(holder)} their response ({_describe(ctx, p)}).")
        else:
            lines.append(
                f"{ctx.name(holder)} responds for {ctx.name(giver)} until {ctx.time(p.ends_at)} ({_describe(ctx, p)})."
            )
    return (
        "\n".join(lines) or f"You give no proxy and hold none. Usage: {cmd('proxy')} @member [for DURATION] [on #N|all]"
    )


_FROM = Arg("who", "@member", optional=True)


def _offered_to(ctx: Context, member: Member, who: str | None, verb: str) -> Proxy:
    lapse_overdue(ctx)
    offers = [
        p
        for p in ctx.uow.proxies.pending(ctx.collective.id)
        if p.holder_id == member.id and p.status == ProxyStatus.OFFERED
    ]
    if who is not None:
        giver = find_member(ctx, who)
        offers = [p for p in offers if p.giver_id == giver.id]
    if not offers:
        raise Refusal("No one has offered you a proxy" + (f" of {who.lstrip('@')}." if who else "."))
    if len(offers) > 1:
        names = ", ".join(ctx.name(ctx.uow.members.get(p.giver_id)) for p in offers)
        raise Refusal(f"Several offers wait for you ({names}): say whose, like {cmd('proxy')} {verb} @member.")
    return offers[0]


@proxy.subcommand("accept", args=(_FROM,))
def accept(ctx: Context, member: Member, who: str | None) -> None:
    offered = _offered_to(ctx, member, who, "accept")
    held = next(
        (
            p
            for p in ctx.uow.proxies.pending(ctx.collective.id)
            if p.holder_id == member.id and p.status == ProxyStatus.ACTIVE
        ),
        None,
    )
    if held is not None:
        giver = ctx.name(ctx.uow.members.get(held.giver_id))
        raise Refusal(
            f"You already hold {giver}'s proxy: a member holds one proxy at a time (no blocs). "
            "Decline this one, or wait until that one ends."
        )
    giver = ctx.uow.members.get(offered.giver_id)
    offered.status, offered.accepted_at = ProxyStatus.ACTIVE, ctx.now
    offered.ends_at = ctx.now + timedelta(seconds=offered.term_seconds)
    ctx.uow.proxies.save(offered)
    ctx.uow.due.cancel(ctx.collective.id, PROXY_OFFER_LAPSES, offered.id)
    ctx.uow.due.add(DueWork(None, ctx.collective.id, PROXY_ENDS, offered.id, offered.ends_at))
    said = (
        f"{ctx.name(member)} now holds {ctx.name(giver)}'s proxy until {ctx.time(offered.ends_at)}, "
        f'{_describe(ctx, offered)}: a response for them reads "{ctx.name(member)} for {ctx.name(giver)}", and '
        f"{ctx.name(giver)}'s own response always replaces it."
    )
    ctx.announce(said)
    if ctx.chat.is_direct:
        ctx.reply(f"Accepted: you respond for {ctx.name(giver)} until {ctx.time(offered.ends_at)}.")
    ctx.tell(giver, f"{ctx.name(member)} accepted your proxy: it holds until {ctx.time(offered.ends_at)}.")


@proxy.subcommand("decline", args=(_FROM,))
def decline(ctx: Context, member: Member, who: str | None) -> None:
    offered = _offered_to(ctx, member, who, "decline")
    offered.status, offered.ended_at = ProxyStatus.DECLINED, ctx.now
    ctx.uow.proxies.save(offered)
    ctx.uow.due.cancel(ctx.collective.id, PROXY_OFFER_LAPSES, offered.id)
    giver = ctx.uow.members.get(offered.giver_id)
    ctx.reply(f"{ctx.name(member)} declines {ctx.name(giver)}'s proxy.")
    ctx.tell(giver, f"{ctx.name(member)} declined your proxy.")


@proxy.subcommand("revoke")
def revoke(ctx: Context, member: Member) -> None:
    lapse_overdue(ctx)
    given = next((p for p in ctx.uow.proxies.pending(ctx.collective.id) if p.giver_id == member.id), None)
    if given is None:
        raise Refusal("You give no proxy right now.")
    was_active = given.status == ProxyStatus.ACTIVE
    holder = ctx.uow.members.get(given.holder_id)
    end_proxy(ctx, given, ProxyStatus.REVOKED, f"{ctx.name(member)} revoked it")
    if not was_active:
        ctx.reply(f"Your offer to {ctx.name(holder)} is withdrawn.")
    elif ctx.chat.is_direct:
        ctx.reply(f"Revoked: {ctx.name(holder)} no longer responds for you.")


def end_proxy(scope: Scope, proxy_: Proxy, status: ProxyStatus, why: str) -> None:
    """End an offer or a proxy in force: the responses it gave in rounds still open are taken back (their
    tallies redrawn), and the group hears it when it was in force. A proxy ends at its term's end when it
    expires, however late the bot notices (it was down): a round whose deadline fell inside the term keeps
    what the proxy gave for its close."""
    was_active = proxy_.status == ProxyStatus.ACTIVE
    ended_at = scope.now
    if status == ProxyStatus.EXPIRED and proxy_.ends_at is not None:
        ended_at = min(ended_at, proxy_.ends_at)
    proxy_.status, proxy_.ended_at = status, ended_at
    scope.uow.proxies.save(proxy_)
    for kind in (PROXY_OFFER_LAPSES, PROXY_ENDS):
        scope.uow.due.cancel(proxy_.collective_id, kind, proxy_.id)
    giver, holder = scope.uow.members.get(proxy_.giver_id), scope.uow.members.get(proxy_.holder_id)
    if not was_active:
        if status == ProxyStatus.LAPSED:
            scope.tell(giver, f"Your proxy offer to {scope.name(holder)} lapsed: it was not accepted in time.")
        elif status == ProxyStatus.REVOKED:
            scope.tell(holder, f"{scope.name(giver)} withdrew the proxy they offered you.")
        return
    taken = scope.uow.responses.take_back(giver.id, holder.id, ended_at)
    numbers = []
    for round_id in taken:
        round_ = scope.uow.rounds.get(round_id)
        item = scope.uow.items.get(round_.item_id)
        numbers.append(f"#{item.number}")
        refresh(scope, item, round_)
    text = f"{scope.name(holder)} no longer holds {scope.name(giver)}'s proxy ({why})."
    if numbers:
        text += (
            f" The responses {scope.name(holder)} gave for {scope.name(giver)} in rounds still open are taken back: "
            f"{', '.join(numbers)}."
        )
    _announce(scope, proxy_.collective_id, text)
    if numbers:
        scope.tell(giver, f"Your proxy ended ({why}); respond yourself on {', '.join(numbers)} if you wish.")


def _announce(scope: Scope, collective_id: int, text: str) -> None:
    """To the proxy's collective: the scope's own, or (a direct message acting for another) where it announces."""
    if scope.collective is not None and scope.collective.id == collective_id:
        scope.announce(text)
        return
    settings = CollectiveSettings.of(scope.uow.settings.values(collective_id))
    for chat in destinations(scope.uow.collectives.chats(collective_id), settings.announce_in):
        scope.actions.append(Post(chat, text))


def lapse_overdue(scope: Scope) -> None:
    """Proxies whose term or offer ran out while their due work had not run yet (the bot was busy or down)
    end now, before anyone acts on them: a proxy never outlives its term."""
    if scope.collective is None:
        return
    for p in scope.uow.proxies.pending(scope.collective.id):
        if p.status == ProxyStatus.ACTIVE and p.ends_at <= scope.now:
            end_proxy(scope, p, ProxyStatus.EXPIRED, f"its term ended {scope.time(p.ends_at)}")
        elif p.status == ProxyStatus.OFFERED and p.offered_at + OFFER_LAPSES_AFTER <= scope.now:
            end_proxy(scope, p, ProxyStatus.LAPSED, "not accepted")


def on_leave(scope: Scope, member: Member, why: str = "") -> None:
    """A member leaves (or their membership is made one with another, ``bot.identities``): every proxy they
    give or hold ends."""
    for p in scope.uow.proxies.pending(member.collective_id):
        if member.id in (p.giver_id, p.holder_id):
            end_proxy(scope, p, ProxyStatus.ENDED, why or f"{scope.name(member)} left")


def proxy_for(ctx: Context, member: Member, reason: str) -> tuple[Member, Proxy, str] | None:
    """A response typed ``… for NAME [reason]``: the member named, the proxy ``member`` holds for them and
    the reason left. None when the words name no member (``for the kids`` is a comment, even beside a member
    called The Kid); naming a member whose proxy ``member`` does not hold is refused, never taken as a comment.
    A member is named by their user id or full display name, or by its first word alone when nothing but a
    reason after a colon follows (``for alice: too dear``)."""
    match = _FOR.fullmatch(reason.strip())
    if match is None or ctx.collective is None:
        return None
    words = match.group(1)
    lapse_overdue(ctx)
    pending = ctx.uow.proxies.pending(ctx.collective.id)
    held = next((p for p in pending if p.holder_id == member.id and _in_force(p, ctx)), None)
    if held is not None:
        giver = ctx.uow.members.get(held.giver_id)
        rest = _after_name(giver, words)
        if rest is not None:
            return giver, held, rest
        if _after_name(giver, words, strict=False) is not None:  # "for alice too dear", Alice Smith's proxy
            first = giver.display_name.split()[0]
            raise Refusal(
                f"To respond for {ctx.name(giver)}, name them in full or put a colon after {first}: "
                f"for {giver.display_name}: REASON. (A comment of your own must not start with 'for {first}'.)"
            )
    named = [
        m for m in ctx.uow.members.active(ctx.collective.id) if m.id != member.id and _after_name(m, words) is not None
    ]
    if named:
        raise Refusal(
            f"You hold no proxy of {ctx.name(named[0])}, so you cannot respond for them. (A comment that starts "
            "with 'for' and a member's name reads as a response for them; reword it.)"
        )
    return None


def _after_name(member: Member, words: str, strict: bool = True) -> str | None:
    """The text after ``member``'s name when ``words`` begin with it, None when they do not. Their user id
    (with or without @) or display name, whole; or the display name's first word when nothing follows it
    but a reason after a colon or comma — or anything, when not ``strict``."""
    folded = words.casefold()
    whole = {member.user_id, member.user_id.lstrip("@"), member.display_name}
    first = member.display_name.split()[:1]
    names = [(n.casefold(), True) for n in whole if n] + [(n.casefold(), False) for n in first if n not in whole]
    for name, is_whole in sorted(names, key=lambda pair: len(pair[0]), reverse=True):
        for candidate in (name, "@" + name):
            if not folded.startswith(candidate):
                continue
            rest = words[len(candidate) :]
            if not rest or rest[0] in ":,":
                return rest.lstrip(":,").strip()
            if rest[0].isspace() and (is_whole or not strict or rest.lstrip()[:1] in (":", ",")):
                return rest.strip().lstrip(":,").strip()
    return None


def offer_lapses(scope: DueScope) -> None:
    p = scope.uow.proxies.get(scope.work.subject_id)
    if p.status == ProxyStatus.OFFERED:
        end_proxy(scope, p, ProxyStatus.LAPSED, "not accepted")


def term_ends(scope: DueScope) -> None:
    p = scope.uow.proxies.get(scope.work.subject_id)
    if p.status == ProxyStatus.ACTIVE:
        end_proxy(scope, p, ProxyStatus.EXPIRED, f"its term ended {scope.time(p.ends_at)}")


DUE_HANDLERS = {PROXY_OFFER_LAPSES: offer_lapses, PROXY_ENDS: term_ends}
