"""What is settled stays settled: an operator who edits a closed round's response, a ledger amount or a decision
in the database and then lets the bot's own code append an entry saying so (the chain links, the data agrees
with it, every head the chat saw is still on it) is still caught — /verify names the entry that changed what may
no longer change (``bot.chain_rules``), on SQLite and on PostgreSQL."""

import pytest
from sqlalchemy import text

from adapters.cli import main
from storage.unit_of_work import SqlUnitOfWork
from tests.test_record_chain import _bobs_response, _entry_of, _tamper, history
from tests.transcript import group


def _append(engine, kind: str, **key) -> int:
    """What anyone with the database can do: let the bot's own code append the change to the chain. Returns the
    number of the entry it appended."""
    with SqlUnitOfWork(engine) as uow:
        uow.chain.touch(kind, **key)
        uow.commit()
    return _entry_of(engine, kind, ":".join(str(value) for value in key.values()))


def _ids(engine, query: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(query)).scalar()


REWRITES = {
    "a closed round's response": lambda engine: (
        "UPDATE response SET kind = 'agree', reason = 'fine by me' WHERE round_id = :round_id "
        "AND member_id = :member_id",
        _bobs_response(engine),
        "response",
        _bobs_response(engine),
        "changes Bob's response to #1, round 1 (object: the smell lingers), but a response is not changed after "
        "its round closed",
    ),
    "a closed round's response removed": lambda engine: (
        "DELETE FROM response WHERE round_id = :round_id AND member_id = :member_id",
        _bobs_response(engine),
        "response",
        _bobs_response(engine),
        "removes Bob's response to #1, round 1 (object: the smell lingers), but a response is not removed after "
        "its round closed",
    ),
    "a ledger amount": lambda engine: (
        "UPDATE ledger SET amount = 1 WHERE number = 1",
        {},
        "ledger",
        {"id": _ids(engine, "SELECT id FROM ledger WHERE number = 1")},
        "changes ledger entry 1 (contribution of 10000 in minor units), but a ledger entry never changes once recorded",
    ),
    "a decision": lambda engine: (
        "UPDATE decision SET verdict = 'not_adopted' WHERE id = (SELECT min(id) FROM decision)",
        {},
        "decision",
        {"id": _ids(engine, "SELECT min(id) FROM decision")},
        "changes the decision on #1: adopted, but a decision never changes",
    ),
    "a closed round reopened": lambda engine: (
        "UPDATE round SET status = 'open', closed_at = NULL WHERE number = 1 AND item_id = "
        "(SELECT id FROM item WHERE number = 1)",
        {},
        "round",
        {"id": _ids(engine, "SELECT r.id FROM round r JOIN item i ON i.id = r.item_id WHERE i.number = 1")},
        "changes round 1 of #1, but a round never changes once it is closed (closed_at, status)",
    ),
    "an item's author": lambda engine: (
        "UPDATE item SET author_id = (SELECT id FROM member WHERE display_name = 'Bob') WHERE number = 1",
        {},
        "item",
        {"id": _ids(engine, "SELECT id FROM item WHERE number = 1")},
        "changes #1 «Paint the kitchen» (adopted), but an item keeps its number, kind and time, and its author "
        "unless two accounts became one (author)",
    ),
}


@pytest.mark.stores
@pytest.mark.tampered
@pytest.mark.parametrize("what", list(REWRITES))
def test_a_settled_entry_rewritten_by_appending_is_named(chat, engine, what, tmp_path, capsys):
    heads = history(chat)
    statement, params, kind, key, words = REWRITES[what](engine)
    _tamper(engine, (statement, params))
    entry = _append(engine, kind, **key)
    answer = chat.say("Cy", "/verify")
    assert answer.startswith(f"Record NOT intact: entry {entry} {words}."), answer
    # The heads the chat saw are all still on the chain (it was only appended to): the rules catch it anyway.
    pasted = tmp_path / "heads.txt"
    pasted.write_text("".join(f"· record {head}\n" for head in heads))
    if engine.url.get_backend_name() == "sqlite":
        assert main(["verify", "--db", str(engine.url.database), "--heads", str(pasted)]) == 1
        out = capsys.readouterr().out
        assert f"head {heads[0]}: on the chain" in out and f"Record NOT intact: entry {entry} {words}." in out


def test_what_may_still_change_changes_without_a_finding(chat):
    """An open round's response changed, the collective's settings, a membership ending — and a merge of two
    memberships that moves a decided item's author: all recorded, and the record stays intact."""
    history(chat)
    chat.say("Ann", "/propose Buy a kettle")
    chat.say("Bob", "/object 2 too dear")
    chat.say("Bob", "/agree 2")
    chat.say("Cy", "/leave")
    assert chat.say("Ann", "/verify").startswith("Record intact")


@pytest.mark.stores
@pytest.mark.tampered
def test_an_ended_turn_rewritten_by_appending_is_named(chat, engine):
    from datetime import timedelta

    group(chat, "Alice Bob")
    chat.say("Alice", "/rotation add dishes 3d")
    chat.say("Bob", "/rotation join dishes")
    chat.say("Alice", "/rotation join dishes")
    assert "Handover: Alice is on dishes now" in chat.wait(timedelta(days=3))
    bobs = _ids(engine, "SELECT t.id FROM turn t JOIN member m ON m.id = t.member_id WHERE m.display_name = 'Bob'")
    _tamper(
        engine,
        (
            "UPDATE turn SET member_id = (SELECT id FROM member WHERE display_name = 'Alice') WHERE id = :id",
            {"id": bobs},
        ),
    )
    entry = _append(engine, "turn", id=bobs)
    assert chat.say("Bob", "/verify") == (
        f"Record NOT intact: entry {entry} changes Bob's turn as dishes, but a turn that has ended never changes "
        "(member)."
    )


@pytest.mark.stores
@pytest.mark.tampered
def test_a_withdrawn_need_rewritten_by_appending_is_named(chat, engine):
    group(chat, "Ann Bob")
    chat.say("Bob", "/need 40 bus pass")
    assert "withdrawn" in chat.say("Bob", "/withdraw 1").lower()
    need = _ids(engine, "SELECT item_id FROM need")
    _tamper(engine, ("UPDATE need SET stage = 'queued', amount = 4000000", {}))
    entry = _append(engine, "need", item_id=need)
    assert chat.say("Ann", "/verify") == (
        f"Record NOT intact: entry {entry} changes the need #1 (withdrawn), but a need never changes once "
        "withdrawn (amount, stage)."
    )
