"""A collective worth a page, for the web tests: open items with responses, decisions with reasons (one of
them with HTML and a script in a member's words), a ledger and a rotating chore."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from adapters.web import WebServer
from adapters.wiring import reader_for
from bot.core import Core
from tests.transcript import Transcript, group, vote

BASE_URL = "https://collective.example.org"  # as [web] base_url says; the tests reach the server on 127.0.0.1
HOSTILE = '<script>document.title="pwned"</script><b>bold</b> & <img src=x onerror=alert(1)>'


@pytest.fixture
def web_core(unit_of_work, engine, clock):
    return Core(unit_of_work, clock, reader=reader_for(engine), web_base_url=BASE_URL)


@pytest.fixture
def world(web_core, clock):
    chat = group(Transcript(web_core, clock), "Ann Bob Cleo", timezone="Europe/Berlin", currency="EUR")
    chat.say("Ann", "/contribute 120 wages of March")
    chat.say("Bob", "/contribute 80")
    chat.say("Ann", "/rotation add dishes 1w")
    chat.say("Bob", "/rotation join dishes")
    chat.say("Ann", "/rotation join dishes")
    chat.say("Ann", "/propose 3d Buy a second-hand van")  # #1
    vote(chat, 1, Ann="agree", Bob="standaside: we rarely drive", Cleo="object: the insurance costs too much")
    chat.say("Cleo", f"/propose 1d {HOSTILE}")  # #2
    vote(chat, 2, Ann="block: against our principles", Bob="agree", Cleo="agree")
    chat.say("Bob", "/propose 5d Paint the kitchen green")  # #3, left open
    vote(chat, 3, Ann="agree", Cleo=f"object: {HOSTILE}")
    chat.wait(timedelta(days=4))  # #1 and #2 close
    chat.say("Cleo", "/contribute 45.50 from the market stall")
    return chat


def link(answer: str, kind: str) -> str:
    """The path of the link a /page or /calendar answer gives."""
    found = re.search(re.escape(BASE_URL) + r"(/[pc]/\S+)", answer)
    assert found, answer
    assert kind in found.group(1)
    return found.group(1)


@pytest.fixture
async def served(engine, clock):
    """The page served on a free port of 127.0.0.1 while the test runs: its address."""
    server = WebServer(reader_for(engine), clock, ("127.0.0.1", 0), BASE_URL)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()
