"""/decisions: the log of every outcome, newest first, a page at a time."""

from __future__ import annotations

from bot.commands import Arg, command
from bot.context import Context
from bot.language import N_, _, ngettext
from bot.model import Decision
from bot.proposals import page_number
from bot.text import one_line

DECISIONS_SHOWN = 20  # (the help of /decisions says 20)


# How each outcome reads in the log (translated where shown: ``_(VERDICT_WORDS[verdict])``).
VERDICT_WORDS = {
    "adopted": N_("adopted"),
    "not_adopted": N_("not adopted"),
    "approved": N_("approved"),
    "not_approved": N_("not approved"),
    "amended": N_("amended"),
    "withdrawn": N_("withdrawn"),
    # Translators: a need's outcome: the money was paid out.
    "paid": N_("paid out"),
    # Translators: a need's outcome: the help asked for was given.
    "met": N_("met"),
    # Translators: an adopted proposal's outcome when it came up for review and was adopted again.
    "kept": N_("kept on review"),
    # Translators: an adopted proposal's outcome when it came up for review and was not adopted again.
    "lapsed": N_("lapsed on review"),
}


@command(
    "decisions",
    N_("the log of every outcome, newest first"),
    args=(Arg("page", N_("PAGE"), page_number, optional=True),),
    details=N_(
        "20 to a page: adopted, not adopted, amended, withdrawn, approved, paid out, met, "
        "kept on review and lapsed on review."
    ),
    section=N_("Proposals"),
)
def decisions(ctx: Context, page: int | None) -> None:
    ctx.reply(_log_page(ctx, page))


def _log_page(ctx: Context, page: int | None) -> str:
    collective = ctx.require_collective()
    total = ctx.uow.decisions.count(collective.id)
    if not total:
        return _("No decisions yet.")
    pages = -(-total // DECISIONS_SHOWN)
    if page is not None and page > pages:
        return ngettext(
            "There is no page {page}: the decisions fill {count} page.",
            "There is no page {page}: the decisions fill {count} pages.",
            pages,
            page=page,
        )
    page = page or 1
    logged = ctx.uow.decisions.recent(collective.id, DECISIONS_SHOWN, (page - 1) * DECISIONS_SHOWN)
    numbers = {}
    heading_line = _("Decisions, newest first:")
    if pages > 1:
        first = (page - 1) * DECISIONS_SHOWN + 1
        heading_line = _(
            "Decisions {first}–{last} of {total}, newest first:", first=first, last=first + len(logged) - 1, total=total
        )
    lines = [heading_line]
    for decision in logged:
        if decision.item_id not in numbers:
            numbers[decision.item_id] = ctx.uow.items.get(decision.item_id).number
        verdict = _(VERDICT_WORDS[decision.verdict]) if decision.verdict in VERDICT_WORDS else decision.verdict
        lines.append(_logged(ctx, numbers[decision.item_id], decision, verdict))
    if pages > 1:
        lines.append(
            _("/decisions {page} for older ones.", page=page + 1) if page < pages else _("That is the last page.")
        )
    return "\n".join(lines)


# A rule the log keeps that is not a setting's value (consensus, majority, … stay as members type them).
NO_OBJECTION = N_("no objection")


def _logged(ctx: Context, number: int, decision: Decision, verdict: str) -> str:
    """One line of the log: the item, its verdict, how it was decided (the rule as the round kept it, and the
    round) and when."""
    values = {"number": number, "title": one_line(decision.title), "verdict": verdict, "when": ctx.time(decision.at)}
    rule, round_number = decision.rule, decision.round_number
    if rule == NO_OBJECTION:  # a small need's or a silent round's: approved unless someone objected
        rule = _(NO_OBJECTION)
    if rule and round_number is not None:
        # Translators: {rule} is the decision rule as typed in /set (consensus, majority, …), or "no objection".
        return _(
            "#{number} {title} — {verdict} ({rule}, round {round}), {when}", rule=rule, round=round_number, **values
        )
    if rule:
        # Translators: {rule} is the decision rule as typed in /set (consensus, majority, …), or "no objection".
        return _("#{number} {title} — {verdict} ({rule}), {when}", rule=rule, **values)
    if round_number is not None:
        return _("#{number} {title} — {verdict} (round {round}), {when}", round=round_number, **values)
    return _("#{number} {title} — {verdict}, {when}", **values)
