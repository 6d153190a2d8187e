"""The due-work engine: each row fires once, late work is done once and says so,
and a crash in one piece of work neither repeats it nor stops the others."""

import threading
from datetime import timedelta

import pytest

from bot.actions import Edit
from bot.core import Core
from bot.model import FAILED, DueWork
from tests.transcript import Transcript, group

pytestmark = pytest.mark.stores  # each transcript on SQLite, then on PostgreSQL


def test_work_that_fell_due_while_the_bot_was_down_is_done_once_at_start_and_marked_late(unit_of_work, clock, chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/away 1d")
    # The bot is down for three days; a fresh core starts on the same database.
    clock.advance(timedelta(days=3))
    restarted = Core(unit_of_work, clock)
    announced = [action.text for action in restarted.tick()]
    assert len(announced) == 1
    assert announced[0].startswith("Alice is back from time away")
    assert "(Late by 2 days: this was due Tue 3 Mar 2026, 09:00 UTC, while the bot was offline.)" in announced[0]
    assert restarted.tick() == []
    assert Core(unit_of_work, clock).tick() == []


def test_work_on_time_says_nothing_about_lateness(chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/away 12h")
    announced = chat.wait(timedelta(days=1))
    assert announced == "Alice is back from time away; rotations include them again."


def test_nothing_fires_before_its_time(chat):
    chat.say("Alice", "/join")
    chat.say("Alice", "/away 1d")
    chat.clock.advance(timedelta(hours=23, minutes=59))
    assert chat.core.tick() == []
    assert chat.core.next_due() == chat.clock.now() + timedelta(minutes=1)


class _PauseAfterReading:
    """A unit of work that, once it has listed due work, waits for the other
    tick to have listed it too — so both ticks try to fire the same rows."""

    def __init__(self, inner, barrier):
        self.inner, self.barrier, self.listed = inner, barrier, False

    def __enter__(self):
        self.inner.__enter__()
        return self

    def __exit__(self, *exc):
        self.inner.__exit__(*exc)
        if self.listed:
            self.barrier.wait(timeout=10)

    def __getattr__(self, name):
        if name == "due":
            self.listed = True
        return getattr(self.inner, name)


def test_two_racing_ticks_fire_each_row_once(unit_of_work, clock, chat):
    chat.say("Alice", "/join")
    fired = []
    with unit_of_work() as uow:
        for hours in (1, 2, 3):
            uow.due.add(DueWork(None, 1, "count", hours, clock.now() + timedelta(hours=hours)))
        uow.commit()
    clock.advance(timedelta(days=1))
    barrier = threading.Barrier(2)

    def tick():
        first = [True]

        def factory():
            if first[0]:
                first[0] = False
                return _PauseAfterReading(unit_of_work(), barrier)
            return unit_of_work()

        Core(factory, clock, due_handlers={"count": lambda scope: fired.append(scope.work.subject_id)}).tick()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not barrier.broken, "both ticks listed the same due rows before firing them"
    assert sorted(fired) == [1, 2, 3]


def test_a_failing_piece_of_work_is_retried_then_set_aside_and_the_rest_still_run(unit_of_work, clock, chat, caplog):
    chat.say("Alice", "/join")
    chat.say("Alice", "/away 1d")
    with unit_of_work() as uow:
        collective_id = uow.members.active(1)[0].collective_id
        broken = uow.due.add(DueWork(None, collective_id, "no_such_kind", None, clock.now() + timedelta(hours=1)))
        uow.commit()
    clock.advance(timedelta(days=2))
    texts = [action.text for action in chat.core.tick()]
    assert len(texts) == 1 and texts[0].startswith("Alice is back")
    failure = next(r for r in caplog.records if "no handler for due work" in (r.exc_text or ""))
    with unit_of_work() as uow:
        again = uow.due.get(broken.id)
    assert (again.status, again.due_at, again.data["attempts"]) == ("pending", clock.now() + timedelta(minutes=1), 1)
    assert failure.getMessage().split()[1] in again.note  # the logged ref is on the row
    for wait in (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6)):
        clock.advance(wait)
        assert chat.core.tick() == []
    with unit_of_work() as uow:
        assert uow.due.get(broken.id).status == FAILED  # after four retries, set aside
    clock.advance(timedelta(days=1))
    assert chat.core.tick() == []


def test_a_restarted_console_chat_keeps_its_members(unit_of_work, clock, chat):
    chat.say("Alice", "/join")
    again = Transcript(Core(unit_of_work, clock), clock)
    assert again.say("Alice", "/members") == "Members (1):\n• Alice"


def test_after_downtime_no_reminder_comes_for_a_round_already_past_its_deadline(unit_of_work, clock, chat):
    group(chat, "Alice Bob")
    chat.say("Alice", "/propose 2d Paint the kitchen")
    clock.advance(timedelta(days=3))
    texts = [a.text for a in Core(unit_of_work, clock).tick() if not isinstance(a, Edit)]
    assert len(texts) == 1 and texts[0].startswith("#1 Paint the kitchen — not adopted")
    assert "Closed at its deadline, Wed 4 Mar 2026, 09:00 UTC." in texts[0]
