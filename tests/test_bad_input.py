"""Bad input: whatever members type — any unicode, injections, absurd numbers,
huge messages — the bot answers clearly, never crashes, and no other
collective's data changes."""

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import UsageError, bind, split_command
from bot.core import default_commands
from bot.events import Chat, MessageReceived
from tests.transcript import Transcript, adopt, group, person

NAMES = [c.name for c in default_commands()] + ["frobnicate", "Agree", "x" * 40]
NASTY = [
    "1e309",
    "NaN",
    "nan",
    "-0",
    "0x10",
    "inf",
    "-inf",
    "-1",
    "0",
    "99999999999999999999",
    "1.005",
    "12,50",
    "'; DROP TABLE member; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<b>bold</b>",
    "&amp;",
    "*_[`",
    "\u202eevil",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\x00",
    "#1",
    "#0",
    "#-1",
    "#99999999999",
    "@everyone",
    "🛑",
    "👍🏽",
    "١٢",
    "٣d",
    "3d",
    "0d",
    "9999w",
    "mon",
    "25:00",
    "09:00",
    "at",
    "add",
    "join",
    "leave",
    "accept",
    "decline",
    "quorum",
    "0.5",
    "timezone",
    "Europe/Berlin",
    "../../etc/passwd",
    "%s%s%n",
    "{}",
    "\n",
    "\t",
    "#health",
    "#nope",
    "facilitator",
    "treasurer",
    "dishes",
]
CRASH = "something went wrong"
CHECKS = ["/members", "/proposals", "/ledger", "/settings", "/roles", "/decisions", "/pool"]


def _bystander(core, clock):
    """Another collective whose data must not change."""
    other = Transcript(core, clock, Chat("console", "bystanders"))
    group(other, "Una Vic")
    other.say("Una", "/propose 4w Keep the garden")
    other.say("Vic", "/agree 1")
    other.say("Una", "/contribute 50")
    adopt(other, "Una", "/rotation add facilitator 4w")
    return other, [other.say("Vic", text) for text in CHECKS]


def _target(core, clock):
    chat = Transcript(core, clock, Chat("console", "target"))
    group(chat, "Alice Bob Carol")
    chat.say("Alice", "/propose 2w Paint the kitchen")
    chat.say("Bob", "/need 20 bus fare")
    adopt(chat, "Carol", "/rotation add facilitator 1w")
    return chat


@pytest.fixture
def target(worlds, tmp_path):
    """The target collective, built once; each example starts from a copy of its database, at its time."""
    with worlds.fresh() as world:
        _target(world.core, world.clock)
        return world.save(tmp_path / "target.db"), world.clock.now()


words = st.one_of(st.sampled_from(NASTY), st.text(max_size=30), st.integers().map(str), st.floats().map(str))
messages = st.builds(
    lambda prefix, name, bot, args: f"{prefix}{name}{bot} " + " ".join(args),
    st.sampled_from(["/", "!", "", " /", "／"]),
    st.sampled_from(NAMES),
    st.sampled_from(["", "@CollectiveBot", "@other_bot", "@"]),
    st.lists(words, max_size=6),
) | st.text(max_size=200)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=messages, sender=st.sampled_from(["Alice", "Bob", "Zed"]), direct=st.booleans())
def test_any_message_gets_a_clear_answer_or_none(worlds, target, text, sender, direct):
    with worlds.fresh(*target) as world:  # the target as built, untouched by earlier examples
        chat = Transcript(world.core, world.clock, Chat("console", "target"))
        where = Chat("console", f"dm-{sender}", is_direct=True) if direct else chat.chat
        for action in chat.send(sender, text, chat=where):
            assert action.text.strip(), text
            assert CRASH not in action.text, text


def test_a_hundred_thousand_random_messages_never_crash_and_leave_other_collectives_alone(core, clock):
    other, before = _bystander(core, clock)
    chat = _target(core, clock)
    table = core.commands
    rng = random.Random(20261127)
    alphabet = "abc xyz 0123456789 #@/!.,-:\n" + "".join(chr(c) for c in (0x202E, 0x200B, 0x0627, 0x05D0, 0x1F6D1))
    for n in range(100_000):
        words_ = [
            rng.choice(NASTY) if rng.random() < 0.6 else "".join(rng.choices(alphabet, k=rng.randint(0, 12)))
            for _ in range(rng.randint(0, 5))
        ]
        text = rng.choice(["/", "!", "", "/"]) + rng.choice(NAMES) + " " + " ".join(words_)
        if n % 5000 == 0:
            text += " " + "x" * 100_000  # a 100 kB message
        parsed = split_command(text)  # the command table, for every message
        if parsed is not None and (command := table.lookup(parsed.name)) is not None:
            try:
                bind(command, parsed.rest)
            except UsageError as error:
                assert error.reason.strip()
        if n % 10 == 0:  # and the whole core, on a real database, for every tenth
            who = rng.choice(["Alice", "Bob", "Carol", "Zed"])
            where = Chat("console", f"dm-{who}", is_direct=True) if rng.random() < 0.1 else chat.chat
            event = MessageReceived(where, person(who), text, f"fuzz-{n}", clock.now())
            for action in core.handle(event):
                assert action.text.strip() and CRASH not in action.text, text
        if n % 20_000 == 0:
            chat.wait(timedelta(days=1))  # deadlines and handovers run among the noise
    assert [other.say("Vic", text) for text in CHECKS] == before
