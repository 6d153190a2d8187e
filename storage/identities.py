"""Two memberships of one person in one collective made one (``bot.identities``): what each did moves to the
one kept, except the record of what is over (closed rounds, the append-only ledger), which stays as it was."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, delete, exists, select, update

from storage.sql import (
    _Repository,
    item_t,
    member_t,
    offer_t,
    response_t,
    role_t,
    roll_t,
    roster_t,
    round_t,
    swap_t,
    turn_t,
)

_OPEN_ROUNDS = select(round_t.c.id).where(round_t.c.status == "open")
_KEEP, _DROP = bindparam("keep"), bindparam("drop")

_KEPT = response_t.alias("kept")
_BOTH_RESPONDED = (
    select(item_t.c.number)
    .select_from(response_t)
    .join(round_t, round_t.c.id == response_t.c.round_id)
    .join(item_t, item_t.c.id == round_t.c.item_id)
    .where(
        round_t.c.status == "open",
        response_t.c.member_id == _DROP,
        exists().where(_KEPT.c.round_id == response_t.c.round_id, _KEPT.c.member_id == _KEEP),
    )
    .order_by(item_t.c.number)
)


def _twofold(table, owner, *same):
    """Rows of ``drop`` where ``keep`` has one for the same ``same`` columns: they would be two."""
    other = table.alias()
    return and_(
        table.c[owner] == _DROP,
        exists().where(other.c[owner] == _KEEP, *(other.c[name] == table.c[name] for name in same)),
    )


_STATEMENTS = (
    # open rounds: one place on the roll, the responses of either (never both: checked before)
    delete(roll_t).where(roll_t.c.round_id.in_(_OPEN_ROUNDS), _twofold(roll_t, "member_id", "round_id")),
    update(roll_t).where(roll_t.c.round_id.in_(_OPEN_ROUNDS), roll_t.c.member_id == _DROP).values(member_id=_KEEP),
    update(response_t)
    .where(response_t.c.round_id.in_(_OPEN_ROUNDS), response_t.c.member_id == _DROP)
    .values(member_id=_KEEP),
    update(item_t).where(item_t.c.author_id == _DROP).values(author_id=_KEEP),
    delete(offer_t).where(_twofold(offer_t, "member_id", "item_id")),
    update(offer_t).where(offer_t.c.member_id == _DROP).values(member_id=_KEEP),
    # rotation: one place on each roster, every turn of either counted as the one member's
    delete(roster_t).where(_twofold(roster_t, "member_id", "role_id")),
    update(roster_t).where(roster_t.c.member_id == _DROP).values(member_id=_KEEP),
    update(turn_t).where(turn_t.c.member_id == _DROP).values(member_id=_KEEP),
    update(role_t).where(role_t.c.holder_id == _DROP).values(holder_id=_KEEP),
    update(swap_t).where(swap_t.c.from_member_id == _DROP).values(from_member_id=_KEEP),
    update(swap_t).where(swap_t.c.to_member_id == _DROP).values(to_member_id=_KEEP),
    update(swap_t)
    .where(swap_t.c.status == "pending", swap_t.c.from_member_id == swap_t.c.to_member_id)
    .values(status="expired"),
)


class SqlIdentities(_Repository):
    def both_responded(self, keep: int, drop: int) -> list[int]:
        """The numbers of items with an open round both memberships responded in."""
        return list(self.connection.execute(_BOTH_RESPONDED, {"keep": keep, "drop": drop}).scalars())

    def merge_members(self, keep: int, drop: int) -> None:
        for statement in _STATEMENTS:
            self.connection.execute(statement, {"keep": keep, "drop": drop})
        if self.chain is not None:  # moved in bulk: the chain compares the whole record
            collective_id = self.connection.execute(select(member_t.c.collective_id).where(member_t.c.id == keep))
            self.chain.touch_all(collective_id.scalar_one())
