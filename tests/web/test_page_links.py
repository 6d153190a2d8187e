"""The read-only page through a member's own link, served on a real socket of 127.0.0.1 (no browser here; see
test_page_in_chromium.py): what a member reads there, who gets a 404, and that reading never writes."""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import pytest

from bot.core import Core
from tests.test_linked_chats import linked
from tests.transcript import Transcript
from tests.web.conftest import BASE_URL, HOSTILE, link


async def fetch(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


class _Elements(HTMLParser):
    """Every start tag of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Elements:
    elements = _Elements()
    elements.feed(html)
    return elements


@pytest.mark.stores
async def test_a_member_reads_tallies_every_reason_the_balance_and_its_chart_through_their_own_link(world, served):
    answer = world.direct("Ann", "/page")
    assert answer.startswith(f"Your own link to the collective's page (read-only): {BASE_URL}/p/")
    status, html = await fetch(served + link(answer, "/p/"))
    assert status == 200
    text = " ".join(" ".join(parsed(html).text).split())
    assert "Read-only, for Ann." in text
    assert "Proposal #3 by Bob: Paint the kitchen green" in text
    assert "agree 1 stand aside 0 object 1 block 0 2 of 3 responded" in text  # #3's live tally
    assert "#1 Buy a second-hand van — adopted" in text
    for reason in ("Bob stands aside: we rarely drive", "Cleo objects: the insurance costs too much"):
        assert reason in text
    assert "Ann blocks: against our principles" in text  # #2, not adopted
    assert "The pool holds €245.50" in text
    assert "contribution — Ann: wages of March" in text
    assert "dishes (chore) — Bob, until Mon 9 Mar 2026, 10:00 CET; next: Ann" in text
    assert "<svg" in html and "<polyline" in html
    # The record's head, as the chat's last funding message ended with it and as /verify recomputes it.
    witnessed = re.search(r"· record ([0-9a-f]{12})$", world.say("Cleo", "/contribute 1"))[1]
    status, html = await fetch(served + link(answer, "/p/"))
    text = " ".join(" ".join(parsed(html).text).split())
    assert f"The record's hash chain ends at {witnessed}" in text
    assert world.say("Bob", "/verify").endswith(f"head {witnessed}.")


async def test_what_a_member_typed_is_shown_as_text_never_as_markup(world, served):
    status, html = await fetch(served + link(world.direct("Bob", "/page"), "/p/"))
    assert status == 200
    elements = parsed(html)
    assert "script" not in elements.tags and "img" not in elements.tags and "b" not in elements.tags
    text = "".join(elements.text)
    assert text.count(HOSTILE) == 2  # #2's title and Cleo's objection to #3, as typed


async def test_a_wrong_token_an_unknown_path_and_a_revoked_link_all_get_the_same_bare_404(world, served):
    first = link(world.direct("Ann", "/page"), "/p/")
    assert (await fetch(served + first))[0] == 200
    second = link(world.direct("Ann", "/page"), "/p/")  # asking again: a fresh link, the old one revoked
    assert second != first
    assert (await fetch(served + second))[0] == 200
    misses = [first, "/p/not-a-token", "/c/not-a-token.ics", first.replace("/p/", "/c/") + ".ics", "/", "/admin"]
    answers = {await fetch(served + path) for path in misses}
    assert answers == {(404, "Not found.")}


@pytest.mark.stores
async def test_leaving_revokes_both_links_and_joining_again_does_not_bring_them_back(world, served):
    page = link(world.direct("Cleo", "/page"), "/p/")
    feed = link(world.direct("Cleo", "/calendar"), "/c/")
    assert [(await fetch(served + path))[0] for path in (page, feed)] == [200, 200]
    assert "has left the collective" in world.say("Cleo", "/leave")
    assert [await fetch(served + path) for path in (page, feed)] == [(404, "Not found.")] * 2
    world.say("Cleo", "/join")
    assert [(await fetch(served + path))[0] for path in (page, feed)] == [404, 404]
    assert (await fetch(served + link(world.direct("Cleo", "/page"), "/p/")))[0] == 200


async def test_reading_the_page_and_the_feed_never_writes_to_the_database(world, served, engine):
    page = link(world.direct("Ann", "/page"), "/p/")
    feed = link(world.direct("Ann", "/calendar"), "/c/")
    watcher = sqlite3.connect(Path(engine.url.database))  # data_version moves when another connection commits

    def version() -> int:
        return watcher.execute("PRAGMA data_version").fetchone()[0]

    try:
        before = version()
        for _ in range(3):
            assert (await fetch(served + page))[0] == 200
            assert (await fetch(served + feed))[0] == 200
        assert version() == before
        world.say("Bob", "/contribute 1")  # the watch can see a write
        assert version() != before
    finally:
        watcher.close()


def test_page_says_plainly_when_the_operator_has_not_turned_the_page_on(unit_of_work, clock):
    chat = Transcript(Core(unit_of_work, clock), clock)  # no web_base_url: [web] is not enabled
    chat.say("Ann", "/join")
    for command in ("/page", "/calendar"):
        answer = chat.direct("Ann", command)
        assert "not turned on" in answer and "whoever runs the bot" in answer, answer
        assert "http" not in answer


def test_a_member_of_several_collectives_is_asked_which_and_names_it_by_its_number(world):
    other = Transcript(world.core, world.clock, world.chat.__class__("console", "group-2"))
    other.say("Ann", "/join")
    answer = world.direct("Ann", "/page")
    assert answer.startswith(
        "You belong to 2 collectives. Which one's? Send:\n/page 1 — the collective of console chat group-1\n/page 2 — the collective of console chat group-2"
    )
    assert "/p/" not in answer
    assert link(world.direct("Ann", "/page 2"), "/p/")
    assert "You are not a member of collective 9" in world.direct("Ann", "/calendar 9")
    assert "is not a collective's number" in world.direct("Ann", "/calendar two")


def test_page_and_calendar_work_only_in_a_direct_message(world):
    for command in ("/page", "/calendar"):
        assert world.say("Ann", command) == f"{command} works in a direct message with me, not in the group."


def test_help_lists_page_and_calendar_and_explains_them(world):
    overview = world.say("Ann", "/help")
    assert "/page [COLLECTIVE]" in overview and "/calendar [COLLECTIVE]" in overview
    assert "the old one stops working; it also stops when you leave" in world.say("Ann", "/help page")


def test_tokens_are_kept_only_as_hashes(world, engine):
    answer = world.direct("Ann", "/page")
    token = link(answer, "/p/").removeprefix("/p/")
    with sqlite3.connect(Path(engine.url.database)) as connection:
        kept = [row[0] for row in connection.execute("SELECT token_hash FROM web_token")]
    assert kept and token not in kept and all(len(value) == 64 for value in kept)


async def test_a_membership_merged_into_another_by_iam_loses_its_links(web_core, clock, served):
    tg, mx = linked(web_core, clock)
    assert mx.say("Ann", "/join").startswith("Welcome, Ann")  # Ann's Matrix account: a second membership
    old = link(mx.direct("Ann", "/page"), "/p/")
    assert (await fetch(served + old))[0] == 200
    code = re.search(r"Your code: (\S+)", tg.direct("Ann", "/iam")).group(1)
    assert "they are one membership now" in mx.direct("Ann", f"/iam {code}")  # her Telegram membership is kept
    assert await fetch(served + old) == (404, "Not found.")
    status, html = await fetch(served + link(mx.direct("Ann", "/page"), "/p/"))
    assert status == 200 and "Read-only, for Ann." in html
