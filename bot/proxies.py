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

from bot.commands import Arg, Where, group
from bot.context import Context, Scope
from bot.durations import describe_duration, parse_duration
from bot.errors import Refusal
from bot.items import item_number
from bot.kinds import kind_of
from bot.language import N_, _
from bot.live_records import Proxy, ProxyStatus
from bot.model import DueWork, Member, Status
from bot.naming import find_member
from bot.proxy_ends import DUE_HANDLERS as DUE_HANDLERS  # the due work of bot.core
from bot.proxy_ends import OFFER_LAPSES_AFTER, PROXY_ENDS, PROXY_OFFER_LAPSES, end_proxy, lapse_overdue
from bot.proxy_ends import on_leave as on_leave  # a member leaving ends their proxies (bot.membership)
from bot.text import cmd

DEFAULT_TERM = timedelta(days=7)
LONGEST_TERM = timedelta(days=30)
_SECTION = N_("Proxies")

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
            raise ValueError(
                # Translators: {word} is what the member typed; "for", "on" and "all" are typed: keep them.
                _("'{word}' is not understood here: say for DURATION (7d, 2w) and on #N or on all.", word=word)
            )
        value = words.pop(0)
        if word == "for":
            terms.term = parse_duration(value)
            if terms.term > LONGEST_TERM:
                raise ValueError(_("A proxy lasts at most {duration}.", duration=describe_duration(LONGEST_TERM)))
        elif value.lower() == "all":
            terms.item_number = None
        else:
            terms.item_number = item_number(value)
    return terms


proxy = group(
    "proxy",
    # Translators: accept, decline and revoke are typed after /proxy: keep them.
    N_(
        "give your response to another member for a while (offered in a direct message); they accept or decline; "
        "you revoke"
    ),
    section=_SECTION,
    where=Where.ANY,
    # The terms written out: DEFAULT_TERM, LONGEST_TERM and OFFER_LAPSES_AFTER.
    # Translators: "for", "on", "all" and "/agree 4 for alice" are typed in commands: keep them.
    details=N_(
        "TERMS: [for DURATION] [on #N|all]. For 1 week unless you say (at most 30 days, from when they accept), on "
        "every round open meanwhile unless you name one item. The offer lapses after 2 days if not accepted. The "
        "holder responds for you by naming you (/agree 4 for alice); your own response always replaces theirs. A "
        "member holds one proxy at a time and gives one. /proxy status shows yours."
    ),
)
# Translators: the usage line of /proxy: "/proxy @member|status|… [TERMS|@member]".
_MEMBER, _TERMS = N_("@member"), N_("TERMS")

# What a proxy is on, said in whole sentences: the first of each pair for every round open during its term, the
# second for one item (#{number}). {giver} gives their response to {holder}, who responds for them.
_OFFERED = (
    N_(
        "Offered: {holder} may respond for you for {duration} from when they accept, on every round open meanwhile. "
        "The offer lapses {when} unless they accept it."
    ),
    N_(
        "Offered: {holder} may respond for you for {duration} from when they accept, on #{number}. "
        "The offer lapses {when} unless they accept it."
    ),
)
_OFFERS_YOU = (
    # Translators: keep "/agree N for {name}": the holder types it to respond for the giver ({name}).
    N_(
        "{giver} offers you their response for {duration} from when they accept, on every round open meanwhile: "
        "you would respond for them by naming them (/agree N for {name}). Say /proxy accept or /proxy decline by "
        "{when}."
    ),
    # Translators: keep "/agree N for {name}": the holder types it to respond for the giver ({name}).
    N_(
        "{giver} offers you their response for {duration} from when they accept, on #{number}: you would respond "
        "for them by naming them (/agree N for {name}). Say /proxy accept or /proxy decline by {when}."
    ),
)
_STATUS_OFFERED = (
    N_("{giver} offered {holder} their response (on every round open meanwhile)."),
    N_("{giver} offered {holder} their response (on #{number})."),
)
_STATUS_HELD = (
    N_("{holder} responds for {giver} until {when} (on every round open meanwhile)."),
    N_("{holder} responds for {giver} until {when} (on #{number})."),
)
_NOW_HOLDS = (
    # Translators: "{holder} for {giver}" is how a response given by proxy is shown among the responses.
    N_(
        "{holder} now holds {giver}'s proxy until {when}, on every round open meanwhile: a response for them reads "
        '"{holder} for {giver}", and {giver}\'s own response always replaces it.'
    ),
    # Translators: "{holder} for {giver}" is how a response given by proxy is shown among the responses.
    N_(
        "{holder} now holds {giver}'s proxy until {when}, on #{number}: a response for them reads "
        '"{holder} for {giver}", and {giver}\'s own response always replaces it.'
    ),
)


