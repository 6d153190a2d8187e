"""Per-collective locks on PostgreSQL, so that several bot processes (or worker threads) work on different
collectives side by side while one collective's units of work run one at a time.

A unit of work takes the transaction-level advisory lock of a collective at the first statement that names it —
the chat an event came from, the membership a direct message acts for, the due work it fires — and holds it
until its commit or rollback. Everything read after that statement sees every unit of work on the same collective
committed before (PostgreSQL's READ COMMITTED takes a new snapshot per statement), so a response and a close of
the same round never each miss the other. A unit of work that touches no collective (marking answers sent, an
adapter's state) takes none.

A unit of work that spans collectives takes their locks in one fixed order, lowest id first, so two of them never
wait on each other (``lock_all`` takes a known set at once). When one finds it needs a collective below one it
already holds and that lock is busy, waiting could deadlock: it raises ``bot.ports.TakeLocksFirst`` naming every
collective it needs, and the core starts the unit of work over taking them in order first.

A chat not yet known is made into a collective under a lock of its own (keyed by the chat), so two processes
receiving a new chat's first messages at once make one collective, not two (the second waits and then finds it).

On SQLite every unit of work takes the database's write lock at ``BEGIN IMMEDIATE`` instead; these locks are
then no-ops.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text

from bot.ports import TakeLocksFirst

COLLECTIVE_LOCKS = 0x636F6C6C  # "coll": the first key of every collective's two-key advisory lock
NEW_CHAT_LOCKS = 0x63686174  # "chat": the first key of the lock held while a new chat becomes a collective

_LOCK = text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), CAST(:id AS integer))")
_TRY = text("SELECT pg_try_advisory_xact_lock(CAST(:space AS integer), CAST(:id AS integer))")
_LOCK_CHAT = text(
    "SELECT collective_id, pg_advisory_xact_lock(CAST(:space AS integer), collective_id) "
    "FROM chat WHERE platform = :platform AND chat_id = :chat_id"
)
_CHAT = text("SELECT collective_id FROM chat WHERE platform = :platform AND chat_id = :chat_id")
_LOCK_NEW_CHAT = text("SELECT pg_advisory_xact_lock(CAST(:space AS integer), hashtext(:platform || ' ' || :chat_id))")


class CollectiveLocks:
    """The collective locks one unit of work holds (on one connection, for one transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.enabled = connection.dialect.name == "postgresql"
        self.held: set[int] = set()
        self._new_chats: set[tuple[str, str]] = set()

    def forget(self) -> None:
        """The transaction ended (commit or rollback): every advisory lock of it is gone."""
        self.held.clear()
        self._new_chats.clear()

    def lock(self, collective_id: int) -> None:
        """Hold ``collective_id``'s lock from now until the transaction ends."""
        if not self.enabled or collective_id in self.held:
            return
        if self.held and collective_id < max(self.held):
            # Out of the fixed order: only if it is free now; waiting for it could deadlock.
            if not self.connection.execute(_TRY, {"space": COLLECTIVE_LOCKS, "id": collective_id}).scalar():
                raise TakeLocksFirst(self.held | {collective_id})
        else:
            self.connection.execute(_LOCK, {"space": COLLECTIVE_LOCKS, "id": collective_id})
        self.held.add(collective_id)

    def try_lock(self, collective_id: int) -> bool:
        """Hold ``collective_id``'s lock if it is free now; False, holding nothing more, when it is not."""
        if not self.enabled or collective_id in self.held:
            return True
        if not self.connection.execute(_TRY, {"space": COLLECTIVE_LOCKS, "id": collective_id}).scalar():
            return False
        self.held.add(collective_id)
        return True

    def lock_all(self, collective_ids: Iterable[int]) -> None:
        """Several collectives at once, in the fixed order (lowest id first)."""
        for collective_id in sorted(set(collective_ids)):
            self.lock(collective_id)

    def lock_chat(self, platform: str, chat_id: str) -> bool:
        """Hold the lock of the collective a chat belongs to; False when the chat belongs to none yet — then the
        lock of the new chat is held instead, so that only one unit of work makes it a collective."""
        if not self.enabled:
            return True
        params = {"platform": platform, "chat_id": chat_id}
        if not self.held:  # the usual case, the first statement of an event: look up and lock in one go
            row = self.connection.execute(_LOCK_CHAT, {"space": COLLECTIVE_LOCKS, **params}).first()
            if row is not None:
                self.held.add(row.collective_id)
                return True
        else:
            collective_id = self.connection.execute(_CHAT, params).scalar()
            if collective_id is not None:
                self.lock(collective_id)
                return True
        if (platform, chat_id) not in self._new_chats:
            self.connection.execute(_LOCK_NEW_CHAT, {"space": NEW_CHAT_LOCKS, **params})
            self._new_chats.add((platform, chat_id))
            # Another process may have made it a collective while this one waited: look again.
            collective_id = self.connection.execute(_CHAT, params).scalar()
            if collective_id is not None:
                self.lock(collective_id)
                return True
        return False
