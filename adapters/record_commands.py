"""``collective-bot verify`` and ``collective-bot export``: the record's hash chain checked offline, and the record
written out as files that check on their own (``storage.export``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.config import load_config
from adapters.wiring import open_storage
from bot.chain import Verdict, heads_in, short
from storage import chain
from storage.engine import sqlite_url
from storage.export import ExportUnreadable, check_export, export, export_folders


class Unusable(Exception):
    """What the command cannot work with, in one line for the operator (exit 2)."""


def _engine(args: argparse.Namespace):
    if args.config:
        return open_storage(load_config(args.config).storage_url)
    if not Path(args.db).is_file():  # never a new, empty database where the operator mistyped a path
        raise Unusable(f"{args.db}: no such database file")
    return open_storage(sqlite_url(args.db))


def _chosen(connection, args: argparse.Namespace) -> list[int]:
    every = chain.collectives(connection)
    if not every:
        raise Unusable("the database holds no collective: nothing to check or export")
    if args.collective is None:
        return every
    if args.collective not in every:
        known = ", ".join(map(str, every)) or "none"
        raise SystemExit(f"collective-bot: there is no collective {args.collective} (collectives: {known})")
    return [args.collective]


def run_verify(args: argparse.Namespace) -> int:
    try:
        return _verify(args)
    except Unusable as error:
        print(f"collective-bot: {error}", file=sys.stderr)
        return 2


def _verify(args: argparse.Namespace) -> int:
    heads: list[str] = []
    if args.heads:
        try:
            heads = heads_in(Path(args.heads).read_text())
        except OSError as error:
            print(f"collective-bot: cannot read {args.heads}: {error}", file=sys.stderr)
            return 2
        if not heads:
            print(f"collective-bot: {args.heads} holds no head hash (8 to 64 hex digits)", file=sys.stderr)
            return 2
    verdicts: dict[str, Verdict] = {}
    if args.export:
        try:
            for folder in export_folders(Path(args.export)):
                verdicts[str(folder)] = check_export(folder, heads)
        except ExportUnreadable as error:
            print(f"collective-bot: {error}", file=sys.stderr)
            return 2
    else:
        engine = _engine(args)
        try:
            with engine.connect() as connection:
                for collective_id in _chosen(connection, args):
                    verdicts[f"collective {collective_id}"] = chain.verify(connection, collective_id, heads)
        finally:
            engine.dispose()
    failed = False
    for name, verdict in verdicts.items():
        print(f"{name}: {verdict._replace(missing_heads=[]).words()}")
        failed = failed or bool(verdict.findings)
    if heads:
        # A head counts when it is on any chain checked, after the heads pasted before it that are on that chain
        # (the heads of several chats may be pasted together, each chat's in the order it saw them).
        missing = (
            set.intersection(*(set(verdict.missing_heads) for verdict in verdicts.values())) if verdicts else set(heads)
        )
        unordered = {head for verdict in verdicts.values() for head in verdict.unordered_heads}
        for head in heads:
            if head in missing and head in unordered:
                print(
                    f"head {head}: NOT on the chain after the heads pasted before it — the record was rewritten "
                    "after the chat was shown it"
                )
            elif head in missing:
                print(f"head {head}: NOT on the chain — the record was rewritten after the chat was shown it")
            else:
                print(f"head {short(head)}: on the chain")
        failed = failed or bool(missing)
    return 1 if failed else 0


def run_export(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    try:
        engine = _engine(args)
        try:
            with engine.connect() as connection:
                chosen = _chosen(connection, args)
                for collective_id in chosen:
                    into = folder if len(chosen) == 1 else folder / f"collective-{collective_id}"
                    counts = export(connection, collective_id, into)
                    listed = ", ".join(f"{count} {name}" for name, count in counts.items() if name != "chain")
                    print(f"collective {collective_id}: {counts['chain']} chain entries and {listed} written to {into}")
        finally:
            engine.dispose()
    except Unusable as error:
        print(f"collective-bot: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # the folder is a file, or cannot be written
        print(f"collective-bot: cannot write the export to {folder}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"Check it any time with: collective-bot verify --export {folder}")
    return 0
