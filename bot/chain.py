"""The record's hash chain: every entry of a collective's record (an item, a response, an outcome, a ledger entry,
a turn, a setting, a membership …) is appended as ``hash = SHA-256(previous hash ‖ canonical JSON of the entry)``,
so changing, removing or reordering any entry changes every hash after it, and a head hash once posted in the chat
(where the operator cannot reach it) pins everything before it.

This module is the chain's arithmetic and its check, with no storage in it: ``storage.chain`` appends entries in
the same transaction as the rows they record, and streams entries and rows through ``ChainCheck`` for ``/verify``,
``collective-bot verify`` and the check of an export.

Canonical JSON: keys sorted, no spaces, UTF-8, no floats (money is in minor units, as integers), times as UTC ISO
strings (``2026-03-02T09:00:00Z``). An entry is ``{"n": its number, "collective": id, "kind": …, "ref": the row it
records, "row": the row as it is now (null: removed)}``, with ``"backfilled": true`` when it was added by the
upgrade that introduced the chain rather than as it happened.

What the check finds is said in the language spoken (``/verify`` speaks the collective's; the command line
English): each finding is a whole clause, and what an entry records a noun phrase filled into it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from bot import chain_rules
from bot.chain_words import described, kind_words, verdict_words
from bot.language import _

GENESIS = "0" * 64  # the "previous hash" of a chain's first entry
SHORT = 12  # hex characters of a head as the chat shows it (48 bits: no one finds another entry to match)
_MARK = re.compile("\ue000(\\d+)\ue001")  # where settle() puts a collective's head (see ``witnessed``)
_HEX = re.compile(r"[0-9a-fA-F]{8,64}")
_RECORDED = re.compile(r"\brecord\s+([0-9a-fA-F]{8,64})\b")
_FULL = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")


# --- the arithmetic ---------------------------------------------------------


def _time(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(value).__name__} is not in the record")


def plain(value):
    """A value as canonical JSON holds it: times as UTC ISO strings, no floats (a float, which the record never
    has, is written as its text so it cannot round differently elsewhere)."""
    if isinstance(value, datetime):
        return _time(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, float):
        return repr(value)
    return value


def canonical(value) -> str:
    """Canonical JSON of a row as storage reads it (its JSON fields parsed with floats kept as text, see
    ``storage.chain_kinds``): one pass of the C encoder, times turned to text on the way."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_time)


def link(previous: str, content: str) -> str:
    """The hash of an entry: SHA-256 of the previous entry's hash (hex) followed by the entry's canonical JSON."""
    return hashlib.sha256((previous + content).encode()).hexdigest()


def entry_content(number: int, collective_id: int, kind: str, ref: str, row: dict | None, backfilled=False) -> str:
    entry = {"n": number, "collective": collective_id, "kind": kind, "ref": ref, "row": row}
    if backfilled:
        entry["backfilled"] = True
    return canonical(entry)


def commitment(salt: str, member_id: int, where: str) -> str:
    """A member on a private need's entries as the chain holds them: SHA-256 of ``salt:where:member id``, the salt
    the need's own, kept apart from the chain and the export, and ``where`` the place in the record (``author 0``,
    ``roll 12``, ``ledger 7``) so that no two places hold the same value for the same member — nothing in the
    chain or an export can be compared to tell who asked. Whoever holds the salt can check each one."""
    return hashlib.sha256(f"{salt}:{where}:{member_id}".encode()).hexdigest()


def short(head: str) -> str:
    return head[:SHORT]


# --- heads in messages ------------------------------------------------------


def witnessed(text: str, collective_id: int) -> str:
    """An outcome or funding message, ending with the collective's head as it is when its unit of work is done
    (``bot.results.settle`` fills it in): the chat then witnesses the record."""
    return f"{text}\n· record \ue000{collective_id}\ue001"


def fill_heads(text: str, head_of: Callable[[int], str]) -> str:
    if "\ue000" not in text:
        return text
    return _MARK.sub(lambda found: short(head_of(int(found.group(1)))), text)


def heads_in(text: str) -> list[str]:
    """Head hashes pasted from chat messages, one a line, short or full, whatever surrounds them: the hash after
    ``record`` (``· record 3f9a1c2e07b4``), else a full 64-digit hash, else a line that is a hash alone — so a
    number or a word in the rest of a pasted message is not taken for one."""
    heads = []
    for line in text.splitlines():
        found = _RECORDED.findall(line) or _FULL.findall(line)
        if not found and _HEX.fullmatch(line.strip(" \t·:.,;-'\"`")):
            found = [line.strip(" \t·:.,;-'\"`")]
        heads += [head.lower() for head in found if head.lower() not in heads]
    return heads


