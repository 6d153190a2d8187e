"""Codes one chat hands to another (a federation's invitation): short, unguessable, easy to type. The demo,
whose clock is make-believe too, draws them from a seeded generator (``for_demo``), so that a walk-through
in the README can be pasted into it as it stands."""

from __future__ import annotations

import random
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand without mistakes
LENGTH = 8

_source: random.Random = secrets.SystemRandom()


def new_code() -> str:
    return "".join(_source.choice(ALPHABET) for _ in range(LENGTH))


def for_demo(seed: int = 16) -> None:
    """Codes that repeat from one demo run to the next (never for a real collective: they can be guessed)."""
    global _source
    _source = random.Random(seed)


def looks_like_code(text: str) -> bool:
    return len(text) == LENGTH and all(c in ALPHABET for c in text.upper())
