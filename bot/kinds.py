"""The kinds of item, one class each: whether it is decided by a round, whether its text can be amended,
what adoption carries out, and how it reads on its card, in /show and in /proposals. Adding a kind is
adding a class (and the command that raises it): ``class Petition(Kind, topic="petition")`` declares the
``topic`` its items are stored under and registers the kind, wherever the class is defined.

An item's kind is its ``topic``; ``item.kind`` (proposal or need) follows from it."""

from __future__ import annotations

from typing import ClassVar

from bot.context import Context, Scope
from bot.language import N_, _, ngettext, pgettext
from bot.linking import give_link_code, unlink_chat
from bot.model import Item, ItemKind, Stage, Topic
from bot.outcomes import admit, apply_setting
from bot.pool import apply_reversal, approve, reject
from bot.rotation import create_role, retire_role
from bot.setting_decisions import same_key, title_on_review, undo
from bot.settings import shown_setting
from bot.text import one_line, quoted


def heading(item: Item) -> str:
    return f"#{item.number} {item.title}"


def author_name(scope: Scope, item: Item) -> str | None:
    """Who raised the item, as the group may see it: a private need's requester
    is never named."""
    if item.data.get("private"):
        # Translators: who asked for a private need, as the group reads it ("Need #4 asked by a member, privately").
        return _("a member, privately")
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
    ``KINDS``; a topic is taken once.

    Its texts made once (``card``, ``review_card``, ``not_reviewable``, ``not_amendable``) are marked for the
    catalog and translated where they are shown: ``_(kind.card)``, ``_(kind.not_amendable, number=4)``."""

    topic: ClassVar[Topic]
    item_kind = ItemKind.PROPOSAL
    # Translators: the kind of item, at the head of its round's message ("Proposal #4 by Alice: …").
    card = N_("Proposal")  # how its round's message names it
    # Translators: the head of a proposal's round when it comes up for review ("Up for review — proposal #4 …").
    review_card = N_("Up for review — proposal")  # the card when it is up for review (a reviewable kind's)
    has_round = True
    amendable = False
    withdrawable = True  # by its author, while its round is open
    reviewable = False  # may carry a review date, and lapses when not adopted again at review (bot.review)
    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("what it made is not undone by a lapse")  # why not, for a kind that is not reviewable
    not_amendable = N_("#{number} changes a setting or the membership; its text cannot be amended.")

    def raiser(self, item: Item) -> str:
        """Who raised an item no member of this collective raised (``/show`` says "Proposed by …")."""
        # Translators: who raised an item no member raised ("Proposed by the collective").
        return _("the collective")

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
        """What a lapse would undo, as a clause ending "if not, it lapses and …" (empty: nothing)."""
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
    before it (skipping decisions that lapsed meanwhile): ``bot.setting_decisions``."""

    # Translators: the kind of item, at the head of its round's message ("Settings proposal #4 by Alice: …").
    card = N_("Settings proposal")
    # Translators: the head of a settings proposal's round when it comes up for review.
    review_card = N_("Up for review — settings proposal")
    reviewable = True

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        if not adopted:
            return ""
        key = item.data["key"]
        item.data["previous"] = scope.settings.text(key)  # what a lapse on review restores
        said = apply_setting(scope, key, item.data["value"])
        if scope.uow.settings.values(scope.collective.id).get(key) == item.data["value"]:
            others = same_key(scope, item)
            item.data["set_seq"] = 1 + max((other.data["set_seq"] for other in others), default=0)
        return said

    def lapse(self, scope: Scope, item: Item) -> str:
        key, current = item.data["key"], scope.settings.text(item.data["key"])
        later, restore = undo(scope, item)
        if later is not None:
            shown = shown_setting(key, current)
            # Translators: {key} is a setting's name as typed (decision_rule); {value} its value.
            return _(
                "{key} was set by a later decision (#{number}), so it stays {value}.",
                key=key,
                number=later.number,
                value=shown,
            )
        if restore is None or restore == current:
            return ""
        return apply_setting(scope, key, restore)

    def lapse_preview(self, scope: Scope, item: Item) -> str:
        later, restore = undo(scope, item)
        if later is not None or restore is None or restore == scope.settings.text(item.data["key"]):
            return ""
        key = item.data["key"]
        # Translators: what a lapse undoes ("…if not, it lapses and {key} goes back to {value}"); {key} is a
        # setting's name as typed (decision_rule), {value} its value.
        return _("{key} goes back to {value}", key=key, value=shown_setting(key, restore))

    def on_review(self, scope: Scope, item: Item) -> None:
        """Up for review, its title no longer claims the value it replaced is the one in force: "(now 0.5)",
        true when it was proposed, reads "(was 0.5)" (what its adoption replaced)."""
        item.title = title_on_review(item)


class MembershipProposal(Kind, topic="membership"):
    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("admitting a member is not undone by a lapse: membership ends only by leaving")
    # Translators: the kind of item, at the head of its round's message ("Membership proposal #4 by …").
    card = N_("Membership proposal")

    def raiser(self, item: Item) -> str:
        # Translators: who raised a membership proposal ("Proposed by a candidate").
        return _("a candidate")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        if not adopted:
            return ""
        candidate = item.data["candidate"]
        admit(scope, candidate["platform"], candidate["user_id"], candidate["name"])
        return _("{name} is now a member. Welcome!", name=candidate["name"])


class ReversalProposal(Kind, topic="reversal"):
    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a reversal is a ledger entry, and the ledger is never undone")

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
        if "role_id" not in item.data:
            return ""
        # Translators: what a lapse undoes ("…if not, it lapses and the {name} role is removed"); {name} as typed.
        return _("the {name} role is removed", name=item.data["name"])


