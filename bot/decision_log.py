"""/decisions: the log of every outcome, newest first, a page at a time."""

from __future__ import annotations

from bot.commands import Arg, command
from bot.context import Context
from bot.proposals import page_number
from bot.text import cmd, one_line

DECISIONS_SHOWN = 20


VERDICT_WORDS = {
    "adopted": "adopted",
    "not_adopted": "not adopted",
    "approved": "approved",
    "not_approved": "not approved",
    "amended": "amended",
    "withdrawn": "withdrawn",
    "paid": "paid out",
    "met": "met",
    "kept": "kept on review",
    "lapsed": "lapsed on review",
}


@command(
    "decisions",
    "the log of every outcome, newest first",
    args=(Arg("page", "PAGE", page_number, optional=True),),
    details=f"{DECISIONS_SHOWN} to a page: adopted, not adopted, amended, withdrawn, approved, paid out, met, "
    "kept on review and lapsed on review.",
    section="Proposals",
)
def decisions(ctx: Context, page: int | None) -> None:
    ctx.reply(_log_page(ctx, page))


def _log_page(ctx: Context, page: int | None) -> str:
    collective = ctx.require_collective()
    total = ctx.uow.decisions.count(collective.id)
    if not total:
        return "No decisions yet."
    pages = -(-total // DECISIONS_SHOWN)
    if page is not None and page > pages:
        return f"There is no page {page}: the decisions fill {pages} page{'s' if pages != 1 else ''}."
    page = page or 1
    logged = ctx.uow.decisions.recent(collective.id, DECISIONS_SHOWN, (page - 1) * DECISIONS_SHOWN)
    numbers = {}
    heading_line = "Decisions, newest first:"
    if pages > 1:
        first = (page - 1) * DECISIONS_SHOWN + 1
        heading_line = f"Decisions {first}–{first + len(logged) - 1} of {total}, newest first:"
    lines = [heading_line]
    for decision in logged:
        if decision.item_id not in numbers:
            numbers[decision.item_id] = ctx.uow.items.get(decision.item_id).number
        how = []
        if decision.rule:
            how.append(decision.rule)
        if decision.round_number is not None:
            how.append(f"round {decision.round_number}")
        detail = f" ({', '.join(how)})" if how else ""
        verdict = VERDICT_WORDS.get(decision.verdict, decision.verdict)
        lines.append(
            f"#{numbers[decision.item_id]} {one_line(decision.title)} — {verdict}{detail}, {ctx.time(decision.at)}"
        )
    if pages > 1:
        lines.append(f"{cmd('decisions')} {page + 1} for older ones." if page < pages else "That is the last page.")
    return "\n".join(lines)