def _in_force(proxy_: Proxy, scope: Scope) -> bool:
    return proxy_.status == ProxyStatus.ACTIVE and proxy_.ends_at is not None and proxy_.ends_at > scope.now


def _said(scope: Scope, proxy_: Proxy, sentences: tuple[str, str], **values: object) -> str:
    """The sentence of a pair (above) for what ``proxy_`` is on, in the language spoken."""
    if proxy_.item_id is None:
        return _(sentences[0], **values)
    return _(sentences[1], number=scope.uow.items.get(proxy_.item_id).number, **values)


@proxy.default(args=(Arg("who", _MEMBER), Arg("terms", _TERMS, terms_of, rest=True, optional=True)))
def offer(ctx: Context, member: Member, who: str, terms: Terms | None) -> None:
    if not ctx.chat.is_direct:  # an offer is between two members: declined, no one else need know of it
        raise Refusal(
            # Translators: keep "/proxy @member [for DURATION] [on #N|all]": how the command is typed.
            _(
                "Offer a proxy in a direct message with me: /proxy @member [for DURATION] [on #N|all]. "
                "The group hears of it once it is accepted."
            )
        )
    lapse_overdue(ctx)
    pending = ctx.uow.proxies.pending(ctx.collective.id)
    terms = terms or Terms()
    holder = find_member(ctx, who)
    if holder.id == member.id:
        raise Refusal(_("That is you: give your response to another member."))
    given = next((p for p in pending if p.giver_id == member.id), None)
    if given is not None:
        other = ctx.name(ctx.uow.members.get(given.holder_id))
        if given.status == ProxyStatus.OFFERED:
            raise Refusal(
                _(
                    "You give one proxy at a time, and yours is waiting for {name}. /proxy revoke ends it first.",
                    name=other,
                )
            )
        raise Refusal(
            _("You give one proxy at a time, and yours is held by {name}. /proxy revoke ends it first.", name=other)
        )
    held = next((p for p in pending if p.holder_id == holder.id and p.status == ProxyStatus.ACTIVE), None)
    if held is not None:
        giver = ctx.name(ctx.uow.members.get(held.giver_id))
        raise Refusal(
            _(
                "{holder} already holds {giver}'s proxy: a member holds one proxy at a time (no blocs).",
                holder=ctx.name(holder),
                giver=giver,
            )
        )
    item_id = None
    if terms.item_number is not None:
        item = ctx.uow.items.by_number(ctx.collective.id, terms.item_number)
        if item is None or not kind_of(item).has_round or item.status != Status.OPEN:
            raise Refusal(
                _("#{number} is not open for a decision. /proposals lists the open items.", number=terms.item_number)
            )
        item_id = item.id
    made = ctx.uow.proxies.add(
        Proxy(None, ctx.collective.id, member.id, holder.id, int(terms.term.total_seconds()), ctx.now, item_id)
    )
    lapses = ctx.now + OFFER_LAPSES_AFTER
    ctx.uow.due.add(DueWork(None, ctx.collective.id, PROXY_OFFER_LAPSES, made.id, lapses))
    values = {"holder": ctx.name(holder), "giver": ctx.name(member), "duration": describe_duration(terms.term)}
    ctx.reply(_said(ctx, made, _OFFERED, when=ctx.time(lapses), **values))
    ctx.tell(holder, _said(ctx, made, _OFFERS_YOU, when=ctx.time(lapses), name=member.display_name, **values))


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
        names = {"giver": ctx.name(giver), "holder": ctx.name(holder)}
        if p.status == ProxyStatus.OFFERED:
            lines.append(_said(ctx, p, _STATUS_OFFERED, **names))
        else:
            lines.append(_said(ctx, p, _STATUS_HELD, when=ctx.time(p.ends_at), **names))
    # Translators: keep "/proxy @member [for DURATION] [on #N|all]": how the command is typed.
    return "\n".join(lines) or _("You give no proxy and hold none. Usage: /proxy @member [for DURATION] [on #N|all]")


