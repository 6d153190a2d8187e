"""Where the bot's asks were posted (for edits, reactions and replies)."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from storage.sql import (
    _Repository,
    sent_ask_t,
)

# --- where asks were posted -----------------------------------------------

_SENT_ASK_KEY = select(sent_ask_t.c.key).where(
    sent_ask_t.c.platform == bindparam("platform"),
    sent_ask_t.c.chat_id == bindparam("chat_id"),
    sent_ask_t.c.message_ref == bindparam("message_ref"),
)
_SENT_ASK_REFS = select(sent_ask_t.c.message_ref).where(
    sent_ask_t.c.platform == bindparam("platform"),
    sent_ask_t.c.chat_id == bindparam("chat_id"),
    sent_ask_t.c.key == bindparam("key"),
)


class SqlSentAsks(_Repository):
    def remember(self, platform: str, chat_id: str, key: str, message_ref: str) -> None:
        values = {"platform": platform, "chat_id": chat_id, "message_ref": message_ref, "key": key}
        self._upsert(sent_ask_t, values, ("platform", "chat_id", "message_ref"))

    def refs(self, platform: str, chat_id: str, key: str) -> list[str]:
        params = {"platform": platform, "chat_id": chat_id, "key": key}
        return list(self.connection.execute(_SENT_ASK_REFS, params).scalars())

    def key_of(self, platform: str, chat_id: str, message_ref: str) -> str | None:
        params = {"platform": platform, "chat_id": chat_id, "message_ref": message_ref}
        return self.connection.execute(_SENT_ASK_KEY, params).scalar()
