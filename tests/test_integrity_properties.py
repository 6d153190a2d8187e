"""Property tests of the record's integrity: whatever members do — join, leave,
propose, respond, close, amend, change settings, ask privately, and time passing —
no block is overridden except as the contract allows, whoever asked a private
need is never tied to it in the group, and a closed round's record never changes."""

import re
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.actions import Acknowledge, DirectMessage, Edit, Reply
from bot.events import Chat
from tests.transcript import Transcript, group

FOUNDERS = ("Ann", "Ben", "Cat", "Dan")
EVERYONE = (*FOUNDERS, "Eve", "Fay")

item = st.integers(1, 3)
respond = st.tuples(
    st.just("respond"),
    st.sampled_from(FOUNDERS),
    item,
    st.sampled_from(["agree", "standaside", "object 1 too dear", "block 1 against our principles"]),
)
votes = st.tuples(
    st.just("votes"),
    st.integers(1, 2),
    st.lists(
        st.tuples(
            st.sampled_from(FOUNDERS), st.sampled_from(["agree", "agree", "standaside", "object 1 no", "block 1 no"])
        ),
        min_size=2,
        max_size=4,
    ),
)
operation = st.one_of(
    respond,
    votes,
    votes,
    st.tuples(st.just("join"), st.sampled_from(EVERYONE)),
    st.tuples(st.just("leave"), st.sampled_from(EVERYONE)),
    st.tuples(st.just("propose"), st.sampled_from(EVERYONE), st.sampled_from(["1d", "3d", "12h"])),
    st.tuples(
        st.just("respond"),
        st.sampled_from(EVERYONE),
        item,
        st.sampled_from(["agree", "standaside", "object 1 too dear", "block 1 against our principles"]),
    ),
    st.tuples(st.just("close"), st.sampled_from(EVERYONE), item),
    st.tuples(st.just("amend"), st.sampled_from(EVERYONE), item),
    st.tuples(st.just("withdraw"), st.sampled_from(EVERYONE), item),
    st.tuples(
        st.just("set"),
        st.sampled_from(EVERYONE),
        st.sampled_from(
            [
                "decision_rule consent",
                "decision_rule majority",
                "decision_rule consensus",
                "quorum 0.25",
                "quorum 0.75",
                "fallback_after_rounds 1",
                "fallback_after_rounds 0",
            ]
        ),
    ),
    st.tuples(st.just("private need"), st.sampled_from(EVERYONE), st.sampled_from(["€20", "€300"])),
    st.tuples(st.just("wait"), st.integers(1, 60)),
)
OUTCOME = re.compile(r"^#(\d+) .* — (adopted|not adopted)[^\n]*\nRule: ([^\n]*)\n", re.MULTILINE)


def group_texts(actions):
    return [
        a.text
        for a in actions
        if not isinstance(a, DirectMessage | Acknowledge | Edit) and not getattr(a.chat, "is_direct", False)
    ]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=5, max_size=40))
def test_no_block_is_overridden_no_requester_is_named_and_closed_rounds_never_change(worlds, operations):
    with worlds.fresh() as world:  # its own collective, people and clock
        _record(world.core, world.clock, operations)


def _record(core, clock, operations):
    platform = "console"
    chat = Transcript(core, clock, Chat(platform, "group"))
    group(chat, " ".join(FOUNDERS))
    chat.say("Ann", "/propose 1d Plan A")  # heading for adoption, unless something happens
    chat.say("Ben", "/propose 2d Plan B")  # blocked, unless something happens
    for who, response in (("Ann", "agree 1"), ("Ben", "agree 1"), ("Cat", "block 2 not now"), ("Ann", "agree 2")):
        chat.say(who, f"/{response}")
    requesters: dict[int, str] = {}  # private item number → who asked
    closed_shows: dict[tuple[int, int], str] = {}  # (item, round) → /show once that round had ended
    heard: list[str] = []

    def act(who, text, direct=False):
        where = Chat(platform, f"dm-{who.lower()}", is_direct=True) if direct else None
        actions = chat.send(who, text, chat=where)
        heard.extend(group_texts(actions))
        return "\n".join(a.text for a in actions if not isinstance(a, Edit))

    for op in operations:
        kind = op[0]
        if kind in ("join", "leave"):
            act(op[1], f"/{kind}")
        elif kind == "propose":
            act(op[1], f"/propose {op[2]} Plan by {op[1]}")
        elif kind == "respond":
            verb, _, reason = op[3].partition(" 1 ")
            act(op[1], f"/{verb} {op[2]} {reason}".rstrip())
        elif kind == "votes":
            for who, response in op[2]:
                verb, _, reason = response.partition(" 1 ")
                act(who, f"/{verb} {op[1]} {reason}".rstrip())
        elif kind in ("close", "withdraw"):
            act(op[1], f"/{kind} {op[2]}")
        elif kind == "amend":
            act(op[1], f"/amend {op[2]} A better plan")
        elif kind == "set":
            act(op[1], f"/set {op[2]}")
        elif kind == "private need":
            answer = act(op[1], f"/need {op[2]} something private", direct=True)
            if found := re.search(r"posted in the group as #(\d+)", answer):
                requesters[int(found.group(1))] = op[1]
        else:
            clock.advance(timedelta(hours=op[1]))
            ticked = chat.core.tick()  # keep what this group reads
            heard.extend(group_texts([a for a in ticked if getattr(a, "chat", None) == chat.chat]))
        for number in range(1, 8):  # (d) an ended round's record never changes afterwards
            actions = chat.send("Ann", f"/show {number}")  # may close a round past its deadline first
            heard.extend(group_texts([a for a in actions if not isinstance(a, Reply)]))
            shown = next(a.text for a in actions if isinstance(a, Reply))
            round_ = re.search(r"\. Round (\d+): (?!open)", shown)
            if round_ is None:
                continue
            key = (number, int(round_.group(1)))
            assert closed_shows.setdefault(key, shown) == shown, key

    everything = "\n\n".join(heard)
    for found in OUTCOME.finditer(everything):
        number, verdict, rule = int(found.group(1)), found.group(2), found.group(3)
        message = everything[found.start() :].split("\n\n", 1)[0]
        event(f"{verdict} by {rule.split(' ', 1)[0]}")
        if verdict == "adopted":  # (a) a standing block is overridden only by a rule that allows it
            assert "quorum not met" not in message.splitlines()[0]
            if rule.startswith(("consensus", "consent")) and "fallback" not in rule:
                assert "\nBlocks: " not in message, message
            if rule.startswith("consent"):
                assert "\nObjections: " not in message, message
    for number, who in requesters.items():  # (b) never tied to whoever asked
        for text in heard:
            if f"#{number} " in text or f"#{number}\n" in text:
                assert who not in text, (number, who, text)
    event(f"private needs: {bool(requesters)}")
