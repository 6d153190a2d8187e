"""The record's hash chain, as members and an auditor meet it: outcome and funding messages end with the
record's head, /verify recomputes it, and whatever is changed behind the bot's back — directly in the database,
on SQLite and on PostgreSQL — is named by its entry; an operator who rewrites the whole chain consistently is
caught by the heads the chat was shown. Offline: ``collective-bot verify`` and ``export``, through the real
command line."""

import json
import re
import shutil
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from adapters.cli import main
from bot.chain import GENESIS, ChainCheck, entry_content, link
from bot.core import Core
from bot.events import Chat
from storage.engine import alembic_config, migrate
from tests.databases import assert_record_intact
from tests.transcript import Transcript, group, vote

BOT = [sys.executable, "-m", "adapters.cli"]
HEAD = re.compile(r"· record ([0-9a-f]{12})$")


def history(chat) -> list[str]:
    """A collective with a decided proposal (reasons given), a pool, a funded and paid need: returns the heads
    its outcome and funding messages ended with, in order."""
    said = []
    group(chat, "Ann Bob Cy")
    said.append(chat.say("Ann", "/propose Paint the kitchen"))
    vote(chat, 1, Ann="agree", Bob="object: the smell lingers", Cy="standaside: no view")
    said.append(chat.say("Ann", "/close 1"))
    said.append(chat.say("Bob", "/contribute 100 March"))
    said.append(chat.say("Cy", "/need 40 bus pass #transport"))
    said.append(chat.wait(timedelta(days=4)))
    said.append(chat.say("Ann", "/paid 2"))
    return [found.group(1) for text in said for found in [HEAD.search(line) for line in text.splitlines()] if found]


def test_outcome_and_funding_messages_end_with_the_head_that_verify_then_shows(chat):
    heads = history(chat)
    # the outcome, the contribution, the need approved and funded (one unit of work, one head), its payout
    assert len(heads) == 5 and heads[2] == heads[3], heads
    assert len(set(heads)) == 4
    closed = chat.say("Ann", "/decisions")
    assert "#1 Paint the kitchen — adopted" in closed
    answer = chat.say("Bob", "/verify")
    assert re.fullmatch(r"Record intact: \d+ entries, head [0-9a-f]{12}\.", answer), answer
    assert answer.endswith(f"head {heads[-1]}.")  # nothing was recorded after the payout


def test_the_outcome_message_ends_with_the_record_line(chat):
    group(chat, "Ann Bob")
    chat.say("Ann", "/propose Buy a kettle")
    vote(chat, 1, Ann="agree", Bob="agree")
    closed = chat.say("Ann", "/close 1")
    lines = closed.splitlines()
    assert lines[0] == "#1 Buy a kettle — adopted."
    assert HEAD.fullmatch(lines[-1]), lines[-1]


def test_verify_is_for_members_and_listed_in_help(chat):
    group(chat, "Ann")
    assert chat.say("Zed", "/verify").startswith("Only members can do that")
    assert "/verify — check the record against its hash chain" in chat.say("Ann", "/help")


def test_a_verify_under_way_in_one_group_holds_up_no_other_group(core, clock, monkeypatch):
    """/verify reads the whole record (seconds, on a long one) in a read transaction of its own: while it checks,
    another group's vote is answered — it does not wait for the write lock."""
    ours = group(Transcript(core, clock, Chat("console", "group-1")), "Ann Bob")
    theirs = group(Transcript(core, clock, Chat("console", "group-2")), "Cy Di")
    theirs.say("Cy", "/propose Buy a kettle")
    checking, release = threading.Event(), threading.Event()
    check_entry = ChainCheck.entry

    def slow_entry(self, *args):  # the check, held at its first entry until the other group has voted
        checking.set()
        release.wait(30)
        return check_entry(self, *args)

    monkeypatch.setattr(ChainCheck, "entry", slow_entry)
    said: dict[str, str] = {}
    verifying = threading.Thread(target=lambda: said.update(verify=ours.say("Ann", "/verify")))
    verifying.start()
    assert checking.wait(10)
    voting = threading.Thread(target=lambda: said.update(vote=theirs.say("Di", "/agree 1")))
    voting.start()
    voting.join(10)
    held_up = voting.is_alive()
    release.set()
    verifying.join(30)
    voting.join(30)
    assert not held_up, "the other group's vote waited for /verify"
    assert said["vote"].startswith("Di agrees with #1 Buy a kettle"), said["vote"]
    assert re.fullmatch(r"Record intact: \d+ entries, head [0-9a-f]{12}\.", said["verify"]), said["verify"]


