"""/verify: anyone in the collective recomputes its record's hash chain (``bot.chain``) and hears whether it is
intact, or which entry first does not match and what it records.

The check reads the whole record (about two seconds per 100,000 entries on SQLite), so it runs in a read
transaction before the command's unit of work (``reads_first``): it never holds the write lock, and a member
who repeats it holds up no other chat. It checks the record as it stood then; the answer names its head."""

from __future__ import annotations

from bot.chain import Verdict
from bot.commands import command
from bot.context import Context
from bot.language import N_
from bot.model import Member
from bot.ports import UnitOfWork


def _check(uow: UnitOfWork, collective_id: int) -> Verdict:
    return uow.chain.verify(collective_id)


@command(
    "verify",
    N_("check the record against its hash chain"),
    details=N_(
        "Recomputes every entry of the record (items, responses, outcomes, the ledger, turns, settings, members) "
        "and checks the data against it. Outcome and funding messages end with the record's head then "
        "(· record 3f9a1c2e07b4): collective-bot verify --heads checks those against the chain, offline."
    ),
    section=N_("Proposals"),
    reads_first=_check,
)
def verify(ctx: Context, member: Member) -> None:
    verdict = ctx.read_first.get(member.collective_id)
    if verdict is None:  # a member only since the read (or it failed): checked here, once
        verdict = _check(ctx.uow, member.collective_id)
    ctx.reply(verdict.words())
