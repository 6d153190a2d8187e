"""What the check of the record's hash chain (``bot.chain``) says, in the language spoken: what an entry records,
as a noun phrase filled into a finding (``described``), and the verdict (``verdict_words``). ``/verify`` speaks the
collective's language; the command line (``collective-bot verify``) English.

The values in them are the record's as stored: a status, a stage, a kind of ledger entry, a setting's key and value
are the code's words (or a member's), left as they are; counts and entry numbers are written as digits alone, so
that the English a script may read from the command line stays as it was."""

from __future__ import annotations

from collections.abc import Sequence

from bot.language import N_, _, ngettext, number

# What an entry of each kind records, named inside a sentence about it (translated where shown: ``kind_words``).
KIND_WORDS = {
    # Translators: what an entry of the record is about, named inside a sentence ("entry 4 (a setting) is out of
    # its place").
    "collective": N_("the collective"),
    "member": N_("a membership"),
    "setting": N_("a setting"),
    "item": N_("an item"),
    "round": N_("a round"),
    "response": N_("a response"),
    "need": N_("a need"),
    "offer": N_("an offer of help"),
    "ledger": N_("a ledger entry"),
    "decision": N_("a decision"),
    "role": N_("a role"),
    "turn": N_("a turn"),
    "swap": N_("a swap"),
    "proxy": N_("a proxy"),
    "assembly": N_("an assembly"),
    "attendance": N_("an attendance at an assembly"),
    "federation": N_("the collective's place in a federation"),
}


def kind_words(kind: str) -> str:
    """What an entry of ``kind`` records, in the language spoken (an unknown kind as it is stored)."""
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else kind


def verdict_words(
    entries: int, head: str, findings: Sequence, missing_heads: Sequence[str], unordered_heads: Sequence[str]
) -> str:
    """The verdict of a check (``bot.chain.Verdict``): ``head`` as the chat shows it, ``findings`` first bad first,
    each with its ``problem`` a clause in the language spoken."""
    if findings:
        first = findings[0]
        more = len(findings) - 1
        if not more:
            # Translators: {problem} is what the check found first, a clause: "entry 7 is missing from the chain".
            return _("Record NOT intact: {problem}.", problem=first.problem)
        return ngettext(
            "Record NOT intact: {problem}. ({count} more problem after it.)",
            "Record NOT intact: {problem}. ({count} more problems after it.)",
            more,
            problem=first.problem,
        )
    if missing_heads:
        said = {"entries": number(entries), "head": head, "heads": ", ".join(missing_heads)}
        if unordered_heads:
            return ngettext(
                "Record NOT intact: the chain of {entries} entries (head {head}) does not contain the head "
                "{heads} posted earlier in the order they were posted: it was rewritten.",
                "Record NOT intact: the chain of {entries} entries (head {head}) does not contain the heads "
                "{heads} posted earlier in the order they were posted: it was rewritten.",
                len(missing_heads),
                **said,
            )
        # Translators: a head is a short hash of the record ("3f9a1c2e07b4") that the chat was shown.
        return ngettext(
            "Record NOT intact: the chain of {entries} entries (head {head}) does not contain the head "
            "{heads} posted earlier: it was rewritten.",
            "Record NOT intact: the chain of {entries} entries (head {head}) does not contain the heads "
            "{heads} posted earlier: it was rewritten.",
            len(missing_heads),
            **said,
        )
    # Translators: {count} entries of the record's hash chain; the English says "entries" even for one.
    return ngettext(
        "Record intact: {count} entries, head {head}.",
        "Record intact: {count} entries, head {head}.",
        entries,
        head=head,
    )


def described(kind: str, row: dict | None, names: dict[int, str]) -> str:
    """What an entry records, in plain words: a noun phrase, filled into a finding. The values are the row's as
    stored (a status, a stage, a kind of ledger entry are the code's words, left as they are)."""
    if not row:
        return kind_words(kind)

    def who(member_id) -> str:
        if isinstance(member_id, dict):
            # Translators: the requester of a private need, whom the record does not name.
            return _("whoever asked")
        return names.get(member_id) or _("member {number}", number=member_id)

    item = f"#{row['item']}" if row.get("item") is not None else _("an item")
    match kind:
        case "item":
            # Translators: an item of the record: its number, «its title» and its status as stored.
            return _(
                "#{number} «{title}» ({status})",
                number=row.get("number"),
                title=row.get("title"),
                status=row.get("status"),
            )
        case "round":
            return _("round {number} of {item}", number=row.get("number"), item=item)
        case "response":
            said = {"who": who(row.get("member")), "item": item, "round": row.get("round"), "kind": row.get("kind")}
            if row.get("reason"):
                # Translators: {kind} is the response as stored (agree, object, block…); {reason} as the member gave it.
                return _(
                    "{who}'s response to {item}, round {round} ({kind}: {reason})", reason=row.get("reason"), **said
                )
            return _("{who}'s response to {item}, round {round} ({kind})", **said)
        case "need":
            return _("the need {item} ({stage})", item=item, stage=row.get("stage"))
        case "offer":
            return _("{who}'s offer of help on {item}", who=who(row.get("member")), item=item)
        case "ledger":
            said = {"number": row.get("number"), "kind": row.get("kind"), "amount": row.get("amount")}
            if row.get("item") is not None:
                return _("ledger entry {number} ({kind} of {amount} in minor units for {item})", item=item, **said)
            # Translators: {kind} is the kind of ledger entry as stored (contribution, payout…).
            return _("ledger entry {number} ({kind} of {amount} in minor units)", **said)
        case "decision":
            return _("the decision on {item}: {verdict}", item=item, verdict=row.get("verdict"))
        case "member":
            return _("{name}'s membership", name=row.get("display_name"))
        case "setting":
            return _("the setting {key} = {value}", key=row.get("key"), value=row.get("value"))
        case "role":
            return _("the role {name}", name=row.get("name"))
        case "turn":
            return _("{who}'s turn as {role}", who=who(row.get("member")), role=row.get("role"))
        case "swap":
            return _(
                "a swap of {role} from {giver} to {taker}",
                role=row.get("role"),
                giver=who(row.get("from")),
                taker=who(row.get("to")),
            )
    return kind_words(kind)
