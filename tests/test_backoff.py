"""The one backoff every retry loop of the adapters uses: the waits each loop had when it was hand-written."""

from adapters.backoff import Backoff


def waits(backoff: Backoff, failures: int) -> list[float | None]:
    return [backoff.delay(n) for n in range(1, failures + 1)]


def test_a_delivery_is_tried_four_times_then_set_aside():
    assert waits(Backoff(1.0, tries=4), 5) == [1.0, 2.0, 4.0, None, None]


def test_telegram_is_asked_for_the_bot_six_times_before_the_operator_is_told():
    assert waits(Backoff(1.0, tries=6), 6) == [1.0, 2.0, 4.0, 8.0, 16.0, None]


def test_a_failing_matrix_sync_is_retried_forever_at_most_thirty_seconds_apart():
    assert waits(Backoff(1.0, cap=30.0), 8) == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


async def test_no_wait_when_no_try_is_left():
    assert not await Backoff(1000.0, tries=1).wait(1)
