"""The kinds of item, one class each: whether it is decided by a round, whether its text can be amended,
what adoption carries out, and how it reads on its card, in /show and in /proposals. Adding a kind is
adding a class (and the command that raises it): ``class Petition(Kind, topic="petition")`` declares the
``topic`` its items are stored under and registers the kind, wherever the class is defined.

An item's kind is its ``topic``; ``item.kind`` (proposal or need) follows from it."""

from __future__ import annotations

from typing import ClassVar

from bot.context import Context, Scope
from bot.linking import give_link_code, unlink_chat
from bot.model import Item, ItemKind, Status, Topic
from bot.outcomes import admit, apply_setting
from bot.pool import apply_reversal, approve, reject
from bot.rotation import create_role, retire_role
from bot.settings import shown_setting
from bot.text import cmd, one_line, quoted


def heading(item: Item) -> str:
    return f"#{item.number} {item.title}"


def author_name(scope: Scope, item: Item) -> str | None:
    """Who raised the item, as the group may see it: a private need's requester
    is never named."""
    if item.data.get("private"):
        return "a member, privately"
    if item.author_id is None:
        return None
    if item.author_name is not None and not item.author_twin:
        return item.author_name  # loaded with the item: no query when no one else looks like them
    return scope.name(scope.uow.members.get(item.author_id))


TOPIC_LENGTH = 16  # characters a topic may have (the items table's column)
KINDS: dict[str, Kind] = {}  # topic → its kind: every subclass of ``Kind`` registers itself


