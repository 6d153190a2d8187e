"""Reliability: backups under load, upgrades, downtime and races lose nothing."""

import re
import shutil
import sqlite3
import threading
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import text

from adapters.cli import main
from adapters.wiring import build_core, core_for, open_storage
from bot.actions import DirectMessage
from bot.core import Core
from bot.events import Chat
from storage.engine import alembic_config, make_engine, sqlite_url
from tests.transcript import Transcript, adopt, group, vote


def test_a_backup_taken_while_members_write_is_consistent_and_restores_everything_confirmed(tmp_path, clock, capsys):
    db = tmp_path / "live.db"
    chat = Transcript(build_core(sqlite_url(db), clock), clock)
    group(chat, "Alice")
    confirmed: list[int] = []
    started = threading.Event()
    backup_done = threading.Event()
    snapshot: list[int] = []

    def write():
        for n in range(1, 400):
            if chat.say("Alice", f"/contribute 1 gift-{n}").startswith("Thank you"):
                confirmed.append(n)
            if n == 50:
                started.set()
            if backup_done.is_set() and n > 60:
                return

    writer = threading.Thread(target=write)
    writer.start()
    started.wait(timeout=30)
    snapshot[:] = list(confirmed)  # everything confirmed before the backup began
    assert main(["backup", str(tmp_path / "copy.db"), "--db", str(db)]) == 0
    backup_done.set()
    writer.join(timeout=60)
    assert "backed up to" in capsys.readouterr().out

    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        notes = [row[0] for row in copy.execute("SELECT note FROM ledger ORDER BY id")]
    numbers = [int(note.split("-")[1]) for note in notes]
    assert numbers == list(range(1, len(numbers) + 1))  # a clean prefix: no torn transaction
    assert set(snapshot) <= set(numbers)
    assert confirmed[-1] > 60  # and the members kept writing while it was taken

    # Restore: the backup file becomes the database, and the bot runs on it.
    restored = tmp_path / "restored.db"
    shutil.copy(tmp_path / "copy.db", restored)
    again = Transcript(build_core(sqlite_url(restored), clock), clock)
    held = re.search(r"The pool holds €([\d.]+)", again.say("Alice", "/pool")).group(1)
    assert float(held) == len(numbers)