def test_verify_answers_all_the_same_when_its_read_ahead_fails(unit_of_work, clock, caplog):
    def no_reading():
        raise OSError("no read transaction today")

    chat = group(Transcript(Core(unit_of_work, clock, reader=no_reading), clock), "Ann")
    assert chat.say("Ann", "/verify").startswith("Record intact: ")  # checked in its unit of work instead
    assert "could not read ahead for verify" in caplog.text


def _entry_of(engine, kind: str, ref: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT max(seq) FROM chain_entry WHERE kind = :kind AND ref = :ref"), {"kind": kind, "ref": ref}
        ).scalar()


def _response_ref(engine, name: str) -> str:
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT r.round_id, r.member_id FROM response r JOIN member m ON m.id = r.member_id "
                "WHERE m.display_name = :name"
            ),
            {"name": name},
        ).one()
    return f"{row.round_id}:{row.member_id}"


def _tamper(engine, *statements: tuple[str, dict]) -> None:
    with engine.begin() as connection:
        for statement, params in statements:
            connection.execute(text(statement), params)


def _bobs_response(engine):
    round_id, member_id = map(int, _response_ref(engine, "Bob").split(":"))
    return {"round_id": round_id, "member_id": member_id}


TAMPERINGS = {
    "a response's reason": lambda engine: (
        [
            (
                "UPDATE response SET reason = 'fine by me' WHERE round_id = :round_id AND member_id = :member_id",
                _bobs_response(engine),
            )
        ],
        ("response", _response_ref(engine, "Bob")),
        "Bob's response to #1, round 1 (object: the smell lingers), but the database now says otherwise (reason)",
    ),
    "a response's choice": lambda engine: (
        [
            (
                "UPDATE response SET kind = 'agree' WHERE round_id = :round_id AND member_id = :member_id",
                _bobs_response(engine),
            )
        ],
        ("response", _response_ref(engine, "Bob")),
        "but the database now says otherwise (kind)",
    ),
    "a ledger amount": lambda engine: (
        [("UPDATE ledger SET amount = 1000 WHERE number = 1", {})],
        ("ledger", "1"),
        "ledger entry 1 (contribution of 10000 in minor units), but the database now says otherwise (amount)",
    ),
    "a deleted response row": lambda engine: (
        [("DELETE FROM response WHERE round_id = :round_id AND member_id = :member_id", _bobs_response(engine))],
        ("response", _response_ref(engine, "Bob")),
        "Bob's response to #1, round 1 (object: the smell lingers), which is gone",
    ),
}


@pytest.mark.stores
@pytest.mark.tampered
@pytest.mark.parametrize("what", list(TAMPERINGS))
def test_a_row_changed_behind_the_bot_is_named_by_its_entry(chat, engine, what):
    history(chat)
    statements, (kind, ref), words = TAMPERINGS[what](engine)
    entry = _entry_of(engine, kind, ref)
    _tamper(engine, *statements)
    answer = chat.say("Cy", "/verify")
    assert answer.startswith(f"Record NOT intact: entry {entry} records "), answer
    assert words in answer


@pytest.mark.stores
@pytest.mark.tampered
def test_a_deleted_chain_entry_is_named(chat, engine):
    history(chat)
    _tamper(engine, ("DELETE FROM chain_entry WHERE seq = 7", {}))
    assert chat.say("Cy", "/verify").startswith("Record NOT intact: entry 7 is missing from the chain.")


@pytest.mark.tampered
def test_what_verify_finds_is_said_in_the_collectives_language(chat, engine):
    history(chat)
    with chat.core.unit_of_work() as uow:  # test set-up only: the language normally changes by proposal
        uow.settings.put(uow.collectives.for_chat("console", "group-1").id, "language", "es")
        uow.commit()
    _tamper(engine, ("DELETE FROM chain_entry WHERE seq = 7", {}))
    assert "falta la entrada 7 en la cadena" in chat.say("Cy", "/verify")