class LinkProposal(Kind, topic="link"):
    """``/link``: adopted, it gives the code another chat redeems to become one of the collective's chats."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a linked chat leaves by /unlink, not by a lapse")

    # Translators: the kind of item, at the head of its round's message ("Link proposal #4 by Alice: …").
    card = N_("Link proposal")
    not_amendable = N_("#{number} links a chat; its text cannot be amended.")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        return give_link_code(scope, item) if adopted else ""


class UnlinkProposal(Kind, topic="unlink"):
    """``/unlink``: adopted, the chat it was raised in leaves the collective."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a chat that left is linked again by /link, not by a lapse")

    # Translators: the kind of item, at the head of its round's message ("Unlink proposal #4 by Alice: …").
    card = N_("Unlink proposal")
    not_amendable = N_("#{number} unlinks a chat; its text cannot be amended.")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        return unlink_chat(scope, item) if adopted else ""


class MoneyNeed(Kind, topic="money"):
    """A need for money from the pool: approved by silence or by a round, then queued, funded, paid."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a need is not a standing rule (a recurring need runs for the term it was approved for)")

    item_kind = ItemKind.NEED
    # Translators: the kind of item, at the head of its round's message ("Need #4 asked by Alice: …").
    card = N_("Need")
    not_amendable = N_("#{number} is a need; withdraw it and ask again to change it.")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        return approve(scope, item) if adopted else reject(scope, item)

    def verdict(self, adopted: bool) -> str:
        return "approved" if adopted else "not_approved"


class HelpNeed(MoneyNeed, topic="help"):
    """A need for help that is not money: no round, members offer, whoever asked says when it is met."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a need for help is not a decision")

    has_round = False

    def listing(self, ctx: Context, item: Item) -> str:
        offers = len(ctx.uow.needs.offers(item.id))
        return ngettext(
            "{heading} — asking for help, {count} offer so far",
            "{heading} — asking for help, {count} offers so far",
            offers,
            heading=heading(item),
        )

    def show(self, ctx: Context, item: Item) -> str:
        need = ctx.uow.needs.get(item.id)
        asked = _("Asked by {author}.", author=author_name(ctx, item))
        if need.stage == Stage.ASKING:
            # Translators: a need for help still open, after who asked it: "Asked by Alice. Asking."
            stage = pgettext("help need", "Asking.")
        elif need.stage == Stage.MET:
            # Translators: a need for help that was met, after who asked it: "Asked by Alice. Done."
            stage = pgettext("help need", "Done.")
        elif need.stage == Stage.WITHDRAWN:
            # Translators: a need for help taken back, after who asked it: "Asked by Alice. Withdrawn."
            stage = pgettext("help need", "Withdrawn.")
        else:
            stage = f"{need.stage.capitalize()}."
        lines = [f"#{item.number} {item.title}", f"{asked} {stage}"]
        if item.body:
            lines.append(quoted(item.body))
        shown = ctx.name
        for offer in ctx.uow.needs.offers(item.id):
            name = shown(ctx.uow.members.get(offer.member_id))
            if offer.note:
                lines.append(_("• {name} offers to help: {note}", name=name, note=one_line(offer.note)))
            else:
                lines.append(_("• {name} offers to help", name=name))
        return "\n".join(lines)


class FederateProposal(Kind, topic="federate"):
    """Invite another collective into a federation, or join one with a code (``bot.federation``)."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a federation is left by /unfederate, not by a lapse")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.federation import carry_out_federate  # (the federation's modules build on this one)

        return carry_out_federate(scope, item, adopted)


class UnfederateProposal(Kind, topic="unfederate"):
    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a federation is joined again by /federate, not by a lapse")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.federation import carry_out_unfederate

        return carry_out_unfederate(scope, item, adopted)


class JointProposal(Kind, topic="joint"):
    """This collective's round on a joint item of its federation: its outcome is the collective's ballot."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a joint item is decided by every collective of the federation")

    # Translators: the kind of item, at the head of its round's message ("Joint proposal #4 by …").
    card = N_("Joint proposal")
    withdrawable = False  # every collective of the federation decides it: it is not one author's to take back

    def raiser(self, item: Item) -> str:
        if "from" in item.data:
            # Translators: who raised a joint item ("Proposed by Riverside, for the whole federation").
            return _("{collective}, for the whole federation", collective=item.data["from"])
        return _("another collective, for the whole federation")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.joint import ballot_cast

        return ballot_cast(scope, item, adopted)


class ReviewProposal(Kind, topic="review"):
    """``/review N WHEN``: adopted, item #N gets that review date (or none)."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("a review date has no review date of its own")

    not_amendable = N_("#{number} sets a review date; its text cannot be amended.")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.review_commands import carry_out_review  # (reviews build on the kinds)

        return carry_out_review(scope, item, adopted)


class AidProposal(Kind, topic="aid"):
    """Another collective's need put to the federation: adopted, this pool transfers the amount."""

    # Translators: why an item cannot have a review date ("#4 cannot have a review date: …").
    not_reviewable = N_("money sent to another collective is not undone by a lapse")

    # Translators: the kind of item, at the head of its round's message ("Aid request #4 by …").
    card = N_("Aid request")

    def raiser(self, item: Item) -> str:
        if "from" in item.data:
            # Translators: who raised an aid request ("Proposed by Riverside, asking for mutual aid").
            return _("{collective}, asking for mutual aid", collective=item.data["from"])
        return _("another collective of the federation, asking for mutual aid")

    def carry_out(self, scope: Scope, item: Item, adopted: bool) -> str:
        from bot.aid import carry_out_aid

        return carry_out_aid(scope, item, adopted)


def kind_of(item: Item) -> Kind:
    return KINDS[item.topic]
