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


def _engine(args: argparse.Namespace):
    url = load_config(args.config).storage_url if args.config else sqlite_url(args.db)
    return open_storage(url)


def _chosen(connection, args: argparse.Namespace) -> list[int]:
    every = chain.collectives(connection)
    if args.collective is None:
        return every
    if args.collective not in every:
        known = ", ".join(map(str, every)) or "none"
        raise SystemExit(f"collective-bot: there is no collective {args.collective} (collectives: {known})")
    return [args.collective]


def run_verify(args: argparse.Namespace) -> int:
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
        # A head counts when it is on any chain checked (the heads of several chats may be pasted together).
        missing = (
            set.intersection(*(set(verdict.missing_heads) for verdict in verdicts.values())) if verdicts else set(heads)
        )
        for head in heads:
            if head in missing:
                print(f"head {head}: NOT on the chain — the record was rewritten after the chat was shown it")
            else:
                print(f"head {short(head)}: on the chain")
        failed = failed or bool(missing)
    return 1 if failed else 0


def run_export(args: argparse.Namespace) -> int:
    engine = _engine(args)
    folder = Path(args.folder)
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
    print(f"Check it any time with: collective-bot verify --export {folder}")
    return 0