# --- the check --------------------------------------------------------------


class Finding(NamedTuple):
    number: int | None  # the entry's number; None: a row the chain has no entry for
    kind: str
    ref: str
    problem: str  # in plain words, beginning with the entry it is about
    broken: bool = False  # the chain itself breaks here (named before any row that disagrees with it)

    def sort_key(self):
        return (not self.broken, self.number is None, self.number or 0)


class Verdict(NamedTuple):
    entries: int
    head: str
    findings: list[Finding]  # first bad entry first
    missing_heads: list[str]  # heads asked about that are on no entry of the chain, or not in the order asked
    unordered_heads: tuple[str, ...] = ()  # of those, the ones on the chain but before a head posted earlier

    @property
    def intact(self) -> bool:
        return not self.findings and not self.missing_heads

    def words(self) -> str:
        """The verdict in plain words, in the language spoken."""
        return verdict_words(self.entries, short(self.head), self.findings, self.missing_heads, self.unordered_heads)


class ChainCheck:
    """Walks a collective's entries in order, then the rows its data holds now, and says what does not agree.

    ``entry()`` for each entry by number: each must be the next number, recompute to its stored hash from the one
    before, hold its own number, collective, kind and ref, and change only what may still change
    (``bot.chain_rules``). Then ``row()`` for every row the data holds: the
    latest entry of each row must equal it, and no latest entry may record a row that is gone. Memory: one small
    tuple per row recorded (not per entry), and the latest row of the few kinds the rules compare (items, rounds,
    needs, turns, swaps, memberships), so years of history stream through."""

    def __init__(self, collective_id: int, heads: Iterable[str] = (), content_of: Callable[[int], str] | None = None):
        self.collective_id = collective_id
        self.entries = 0
        self.head = GENESIS
        self.findings: list[Finding] = []
        self._linked = True
        self._latest: dict[tuple[str, str], tuple[int, bytes | None]] = {}
        self._names: dict[int, str] = {}
        self._order = list(dict.fromkeys(head.lower() for head in heads))  # as pasted: the order the chat saw
        self._heads = set(self._order)
        self._lengths = sorted({len(head) for head in self._heads})
        self._found: dict[str, list[int]] = {}  # head -> the numbers of the entries it is the head after
        self._rows: dict[tuple[str, str], dict | None] = {}  # the latest row of kinds the rules compare
        self._past = chain_rules.History()
        self._live = False  # an entry written as it happened was seen (backfilled ones come only before)
        self._previous: tuple[str, str] = ("", "{}")  # the entry before: its kind and content
        self._content_of = content_of  # an entry's stored content by number, to say what it recorded

    def entry(self, number: int, kind: str, ref: str, content: str, hash_: str) -> None:
        expected = self.entries + 1
        self.entries += 1
        if self._linked:
            if number != expected:
                self._linked = False
                missing = _("entry {number} is missing from the chain", number=expected)
                self.findings.append(Finding(expected, kind, ref, missing, broken=True))
            elif link(self.head, content) != hash_:
                self._linked = False
                said = {"number": number, "about": described(kind, _row(content), self._names)}
                if number > 1:
                    kind_before, content_before = self._previous
                    problem = _(
                        "entry {number} ({about}) does not recompute to its hash: it, or entry {before} before it "
                        "({about_before}), was altered, or the order of the entries was changed",
                        before=number - 1,
                        about_before=described(kind_before, _row(content_before), self._names),
                        **said,
                    )
                else:
                    problem = _(
                        "entry {number} ({about}) does not recompute to its hash: it was altered, or the order of "
                        "the entries was changed",
                        **said,
                    )
                self.findings.append(Finding(number, kind, ref, problem, broken=True))
        self.head = hash_
        self._previous = (kind, content)
        if self._lengths:
            for length in self._lengths:
                if hash_[:length] in self._heads:
                    self._found.setdefault(hash_[:length], []).append(number)
        # Canonical content is {["backfilled":true,]"collective":…,"kind":…,"n":…,"ref":…,"row":…}: the row's
        # canonical text is what follows that prefix, so it is read without parsing the entry again.
        place = f'"collective":{self.collective_id},"kind":{_quoted(kind)},"n":{number},"ref":{_quoted(ref)},"row":'
        backfilled = False
        if content.startswith("{" + place):
            row_text = content[len(place) + 1 : -1]
        elif content.startswith('{"backfilled":true,' + place):
            row_text = content[len(place) + 19 : -1]
            backfilled = True
        else:
            self._bad(
                number,
                kind,
                ref,
                _("entry {number} ({about}) is out of its place", number=number, about=kind_words(kind)),
            )
            row_text = canonical(_row(content))
        if backfilled and self._live:
            problem = _(
                "entry {number} ({about}) claims to be backfilled by the upgrade, after entries written as they "
                "happened",
                number=number,
                about=kind_words(kind),
            )
            self._bad(number, kind, ref, problem)
        self._live = self._live or not backfilled
        key = (kind, ref)
        row = None
        if kind in chain_rules.KEPT and row_text != "null":
            row = json.loads(row_text)
        if kind == "member" and row is not None:
            self._names[int(ref)] = row.get("display_name", "")
        latest = self._latest.get(key)
        if not backfilled and (kind in chain_rules.KEPT or kind in chain_rules.FROZEN or kind == "response"):
            after = row if kind in chain_rules.KEPT else (None if row_text == "null" else {})
            recorded = latest is not None and (kind in chain_rules.FROZEN or latest[1] is not None)
            why = chain_rules.refused(kind, ref, self._rows.get(key), after, recorded, self._past)
            if why:
                self._refuse(number, kind, ref, latest, after is None, row_text, why)
        if kind in chain_rules.KEPT:
            self._rows[key] = row
        chain_rules.note(kind, ref, row, self._past)
        self._latest[key] = (number, None if row_text == "null" else _digest(row_text))

    def _refuse(self, number, kind, ref, latest, removal, row_text, why) -> None:
        """An entry that changes what the rules say may not change: named with what it changed (``why``: a clause,
        from ``chain_rules.refused``)."""
        if latest is None or latest[1] is None:
            about = described(kind, json.loads(row_text), self._names)
            # Translators: {about} is what the entry records ("round 2 of #4"); {why} the rule it breaks, a clause.
            problem = _("entry {number} adds {about}, but {why}", number=number, about=about, why=why)
        else:
            about = described(kind, self._recorded(latest[0]), self._names)
            if removal:
                problem = _("entry {number} removes {about}, but {why}", number=number, about=about, why=why)
            else:
                problem = _("entry {number} changes {about}, but {why}", number=number, about=about, why=why)
        self._bad(number, kind, ref, problem)

    def _bad(self, number, kind, ref, problem) -> None:
        if self._linked:  # once the links are broken, what follows is not named again
            self.findings.append(Finding(number, kind, ref, problem))

    def row(self, kind: str, ref: str, row: dict) -> None:
        """A row as the data holds it now."""
        latest = self._latest.pop((kind, ref), None)
        if latest is None:
            about = described(kind, row, self._names)
            self.findings.append(
                Finding(None, kind, ref, _("{about} is in the database but not in the record", about=about))
            )
            return
        number, digest = latest
        if digest != _digest(canonical(row)):
            recorded = self._recorded(number)
            if digest is None:
                problem = _(
                    "entry {number} records the removal of {about}, but the row is there",
                    number=number,
                    about=described(kind, row, self._names),
                )
            else:
                changed = sorted(key for key in {*row, *recorded} if plain(row.get(key)) != recorded.get(key))
                # Translators: {fields} are the names of the columns that differ, as stored (left as they are).
                problem = _(
                    "entry {number} records {about}, but the database now says otherwise ({fields})",
                    number=number,
                    about=described(kind, recorded, self._names),
                    fields=", ".join(changed),
                )
            self.findings.append(Finding(number, kind, ref, problem))

    def _recorded(self, number: int) -> dict:
        if self._content_of is None:
            return {}
        return _row(self._content_of(number)) or {}

    def verdict(self) -> Verdict:
        for (kind, ref), (number, digest) in self._latest.items():
            if digest is not None:
                about = described(kind, self._recorded(number), self._names)
                gone = _("entry {number} records {about}, which is gone", number=number, about=about)
                self.findings.append(Finding(number, kind, ref, gone))
        self._latest.clear()
        findings = sorted(self.findings, key=Finding.sort_key)
        # Each head pasted must be on the chain after the ones pasted before it (the chat saw them in that
        # order): a head an operator forged by appending entries until one matched would land out of place.
        unordered, at = [], 0
        for head in self._order:
            numbers = [number for number in self._found.get(head, ()) if number >= at]
            if numbers:
                at = numbers[0]
            elif head in self._found:
                unordered.append(head)
        missing = sorted(head for head in self._heads if head not in self._found or head in unordered)
        return Verdict(self.entries, self.head, findings, missing, tuple(unordered))


def _quoted(text: str) -> str:
    """A string as canonical JSON writes it (the plain ones without calling the encoder)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()[:16]


def _row(content: str) -> dict | None:
    try:
        return json.loads(content).get("row")
    except (ValueError, AttributeError):
        return None
