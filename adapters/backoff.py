"""Waiting between tries of something that failed: doubling waits (``first``, twice that, …), at most ``cap``
each, and ``tries`` tries in all (``None``: no end). Every retry loop of the adapters counts its failures in
a row and asks this how long to wait after the latest."""

from __future__ import annotations

import asyncio
import dataclasses
import math


@dataclasses.dataclass(frozen=True, slots=True)
class Backoff:
    first: float
    cap: float = math.inf
    tries: int | None = None

    def delay(self, failures: int) -> float | None:
        """The wait after ``failures`` failures in a row (1 or more); None when no try is left."""
        if self.tries is not None and failures >= self.tries:
            return None
        return min(self.cap, self.first * 2 ** (failures - 1))

    async def wait(self, failures: int) -> bool:
        """Wait as long as ``delay`` says; False at once when no try is left."""
        delay = self.delay(failures)
        if delay is None:
            return False
        await asyncio.sleep(delay)
        return True