_FROM = Arg("who", _MEMBER, optional=True)


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
    if not offers and who:
        raise Refusal(_("No one has offered you a proxy of {name}.", name=who.lstrip("@")))
    if not offers:
        raise Refusal(_("No one has offered you a proxy."))
    if len(offers) > 1:
        names = ", ".join(ctx.name(ctx.uow.members.get(p.giver_id)) for p in offers)
        raise Refusal(
            # Translators: {names} are the members who offered; {command} is "/proxy accept" or "/proxy decline".
            _(
                "Several offers wait for you ({names}): say whose, like {command} @member.",
                names=names,
                command=cmd(f"proxy {verb}"),
            )
        )
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
            _(
                "You already hold {name}'s proxy: a member holds one proxy at a time (no blocs). "
                "Decline this one, or wait until that one ends.",
                name=giver,
            )
        )
    giver = ctx.uow.members.get(offered.giver_id)
    offered.status, offered.accepted_at = ProxyStatus.ACTIVE, ctx.now
    offered.ends_at = ctx.now + timedelta(seconds=offered.term_seconds)
    ctx.uow.proxies.save(offered)
    ctx.uow.due.cancel(ctx.collective.id, PROXY_OFFER_LAPSES, offered.id)
    ctx.uow.due.add(DueWork(None, ctx.collective.id, PROXY_ENDS, offered.id, offered.ends_at))
    until = ctx.time(offered.ends_at)
    ctx.announce(_said(ctx, offered, _NOW_HOLDS, holder=ctx.name(member), giver=ctx.name(giver), when=until))
    if ctx.chat.is_direct:
        ctx.reply(_("Accepted: you respond for {name} until {when}.", name=ctx.name(giver), when=until))
    ctx.tell(giver, _("{name} accepted your proxy: it holds until {when}.", name=ctx.name(member), when=until))


@proxy.subcommand("decline", args=(_FROM,))
def decline(ctx: Context, member: Member, who: str | None) -> None:
    offered = _offered_to(ctx, member, who, "decline")
    offered.status, offered.ended_at = ProxyStatus.DECLINED, ctx.now
    ctx.uow.proxies.save(offered)
    ctx.uow.due.cancel(ctx.collective.id, PROXY_OFFER_LAPSES, offered.id)
    giver = ctx.uow.members.get(offered.giver_id)
    ctx.reply(_("{holder} declines {giver}'s proxy.", holder=ctx.name(member), giver=ctx.name(giver)))
    ctx.tell(giver, _("{name} declined your proxy.", name=ctx.name(member)))


@proxy.subcommand("revoke")
def revoke(ctx: Context, member: Member) -> None:
    lapse_overdue(ctx)
    given = next((p for p in ctx.uow.proxies.pending(ctx.collective.id) if p.giver_id == member.id), None)
    if given is None:
        raise Refusal(_("You give no proxy right now."))
    was_active = given.status == ProxyStatus.ACTIVE
    holder = ctx.uow.members.get(given.holder_id)
    # Translators: why a proxy ended, in brackets: "Bob no longer holds Alice's proxy (Alice revoked it)."
    end_proxy(ctx, given, ProxyStatus.REVOKED, _("{name} revoked it", name=ctx.name(member)))
    if not was_active:
        ctx.reply(_("Your offer to {name} is withdrawn.", name=ctx.name(holder)))
    elif ctx.chat.is_direct:
        ctx.reply(_("Revoked: {name} no longer responds for you.", name=ctx.name(holder)))


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
                # Translators: "for" is typed before the name: keep it. {name} is the member, {full} their whole
                # name as typed, {first} its first word.
                _(
                    "To respond for {name}, name them in full or put a colon after {first}: for {full}: REASON. "
                    "(A comment of your own must not start with 'for {first}'.)",
                    name=ctx.name(giver),
                    first=first,
                    full=giver.display_name,
                )
            )
    named = [
        m for m in ctx.uow.members.active(ctx.collective.id) if m.id != member.id and _after_name(m, words) is not None
    ]
    if named:
        raise Refusal(
            # Translators: 'for' is the word typed before a member's name to respond for them: keep it.
            _(
                "You hold no proxy of {name}, so you cannot respond for them. (A comment that starts with 'for' and "
                "a member's name reads as a response for them; reword it.)",
                name=ctx.name(named[0]),
            )
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
