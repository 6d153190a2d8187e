"""Telegram's flood limits for the bot as a whole, when several processes send for it (PostgreSQL): a budget kept
in the database, not a guess per process.

Before each request that names a chat, a process takes a slot (``take``): one short transaction, under one
transaction-level advisory lock, that counts the slots of the last second (all chats) and of the last minute
(this group) by the database's clock, the same for every process. Under both limits it records a slot and says
go (0); otherwise it records nothing and says how long to wait before asking again. Slots older than two minutes
are pruned now and then.
"""

from __future__ import annotations

import random

from sqlalchemy import Engine, text

from storage.tables import SendSlotRow  # noqa: F401  (the table this module keeps)

SEND_BUDGET_LOCK = 0x73656E64  # "send": the advisory lock under which a slot is counted and taken

_EPOCH = "extract(epoch from clock_timestamp())"
_LOCK = text("SELECT pg_advisory_xact_lock(:lock), " + _EPOCH)
# The moment the window frees a place: the (limit)th newest slot in it, plus the window.
_OVERALL = text("SELECT at FROM send_slot WHERE at > :now - :window ORDER BY at DESC OFFSET :limit - 1 LIMIT 1")
_IN_CHAT = text(
    "SELECT at FROM send_slot WHERE chat_id = :chat AND at > :now - :window ORDER BY at DESC OFFSET :limit - 1 LIMIT 1"
)
_TAKE = text("INSERT INTO send_slot (chat_id, at) VALUES (:chat, :now)")
_PRUNE = text("DELETE FROM send_slot WHERE at < :now - 120")
PRUNE_ONE_IN = 200  # takes, on average, between prunings


class SendBudget:
    def __init__(
        self,
        engine: Engine,
        *,
        per_second: int = 24,
        per_group: int = 16,
        group_window: float = 60.0,
    ) -> None:
        """Margins under Telegram's 30 a second and 20 a minute into a group: a slot is taken just before its
        request goes (adapters/telegram/limits.py), but requests of several processes may still arrive bunched
        (a stalled process or network), a few more in one second than their slots were."""
        self._engine = engine
        self.per_second, self.per_group, self.group_window = per_second, per_group, group_window

    def take(self, chat_id: int) -> float:
        """0 when a slot was taken for a request into ``chat_id`` now; else the seconds to wait before asking again
        (see ``wait``)."""
        return self.wait(chat_id, take=True)[0]

    def wait(self, chat_id: int, take: bool = False) -> tuple[float, bool]:
        """(seconds to wait, whether for the group's minute) before a request into ``chat_id`` may go; with
        ``take``, a slot is taken when it may go now ((0, False))."""
        with self._engine.connect() as connection:
            now = connection.execute(_LOCK, {"lock": SEND_BUDGET_LOCK}).one()[1]
            now = float(now)
            if chat_id < 0:  # a group (Telegram's per-minute limit is for groups)
                params = {"chat": str(chat_id), "now": now, "window": self.group_window, "limit": self.per_group}
                full = connection.execute(_IN_CHAT, params).scalar()
                if full is not None:
                    connection.rollback()
                    return max(full + self.group_window - now, 0.001), True
            full = connection.execute(_OVERALL, {"now": now, "window": 1.0, "limit": self.per_second}).scalar()
            if full is not None:
                connection.rollback()
                return max(full + 1.0 - now, 0.001), False
            if not take:
                connection.rollback()
                return 0.0, False
            connection.execute(_TAKE, {"chat": str(chat_id), "now": now})
            if random.randrange(PRUNE_ONE_IN) == 0:
                connection.execute(_PRUNE, {"now": now})
            connection.commit()
            return 0.0, False
