"""Property test: over a simulated year of joins, leaves and time away, turns
stay fair."""

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.events import Chat
from tests.transcript import Transcript, adopt

WEEK = timedelta(weeks=1)


@dataclass
class Person:
    name: str
    joined: datetime
    left: datetime | None = None
    away: list[tuple[datetime, datetime]] = field(default_factory=list)

    def present(self, moment: datetime) -> bool:
        member = self.joined <= moment and (self.left is None or moment < self.left)
        return member and not any(start <= moment < until for start, until in self.away)


week_events = st.lists(
    st.one_of(
        st.just(("join",)),
        st.tuples(st.just("leave"), st.integers(0, 30)),
        st.tuples(st.just("away"), st.integers(0, 30), st.sampled_from(["3d", "10d", "17d", "30d"])),
    ),
    max_size=2,
)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(founders=st.integers(2, 6), year=st.lists(week_events, min_size=52, max_size=52))
def test_no_one_serves_twice_before_every_present_member_has_served_once(worlds, founders, year):
    with worlds.fresh() as world:  # its own collective and its own year, from the same Monday
        _year(world, founders, year)


def _year(world, founders, year):
    clock = world.clock
    chat = Transcript(world.core, clock, Chat("console", "fair"))
    people = {}
    for n in range(founders):
        name = f"F{n}"
        chat.say(name, "/join")
        people[name] = Person(name, clock.now())
    adopt(chat, "F0", "/rotation add facilitator 1w")
    newcomers = itertools.count()
    for events in year:
        chat.wait(timedelta(days=1))  # events happen mid-week, away from handover times
        for event in events:
            clock.advance(timedelta(minutes=1))  # so the model can order events by time
            current = [p for p in people.values() if p.left is None]
            if event[0] == "join":
                name = f"N{next(newcomers)}"
                chat.say(name, "/join")
                people[name] = Person(name, clock.now())
            elif event[0] == "leave" and len(current) > 2:
                person = current[event[1] % len(current)]
                chat.say(person.name, "/leave")
                person.left = clock.now()
            elif event[0] == "away":
                person = current[event[1] % len(current)]
                if not any(until > clock.now() for _, until in person.away):
                    chat.say(person.name, f"/away {event[2]}")
                    days = int(event[2][:-1])
                    person.away.append((clock.now(), clock.now() + timedelta(days=days)))
        chat.wait(WEEK - timedelta(days=1))

    with world.unit_of_work() as uow:
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        role = uow.roles.named(collective.id, "facilitator")
        turns = [(uow.members.get(t.member_id).display_name, t.started_at) for t in uow.roles.turns(role.id)]
    assert len(turns) >= 26  # the year really ran (some weeks may be vacant: everyone away)

    for name in people:
        mine = [start for who, start in turns if who == name]
        for first, second in itertools.pairwise(mine):
            skipped = [
                other.name
                for other in people.values()
                if other.name != name
                and other.present(second)
                and not any(who == other.name and first < start < second for who, start in turns)
            ]
            assert skipped == [], f"{name} served at {first} and {second} while {skipped} waited"

    always = [p.name for p in people.values() if p.name.startswith("F") and p.left is None and not p.away]
    counts = [sum(1 for who, _ in turns if who == name) for name in always]
    if counts:
        assert max(counts) - min(counts) <= 1, dict(zip(always, counts, strict=True))
