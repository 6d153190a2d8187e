"""The kinds of the record's hash chain beyond rounds, the pool and roles: proxies, assemblies and who attended
them, and a collective's place in a federation (``storage.chain_rows`` says what a kind is)."""

from __future__ import annotations

from sqlalchemy import select

from storage.chain_rows import Kind, json_field
from storage.tables_beyond import AssemblyRow, AttendanceRow, FederationMemberRow, ProxyRow

proxy_t = ProxyRow.__table__
assembly_t = AssemblyRow.__table__
attendance_t = AttendanceRow.__table__
federation_member_t = FederationMemberRow.__table__

PROXY = Kind(
    "proxy",
    select(proxy_t.c.collective_id.label("cid"), proxy_t),
    (proxy_t.c.id,),
    lambda row, extra: {
        "giver": row.giver_id,
        "holder": row.holder_id,
        "term_seconds": row.term_seconds,
        "offered_at": row.offered_at,
        "item": row.item_id,
        "status": row.status,
        "accepted_at": row.accepted_at,
        "ends_at": row.ends_at,
        "ended_at": row.ended_at,
    },
    proxy_t.c.collective_id,
)
ASSEMBLY = Kind(
    "assembly",
    select(assembly_t.c.collective_id.label("cid"), assembly_t),
    (assembly_t.c.id,),
    lambda row, extra: {
        "number": row.number,
        "opened_by": row.opened_by,
        "started_at": row.started_at,
        "agenda": json_field(row.agenda) if row.agenda else [],
        "ended_at": row.ended_at,
        "minutes": row.minutes,
    },
    assembly_t.c.collective_id,
)

ATTENDANCE = Kind(
    "attendance",
    select(assembly_t.c.collective_id.label("cid"), attendance_t, assembly_t.c.number.label("assembly")).select_from(
        attendance_t.join(assembly_t, assembly_t.c.id == attendance_t.c.assembly_id)
    ),
    (attendance_t.c.assembly_id, attendance_t.c.member_id),
    lambda row, extra: {"assembly": row.assembly, "member": row.member_id, "first_seen_at": row.first_seen_at},
    assembly_t.c.collective_id,
)
FEDERATION = Kind(
    "federation",
    select(federation_member_t.c.collective_id.label("cid"), federation_member_t),
    (federation_member_t.c.collective_id,),
    lambda row, extra: {"federation": row.federation_id, "joined_at": row.joined_at},
    federation_member_t.c.collective_id,
)
