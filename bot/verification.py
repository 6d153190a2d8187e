"""/verify: anyone in the collective recomputes its record's hash chain (``bot.chain``) and hears whether it is
intact, or which entry first does not match and what it records."""

from __future__ import annotations

from bot.commands import command
from bot.context import Context
from bot.language import N_
from bot.model import Member


@command(
    "verify",
    N_("check the record against its hash chain"),
    details=N_(
        "Recomputes every entry of the record (items, responses, outcomes, the ledger, turns, settings, members) "
        "and checks the data against it. Outcome and funding messages end with the record's head then "
        "(· record 3f9a1c2e07b4): collective-bot verify --heads checks those against the chain, offline."
    ),
    section=N_("Proposals"),
)
def verify(ctx: Context, member: Member) -> None:
    ctx.reply(ctx.uow.chain.verify(member.collective_id).words())
