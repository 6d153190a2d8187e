"""The page and the calendar feed speak the collective's language: its words, its plural forms, its dates and
its money, and ``<html lang>`` says which language it is."""

from __future__ import annotations

import re

import pytest

from tests.transcript import Transcript, group, vote
from tests.web.conftest import link
from tests.web.test_page_links import fetch, parsed


@pytest.fixture
def german(web_core, clock):
    chat = group(Transcript(web_core, clock), "Ann Bob Cleo", language="de", timezone="Europe/Berlin")
    chat.say("Ann", "/contribute 1234,50 Löhne vom März")
    chat.say("Bob", "/propose 5d Die Küche grün streichen")
    vote(chat, 1, Ann="agree", Cleo="object: zu teuer")
    chat.say("Ann", "/rotation add abwasch 1w")
    chat.say("Ann", "/rotation join abwasch")
    return chat


async def test_a_german_collectives_page_is_in_german(german, served):
    answer = german.direct("Ann", "/page")
    status, html = await fetch(served + link(answer, "/p/"))
    assert status == 200
    assert re.search(r'<html lang="de"', html)
    text = " ".join(" ".join(parsed(html).text).split())  # (spaces collapsed, no-break spaces too)
    assert "Nur zum Lesen, für Ann. Stand: Mo., 2. März 2026, 10:00 CET." in text
    assert "Offene Punkte Vorschlag #1 von Bob: Die Küche grün streichen" in text
    assert "Runde 1 · läuft bis Sa., 7. März 2026, 10:00 CET" in text
    assert "Zustimmung 1 Beiseitestehen 0 Einwand 1 Veto 0 2 von 3 haben geantwortet" in text
    assert "Ann stimmt zu Cleo erhebt Einwand: zu teuer" in text
    assert "Noch keine Beschlüsse." in text
    assert "In der gemeinsamen Kasse sind 1.234,50 € : 0,00 € für bewilligte Bedarfe reserviert" in text
    assert "abwasch (Aufgabe) — Ann, bis Mo., 9. März 2026, 10:00 CET" in text


async def test_a_german_collectives_calendar_is_in_german(german, served):
    answer = german.direct("Ann", "/calendar")
    status, feed = await fetch(served + link(answer, "/c/"))
    assert status == 200
    unfolded = feed.replace("\r\n ", "").replace("\n ", "")
    assert "X-WR-CALNAME:Kollektiv: deine Dienste und Fristen" in unfolded
    assert "SUMMARY:Dein Dienst: abwasch" in unfolded
