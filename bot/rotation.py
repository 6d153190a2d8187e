"""Rotation: who holds each role, fair turns, handovers on the due-work
engine, and the powers a role carries for its term."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Scope
from bot.duework import DueScope
from bot.fairness import Cadence, Candidate, next_after, next_holder
from bot.language import N_, _
from bot.model import KNOWN_ROLES, SWAP_EXPIRED, DueWork, Member, Role, Turn
from bot.ports import UnitOfWork

HANDOVER = "handover"
HANDOVER_REMINDER = "handover_reminder"
REMIND_BEFORE = timedelta(days=1)

# Why a role changes hands now (``fill``): each is said in a sentence of its own.
TAKEN, HANDED_OVER, LEFT, STEPPED_DOWN = "taken", "handed_over", "left", "stepped_down"
# A role's name ({role}) is shown as members type it in commands (/rotation join facilitator): it is never
# translated. A role with powers (facilitator, treasurer, delegate) is held ("Alice is facilitator"), a chore
# is one a member is on ("Alice is on dishes"). {former} is the member who held it before.
_NOW_HOLDS = {
    # Translators: {role} is a role's name as members type it (facilitator, treasurer, delegate); keep it.
    (TAKEN, True): N_("{name} is {role} now, until {when}."),
    # Translators: {role} is a chore's name as members typed it (dishes); keep it.
    (TAKEN, False): N_("{name} is on {role} now, until {when}."),
    # Translators: {role} is a role's name as members type it (facilitator, treasurer, delegate); keep it.
    (HANDED_OVER, True): N_("Handover: {name} is {role} now, until {when}."),
    # Translators: {role} is a chore's name as members typed it (dishes); keep it.
    (HANDED_OVER, False): N_("Handover: {name} is on {role} now, until {when}."),
    # Translators: {former} held the role and left the collective; {role} is a role's name as typed: keep it.
    (LEFT, True): N_("{former} has left, so {name} is {role} now, until {when}."),
    # Translators: {former} was on the chore and left the collective; {role} is its name as typed: keep it.
    (LEFT, False): N_("{former} has left, so {name} is on {role} now, until {when}."),
    # Translators: {former} held the role and left its roster; {role} is a role's name as typed: keep it.
    (STEPPED_DOWN, True): N_("{former} stepped down, so {name} is {role} now, until {when}."),
    # Translators: {former} was on the chore and left its roster; {role} is its name as typed: keep it.
    (STEPPED_DOWN, False): N_("{former} stepped down, so {name} is on {role} now, until {when}."),
}


def cadence(role: Role, zone) -> Cadence:
    began = role.created_at.astimezone(zone)
    return Cadence(role.every, role.weekday, role.at, anchor=(began.hour, began.minute))


def describe(role: Role) -> str:
    """A role as a list shows it: its name, and for a chore a word saying so (``dishes (chore)``)."""
    if role.name in KNOWN_ROLES:
        return role.name
    # Translators: a chore (a rotating role without powers) in a list of roles; {role} is its name as typed.
    return _("{role} (chore)", role=role.name)


def holder_of(uow: UnitOfWork, collective_id: int, name: str) -> Member | None:
    """The member holding a role now, if the collective has it and it is filled."""
    role = uow.roles.named(collective_id, name)
    if role is None or role.holder_id is None:
        return None
    return uow.members.get(role.holder_id)


def choose(scope: Scope, role: Role, at: datetime | None = None) -> Member | None:
    """The next holder by the fairness rule, skipping members away at ``at``
    (default: now). The current holder's turn is their latest, so they come
    last unless no one else can serve."""
    moment = at or scope.now
    members = {m.id: m for m in scope.uow.members.active(role.collective_id)}
    turns = scope.uow.roles.turns(role.id)
    candidates = []
    for member_id in scope.uow.roles.roster(role.id):
        member = members.get(member_id)
        if member is None:
            continue
        served = [t.started_at for t in turns if t.member_id == member_id]
        candidates.append(
            Candidate(member_id, member.joined_at, max(served, default=None), len(served), member.is_away(moment))
        )
    chosen = next_holder(candidates)
    return members[chosen] if chosen is not None else None


def next_in_line(scope: Scope, role: Role) -> Member | None:
    """Who would take over at the next handover, as things stand."""
    return choose(scope, role, role.next_handover_at)


def take_turn(scope: Scope, role: Role, member_id: int) -> None:
    scope.uow.roles.end_turn(role.id, scope.now)
    scope.uow.roles.start_turn(Turn(role.id, member_id, scope.now))
    role.holder_id, role.term_started_at, role.vacancy_announced = member_id, scope.now, False


def schedule_handover(scope: Scope, role: Role, after_moment: datetime) -> None:
    """Set the next handover (and the reminder a day before) on the due-work engine."""
    for kind in (HANDOVER, HANDOVER_REMINDER):
        scope.uow.due.cancel(role.collective_id, kind, role.id)
    zone = scope.settings.timezone
    role.next_handover_at = next_after(after_moment, scope.now, cadence(role, zone), zone)
    scope.uow.due.add(DueWork(None, role.collective_id, HANDOVER, role.id, role.next_handover_at))
    remind_at = role.next_handover_at - REMIND_BEFORE
    if remind_at > scope.now:
        scope.uow.due.add(DueWork(None, role.collective_id, HANDOVER_REMINDER, role.id, remind_at))


def fill(scope: Scope, role: Role, reason: str = TAKEN, former: str = "") -> None:
    """Give the role to the next fair holder now, and say so (``reason``: why it changes hands, ``former``:
    who held it, for LEFT and STEPPED_DOWN); a vacancy is announced once until someone takes the role."""
    chosen = choose(scope, role)
    if chosen is None:
        scope.uow.roles.end_turn(role.id, scope.now)
        role.holder_id, role.term_started_at = None, None
        if not role.vacancy_announced:
            role.vacancy_announced = True
            scope.announce(vacancy_text(role))
        scope.uow.roles.save(role)
        return
    take_turn(scope, role, chosen.id)
    scope.uow.roles.save(role)
    following = next_in_line(scope, role)
    scope.announce(handover_text(scope, role, reason, former), mentioning=[m for m in (chosen, following) if m])


def vacancy_text(role: Role) -> str:
    if role.name in KNOWN_ROLES:
        return _(
            "The {role} role is vacant: no one on its roster can take it now (/rotation join {role} to take part).",
            role=role.name,
        )
    return _(
        "The {role} (chore) role is vacant: no one on its roster can take it now (/rotation join {role} to take part).",
        role=role.name,
    )


def handover_text(scope: Scope, role: Role, reason: str = TAKEN, former: str = "") -> str:
    holder = scope.uow.members.get(role.holder_id)
    following = next_in_line(scope, role)
    template = _NOW_HOLDS[reason, role.name in KNOWN_ROLES]
    text = _(template, name=scope.name(holder), role=role.name, when=scope.time(role.next_handover_at), former=former)
    if following is not None and following.id != holder.id:
        # Translators: after a handover: {name} takes the role at the following handover.
        text += " " + _("Next: {name}.", name=scope.name(following))
    return text


def expire_swaps(scope: Scope, role: Role) -> None:
    for swap in scope.uow.roles.pending_swaps(role.id):
        swap.status = SWAP_EXPIRED
        scope.uow.roles.save_swap(swap)
        asker = scope.name(scope.uow.members.get(swap.from_member_id))
        scope.announce(
            _("{name}'s request to swap the {role} turn expired at the handover.", name=asker, role=role.name)
        )


def handover(scope: DueScope) -> None:
    role = scope.uow.roles.get(scope.work.subject_id)
    if role.retired_at is not None:
        return  # removed meanwhile (its due work is cancelled then; this is a guard)
    expire_swaps(scope, role)
    schedule_handover(scope, role, scope.work.due_at)
    fill(scope, role, HANDED_OVER)


def remind_next(scope: DueScope) -> None:
    role = scope.uow.roles.get(scope.work.subject_id)
    if role.retired_at is not None:
        return
    following = next_in_line(scope, role)
    if following is None or following.id == role.holder_id:
        return
    reminder = _(
        "A reminder: your {role} turn begins {when}, in a day. Can't? Ask someone to swap: /swap {role} @member",
        role=role.name,
        when=scope.time(role.next_handover_at),
    )
    scope.tell(following, reminder)


def on_join(scope: Scope, member: Member) -> None:
    """Every member is on the roster of every role with powers; a vacant one is
    taken at once."""
    for name in KNOWN_ROLES:
        role = scope.uow.roles.named(member.collective_id, name)
        if role is not None and scope.uow.roles.join(role.id, member.id, scope.now) and role.holder_id is None:
            fill(scope, role)


def role_spec(name: str, every: timedelta, weekday: int | None, at: tuple[int, int] | None) -> dict:
    """A role as a proposal keeps it until adopted."""
    return {"name": name, "every": int(every.total_seconds()), "weekday": weekday, "at": list(at) if at else None}


def create_role(scope: Scope, spec: dict) -> str:
    """Make a rotating role. One with powers has every member on its roster and
    its first holder chosen by the fairness rule at once; a chore starts with an
    empty roster. Returns a sentence saying so."""
    name = spec["name"]
    if scope.uow.roles.named(scope.collective.id, name) is not None:
        return _("But there is a {role} role already, so nothing changed.", role=name)
    at = tuple(spec["at"]) if spec.get("at") else None
    role = Role(None, scope.collective.id, name, timedelta(seconds=spec["every"]), spec.get("weekday"), at, scope.now)
    role = scope.uow.roles.add(role)
    powered = name in KNOWN_ROLES
    if powered:
        for member in scope.uow.members.active(scope.collective.id):
            scope.uow.roles.join(role.id, member.id, scope.now)
    schedule_handover(scope, role, scope.now)
    when = Cadence(role.every, role.weekday, role.at).describe()
    if powered:
        fill(scope, role)
        return _(
            "The {role} role rotates {when} among all members; the first holder is chosen by the fairness rule.",
            role=name,
            when=when,
        )
    scope.uow.roles.save(role)
    return _(
        "The {role} (chore) role rotates {when}. Its roster is empty: /rotation join {role} to take part.",
        role=name,
        when=when,
    )


def retire_role(scope: Scope, role_id: int) -> str:
    """Remove a role (the proposal that created it lapsed on review): the current turn ends, no handover
    follows, pending swaps expire; the role and its turns stay in the record. Returns a sentence saying so."""
    role = scope.uow.roles.get(role_id)
    if role.retired_at is not None:
        return _("The {role} role was removed already.", role=role.name)
    for kind in (HANDOVER, HANDOVER_REMINDER):
        scope.uow.due.cancel(role.collective_id, kind, role.id)
    for swap in scope.uow.roles.pending_swaps(role.id):
        swap.status = SWAP_EXPIRED
        scope.uow.roles.save_swap(swap)
    holder = scope.uow.members.get(role.holder_id) if role.holder_id is not None else None
    scope.uow.roles.end_turn(role.id, scope.now)
    role.holder_id, role.term_started_at, role.next_handover_at, role.retired_at = None, None, None, scope.now
    scope.uow.roles.save(role)
    if holder is not None:
        return _(
            "The {role} role is removed; {name}'s turn ends now. Its turns stay in the record.",
            role=role.name,
            name=scope.name(holder),
        )
    return _("The {role} role is removed. Its turns stay in the record.", role=role.name)


def on_leave(scope: Scope, member: Member) -> None:
    """Leaving the collective is leaving every roster; a role its holder left
    goes to the next in line at once."""
    for role in scope.uow.roles.of_collective(member.collective_id):
        scope.uow.roles.leave(role.id, member.id)
        for swap in scope.uow.roles.pending_swaps(role.id):
            if member.id in (swap.from_member_id, swap.to_member_id):
                swap.status = SWAP_EXPIRED
                scope.uow.roles.save_swap(swap)
        if role.holder_id == member.id:
            fill(scope, role, LEFT, scope.name(member))


DUE_HANDLERS = {HANDOVER: handover, HANDOVER_REMINDER: remind_next}
