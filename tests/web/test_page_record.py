"""What the page shows as the record grows: the balance and its chart follow every new entry (the ledger's
sums are remembered between requests, bench/page.py says why), a decision keeps the reasons of members
who left after it, and a long log of decisions is shown newest first with a word on how many more there are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.conftest import link
from tests.web.test_page_links import fetch, parsed


async def read(served: str, path: str) -> str:
    status, html = await fetch(served + path)
    assert status == 200
    return " ".join(" ".join(parsed(html).text).split())


@pytest.mark.stores
async def test_the_balance_and_its_chart_follow_each_new_entry_the_same_day_and_days_later(world, served):
    page = link(world.direct("Ann", "/page"), "/p/")
    assert "The pool holds €245.50" in await read(served, page)
    world.say("Bob", "/contribute 10")  # the same day as Cleo's €45.50
    text = await read(served, page)
    assert "The pool holds €255.50" in text
    assert "highest €255.50, now €255.50." in text
    world.wait(timedelta(days=2))
    world.say("Ann", "/contribute 4.50 late dues")
    text = await read(served, page)
    assert "The pool holds €260.00" in text
    assert "highest €260.00, now €260.00." in text
    assert "contribution — Ann: late dues €4.50 €260.00" in text  # the newest line, and what the pool held after it
    assert "contribution — Bob €10.00 €255.50" in text


async def test_a_decision_keeps_the_reasons_of_members_who_left_while_open_items_count_only_members(world, served):
    page = link(world.direct("Ann", "/page"), "/p/")
    assert "has left the collective" in world.say("Cleo", "/leave")
    text = await read(served, page)
    assert "Cleo objects: the insurance costs too much" in text  # #1, decided while she was a member
    assert "agree 1 stand aside 0 object 0 block 0 1 of 2 responded" in text  # #3, still open: she no longer counts
    assert "Cleo objects: <script>" not in text


async def test_a_long_log_shows_the_newest_decisions_and_says_how_many_more_there_are(world, served, monkeypatch):
    monkeypatch.setattr("adapters.web.view.DECISIONS_SHOWN", 1)
    text = await read(served, link(world.direct("Ann", "/page"), "/p/"))
    assert "The newest 1 of 2 decisions, each with every reason; /decisions in the chat lists them all." in text
    assert "#1 Buy a second-hand van — adopted" in text  # closed last (#2 closed two days before)
    assert "Cleo objects: the insurance costs too much" in text
    assert "Ann blocks: against our principles" not in text
