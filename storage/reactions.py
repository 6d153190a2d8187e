"""Reactions the Matrix adapter counted as choices (``matrix_reaction``): remembered until redacted, so that the
redaction can be turned into the withdrawal of the choice, and forgotten when the round of the ask they are on
ends (no choice can be withdrawn then)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from storage.engine import read_only
from storage.fields import Persisted
from storage.tables import MatrixReactionRow

_reaction_t = MatrixReactionRow.__table__


@dataclass(frozen=True, slots=True)
class CountedReaction:
    event_id: str
    room_id: str
    reacts_to: str  # the message reacted to
    user_id: str
    name: str  # the member's display name when they reacted
    choice: str


COUNTED_REACTION = Persisted(CountedReaction, _reaction_t)


class CountedReactions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def remember(self, reaction: CountedReaction) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(_reaction_t).where(_reaction_t.c.event_id == reaction.event_id))
            connection.execute(insert(_reaction_t), COUNTED_REACTION.values(reaction))

    def find(self, event_id: str) -> CountedReaction | None:
        """A plain read: it never waits for the write lock."""
        with read_only(self._engine) as connection:
            row = connection.execute(select(_reaction_t).where(_reaction_t.c.event_id == event_id)).first()
        return COUNTED_REACTION.record(row) if row is not None else None

    def forget(self, event_id: str) -> bool:
        """False when it was forgotten already (a redaction is withdrawn once)."""
        with self._engine.begin() as connection:
            return connection.execute(delete(_reaction_t).where(_reaction_t.c.event_id == event_id)).rowcount == 1

    def forget_on(self, room_id: str, message_ref: str) -> int:
        """Forget every reaction on one message (its round ended); returns how many."""
        with self._engine.begin() as connection:
            on = (_reaction_t.c.room_id == room_id) & (_reaction_t.c.reacts_to == message_ref)
            return connection.execute(delete(_reaction_t).where(on)).rowcount
