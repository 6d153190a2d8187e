"""What may change in the record after it is recorded, per kind of entry — the one place that says so.

A chain that links and agrees with the data is not enough: whoever runs the bot could edit a closed round's
response, or a ledger amount, and let the bot's own code append an entry saying so. So ``bot.chain.ChainCheck``
asks ``refused`` about every entry that follows an earlier one for the same row (or records a new row, or a
removal), and names any change these rules do not allow:

- a ledger entry and a decision never change and are never removed once recorded (a mistake is undone by a new
  entry: a reversal);
- a response changes, is added or is removed only while its round is open;
- a round changes only while it is open; once closed, amended or withdrawn it never changes again;
- an item keeps its number, kind and the time it was raised; its author changes only to the membership its
  author's was made one with (``/iam``), or as a private need's commitment. The rest of an item may change: it
  can be taken up again (a review, a revised proposal, a recurring need's next period) — what was decided on
  it is in its rounds and its decisions, which do not;
- a need that is rejected, withdrawn or done never changes (a paid one may: a recurring need's next period);
- a turn that has ended, and a swap that was answered or expired, change only in who (a merge, as above);
- anything else (memberships, settings, roles, offers, proxies, assemblies) changes as the collective decides.

Entries added by the upgrade that introduced the chain (``backfilled``) record rows as they were then, not as
they happened, so they are not held to these rules — and they come only before the first entry written as it
happened.

Why an entry is refused is said as a clause, in the language spoken, after "entry 12 changes …, but". A status or
a stage in it is the stored one: a clause for each one a row can end in, the stored word itself for any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.language import N_, _

_OPEN = "open"
_FINAL_STAGES = {"rejected", "withdrawn", "done"}
_ITEM_KEPT = ("number", "kind", "created_at")


@dataclass
class History:
    """What the rules need to know of the entries before: which rounds are closed, which memberships were made
    one with which."""

    closed_rounds: set[str] = field(default_factory=set)
    merged: dict[int, int] = field(default_factory=dict)  # membership -> the one it was made one with

    def merged_into(self, before, after) -> bool:
        if isinstance(before, dict) and isinstance(after, dict):  # a private need's requester: a commitment
            return True
        return before is not None and self.merged.get(before) == after


# Kinds whose latest row ``ChainCheck`` keeps, to compare the next entry with.
KEPT = frozenset({"item", "round", "need", "turn", "swap", "member"})
# Kinds that never change once recorded, and the rule as a clause (translated where it is said).
FROZEN = {"ledger": N_("a ledger entry never changes once recorded"), "decision": N_("a decision never changes")}
# What may not change once a round, a need or a swap has ended as it did (by its stored status or stage).
_ROUND_DONE = {
    # Translators: a rule, said as a clause after "entry 12 changes round 2 of #4, but …"; {fields} are the
    # names of the values that changed, as stored (left as they are).
    "closed": N_("a round never changes once it is closed ({fields})"),
    "amended": N_("a round never changes once it is amended ({fields})"),
    "withdrawn": N_("a round never changes once it is withdrawn ({fields})"),
}
_NEED_DONE = {
    "rejected": N_("a need never changes once rejected ({fields})"),
    "withdrawn": N_("a need never changes once withdrawn ({fields})"),
    "done": N_("a need never changes once done ({fields})"),
}
_SWAP_DONE = {
    "accepted": N_("a swap once accepted never changes ({fields})"),
    "declined": N_("a swap once declined never changes ({fields})"),
    "expired": N_("a swap once expired never changes ({fields})"),
}


def refused(kind: str, ref: str, before: dict | None, after: dict | None, recorded: bool, past: History) -> str | None:
    """Why an entry recording ``after`` (None: a removal) for a row last recorded as ``before`` (``recorded``:
    whether it was recorded at all) breaks the rules, in plain words; None when it may."""
    if kind in FROZEN:
        return _(FROZEN[kind]) if recorded else None
    if kind == "response":
        if ref.split(":")[0] in past.closed_rounds:
            if not recorded:
                return _("a response is not added after its round closed")
            if after is None:
                return _("a response is not removed after its round closed")
            return _("a response is not changed after its round closed")
        return None
    if not recorded or before is None:
        return None
    if after is None:
        return _("it is never removed") if kind in ("round", "item", "need") else None
    changed = sorted(key for key in {*before, *after} if before.get(key) != after.get(key))
    if not changed:
        return None
    match kind:
        case "round" if before.get("status") != _OPEN:
            status = before.get("status")
            if status in _ROUND_DONE:
                return _(_ROUND_DONE[status], fields=", ".join(changed))
            # Translators: {status} is the round's status as stored (a word of the code, left as it is).
            return _("a round never changes once it is {status} ({fields})", status=status, fields=", ".join(changed))
        case "item":
            wrong = [key for key in changed if key in _ITEM_KEPT]
            if "author" in changed and not past.merged_into(before.get("author"), after.get("author")):
                wrong.append("author")
            if wrong:
                return _(
                    "an item keeps its number, kind and time, and its author unless two accounts became one ({fields})",
                    fields=", ".join(sorted(wrong)),
                )
        case "need" if before.get("stage") in _FINAL_STAGES:
            return _(_NEED_DONE[before.get("stage")], fields=", ".join(changed))
        case "turn" if before.get("ended_at") is not None:
            wrong = _not_who(changed, before, after, past, ("member",))
            return _("a turn that has ended never changes ({fields})", fields=", ".join(wrong)) if wrong else None
        case "swap" if before.get("status") != "pending":
            wrong = _not_who(changed, before, after, past, ("from", "to"))
            if not wrong:
                return None
            status = before.get("status")
            if status in _SWAP_DONE:
                return _(_SWAP_DONE[status], fields=", ".join(wrong))
            # Translators: {status} is the swap's status as stored (a word of the code, left as it is).
            return _("a swap once {status} never changes ({fields})", status=status, fields=", ".join(wrong))
    return None


def _not_who(changed, before: dict, after: dict, past: History, who: tuple[str, ...]) -> list[str]:
    """Of what changed, what is not who (``who``: the fields naming members), or who but not by a merge."""
    return [key for key in changed if key not in who or not past.merged_into(before.get(key), after.get(key))]


def note(kind: str, ref: str, row: dict | None, past: History) -> None:
    """Remember what the rules need of an entry just checked."""
    if kind == "round":
        if row is not None and row.get("status") != _OPEN:
            past.closed_rounds.add(ref)  # for good: reopening it is refused
    elif kind == "member" and row is not None and row.get("merged_into") is not None:
        past.merged[int(ref)] = row["merged_into"]