def test_backup_refuses_what_it_cannot_do(tmp_path, capsys):
    assert main(["backup", str(tmp_path / "x.db"), "--db", str(tmp_path / "missing.db")]) == 2
    assert "no such database" in capsys.readouterr().err
    config = tmp_path / "pg.toml"
    config.write_text('[storage]\nurl = "postgresql+psycopg://u:secret@localhost/db"\n')
    assert main(["backup", str(tmp_path / "x.db"), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "for PostgreSQL use pg_dump" in err and "secret" not in err


def test_a_database_from_the_first_migration_upgrades_with_no_row_lost(tmp_path, clock):
    url = sqlite_url(tmp_path / "old.db")
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        now = "2026-01-05 10:00:00"
        connection.execute(text(f"INSERT INTO collective (id, created_at) VALUES (1, '{now}')"))
        connection.execute(text(f"INSERT INTO chat VALUES ('console', 'group-1', 1, '{now}')"))
        for n, name in enumerate(["Alice", "Bob", "Carol"], 1):
            connection.execute(
                text(
                    "INSERT INTO member (id, collective_id, platform, user_id, display_name, joined_at, active) "
                    f"VALUES ({n}, 1, 'console', '{name.lower()}', '{name}', '{now}', 1)"
                )
            )
        connection.execute(text("INSERT INTO setting VALUES (1, 'timezone', 'Europe/Berlin')"))
        connection.execute(text(f"INSERT INTO seen_message VALUES ('console', 'group-1', 'm1', '{now}')"))
        connection.execute(
            text(
                "INSERT INTO due_work (collective_id, kind, subject_id, due_at, status, data) "
                f"VALUES (1, 'away_ends', 2, '{now}', 'done', '{{}}')"
            )
        )
    counts_before = _counts(engine)
    engine.dispose()

    upgraded = open_storage(url)
    assert _counts(upgraded) == counts_before
    chat = Transcript(core_for(upgraded, clock), clock)
    assert chat.say("Bob", "/members") == "Members (3):\n• Alice\n• Bob\n• Carol"
    assert "timezone = Europe/Berlin" in chat.say("Bob", "/settings")
    assert chat.say("Bob", "/propose Keep going").startswith("Proposal #1 by Bob")  # the new tables work


def test_a_database_from_before_the_record_changes_keeps_every_outcome_and_numbers_its_ledger(tmp_path, clock):
    """Upgrading from 0006: a closed round keeps the roll it had, /decisions keeps
    every outcome already decided (amended and paid ones too), and the ledger's
    entries are numbered per collective in the order they were made."""
    url = sqlite_url(tmp_path / "old.db")
    engine = make_engine(url)
    config = alembic_config()
    then = "2026-01-05 10:00:00"
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        run = lambda sql: connection.execute(text(sql))  # noqa: E731
        run(f"INSERT INTO collective (id, created_at, last_item_number) VALUES (1, '{then}', 2)")
        run(f"INSERT INTO chat VALUES ('console', 'group-1', 1, '{then}')")
        later = "2026-01-06 10:00:00"  # Carol left after the round closed: she still counts in its record
        for n, (name, active, left) in enumerate(
            [("Alice", 1, "NULL"), ("Bob", 1, "NULL"), ("Carol", 0, f"'{later}'")], 1
        ):
            run(
                "INSERT INTO member (id, collective_id, platform, user_id, display_name, joined_at, active, left_at) "
                f"VALUES ({n}, 1, 'console', '{name.lower()}', '{name}', '{then}', {active}, {left})"
            )
        run(
            "INSERT INTO item VALUES (1, 1, 1, 'proposal', 'general', 1, 'Paint the kitchen', '', "
            f"'{then}', 'adopted', '{then}', '{{}}')"
        )
        run(
            "INSERT INTO round VALUES (1, 1, 1, 'Paint it grey', '', "
            f"'{then}', '{then}', 'amended', '{then}', NULL, NULL, NULL, 'full', '{{}}')"
        )
        run(
            "INSERT INTO round VALUES (2, 1, 2, 'Paint the kitchen', '', "
            f"'{then}', '{then}', 'closed', '{then}', 'consensus', 1, 'adopted', 'full', '{{}}')"
        )
        run(  # a later member whose name looks like Alice's
            "INSERT INTO member (id, collective_id, platform, user_id, display_name, joined_at, active) "
            f"VALUES (4, 1, 'console', 'alice2', 'ALICE', '{then}', 1)"
        )
        run("INSERT INTO roll VALUES (2, 1), (2, 2), (2, 3)")
        run(f"INSERT INTO response VALUES (2, 1, 'agree', '', '{then}', '{then}')")
        run(f"INSERT INTO response VALUES (2, 3, 'standaside', 'away', '{then}', '{then}')")
        run(
            "INSERT INTO item VALUES (2, 1, 2, 'need', 'money', 2, '€40.00 — glasses (health)', '', "
            f"'{then}', 'adopted', '{then}', '{{}}')"
        )
        run(f"INSERT INTO need VALUES (2, 4000, 'health', 0, 'paid', '{then}')")
        for kind, amount, item in [("contribution", 5000, "NULL"), ("reservation", 4000, 2), ("payout", 4000, 2)]:
            run(
                "INSERT INTO ledger (collective_id, kind, amount, at, member_id, item_id, note) "
                f"VALUES (1, '{kind}', {amount}, '{then}', 1, {item}, '')"
            )
    engine.dispose()

    chat = Transcript(core_for(open_storage(url), clock), clock)
    assert chat.say("Bob", "/decisions").splitlines()[1:] == [
        "#2 €40.00 — glasses (health) — paid out, Mon 5 Jan 2026, 10:00 UTC",
        "#1 Paint the kitchen — adopted (consensus, round 2), Mon 5 Jan 2026, 10:00 UTC",
        "#1 Paint it grey — amended (round 1), Mon 5 Jan 2026, 10:00 UTC",
    ]
    assert [line.split(".")[0] for line in chat.say("Bob", "/ledger").splitlines()[1:4]] == ["• 3", "• 2", "• 1"]
    assert "• Alice (alice)\n• Bob\n• ALICE (alice2)" in chat.say("Bob", "/members")  # told apart after upgrade
    chat.say("Bob", "/leave")  # Bob leaves after the round closed: its record stays as it was
    assert "Responses (2 of 3):\n• Alice (alice) — agree\n• Carol — stand aside: away" in chat.say("Alice", "/show 1")
    assert chat.say("Alice", "/contribute 5").startswith("Thank you")
    assert "• 4. " in chat.say("Alice", "/ledger")


def _counts(engine):
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("collective", "chat", "member", "setting", "seen_message", "due_work")
        }


@pytest.mark.stores
def test_a_hundred_deadlines_windows_and_handovers_missed_while_down_each_happen_once_late(unit_of_work, clock, core):
    texts_before = []
    for n in range(20):  # 20 collectives, each with 2 proposals, 2 needs and a rotating role
        chat = Transcript(core, clock, Chat("console", f"coop-{n}"))
        group(chat, "Alice Bob")
        texts_before.append(chat.say("Alice", "/propose 1d Proposal A"))
        chat.say("Alice", "/propose 2d Proposal B")
        chat.say("Bob", "/need 20 bus pass #transport")
        chat.say("Bob", "/need 30 medicine #health")
        chat.say("Alice", "/rotation add dishes 3d")
        chat.say("Bob", "/rotation join dishes")
        chat.say("Alice", "/rotation join dishes")
    clock.advance(timedelta(days=4))  # the bot was down for all of it
    restarted = Core(unit_of_work, clock)
    texts = [a.text for a in restarted.tick() if not isinstance(a, DirectMessage)]
    closes = [t for t in texts if " — not adopted — quorum not met." in t]
    windows = [t for t in texts if "approved: no one objected" in t]
    handovers = [t for t in texts if t.startswith("Handover:")]
    assert (len(closes), len(windows), len(handovers)) == (40, 40, 20)  # 100 pieces of due work
    for announcement in closes + windows + handovers:
        assert "while the bot was offline.)" in announcement
    assert restarted.tick() == []
    assert Core(unit_of_work, clock).tick() == []


@pytest.mark.stores
def test_fifty_racing_responses_and_two_racing_closes_give_one_outcome_counting_every_confirmed_response(
    unit_of_work, clock, chat
):
    names = [f"M{n:02d}" for n in range(50)]
    group(chat, "Alice " + " ".join(names), quorum="0.01")
    adopt(chat, "Alice", "/rotation add facilitator 4w")  # #1: Alice facilitates, and may close early
    chat.say("Alice", "/propose 1w Paint the kitchen")
    vote(chat, 2, Alice="agree")
    start = threading.Barrier(52)
    answers: dict[str, str] = {}

    def act(name, text_):
        racer = Transcript(Core(unit_of_work, clock), clock)
        start.wait(timeout=30)
        answers[f"{name} {text_}"] = racer.say(name, text_)

    threads = [threading.Thread(target=act, args=(name, "/agree 2")) for name in names]
    threads += [threading.Thread(target=act, args=("Alice", text_)) for text_ in ("/close 2", "/close #2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    closes = [a for key, a in answers.items() if "/close" in key]
    outcomes = [a for a in closes if a.startswith("#2 Paint the kitchen — ")]
    assert len(outcomes) == 1, answers
    assert any(a.startswith("#2 Paint the kitchen was closed a moment ago") or "is closed" in a for a in closes)
    confirmed = [k for k, a in answers.items() if k.endswith("/agree 2") and a.startswith(k.split()[0] + " agrees")]
    refused = [k for k, a in answers.items() if k.endswith("/agree 2") and "is closed. Its outcome:" in a]
    assert len(confirmed) + len(refused) == 50
    agree = int(re.search(r"Responses: agree (\d+)", outcomes[0]).group(1))
    assert agree == 1 + len(confirmed)  # Alice's, plus every response confirmed before the close
