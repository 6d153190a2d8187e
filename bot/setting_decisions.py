"""Which decision on a setting is in force: each adoption of a ``/set`` proposal that sets its key is numbered
in order (``set_seq``), so a lapse on review undoes it only while no later decision on the same key is in
force, and restores the value in force before it (skipping decisions that lapsed meanwhile). The kind itself
is ``bot.kinds.SettingProposal``."""

from __future__ import annotations

from bot.context import Scope
from bot.language import _
from bot.model import Item, Status
from bot.settings import shown_setting


def same_key(scope: Scope, item: Item) -> list[Item]:
    """The other settings decisions on its key that set it, in the order they did."""
    found = scope.uow.items.of_topic(item.collective_id, item.topic, "key", item.data["key"])
    return sorted((o for o in found if o.id != item.id and "set_seq" in o.data), key=lambda o: o.data["set_seq"])


def undo(scope: Scope, item: Item) -> tuple[Item | None, str | None]:
    """What a lapse of ``item`` does: a later decision in force that keeps the key as it is, or else the
    value to restore (None: it never set the key)."""
    if "previous" not in item.data:
        return None, None
    if "set_seq" not in item.data:  # adopted before adoptions were numbered: judged by the value alone
        current = scope.settings.text(item.data["key"])
        return None, (item.data["previous"] if current == item.data["value"] else None)
    seq, others = item.data["set_seq"], same_key(scope, item)
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


def title_on_review(item: Item) -> str:
    """Up for review, a settings decision's title no longer claims the value it replaced is the one in force:
    "Set quorum to 0.6 (now 0.5)", true when it was proposed, reads "(was 0.5)" — what its adoption replaced,
    in the language spoken now."""
    key, previous = item.data["key"], item.data.get("previous")
    if previous is None:  # adopted before the value it replaced was kept: an English title is rewritten
        head, now, rest = item.title.rpartition(" (now ")
        return f"{head} (was {rest}" if now else item.title
    was = shown_setting(key, previous)
    if key == "announce_in":
        if item.data["value"] == "main":
            return _("Post collective-wide announcements in the main chat (was {place})", place=was)
        return _("Post collective-wide announcements in this topic or thread (was {place})", place=was)
    value = shown_setting(key, item.data["value"])
    return _("Set {key} to {value} (was {previous})", key=key, value=value, previous=was)
