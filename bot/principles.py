"""The principles a collective agrees to. Joining means accepting them."""

from __future__ import annotations

from bot.language import N_, _

# Both are translated where they are shown (``principles_of``; ``_(DEFAULT_GIST)``).
DEFAULT_PRINCIPLES = N_("""\
1. Equality. Every member has equal standing. No one is an admin; power comes
   only from a rotating role, for its term, and goes with it.
2. Voluntary cooperation. Everyone is here by choice and may leave at any time.
   Decisions are made together, in the open, and every response is visible.
3. From each according to ability, to each according to need. We pool what we
   earn; needs — not the size of a contribution — decide who receives.
4. Rotation. Facilitating, keeping the accounts, speaking for us and the
   unloved chores rotate, so no one holds power or drudgery for long.""")

# Translators: the default principles in a few words, after "our principles — ".
DEFAULT_GIST = N_("equality, voluntary cooperation, sharing by need, and rotation")


def principles_of(custom: str | None) -> str:
    """The collective's own principles as they were typed, or the default ones in the language spoken."""
    return custom or _(DEFAULT_PRINCIPLES)
