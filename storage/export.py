"""``collective-bot export``: a collective's record as JSON and CSV files, with its hash chain, so anyone can keep
it and check it without the bot (``check_export``).

Each kind of record is one file pair — ``decisions``, ``responses`` (with their reasons), ``ledger``, ``roles``,
``turns``, ``items``, ``rounds``, ``needs``, ``offers``, ``swaps``, ``members``, ``settings``, ``collective`` —
each row exactly as the chain records it (``ref`` names the row; a private need's requester is a commitment whose
salt is not exported), and ``chain.json`` / ``chain.csv``: every entry with its content and hash. The CSV files
hold the same as the JSON ones (nested values as JSON text), for spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection

from bot.chain import ChainCheck, Verdict, plain
from storage.chain import entries
from storage.chain_kinds import KINDS, rows_of

FILES = {
    "collective": "collective",
    "member": "members",
    "setting": "settings",
    "role": "roles",
    "item": "items",
    "round": "rounds",
    "need": "needs",
    "response": "responses",
    "offer": "offers",
    "decision": "decisions",
    "ledger": "ledger",
    "turn": "turns",
    "swap": "swaps",
    "proxy": "proxies",
    "assembly": "assemblies",
    "attendance": "attendance",
    "federation": "federation",
}
CHAIN_COLUMNS = ("n", "kind", "ref", "content", "hash")


def export(connection: Connection, collective_id: int, folder: Path) -> dict[str, int]:
    """Write the collective's record into ``folder``; returns how many rows each file holds."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind in KINDS.values():
        rows = [
            {"ref": ref, **plain(row)} for _, ref, row, _raw in rows_of(connection, kind, kind.owner == collective_id)
        ]
        _write(folder, FILES[kind.name], rows)
        counts[FILES[kind.name]] = len(rows)
    chain = [
        {"n": entry.seq, "kind": entry.kind, "ref": entry.ref, "content": entry.content, "hash": entry.hash}
        for entry in entries(connection, collective_id)
    ]
    _write(folder, "chain", chain, CHAIN_COLUMNS)
    counts["chain"] = len(chain)
    return counts


def _write(folder: Path, name: str, rows: list[dict], columns: tuple[str, ...] | None = None) -> None:
    (folder / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    (folder / f"{name}.csv").write_text(_csv(rows, columns))


def _csv(rows: list[dict], columns: tuple[str, ...] | None = None) -> str:
    columns = columns or tuple(dict.fromkeys(["ref", *sorted({key for row in rows for key in row} - {"ref"})]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class ExportUnreadable(Exception):
    pass


def check_export(folder: Path, heads=()) -> Verdict:
    """Recompute the chain from ``chain.json`` and check every exported row against it (and each CSV file
    against its JSON file): the same check as ``verify`` on the database, from the files alone."""
    chain = _read(folder, "chain")
    for entry in chain:
        if not isinstance(entry, dict) or not _ENTRY_FIELDS.items() <= {k: type(v) for k, v in entry.items()}.items():
            raise ExportUnreadable(
                f"{folder / 'chain.json'}: not a chain: each entry must have "
                + ", ".join(f"{name} ({kind.__name__})" for name, kind in _ENTRY_FIELDS.items())
            )
    try:
        collective_id = json.loads(chain[0]["content"])["collective"] if chain else _collective_of(folder)
    except (ValueError, TypeError, KeyError) as error:
        raise ExportUnreadable(f"{folder / 'chain.json'}: its first entry names no collective") from error
    contents = {entry["n"]: entry["content"] for entry in chain}
    check = ChainCheck(collective_id, heads, lambda number: contents.get(number, "{}"))
    for entry in chain:
        check.entry(entry["n"], entry["kind"], entry["ref"], entry["content"], entry["hash"])
    problems = []
    for kind, name in FILES.items():
        rows = _read(folder, name)
        if not all(isinstance(row, dict) and isinstance(row.get("ref"), str) for row in rows):
            raise ExportUnreadable(f"{folder / (name + '.json')}: each row must have a ref")
        for row in rows:
            ref = row["ref"]
            check.row(kind, ref, {key: value for key, value in row.items() if key != "ref"})
        if _text(folder, f"{name}.csv") != _csv(rows):
            problems.append(name)
    if _text(folder, "chain.csv") != _csv(chain, CHAIN_COLUMNS):
        problems.append("chain")
    verdict = check.verdict()
    if problems:
        from bot.chain import Finding

        extra = [Finding(None, "file", name, f"{name}.csv does not say what {name}.json says") for name in problems]
        verdict = verdict._replace(findings=[*verdict.findings, *extra])
    return verdict


_ENTRY_FIELDS = {"n": int, "kind": str, "ref": str, "content": str, "hash": str}


def _read(folder: Path, name: str) -> list[dict]:
    try:
        rows = json.loads((folder / f"{name}.json").read_text())
    except (OSError, ValueError) as error:
        raise ExportUnreadable(f"{folder / (name + '.json')}: {error}") from error
    if not isinstance(rows, list):
        raise ExportUnreadable(f"{folder / (name + '.json')}: not a list of rows")
    return rows


def _text(folder: Path, name: str) -> str:
    try:
        return (folder / name).read_text()
    except OSError as error:
        raise ExportUnreadable(f"{folder / name}: {error.strerror or error}") from error


def _collective_of(folder: Path) -> int:
    rows = _read(folder, "collective")
    if not rows:
        raise ExportUnreadable(f"{folder}: no collective in collective.json")
    return int(rows[0]["ref"])


def export_folders(folder: Path) -> Iterator[Path]:
    """The exports in ``folder``: itself, or one sub-folder per collective (``collective-3``)."""
    if (folder / "chain.json").exists():
        yield folder
        return
    found = sorted(path for path in folder.glob("collective-*") if (path / "chain.json").exists())
    if not found:
        raise ExportUnreadable(f"{folder}: no export here (no chain.json)")
    yield from found