@pytest.mark.stores
@pytest.mark.tampered
def test_two_chain_entries_reordered_are_named_at_the_first(chat, engine):
    history(chat)
    _tamper(
        engine,
        ("UPDATE chain_entry SET seq = -9 WHERE seq = 9", {}),
        ("UPDATE chain_entry SET seq = 9 WHERE seq = 10", {}),
        ("UPDATE chain_entry SET seq = 10 WHERE seq = -9", {}),
    )
    answer = chat.say("Cy", "/verify")
    assert answer.startswith("Record NOT intact: entry 9 ("), answer
    assert "does not recompute to its hash" in answer


def _rewrite_chain(engine) -> None:
    """What a careful operator could do: recompute every entry from the rows as they now are, so the chain links
    again and agrees with the edited data."""
    response = _response_ref(engine, "Bob")
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT collective_id, seq, kind, ref, content FROM chain_entry ORDER BY collective_id, seq")
        ).all()
        previous: dict[int, str] = {}
        for row in rows:
            entry = json.loads(row.content)
            if row.kind == "response" and row.ref == response:
                entry["row"]["reason"] = "fine by me"
            content = entry_content(
                row.seq, row.collective_id, row.kind, row.ref, entry["row"], entry.get("backfilled", False)
            )
            hash_ = link(previous.get(row.collective_id, GENESIS), content)
            previous[row.collective_id] = hash_
            connection.execute(
                text(
                    "UPDATE chain_entry SET content = :content, hash = :hash WHERE collective_id = :cid AND seq = :seq"
                ),
                {"content": content, "hash": hash_, "cid": row.collective_id, "seq": row.seq},
            )


@pytest.mark.stores
@pytest.mark.tampered
def test_a_rewritten_chain_is_caught_by_the_heads_the_chat_was_shown(chat, engine, db_url, tmp_path, capsys):
    heads = history(chat)
    _tamper(engine, *TAMPERINGS["a response's reason"](engine)[0])
    _rewrite_chain(engine)
    assert chat.say("Cy", "/verify").startswith("Record intact")  # on its own, the rewrite holds up
    config = tmp_path / "config.toml"
    config.write_text(f"[storage]\nurl = '{db_url}'\n")
    pasted = tmp_path / "heads.txt"
    pasted.write_text("".join(f"bot: #1 … paid out.\n· record {head}\n" for head in heads))
    assert main(["verify", "--config", str(config), "--heads", str(pasted)]) == 1
    out = capsys.readouterr().out
    assert f"head {heads[0]}: NOT on the chain — the record was rewritten after the chat was shown it" in out
    assert "Record intact" in out  # each collective's chain links, yet it is not the one the chat saw


