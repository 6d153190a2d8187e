"""A private need's requester in the record: the chain and an export hold commitments where a member would be on
its entries (its author, its rounds' rolls, its ledger entries), each made for its own place, so no value can be
compared with another — or with who is missing from a roll — to tell who asked."""

import json
import re
from datetime import timedelta

from sqlalchemy import text

from adapters.cli import main
from tests.test_linked_chats import linked
from tests.transcript import group


def _rows(engine) -> list[tuple[str, str, dict]]:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT kind, ref, content FROM chain_entry ORDER BY seq")).all()
    return [(kind, ref, json.loads(content)["row"]) for kind, ref, content in found]


def _commitments(value) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "commitment"] + [c for v in value.values() for c in _commitments(v)]
    if isinstance(value, list):
        return [c for v in value for c in _commitments(v)] + [v for v in value if isinstance(v, str) and len(v) == 64]
    return []


def test_who_asked_cannot_be_read_from_the_roll_the_ledger_or_the_export(chat, engine, tmp_path):
    group(chat, "Ann Bob Cy Dee")
    chat.say("Ann", "/contribute 100")
    assert "#1" in chat.direct("Cy", "/need 30 rent top-up")
    chat.wait(timedelta(days=4))
    assert "paid" in chat.say("Cy", "/paid 1")  # the requester records the payout themself
    with engine.connect() as connection:
        ids = dict(connection.execute(text("SELECT display_name, id FROM member")).all())
    rows = _rows(engine)

    rolls = [row["roll"] for kind, _, row in rows if kind == "round"]
    assert rolls and all(len(roll) == 3 for roll in rolls)  # its size: three of the four are asked
    assert not any(member in ids.values() for roll in rolls for member, _ in roll)  # not who
    private_ledger = [row for kind, _, row in rows if kind == "ledger" and row["item"] == 1]
    assert {row["kind"] for row in private_ledger} == {"reservation", "payout"}
    assert all(row["member"] is None or set(row["member"]) == {"commitment"} for row in private_ledger)
    assert ids["Cy"] not in [row["member"] for row in private_ledger]

    # No commitment appears in two places (one place's entries repeat it as it stays the same).
    places: dict[str, set] = {}
    for kind, ref, row in rows:
        for value in _commitments(row):
            places.setdefault(value, set()).add((kind, ref))
    assert places and all(len(where) == 1 for where in places.values()), places

    assert main(["export", "--db", str(engine.url.database), str(tmp_path / "out")]) == 0
    exported = "".join(path.read_text() for path in (tmp_path / "out").glob("*.json") if path.name != "chain.json")
    rounds = json.loads((tmp_path / "out" / "rounds.json").read_text())
    assert all(isinstance(member, str) for r in rounds for member, _ in r["roll"])
    for value, where in places.items():
        assert exported.count(value) <= 1 or len(where) == 1


def test_a_merge_makes_every_private_needs_author_anew_not_only_the_merged_ones(core, clock, engine):
    tg, mx = linked(core, clock)
    tg.say("Bob", "/contribute 100")
    assert mx.say("Ann", "/join").startswith("Welcome, Ann")  # a second membership of Ann's
    assert "#2" in mx.direct("Ann", "/need 30 rent top-up")  # asked by the membership about to be merged
    assert "#3" in tg.direct("Bob", "/need 20 bus pass")
    before = len(_rows(engine))
    code = re.search(r"Your code: (\S+)", tg.direct("Ann", "/iam")).group(1)
    assert "one membership now" in mx.direct("Ann", f"/iam {code}")
    merged = [(kind, row) for kind, _, row in _rows(engine)[before:]]
    authors = {row["number"] for kind, row in merged if kind == "item" and isinstance(row["author"], dict)}
    assert authors == {2, 3}  # Bob's need is made anew beside Ann's: the merge does not point at hers
    assert tg.say("Bob", "/verify").startswith("Record intact")
