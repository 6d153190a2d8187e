"""What the Matrix adapter keeps between runs — the login, the sync token, direct rooms, who each of its group
sessions went to — as JSON values in the database's adapter state, read through a cache. (The encryption keys
themselves are in the crypto store, see crypto.py; the reactions it counted are in their own table, see
reactions.py.)

The store's keys are at most 64 characters; Matrix ids may be longer (a user id up to 255), so a key whose
id does not fit is the kind followed by a hash of the id.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from storage.adapter_state import AdapterState

MAX_KEY = 64
_MISSING = object()


def state_key(kind: str, ident: str = "") -> str:
    key = f"{kind}:{ident}" if ident else kind
    if len(key) <= MAX_KEY:
        return key
    return f"{kind}#{hashlib.sha256(ident.encode()).hexdigest()}"[:MAX_KEY]


class Memory:
    """An async face on ``AdapterState``: reads and writes run in a worker thread, never on the event loop."""

    def __init__(self, state: AdapterState) -> None:
        self._state = state
        self._cache: dict[str, Any] = {}

    async def get(self, kind: str, ident: str = "") -> Any:
        key = state_key(kind, ident)
        value = self._cache.get(key, _MISSING)
        if value is _MISSING:
            raw = await asyncio.to_thread(self._state.get, key)
            value = None if raw is None else json.loads(raw)
            self._cache[key] = value
        return value

    async def put(self, kind: str, ident: str, value: Any) -> None:
        key = state_key(kind, ident)
        await asyncio.to_thread(self._state.put, key, json.dumps(value, ensure_ascii=False))
        self._cache[key] = value
