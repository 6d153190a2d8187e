"""Linked identities: ``/iam`` in a direct message gives a code; ``/iam CODE`` in a direct message from an
account on another platform makes both accounts one person, who is one member in every collective.

The rules when both accounts are members of one collective (their memberships are made one):
- refused while both responded in one open round (the refusal names the items): withdraw one response first;
- the membership of the account that gave the code is kept; what the other did in open rounds (its place on
  the roll, its response), its items, offers, places on rosters, turns, held roles and swaps move to it;
- on a roster both were on, the one place kept is the kept membership's, and every turn either served
  counts as the one member's (so the fairness rule sees all of them);
- the record of what is over stays as it was: closed rounds and the append-only ledger keep naming the
  membership that acted; that membership is marked merged and never counts or shows as a member again.
Direct messages go to the account the person used last."""

from __future__ import annotations

from bot import proxies
from bot.actions import Post
from bot.addressing import destinations
from bot.commands import Arg, Where, command
from bot.context import Context
from bot.errors import Refusal
from bot.language import N_, _, ngettext, speaking
from bot.linking import CODE_LIFE, IDENTITY, SECTION, new_code, redeem
from bot.membership import AWAY_ENDS
from bot.model import Member
from bot.record import recount_twins
from bot.settings import CollectiveSettings


@command(
    "iam",
    N_("make your accounts on two platforms one member"),
    args=(Arg("code", N_("CODE"), optional=True),),
    details=N_(
        "/iam gives a code valid for 24 hours; send /iam CODE to me in a direct message from your account on the "
        "other platform. Then both accounts are one member in every collective you belong to: one response per "
        "round, one place on each roster, one name. Refused while both accounts responded in the same open round."
    ),
    where=Where.DIRECT,
    section=SECTION,
)
def iam(ctx: Context, code: str | None) -> None:
    if code is None:
        shown = new_code(ctx, IDENTITY, person=ctx.person)
        send = _(
            "Send /iam {code} to me in a direct message from your account on the other platform before {when}. "
            "It works once.",
            code=shown,
            when=ctx.time(ctx.now + CODE_LIFE),
        )
        ctx.reply(_("Your code: {code}", code=shown) + "\n" + send)
        return
    found = redeem(ctx, code, IDENTITY, _("Ask for a new one with /iam from your other account."))
    # Whom the code's account is kept under now (it may have been linked to another since it gave the code).
    person = ctx.uow.links.person_of(found.platform, found.user_id)
    other = ctx.person
    if person == other:
        raise Refusal(
            _(
                "That code is this account's own (or one linked to it already). Send it from your account on the "
                "other platform."
            )
        )
    if person[0] == ctx.sender.platform:
        raise Refusal(_("Send the code from your account on another platform; both of these are on the same one."))
    merged = _merge(ctx, person, other)
    ctx.uow.links.link_accounts(person, other, ctx.now)
    collectives = len(ctx.uow.members.memberships(*person))
    # Translators: {platform} and {other} are the platforms' names as stored (telegram, matrix). Write the singular
    # and plural forms your language needs ("collective(s)" is the English for both).
    done = ngettext(
        "Done: your {platform} and {other} accounts are one member in each of your {count} collective(s).",
        "Done: your {platform} and {other} accounts are one member in each of your {count} collective(s).",
        collectives,
        platform=person[0],
        other=ctx.sender.platform,
    )
    lines = [done]
    if merged:
        lines.append(
            ngettext(
                "In {count} of them both accounts were members: they are one membership now.",
                "In {count} of them both accounts were members: they are one membership now.",
                merged,
            )
        )
    lines.append(_("Direct messages go to the account you used last."))
    ctx.reply(" ".join(lines))


def _merge(ctx: Context, person: tuple[str, str], other: tuple[str, str]) -> int:
    """Move ``other``'s memberships to ``person``; returns in how many collectives two were made one."""
    pairs: list[tuple[Member, Member]] = []
    conflicts: list[str] = []
    # Every collective either account is in, locked in order before any is read for the merge (PostgreSQL).
    touched = [*ctx.uow.members.memberships(*other), *ctx.uow.members.memberships(*person)]
    ctx.uow.lock_collectives({member.collective_id for member in touched})
    for member in ctx.uow.members.memberships(*other):
        kept = ctx.uow.members.find(member.collective_id, *person)
        if kept is None or not kept.active:
            _take_key(ctx, member, kept, person, other)
            continue
        clash = ctx.uow.identities.both_responded(kept.id, member.id)
        if clash:
            conflicts.append(_clash(ctx, member.collective_id, ", ".join(f"#{number}" for number in clash)))
        pairs.append((kept, member))
    if conflicts:
        raise Refusal(
            _(
                "Not linked: both accounts responded to the same open round — {rounds}. A member has one response "
                "per round: withdraw one of them (or wait until it closes), then try again with a new code.",
                rounds="; ".join(conflicts),
            )
        )
    for kept, member in pairs:
        settings = CollectiveSettings.of(ctx.uow.settings.values(member.collective_id))
        with speaking(settings.language):  # what the collective hears, in its own language
            # The membership merged away gives and holds no proxy any more (nor could the kept one hold two).
            proxies.on_leave(ctx, member, _("{name}'s two accounts became one member", name=ctx.name(member)))
            ctx.uow.identities.merge_members(kept.id, member.id)
            ctx.uow.due.cancel(member.collective_id, AWAY_ENDS, member.id)
            member.active, member.left_at, member.away_until, member.merged_into = False, ctx.now, None, kept.id
            ctx.uow.tokens.revoke(member.id)  # the kept membership's links are the person's now
            ctx.uow.members.save(member)
            recount_twins(ctx.uow, member.collective_id)
            for chat in destinations(ctx.uow.collectives.chats(member.collective_id), settings.announce_in):
                ctx.actions.append(Post(chat, _note(kept, member)))
    return len(pairs)


def _take_key(ctx: Context, member: Member, former: Member | None, person, other) -> None:
    """A membership of ``other`` only: kept under ``person`` (a past membership of ``person`` there, from
    before they left, takes ``other``'s place so the two keep apart)."""
    if former is not None:
        former.platform, former.user_id = other
        member.platform, member.user_id = "", f"moving-{member.id}"
        ctx.uow.members.save(member)
        ctx.uow.members.save(former)
    member.platform, member.user_id = person
    ctx.uow.members.save(member)


def _clash(ctx: Context, collective_id: int, numbers: str) -> str:
    """The open rounds ``numbers`` both accounts responded to, and in which collective."""
    chats = ctx.uow.collectives.chats(collective_id)
    if not chats:
        return numbers
    # Translators: {numbers} are items (#3, #4); {platform} is the platform's name as stored (telegram, matrix).
    return _(
        "{numbers} (in the collective of the {platform} chat {chat})",
        numbers=numbers,
        platform=chats[0].platform,
        chat=chats[0].chat_id,
    )


def _note(kept: Member, member: Member) -> str:
    # Translators: {platform} and {other} are the platforms' names as stored (telegram, matrix).
    return _(
        "{name} linked two accounts ({platform} and {other}): they are one member from now on, with one response "
        "per round and one place on each roster.",
        name=kept.display_name,
        platform=kept.platform,
        other=member.platform,
    )
