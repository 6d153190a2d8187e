"""Lanes that follow a chat's move (a Telegram group become a supergroup, an upgraded Matrix room): the new chat's
events join the old chat's lane, behind the move, until that lane has run dry; from then on the new chat has a lane
of its own. Shared by the Telegram poller and the Matrix room lanes, whose lanes are keyed by chat."""

from __future__ import annotations

from collections.abc import Container, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


class Following(Generic[Key]):
    def __init__(self) -> None:
        self._follows: dict[Key, Key] = {}  # a new chat → the old chat whose lane it joins meanwhile

    def follow(self, new: Key, old: Key, lanes: Container[Key]) -> None:
        """``new`` is ``old`` moved: its events go behind the move — unless it has a lane of its own already
        (something came there first), which it goes on in rather than be split over two lanes."""
        if new != old and new not in lanes:
            self._follows[new] = old

    def lane_of(self, key: Key) -> Key:
        """The lane a chat's events go in (along a chain of moves)."""
        seen = {key}
        while (followed := self._follows.get(key)) is not None and followed not in seen:
            key = followed
            seen.add(key)
        return key

    def drained(self, key: Key) -> None:
        """``key``'s lane ran dry: the moves behind it are handled, and the chats that followed it go on alone."""
        for new in [new for new, old in self._follows.items() if old == key]:
            del self._follows[new]
