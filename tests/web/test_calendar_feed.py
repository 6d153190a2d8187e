"""A member's calendar feed, fetched from the running server and parsed back with ``icalendar``: their turns,
handovers and the open items' deadlines, in the collective's time zone, with UIDs that stay the same from one
fetch to the next, and nothing that ended more than 60 days ago."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
from icalendar import Calendar

from tests.web.conftest import link

BERLIN = ZoneInfo("Europe/Berlin")


async def feed_of(url: str) -> Calendar:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert response.content_type == "text/calendar"
        return Calendar.from_ical(await response.read())


def events(feed: Calendar) -> dict[str, tuple[str, datetime]]:
    return {str(e["uid"]): (str(e["summary"]), e["dtstart"].dt) for e in feed.walk("VEVENT")}


async def test_the_feed_has_the_members_turns_handovers_and_deadlines_in_the_collectives_time_zone(world, served):
    bob = await feed_of(served + link(world.direct("Bob", "/calendar"), "/c/"))
    found = events(bob)
    assert found == {
        "turn-1-1-1@collective.example.org": ("Your turn: dishes", datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)),
        "handover-1-1-2@collective.example.org": (
            "Handover: you hand dishes over",
            datetime(2026, 3, 9, 10, 0, tzinfo=BERLIN),
        ),
        "deadline-1-3-1@collective.example.org": (
            "#3 closes: Paint the kitchen green",
            datetime(2026, 3, 7, 10, 0, tzinfo=BERLIN),
        ),
    }
    assert all(start.tzinfo.key == "Europe/Berlin" for _, start in found.values())
    assert [str(zone["tzid"]) for zone in bob.walk("VTIMEZONE")] == ["Europe/Berlin"]
    ann = events(await feed_of(served + link(world.direct("Ann", "/calendar"), "/c/")))
    assert ann["turn-1-1-2@collective.example.org"][0] == "Your turn: dishes"  # next in line: her coming turn
    assert ann["handover-1-1-2@collective.example.org"][0] == "Handover: you take over dishes"
    cleo = events(await feed_of(served + link(world.direct("Cleo", "/calendar"), "/c/")))
    assert list(cleo) == ["deadline-1-3-1@collective.example.org"]  # not on the dishes roster


async def test_uids_stay_the_same_across_fetches_so_calendar_apps_update_instead_of_duplicating(world, served):
    url = served + link(world.direct("Ann", "/calendar"), "/c/")
    first = events(await feed_of(url))
    assert events(await feed_of(url)) == first
    world.say("Bob", "/extend 3 2d")  # a deadline moved: the same event, at its new time
    moved = events(await feed_of(url))
    assert moved.keys() == first.keys()
    assert moved["deadline-1-3-1@collective.example.org"][1] == first["deadline-1-3-1@collective.example.org"][
        1
    ] + timedelta(days=2)


async def test_nothing_that_ended_more_than_60_days_ago_is_in_the_feed(world, served):
    url = served + link(world.direct("Ann", "/calendar"), "/c/")
    world.wait(timedelta(days=120))  # weekly handovers between Ann and Bob meanwhile
    now = world.clock.now()
    feed = await feed_of(url)
    ends = [(e.get("dtend") or e["dtstart"]).dt for e in feed.walk("VEVENT")]
    assert ends and min(ends) >= now - timedelta(days=60)
    turns = [str(e["uid"]) for e in feed.walk("VEVENT") if str(e["summary"]) == "Your turn: dishes"]
    assert 4 <= len(turns) <= 6  # every other week of the last 60 days (Ann and Bob take turns), and the coming one
    numbers = sorted(int(uid.split("-")[3].split("@")[0]) for uid in turns)
    assert numbers[0] > 2  # her early turns are gone from it
