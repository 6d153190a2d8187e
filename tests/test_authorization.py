"""Who may do what: every command against a non-member, a member, the
facilitator, the treasurer, a member of another collective, and a member in
a direct message. No unexpected allow, no unexpected deny."""

from datetime import timedelta

import pytest

from bot.events import Chat
from tests.transcript import Transcript, group

DENIALS = (
    "Only members can do that",
    "Only the facilitator",
    "Only the author",
    "Only the current holder",
    "Only the current treasurer",
    "The treasurer (",
    "Only whoever asked",
    "Someone other than whoever asked",
    "works in your collective's group chat",
    "In a direct message I act",
    "Ask me that in a direct message",
)
ROLES = ("nonmember", "member", "facilitator", "treasurer", "other", "direct")
A, D = "allow", "deny"

# command: expected for (nonmember, member, facilitator, treasurer, other collective's member, member in a DM)
TABLE = {
    "/start": (A, A, A, A, A, A),
    "/help": (A, A, A, A, A, A),
    "/principles": (A, A, A, A, A, D),
    "/join": (A, A, A, A, A, D),
    "/leave": (D, A, A, A, D, D),
    "/members": (A, A, A, A, A, D),
    "/away 1d": (D, A, A, A, D, D),
    "/propose Fix the roof": (D, A, A, A, D, D),
    "/proposals": (A, A, A, A, A, D),
    "/show 1": (A, A, A, A, A, D),
    "/amend 1 Something else": (D, D, D, D, D, D),  # only Ann, its author
    "/withdraw 1": (D, D, D, D, D, D),
    "/extend 1 1d": (D, D, A, D, D, D),
    "/close 1": (D, D, A, D, D, D),
    "/decisions": (A, A, A, A, A, D),
    "/agree 1": (D, A, A, A, D, D),
    "/standaside 1": (D, A, A, A, D, D),
    "/object 1 too soon": (D, A, A, A, D, D),
    "/block 1 against our principles": (D, A, A, A, D, D),
    "/contribute 5": (D, A, A, A, D, D),
    "/pool": (A, A, A, A, A, A),
    "/need 5 bus fare": (D, A, A, A, D, A),  # in a DM: a private need
    "/offer 3 I can": (D, A, A, A, D, D),
    "/done 3": (D, D, D, D, D, D),  # only Ann, who asked
    "/paid 2": (D, D, D, A, D, D),
    "/ledger": (A, A, A, A, A, A),
    "/roles": (A, A, A, A, A, D),
    "/rotation join dishes": (D, A, A, A, D, D),
    "/swap facilitator @Mia": (D, D, A, D, D, D),
    "/whoasked 2": (D, D, D, D, D, D),  # the treasurer, but only in a direct message
    "/settings": (A, A, A, A, A, D),
    "/set quorum 0.6": (D, A, A, A, D, D),
}
SPEAKERS = {
    "nonmember": "Nick",
    "member": "Mia",
    "facilitator": "Fay",
    "treasurer": "Tom",
    "other": "Olga",
    "direct": "Mia",
}


def _collective(core, clock, n):
    """Fay facilitates, Tom keeps the accounts, Ann raised #1 (a proposal), #2 (a
    funded need) and #3 (a need for help); Olga belongs to another collective."""
    platform = f"cell{n}"  # each cell its own people, so a DM acts for exactly one collective
    chat = Transcript(core, clock, Chat(platform, "group"))
    group(chat, "Fay Tom Mia Ann")
    chat.say("Fay", "/rotation add facilitator 4w")
    chat.say("Ann", "/rotation add treasurer 4w")
    chat.say("Tom", "/rotation join treasurer")
    chat.say("Ann", "/propose 2w Paint the kitchen")
    chat.say("Mia", "/contribute 100")
    chat.say("Ann", "/need 40 glasses #health")
    chat.say("Ann", "/need a ride on Friday #care")
    chat.say("Ann", "/rotation add dishes 1w")
    chat.wait(timedelta(days=2))  # #2 approved by silence and funded
    elsewhere = Transcript(core, clock, Chat(platform, "other-group"))
    elsewhere.say("Olga", "/join")
    return chat


_cells = iter(range(10**6))


@pytest.mark.parametrize("command", list(TABLE))
def test_every_command_allows_exactly_whom_it_should(core, clock, command):
    outcome = {}
    expected = dict(zip(ROLES, TABLE[command], strict=True))
    for role in ROLES:
        chat = _collective(core, clock, next(_cells))
        speaker = SPEAKERS[role]
        if role == "direct":
            answer = chat.say(speaker, command, chat=Chat(chat.chat.platform, f"dm-{speaker}", is_direct=True))
        else:
            answer = chat.say(speaker, command)
        assert "something went wrong" not in answer, (role, answer)
        denied = any(phrase in answer for phrase in DENIALS)
        outcome[role] = (D if denied else A, answer)
    unexpected = {role: answer for role, (got, answer) in outcome.items() if got != expected[role]}
    assert unexpected == {}