def test_verify_and_export_on_the_command_line(chat, engine, db_url, tmp_path):
    heads = history(chat)
    engine.dispose()
    db = db_url.removeprefix("sqlite:///")
    pasted = tmp_path / "heads.txt"
    pasted.write_text("\n".join(f"Ann: look — · record {head} (from the chat)" for head in heads) + "\n")
    checked = subprocess.run([*BOT, "verify", "--db", db, "--heads", str(pasted)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert re.search(r"collective 1: Record intact: \d+ entries, head " + heads[-1], checked.stdout)
    assert f"head {heads[0]}: on the chain" in checked.stdout

    folder = tmp_path / "export"
    exported = subprocess.run([*BOT, "export", "--db", db, str(folder)], capture_output=True, text=True)
    assert exported.returncode == 0, exported.stderr
    for name in ("decisions", "responses", "ledger", "roles", "turns", "chain"):
        assert (folder / f"{name}.json").exists() and (folder / f"{name}.csv").exists()
    responses = json.loads((folder / "responses.json").read_text())
    assert {(r["kind"], r["reason"]) for r in responses} >= {("object", "the smell lingers"), ("standaside", "no view")}
    ledger = (folder / "ledger.csv").read_text()
    assert "contribution" in ledger and "10000" in ledger
    assert not any("salt" in path.read_text() for path in folder.iterdir())

    own = subprocess.run(
        [*BOT, "verify", "--export", str(folder), "--heads", str(pasted)], capture_output=True, text=True
    )
    assert own.returncode == 0, own.stdout + own.stderr
    assert "Record intact" in own.stdout

    # The exported files are checked against the exported chain: a reason edited in the export is named.
    edited = [dict(r, reason="fine by me") if r["reason"] == "the smell lingers" else r for r in responses]
    (folder / "responses.json").write_text(json.dumps(edited))
    bad = subprocess.run([*BOT, "verify", "--export", str(folder)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert re.search(r"Record NOT intact: entry \d+ records Bob's response to #1, round 1", bad.stdout), bad.stdout


def test_verify_names_a_collective_that_is_not_there(chat, db_url, capsys):
    history(chat)
    with pytest.raises(SystemExit, match=r"there is no collective 9 \(collectives: 1\)"):
        main(["verify", "--db", db_url.removeprefix("sqlite:///"), "--collective", "9"])
    assert main(["verify", "--db", db_url.removeprefix("sqlite:///"), "--collective", "1"]) == 0
    assert "collective 1: Record intact" in capsys.readouterr().out


def test_verify_says_clearly_what_it_cannot_read(tmp_path):
    missing = subprocess.run([*BOT, "verify", "--export", str(tmp_path)], capture_output=True, text=True)
    assert missing.returncode == 2
    assert "no export here (no chain.json)" in missing.stderr
    (tmp_path / "heads.txt").write_text("nothing like a hash\n")
    none = subprocess.run(
        [*BOT, "verify", "--db", str(tmp_path / "x.db"), "--heads", str(tmp_path / "heads.txt")],
        capture_output=True,
        text=True,
    )
    assert none.returncode == 2
    assert "holds no head hash" in none.stderr


def test_a_private_needs_requester_is_only_a_salted_commitment(chat, engine, tmp_path):
    group(chat, "Ann Bob")
    chat.say("Ann", "/contribute 100")
    assert "#1" in chat.direct("Bob", "/need 30 rent top-up")
    with engine.connect() as connection:
        bob = connection.execute(text("SELECT id FROM member WHERE display_name = 'Bob'")).scalar()
        item = json.loads(
            connection.execute(text("SELECT content FROM chain_entry WHERE kind = 'item' ORDER BY seq DESC")).first()[0]
        )["row"]
        salts = connection.execute(text("SELECT count(*) FROM chain_salt")).scalar()
    assert set(item["author"]) == {"commitment"} and item["author"]["commitment"] != bob
    assert salts == 1
    assert main(["export", "--db", str(engine.url.database), str(tmp_path / "out")]) == 0
    items = json.loads((tmp_path / "out" / "items.json").read_text())
    assert items[0]["author"] == item["author"]


@pytest.mark.tampered  # (the database is taken back to the schema before the chain)
def test_an_older_database_with_history_gets_a_backfilled_chain_on_upgrade(chat, engine):
    from alembic import command

    history(chat)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0017")  # the schema before the chain, with the history still in it
    migrate(engine)
    with engine.connect() as connection:
        contents = connection.execute(text("SELECT content FROM chain_entry ORDER BY seq")).scalars().all()
    assert contents and all(json.loads(content)["backfilled"] for content in contents)
    kinds = [json.loads(content)["kind"] for content in contents]
    assert kinds[:2] == ["collective", "member"]  # in the order things happened: who joined before what they did
    assert_record_intact(engine)
    assert chat.say("Ann", "/verify").startswith("Record intact")
    chat.say("Ann", "/contribute 5")  # and it goes on from there
    assert_record_intact(engine)


@pytest.mark.stores
@pytest.mark.tampered
def test_an_entry_edited_with_its_own_hash_recomputed_is_named_where_the_chain_breaks(chat, engine):
    """The operator edits what an entry of the chain says and recomputes its hash: the next entry no longer
    links to it, and that break is named first, with the edited entry beside it."""
    history(chat)
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT seq, content, hash FROM chain_entry ORDER BY seq")).all()
        edited = next(row.seq for row in rows if "the smell lingers" in row.content)
        content = rows[edited - 1].content.replace('"the smell lingers"', '"fine by me"')
        connection.execute(
            text("UPDATE chain_entry SET content = :content, hash = :hash WHERE seq = :seq"),
            {"content": content, "hash": link(rows[edited - 2].hash, content), "seq": edited},
        )
    answer = chat.say("Cy", "/verify")
    assert answer.startswith(f"Record NOT intact: entry {edited + 1} ("), answer
    assert (
        f"does not recompute to its hash: it, or entry {edited} before it (Bob's response to #1, round 1 "
        "(object: fine by me)), was altered, or the order of the entries was changed." in answer
    )


def test_pasted_heads_must_be_on_the_chain_in_the_order_the_chat_saw_them(chat, db_url, tmp_path, capsys):
    heads = history(chat)
    db = db_url.removeprefix("sqlite:///")
    pasted = tmp_path / "heads.txt"
    pasted.write_text(f"· record {heads[-1]}\n· record {heads[0]}\n")  # the later head pasted first
    assert main(["verify", "--db", db, "--heads", str(pasted)]) == 1
    out = capsys.readouterr().out
    assert f"head {heads[0]}: NOT on the chain after the heads pasted before it" in out
    assert f"head {heads[-1]}: on the chain" in out
    pasted.write_text(f"· record {heads[0]}\n· record {heads[-1]}\n")
    assert main(["verify", "--db", db, "--heads", str(pasted)]) == 0


def test_verify_and_export_refuse_a_database_that_is_not_there_or_holds_no_collective(tmp_path, migrated_sqlite):
    empty_db = tmp_path / "empty.db"
    shutil.copyfile(migrated_sqlite, empty_db)
    for command in (["verify"], ["export", str(tmp_path / "out")]):
        answer = subprocess.run([*BOT, *command, "--db", str(tmp_path / "no-such.db")], capture_output=True, text=True)
        assert answer.returncode == 2 and "no-such.db: no such database file" in answer.stderr, answer.stderr
        assert not (tmp_path / "no-such.db").exists() and not (tmp_path / "out").exists()
        empty = subprocess.run([*BOT, *command, "--db", str(empty_db)], capture_output=True, text=True)
        assert empty.returncode == 2 and "holds no collective" in empty.stderr, empty.stderr


def test_export_and_verify_say_in_one_line_what_they_cannot_write_or_read(chat, db_url, tmp_path):
    history(chat)
    db = db_url.removeprefix("sqlite:///")
    (tmp_path / "a-file").write_text("")
    for target in (tmp_path / "a-file", tmp_path / "a-file" / "below"):
        answer = subprocess.run([*BOT, "export", "--db", db, str(target)], capture_output=True, text=True)
        assert answer.returncode == 2, answer.stderr
        assert answer.stderr.startswith(f"collective-bot: cannot write the export to {target}: ")
        assert "Traceback" not in answer.stderr and len(answer.stderr.splitlines()) == 1

    folder = tmp_path / "export"
    assert subprocess.run([*BOT, "export", "--db", db, str(folder)], capture_output=True).returncode == 0
    for damage, words in (
        (lambda: (folder / "chain.json").write_text('[{"n": 1}]'), "chain.json: not a chain"),
        (lambda: (folder / "chain.json").write_text('{"a": 1}'), "chain.json: not a list of rows"),
        (lambda: (folder / "ledger.csv").unlink(), "ledger.csv: No such file or directory"),
    ):
        subprocess.run([*BOT, "export", "--db", db, str(folder)], capture_output=True, check=True)
        damage()
        answer = subprocess.run([*BOT, "verify", "--export", str(folder)], capture_output=True, text=True)
        assert answer.returncode == 2 and words in answer.stderr, answer.stderr
        assert "Traceback" not in answer.stderr and len(answer.stderr.splitlines()) == 1


@pytest.mark.tampered
def test_who_attended_an_assembly_and_a_collectives_federation_are_in_the_record(core, clock, chat, engine):
    from tests.test_federation import collective, federate

    group(chat, "Ann Bob Cem")
    chat.say("Ann", "/propose Paint the kitchen")
    chat.say("Ann", "/assembly start")
    chat.say("Cem", "I think we should")  # Cem attended
    federate(chat, collective(core, clock, "school", "Bea Bo"))
    with engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM chain_entry WHERE collective_id = 1")).scalars().all()
    assert {"attendance", "federation"} <= set(kinds)
    assert_record_intact(engine)
    _tamper(engine, ("DELETE FROM federation_member WHERE collective_id = 1", {}))
    assert "the collective's place in a federation, which is gone" in chat.say("Ann", "/verify")
    cem = "SELECT id FROM member WHERE display_name = 'Cem'"
    _tamper(engine, (f"DELETE FROM assembly_attendance WHERE member_id = ({cem})", {}))
    answer = chat.say("Ann", "/verify")  # the earlier entry named first
    assert re.match(r"Record NOT intact: entry \d+ records an attendance at an assembly, which is gone", answer)
