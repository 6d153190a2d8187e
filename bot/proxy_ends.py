"""How a proxy ends (``bot.proxies``): revoked, declined, lapsed when not accepted in time, expired at its term's
end, or when either member leaves. When a proxy in force ends, the responses it gave in rounds still open are
taken back and the group hears it, in the language of the proxy's collective."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta

from bot.actions import Post
from bot.addressing import destinations
from bot.context import Scope
from bot.duework import DueScope
from bot.language import N_, _, ngettext, speaking
from bot.live_records import Proxy, ProxyStatus
from bot.model import Member
from bot.rounds import refresh
from bot.settings import CollectiveSettings

OFFER_LAPSES_AFTER = timedelta(days=2)  # an offer not accepted by then lapses
PROXY_OFFER_LAPSES = "proxy_offer_lapses"
PROXY_ENDS = "proxy_ends"
# Translators: why a proxy offer ended, in brackets: "… (not accepted)."
NOT_ACCEPTED = N_("not accepted")


def end_proxy(scope: Scope, proxy_: Proxy, status: ProxyStatus, why: str) -> None:
    """End an offer or a proxy in force: the responses it gave in rounds still open are taken back (their
    tallies redrawn), and the group hears it when it was in force. A proxy ends at its term's end when it
    expires, however late the bot notices (it was down): a round whose deadline fell inside the term keeps
    what the proxy gave for its close. ``why`` is a reason in brackets ("its term ended …")."""
    was_active = proxy_.status == ProxyStatus.ACTIVE
    ended_at = scope.now
    if status == ProxyStatus.EXPIRED and proxy_.ends_at is not None:
        ended_at = min(ended_at, proxy_.ends_at)
    proxy_.status, proxy_.ended_at = status, ended_at
    scope.uow.proxies.save(proxy_)
    for kind in (PROXY_OFFER_LAPSES, PROXY_ENDS):
        scope.uow.due.cancel(proxy_.collective_id, kind, proxy_.id)
    giver, holder = scope.uow.members.get(proxy_.giver_id), scope.uow.members.get(proxy_.holder_id)
    names = {"giver": scope.name(giver), "holder": scope.name(holder)}
    if not was_active:
        with _speaking_for(scope, proxy_.collective_id):
            if status == ProxyStatus.LAPSED:
                scope.tell(giver, _("Your proxy offer to {holder} lapsed: it was not accepted in time.", **names))
            elif status == ProxyStatus.REVOKED:
                scope.tell(holder, _("{giver} withdrew the proxy they offered you.", **names))
        return
    taken = scope.uow.responses.take_back(giver.id, holder.id, ended_at)
    numbers = []
    for round_id in taken:
        round_ = scope.uow.rounds.get(round_id)
        item = scope.uow.items.get(round_.item_id)
        numbers.append(f"#{item.number}")
        refresh(scope, item, round_)
    with _speaking_for(scope, proxy_.collective_id):
        text = _("{holder} no longer holds {giver}'s proxy ({reason}).", reason=why, **names)
        if numbers:
            # Translators: {numbers} are the items whose responses are taken back: "#3, #5".
            text += " " + ngettext(
                "The responses {holder} gave for {giver} in rounds still open are taken back: {numbers}.",
                "The responses {holder} gave for {giver} in rounds still open are taken back: {numbers}.",
                len(numbers),
                numbers=", ".join(numbers),
                **names,
            )
        _announce(scope, proxy_.collective_id, text)
        if numbers:
            ended = _(
                "Your proxy ended ({reason}); respond yourself on {numbers} if you wish.",
                reason=why,
                numbers=", ".join(numbers),
            )
            scope.tell(giver, ended)


def _settings_of(scope: Scope, collective_id: int) -> CollectiveSettings:
    if scope.collective is not None and scope.collective.id == collective_id:
        return scope.settings
    return CollectiveSettings.of(scope.uow.settings.values(collective_id))


def _speaking_for(scope: Scope, collective_id: int) -> AbstractContextManager:
    """The proxy's collective's language: the scope's own, or (a direct message acting for another) its own."""
    if scope.collective is not None and scope.collective.id == collective_id:
        return nullcontext()
    return speaking(_settings_of(scope, collective_id).language)


def _announce(scope: Scope, collective_id: int, text: str) -> None:
    """To the proxy's collective: the scope's own, or (a direct message acting for another) where it announces."""
    if scope.collective is not None and scope.collective.id == collective_id:
        scope.announce(text)
        return
    for chat in destinations(
        scope.uow.collectives.chats(collective_id), _settings_of(scope, collective_id).announce_in
    ):
        scope.actions.append(Post(chat, text))


def lapse_overdue(scope: Scope) -> None:
    """Proxies whose term or offer ran out while their due work had not run yet (the bot was busy or down)
    end now, before anyone acts on them: a proxy never outlives its term."""
    if scope.collective is None:
        return
    for p in scope.uow.proxies.pending(scope.collective.id):
        if p.status == ProxyStatus.ACTIVE and p.ends_at <= scope.now:
            end_proxy(scope, p, ProxyStatus.EXPIRED, _term_ended(scope, p))
        elif p.status == ProxyStatus.OFFERED and p.offered_at + OFFER_LAPSES_AFTER <= scope.now:
            end_proxy(scope, p, ProxyStatus.LAPSED, _(NOT_ACCEPTED))


def on_leave(scope: Scope, member: Member, why: str = "") -> None:
    """A member leaves (or their membership is made one with another, ``bot.identities``): every proxy they
    give or hold ends."""
    for p in scope.uow.proxies.pending(member.collective_id):
        if member.id in (p.giver_id, p.holder_id):
            # Translators: why a proxy ended, in brackets: "Bob no longer holds Alice's proxy (Alice left)."
            end_proxy(scope, p, ProxyStatus.ENDED, why or _("{name} left", name=scope.name(member)))


def offer_lapses(scope: DueScope) -> None:
    p = scope.uow.proxies.get(scope.work.subject_id)
    if p.status == ProxyStatus.OFFERED:
        end_proxy(scope, p, ProxyStatus.LAPSED, _(NOT_ACCEPTED))


def term_ends(scope: DueScope) -> None:
    p = scope.uow.proxies.get(scope.work.subject_id)
    if p.status == ProxyStatus.ACTIVE:
        end_proxy(scope, p, ProxyStatus.EXPIRED, _term_ended(scope, p))


def _term_ended(scope: Scope, p: Proxy) -> str:
    # Translators: why a proxy ended, in brackets: "Bob no longer holds Alice's proxy (its term ended …)."
    return _("its term ended {when}", when=scope.time(p.ends_at))


DUE_HANDLERS = {PROXY_OFFER_LAPSES: offer_lapses, PROXY_ENDS: term_ends}
