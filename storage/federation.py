"""Federations: their member collectives, the codes that invite another one, joint items with each member
collective's ballot, and aid requests (``bot.ports.Federations``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, delete, update

from bot.federation_records import AidRequest, Federation, Invitation, JointBallot, JointItem
from storage.fields import Persisted, json_text
from storage.sql import _by, _Repository, _update_by
from storage.tables_beyond import (
    AidRequestRow,
    FederationCodeRow,
    FederationMemberRow,
    FederationRow,
    JointBallotRow,
    JointItemRow,
)

federation_t: Table = FederationRow.__table__
federation_member_t: Table = FederationMemberRow.__table__
federation_code_t: Table = FederationCodeRow.__table__
joint_item_t: Table = JointItemRow.__table__
joint_ballot_t: Table = JointBallotRow.__table__
aid_request_t: Table = AidRequestRow.__table__

FEDERATION = Persisted(Federation, federation_t)
INVITATION = Persisted(Invitation, federation_code_t)
JOINT_ITEM = Persisted(JointItem, joint_item_t, stored={"data": json_text("data")})
JOINT_BALLOT = Persisted(JointBallot, joint_ballot_t)
AID_REQUEST = Persisted(AidRequest, aid_request_t)

_FEDERATION = _by(federation_t, "id")
_FEDERATION_UPDATE = _update_by(federation_t, "id")
_MEMBERSHIP = _by(federation_member_t, "collective_id")
_MEMBERS = _by(federation_member_t, "federation_id").order_by(
    federation_member_t.c.joined_at, federation_member_t.c.collective_id
)
_LEAVE = delete(federation_member_t).where(federation_member_t.c.collective_id == bindparam("collective_id"))
_CODE = _by(federation_code_t, "code")
_USE_CODE = (
    update(federation_code_t)
    .where(federation_code_t.c.code == bindparam("key_code"), federation_code_t.c.used_by.is_(None))
    .values(used_by=bindparam("used_by"))
)
_JOINT = _by(joint_item_t, "id")
_JOINT_UPDATE = _update_by(joint_item_t, "id")
_OPEN_JOINTS = _by(joint_item_t, "federation_id", "status").order_by(joint_item_t.c.id)
_DECIDE_JOINT = (
    update(joint_item_t)
    .where(joint_item_t.c.id == bindparam("key_id"), joint_item_t.c.status == "open")
    .values(status=bindparam("status"), decided_at=bindparam("decided_at"))
)
_BALLOTS = _by(joint_ballot_t, "joint_id").order_by(joint_ballot_t.c.collective_id)
_BALLOT_OF_ITEM = _by(joint_ballot_t, "item_id")
_CAST = _update_by(joint_ballot_t, "joint_id", "collective_id")
_AID = _by(aid_request_t, "id")
_AID_OF_NEED = _by(aid_request_t, "item_id").order_by(aid_request_t.c.id.desc()).limit(1)
_AID_MOVE = (
    update(aid_request_t)
    .where(aid_request_t.c.id == bindparam("key_id"), aid_request_t.c.status == "open")
    .values(status=bindparam("status"), funded_by=bindparam("funded_by"))
)


class SqlFederations(_Repository):
    # --- federations and their member collectives ---

    def add(self, federation: Federation) -> Federation:
        federation.id = self._insert(federation_t, FEDERATION.values(federation))
        return federation

    def get(self, federation_id: int) -> Federation:
        return FEDERATION.record(self._first(_FEDERATION, id=federation_id))

    def save(self, federation: Federation) -> None:
        self.connection.execute(_FEDERATION_UPDATE, {"key_id": federation.id, **FEDERATION.values(federation)})

    def of_collective(self, collective_id: int) -> Federation | None:
        row = self._first(_MEMBERSHIP, collective_id=collective_id)
        return self.get(row.federation_id) if row else None

    def members(self, federation_id: int) -> list[int]:
        return [row.collective_id for row in self._all(_MEMBERS, federation_id=federation_id)]

    def join(self, federation_id: int, collective_id: int, now: datetime) -> None:
        values = {"federation_id": federation_id, "collective_id": collective_id, "joined_at": now}
        self._insert(federation_member_t, values)
        self._touch("federation", collective_id=collective_id)

    def leave(self, collective_id: int) -> bool:
        self._touch("federation", collective_id=collective_id)  # its removal, in the collective's record
        return self.connection.execute(_LEAVE, {"collective_id": collective_id}).rowcount == 1

    # --- codes ---

    def add_invitation(self, invitation: Invitation) -> None:
        self._insert(federation_code_t, INVITATION.values(invitation))

    def invitation(self, code: str) -> Invitation | None:
        row = self._first(_CODE, code=code)
        return INVITATION.record(row) if row else None

    def use_invitation(self, code: str, collective_id: int) -> bool:
        return self.connection.execute(_USE_CODE, {"key_code": code, "used_by": collective_id}).rowcount == 1

    # --- joint items ---

    def add_joint(self, joint: JointItem) -> JointItem:
        joint.id = self._insert(joint_item_t, JOINT_ITEM.values(joint))
        return joint

    def joint(self, joint_id: int) -> JointItem:
        return JOINT_ITEM.record(self._first(_JOINT, id=joint_id))

    def open_joints(self, federation_id: int) -> list[JointItem]:
        return [JOINT_ITEM.record(row) for row in self._all(_OPEN_JOINTS, federation_id=federation_id, status="open")]

    def decide_joint(self, joint_id: int, status: str, now: datetime) -> bool:
        """Open → ``status``, once: False when it was decided already."""
        params = {"key_id": joint_id, "status": status, "decided_at": now}
        return self.connection.execute(_DECIDE_JOINT, params).rowcount == 1

    def add_ballot(self, ballot: JointBallot) -> None:
        self._insert(joint_ballot_t, JOINT_BALLOT.values(ballot))

    def ballots(self, joint_id: int) -> list[JointBallot]:
        return [JOINT_BALLOT.record(row) for row in self._all(_BALLOTS, joint_id=joint_id)]

    def ballot_of_item(self, item_id: int) -> JointBallot | None:
        row = self._first(_BALLOT_OF_ITEM, item_id=item_id)
        return JOINT_BALLOT.record(row) if row else None

    def cast(self, joint_id: int, collective_id: int, ballot: str) -> None:
        params = {"key_joint_id": joint_id, "key_collective_id": collective_id, "ballot": ballot}
        self.connection.execute(_CAST, params)

    # --- aid requests ---

    def add_aid(self, aid: AidRequest) -> AidRequest:
        aid.id = self._insert(aid_request_t, AID_REQUEST.values(aid))
        return aid

    def aid(self, aid_id: int) -> AidRequest:
        return AID_REQUEST.record(self._first(_AID, id=aid_id))

    def aid_of_need(self, item_id: int) -> AidRequest | None:
        row = self._first(_AID_OF_NEED, item_id=item_id)
        return AID_REQUEST.record(row) if row else None

    def end_aid(self, aid_id: int, status: str, funded_by: int | None = None) -> bool:
        """Open → ``status`` (funded, closed), once: False when it had ended already."""
        params = {"key_id": aid_id, "status": status, "funded_by": funded_by}
        return self.connection.execute(_AID_MOVE, params).rowcount == 1