class Kind:
    """A proposal decided by a round that changes nothing beyond the record, unless a subclass says more.

    A subclass names its ``topic`` (``class RoleProposal(Kind, topic="role")``), which registers it in
    ``KINDS``; a topic is taken once."""

    topic: ClassVar[Topic]
    item_kind = ItemKind.PROPOSAL
    card = "Proposal"  # how its round's message names it
    has_round = True
    amendable = False
    withdrawable = True  # by its author, while its round is open
    reviewable = False  # may carry a review date, and lapses when not adopted again at review (bot.review)
    not_reviewable = "what it made is not undone by a lapse"  # why not, for a kind that is not reviewable
    not_amendable = "#{number} changes a setting or the membership; its text cannot be amended."

    def raiser(self, item: Item) -> str:
        """Who raised an item no member of this collective raised (``/show`` says "Proposed by …")."""
        return "the collective"

    def __init_subclass__(cls, *, topic: str, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not topic or len(topic) > TOPIC_LENGTH or topic in KINDS:
            taken = f"; {type(KINDS[topic]).__name__} has it" if topic in KINDS else ""
            raise ValueError(f"{cls.__name__}: {topic!r} is not a free topic of 1–{TOPIC_LENGTH} characters{taken}")
        cls.topic = Topic(topic)
        KINDS[topic] = cls()

    @property
    def is_need(self) -> bool:
        return self.item_kind == ItemKind.NEED

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        """Do what the decided item says; a sentence for the outcome message (empty: nothing to add)."""
        return ""

    def lapse(self, scope: Scope, item: Item) -> str:
        """Undo what adoption created, for a reviewable kind whose review round did not adopt it again; a
        sentence for the outcome message."""
        return ""

    def lapse_preview(self, scope: Scope, item: Item) -> str:
        """What a lapse would undo, as the end of "if not, it lapses…"."""
        return ""

    def on_review(self, scope: Scope, item: Item) -> None:
        """It comes up for review: bring what its title says up to date (the caller saves it)."""

    def verdict(self, adopted: bool) -> str:
        """How the log of decisions records its round's close."""
        return "adopted" if adopted else "not_adopted"

    def listing(self, ctx: Context, item: Item) -> str:
        """Its line in /proposals, for a kind without a round (a round's line is the round's)."""
        raise NotImplementedError

    def show(self, ctx: Context, item: Item) -> str:
        """What /show says, for a kind without a round (a round shows itself)."""
        raise NotImplementedError


class GeneralProposal(Kind, topic="general"):
    """A proposal whose adoption changes nothing beyond the record: a lapse marks it lapsed, no more."""

    amendable = True
    reviewable = True


class SettingProposal(Kind, topic="setting"):
    """``/set KEY VALUE``. Each adoption that sets its key is numbered in order (``set_seq``), so a lapse on
    review undoes it only while no later decision on the same key is in force, and restores the value in force
    before it (skipping decisions that lapsed meanwhile)."""

    card = "Settings proposal"
    reviewable = True

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        if not adopted:
            return ""
        key = item.data["key"]
        item.data["previous"] = scope.settings.text(key)  # what a lapse on review restores
        said = apply_setting(scope, key, item.data["value"])
        if scope.uow.settings.values(scope.collective.id).get(key) == item.data["value"]:
            others = self._same_key(scope, item)
            item.data["set_seq"] = 1 + max((other.data["set_seq"] for other in others), default=0)
        return said

    def lapse(self, scope: Scope, item: Item) -> str:
        key, current = item.data["key"], scope.settings.text(item.data["key"])
        later, restore = self._undo(scope, item)
        if later is not None:
            return f"{key} was set by a later decision (#{later.number}), so it stays {shown_setting(key, current)}."
        if restore is None or restore == current:
            return ""
        return apply_setting(scope, key, restore)

    def lapse_preview(self, scope: Scope, item: Item) -> str:
        later, restore = self._undo(scope, item)
        if later is not None or restore is None or restore == scope.settings.text(item.data["key"]):
            return ""
        return f" and {item.data['key']} goes back to {shown_setting(item.data['key'], restore)}"

    def on_review(self, scope: Scope, item: Item) -> None:
        """Up for review, its title no longer claims the value it replaced is the one in force: "(now 0.5)",
        true when it was proposed, reads "(was 0.5)" (what its adoption replaced)."""
        head, now, rest = item.title.rpartition(" (now ")
        if now:
            item.title = f"{head} (was {rest}"

    @staticmethod
    def _same_key(scope: Scope, item: Item) -> list[Item]:
        """The other settings decisions on its key that set it, in the order they did."""
        found = scope.uow.items.of_topic(item.collective_id, SettingProposal.topic, "key", item.data["key"])
        return sorted((o for o in found if o.id != item.id and "set_seq" in o.data), key=lambda o: o.data["set_seq"])

    def _undo(self, scope: Scope, item: Item) -> tuple[Item | None, str | None]:
        """What a lapse of ``item`` does: a later decision in force that keeps the key as it is, or else the
        value to restore (None: it never set the key)."""
        if "previous" not in item.data:
            return None, None
        if "set_seq" not in item.data:  # adopted before adoptions were numbered: judged by the value alone
            current = scope.settings.text(item.data["key"])
            return None, (item.data["previous"] if current == item.data["value"] else None)
        seq, others = item.data["set_seq"], self._same_key(scope, item)
        in_force = [o for o in others if o.status == Status.ADOPTED or o.data.get("reviewing")]
        later = next((o for o in reversed(in_force) if o.data["set_seq"] > seq), None)
        if later is not None:
            return later, None
        restore = item.data["previous"]
        for other in reversed([o for o in others if o.data["set_seq"] < seq]):
            if other.id in {o.id for o in in_force}:
                return None, other.data["value"]
            restore = other.data["previous"]  # it lapsed: the value before it
        return None, restore


class MembershipProposal(Kind, topic="membership"):
    not_reviewable = "admitting a member is not undone by a lapse: membership ends only by leaving"
    card = "Membership proposal"

    def raiser(self, item: Item) -> str:
        return "a candidate"

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        if not adopted:
            return ""
        candidate = item.data["candidate"]
        admit(scope, candidate["platform"], candidate["user_id"], candidate["name"])
        return f"{candidate['name']} is now a member. Welcome!"


class ReversalProposal(Kind, topic="reversal"):
    not_reviewable = "a reversal is a ledger entry, and the ledger is never undone"

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        return apply_reversal(scope, item.data["entry"], item.data["reason"], item.author_id) if adopted else ""


class RoleProposal(Kind, topic="role"):
    reviewable = True

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        if not adopted:
            return ""
        existed = scope.uow.roles.named(scope.collective.id, item.data["name"])
        said = create_role(scope, item.data)
        created = scope.uow.roles.named(scope.collective.id, item.data["name"])
        if existed is None and created is not None:
            item.data["role_id"] = created.id  # what a lapse on review removes
        return said

    def lapse(self, scope: Scope, item: Item) -> str:
        return retire_role(scope, item.data["role_id"]) if "role_id" in item.data else ""

    def lapse_preview(self, scope: Scope, item: Item) -> str:
        return f" and the {item.data['name']} role is removed" if "role_id" in item.data else ""


class LinkProposal(Kind, topic="link"):
    """``/link``: adopted, it gives the code another chat redeems to become one of the collective's chats."""

    not_reviewable = f"a linked chat leaves by {cmd('unlink')}, not by a lapse"

    card = "Link proposal"
    not_amendable = "#{number} links a chat; its text cannot be amended."

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        return give_link_code(scope, item) if adopted else ""


class UnlinkProposal(Kind, topic="unlink"):
    """``/unlink``: adopted, the chat it was raised in leaves the collective."""

    not_reviewable = f"a chat that left is linked again by {cmd('link')}, not by a lapse"

    card = "Unlink proposal"
    not_amendable = "#{number} unlinks a chat; its text cannot be amended."

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        return unlink_chat(scope, item) if adopted else ""


class MoneyNeed(Kind, topic="money"):
    """A need for money from the pool: approved by silence or by a round, then queued, funded, paid."""

    not_reviewable = "a need is not a standing rule (a recurring need runs for the term it was approved for)"

    item_kind = ItemKind.NEED
    card = "Need"
    not_amendable = "#{number} is a need; withdraw it and ask again to change it."

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        return approve(scope, item) if adopted else reject(scope, item)

    def lapse(self, scope: Scope, item: Item) -> str:
        """Undo what adoption created, for a reviewable kind whose review round did not adopt it again; a
        sentence for the outcome message."""
        return ""

    def lapse_preview(self, scope: Scope, item: Item) -> str:
        """What a lapse would undo, as the end of "if not, it lapses…"."""
        return ""

    def verdict(self, adopted: bool) -> str:
        return "approved" if adopted else "not_approved"


class HelpNeed(MoneyNeed, topic="help"):
    """A need for help that is not money: no round, members offer, whoever asked says when it is met."""

    not_reviewable = "a need for help is not a decision"

    has_round = False

    def listing(self, ctx: Context, item: Item) -> str:
        offers = len(ctx.uow.needs.offers(item.id))
        return f"{heading(item)} — asking for help, {offers} offer{'s' if offers != 1 else ''} so far"

    def show(self, ctx: Context, item: Item) -> str:
        need = ctx.uow.needs.get(item.id)
        lines = [f"#{item.number} {item.title}", f"Asked by {author_name(ctx, item)}. {need.stage.capitalize()}."]
        if item.body:
            lines.append(quoted(item.body))
        shown = ctx.name
        for offer in ctx.uow.needs.offers(item.id):
            note = f": {one_line(offer.note)}" if offer.note else ""
            lines.append(f"• {shown(ctx.uow.members.get(offer.member_id))} offers to help{note}")
        return "\n".join(lines)


class FederateProposal(Kind, topic="federate"):
    """Invite another collective into a federation, or join one with a code (``bot.federation``)."""

    not_reviewable = f"a federation is left by {cmd('unfederate')}, not by a lapse"

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.federation import carry_out_federate  # (the federation's modules build on this one)

        return carry_out_federate(scope, item, adopted)


class UnfederateProposal(Kind, topic="unfederate"):
    not_reviewable = f"a federation is joined again by {cmd('federate')}, not by a lapse"

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.federation import carry_out_unfederate

        return carry_out_unfederate(scope, item, adopted)


class JointProposal(Kind, topic="joint"):
    """This collective's round on a joint item of its federation: its outcome is the collective's ballot."""

    not_reviewable = "a joint item is decided by every collective of the federation"

    card = "Joint proposal"
    withdrawable = False  # every collective of the federation decides it: it is not one author's to take back

    def raiser(self, item: Item) -> str:
        return f"{item.data.get('from', 'another collective')}, for the whole federation"

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.joint import ballot_cast

        return ballot_cast(scope, item, adopted)


class ReviewProposal(Kind, topic="review"):
    """``/review N WHEN``: adopted, item #N gets that review date (or none)."""

    not_reviewable = "a review date has no review date of its own"

    not_amendable = "#{number} sets a review date; its text cannot be amended."

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.review_commands import carry_out_review  # (reviews build on the kinds)

        return carry_out_review(scope, item, adopted)


class AidProposal(Kind, topic="aid"):
    """Another collective's need put to the federation: adopted, this pool transfers the amount."""

    not_reviewable = "money sent to another collective is not undone by a lapse"

    card = "Aid request"

    def raiser(self, item: Item) -> str:
        return f"{item.data.get('from', 'another collective of the federation')}, asking for mutual aid"

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.aid import carry_out_aid

        return carry_out_aid(scope, item, adopted)


def kind_of(item: Item) -> Kind:
    return KINDS[item.topic]
