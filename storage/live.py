"""Proxies and assemblies (``bot.ports_beyond.Proxies``, ``Assemblies``); both are part of the record, so each
write tells the chain (``storage.chain``)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Table

from bot.live_records import Assembly, Proxy, ProxyStatus
from storage.fields import Persisted, Stored
from storage.sql import _by, _Repository, _update_by, _upsert
from storage.tables_beyond import AssemblyRow, AttendanceRow, ProxyRow

proxy_t: Table = ProxyRow.__table__
assembly_t: Table = AssemblyRow.__table__
attendance_t: Table = AttendanceRow.__table__

_AGENDA = Stored(
    ("agenda",), lambda value: {"agenda": json.dumps(list(value))}, lambda column: json.loads(column("agenda"))
)
PROXY = Persisted(Proxy, proxy_t)
ASSEMBLY = Persisted(Assembly, assembly_t, stored={"agenda": _AGENDA})

_PROXY = _by(proxy_t, "id")
_PROXY_UPDATE = _update_by(proxy_t, "id")
_OF_COLLECTIVE = _by(proxy_t, "collective_id").order_by(proxy_t.c.id)
_PENDING = _OF_COLLECTIVE.where(proxy_t.c.status.in_((ProxyStatus.OFFERED, ProxyStatus.ACTIVE)))
_ASSEMBLY = _by(assembly_t, "id")
_ASSEMBLY_UPDATE = _update_by(assembly_t, "id")
_NUMBERED = _by(assembly_t, "collective_id", "number")
_LATEST = _by(assembly_t, "collective_id").order_by(assembly_t.c.number.desc()).limit(1)
_ATTENDED = _by(attendance_t, "assembly_id").order_by(attendance_t.c.first_seen_at, attendance_t.c.member_id)


class SqlProxies(_Repository):
    def add(self, proxy: Proxy) -> Proxy:
        proxy.id = self._insert(proxy_t, PROXY.values(proxy))
        self._touch("proxy", id=proxy.id)
        return proxy

    def get(self, proxy_id: int) -> Proxy:
        return PROXY.record(self._first(_PROXY, id=proxy_id))

    def save(self, proxy: Proxy) -> None:
        self.connection.execute(_PROXY_UPDATE, {"key_id": proxy.id, **PROXY.values(proxy)})
        self._touch("proxy", id=proxy.id)

    def pending(self, collective_id: int) -> list[Proxy]:
        return [PROXY.record(row) for row in self._all(_PENDING, collective_id=collective_id)]

    def of_collective(self, collective_id: int) -> list[Proxy]:
        return [PROXY.record(row) for row in self._all(_OF_COLLECTIVE, collective_id=collective_id)]


class SqlAssemblies(_Repository):
    def add(self, assembly: Assembly) -> Assembly:
        assembly.id = self._insert(assembly_t, ASSEMBLY.values(assembly))
        self._touch("assembly", id=assembly.id)
        return assembly

    def get(self, assembly_id: int) -> Assembly:
        return ASSEMBLY.record(self._first(_ASSEMBLY, id=assembly_id))

    def save(self, assembly: Assembly) -> None:
        self.connection.execute(_ASSEMBLY_UPDATE, {"key_id": assembly.id, **ASSEMBLY.values(assembly)})
        self._touch("assembly", id=assembly.id)

    def numbered(self, collective_id: int, number: int) -> Assembly | None:
        row = self._first(_NUMBERED, collective_id=collective_id, number=number)
        return ASSEMBLY.record(row) if row else None

    def latest(self, collective_id: int) -> Assembly | None:
        row = self._first(_LATEST, collective_id=collective_id)
        return ASSEMBLY.record(row) if row else None

    def attend(self, assembly_id: int, member_id: int, now: datetime) -> None:
        statement = _upsert(self.connection.dialect.name, attendance_t, ("assembly_id", "member_id"), ())
        self.connection.execute(statement, {"assembly_id": assembly_id, "member_id": member_id, "first_seen_at": now})
        self._touch("attendance", assembly_id=assembly_id, member_id=member_id)

    def attended(self, assembly_id: int) -> list[int]:
        return [row.member_id for row in self._all(_ATTENDED, assembly_id=assembly_id)]
