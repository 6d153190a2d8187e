"""/show: an item as the record holds it — its text, every response in its latest round, who has not responded
yet, and how its earlier rounds ended."""

from __future__ import annotations

from bot.closing import settle_if_due
from bot.context import Context
from bot.decision import response_name
from bot.kinds import author_name, kind_of
from bot.language import N_, _
from bot.model import ROUND_AMENDED, ROUND_CLOSED, ROUND_OPEN, ROUND_WITHDRAWN, Item, Status
from bot.recurring_needs import schedule_lines
from bot.review import review_note
from bot.rounds import counts, standing, tally_line, voice
from bot.text import one_line, quoted


def shown(ctx: Context, item: Item) -> str:
    """An item's text, every response in its latest round and who has not responded, and its earlier rounds."""
    kind = kind_of(item)
    if not kind.has_round:
        return kind.show(ctx, item)
    rounds = ctx.uow.rounds.of_item(item.id)
    if settle_if_due(ctx, item, rounds[-1]):  # past its deadline: the outcome first, then the record
        rounds = ctx.uow.rounds.of_item(item.id)
    round_ = rounds[-1]
    author = author_name(ctx, item) or kind.raiser(item)
    if round_.status == ROUND_OPEN:
        status = _("open, closes {when}", when=ctx.time(round_.closes_at))
    else:
        status = _(ENDED[item.status]) if item.status in ENDED else item.status.replace("_", " ")
    values = {"author": author, "round": round_.number, "status": status}
    if kind.is_need:
        # Translators: {status} is how the round stands: "open, closes …", "adopted", "withdrawn", …
        raised = _("Asked by {author}. Round {round}: {status}.", **values)
    else:
        # Translators: {status} is how the round stands: "open, closes …", "adopted", "withdrawn", …
        raised = _("Proposed by {author}. Round {round}: {status}.", **values)
    lines = [f"#{item.number} {round_.title}", raised]
    if note := review_note(ctx, item):
        lines.append(note)
    if kind.is_need:
        lines += schedule_lines(ctx, item)
    if round_.body:
        lines.append(quoted(round_.body))
    state = standing(ctx, round_)
    lines.append(_("Responses ({count} of {roll}):", count=len(state.responses), roll=len(state.roll)))
    for member, response in state.responses:
        who, kind_name = voice(ctx, member, response), response_name(response.kind)
        if response.reason:
            # Translators: one response in a list: who gave it, its kind (agree, object, …) and their reason.
            lines.append(
                _("• {who} — {response}: {reason}", who=who, response=kind_name, reason=one_line(response.reason))
            )
        else:
            # Translators: one response in a list: who gave it and its kind (agree, stand aside, object, block).
            lines.append(_("• {who} — {response}", who=who, response=kind_name))
    if round_.status == ROUND_OPEN and item.data.get("private"):  # names would tell who asked
        lines.append(_("Not yet responded: {count} of {roll}.", count=len(state.silent), roll=len(state.roll)))
    elif round_.status == ROUND_OPEN and state.silent:
        silent = ", ".join(ctx.name(member) for member in state.silent)
        lines.append(_("Not yet responded: {names}.", names=silent))
    elif round_.status == ROUND_OPEN:
        lines.append(_("Not yet responded: no one."))
    if round_.outcome:  # written when the round closed, in the language spoken then
        lines.append(_("Outcome:") + "\n" + round_.outcome)
    earlier_counts = counts(ctx, rounds[:-1])
    for earlier in rounds[:-1]:
        status = _(ROUND_ENDS[earlier.status]) if earlier.status in ROUND_ENDS else earlier.status
        lines.append(
            _(
                "Round {round} ({status}): {title} — {tally}",
                round=earlier.number,
                status=status,
                title=earlier.title,
                tally=tally_line(earlier_counts[earlier.id]),
            )
        )
    return "\n".join(lines)


# How an item's latest round ended, as /show says it (``Round 2: adopted.``).
ENDED = {
    Status.OPEN: N_("open"),
    Status.ADOPTED: N_("adopted"),
    Status.NOT_ADOPTED: N_("not adopted"),
    Status.WITHDRAWN: N_("withdrawn"),
    # Translators: help that is not money, given: the need is met.
    Status.MET: N_("done"),
    # Translators: adopted, then not adopted again when it came up for review.
    Status.LAPSED: N_("lapsed"),
}
# How an earlier round ended (``Round 1 (amended): …``).
ROUND_ENDS = {
    ROUND_CLOSED: N_("closed"),
    ROUND_AMENDED: N_("amended"),
    ROUND_WITHDRAWN: N_("withdrawn"),
    ROUND_OPEN: N_("open"),
}
