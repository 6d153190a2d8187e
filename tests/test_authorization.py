"""Who may do what: every command against a non-member, a member, the
facilitator, the treasurer, a member of another collective, and a member in
a direct message. A command counts as allowed only when it did what it is for
(its success shows in the answer); a refusal, a usage error or "There is no
#N" is never mistaken for an allow."""

import dataclasses
import re
from datetime import timedelta

import pytest

from bot.events import Chat
from tests.transcript import Transcript, group

ROLES = ("nonmember", "member", "facilitator", "treasurer", "other", "direct")
A, D = "allow", "deny"

# command: (what its success says, expected for nonmember, member, facilitator, treasurer,
#           other collective's member, member in a DM)
TABLE = {
    "/start": (r"^Hello!", A, A, A, A, A, A),
    "/help": (r"/help COMMAND tells more", A, A, A, A, A, A),
    "/principles": (r"^Our principles:", A, A, A, A, A, D),
    "/join": (r"^Welcome, |^You are already a member", A, A, A, A, A, D),
    "/leave": (r"has left the collective", D, A, A, A, D, D),
    "/members": (r"^Members \(", A, A, A, A, A, D),
    "/away 1d": (r"you are away for 1 day", D, A, A, A, D, D),
    "/propose Fix the roof": (r"^Proposal #6 by ", D, A, A, A, D, D),
    "/proposals": (r"^Open items", A, A, A, A, A, D),
    "/show 1": (r"^#1 Paint the kitchen\nProposed by Ann", A, A, A, A, A, D),
    "/amend 1 Something else": (r"#1 is amended", D, D, D, D, D, D),  # only Ann, its author
    "/withdraw 1": (r"is withdrawn", D, D, D, D, D, D),
    "/extend 1 1d": (r"now closes", D, D, A, D, D, D),
    "/close 1": (r"^#1 Paint the kitchen — adopted", D, D, A, D, D, D),
    "/review 4 in 26w": (r"^Proposal #6 by .*: Review #4 ", D, A, A, A, D, D),  # #4 made the facilitator role
    "/decisions": (r"^Decisions, newest first", A, A, A, A, A, D),
    "/verify": (r"^Record intact: \d+ entries, head [0-9a-f]{12}\.$", D, A, A, A, D, D),
    "/agree 1": (r"agrees with #1", D, A, A, A, D, D),
    "/standaside 1": (r"stands aside on #1", D, A, A, A, D, D),
    "/object 1 too soon": (r"objects to #1", D, A, A, A, D, D),
    "/block 1 against our principles": (r"blocks #1", D, A, A, A, D, D),
    "/contribute 5": (r"is in the pool", D, A, A, A, D, D),
    "/reverse 1 typed the wrong amount": (r"Proposal #6 by .*: Reverse ledger entry 1", D, A, A, A, D, D),
    "/pool": (r"^The pool holds", A, A, A, A, A, A),
    "/need €5 bus fare": (r"^Need #6 asked by|posted in the group as #6", D, A, A, A, D, A),  # in a DM: private
    "/need €5 bus fare every week for 4": (r"^Need #6 asked by|posted in the group as #6", D, A, A, A, D, A),
    "/offer 3 I can": (r"offers to help with #3", D, A, A, A, D, D),
    "/done 3": (r"^#3 .* is met\.", D, D, D, D, D, D),  # only Ann, who asked
    "/paid 2": (r"is paid out", D, D, D, A, D, D),
    "/ledger": (r"^Ledger, newest first", A, A, A, A, A, A),
    "/roles": (r"^Roles:", A, A, A, A, A, D),
    "/rotation join dishes": (r"joins the dishes roster", D, A, A, A, D, D),
    "/swap facilitator @Mia": (r"asks Mia to take the current facilitator turn", D, D, A, D, D, D),
    "/whoasked 2": (r"was asked by", D, D, D, D, D, D),  # #2 is not private
    "/settings": (r"^Settings \(", A, A, A, A, A, D),
    "/set quorum 0.6": (r"Settings proposal #6", D, A, A, A, D, D),
    "/announce here": (
        r"Settings proposal #6 by .*: Post collective-wide announcements in this topic",
        D,
        A,
        A,
        A,
        D,
        D,
    ),
    "/link": (r"^Link proposal #6 by ", D, A, A, A, D, D),
    "/link ABCDE-FGHJK": (r"now lives in 2 linked chats", D, D, D, D, D, D),  # no such code; a chat with members
    "/unlink": (r"^Unlink proposal #6 by ", D, D, D, D, D, D),  # the collective's only chat (see test_linked_chats)
    "/iam": (r"^Your code: ", D, D, D, D, D, A),  # in a direct message only
    "/iam ABCDE-FGHJK": (r"^Done: ", D, D, D, D, D, D),  # no such code
    # Federation (bot.federation, bot.joint, bot.aid). This collective is in no federation: past the
    # authorization, a command that needs one says so, and that answer is its "success" here.
    "/federate": (r"Proposal #6 by .*: Invite another collective to federate with us", D, A, A, A, D, D),
    "/federate ABCDEFGH": (r"is not a federation code I gave", D, A, A, A, D, D),
    "/federation": (r"belongs to no federation", A, A, A, A, A, D),
    "/federation rule majority": (r"belongs to no federation", A, A, A, A, A, D),
    "/unfederate": (r"belongs to no federation", D, A, A, A, D, D),
    "/propose joint Shared picnic": (r"belongs to no federation", D, A, A, A, D, D),
    "/aid 2": (r"belongs to no federation", D, D, D, A, D, D),  # the treasurer alone
    # The read-only page and calendar feed (bot.web_links): a member's own link, in a direct message only.
    "/page": (r"^Your own link to the collective's page \(read-only\): https://", D, D, D, D, D, A),
    "/calendar": (r"^Your own calendar feed: https://\S+\.ics", D, D, D, D, D, A),
    # Proxies (bot.proxies): any member; an offer in a direct message only, the rest in the group or one.
    "/proxy @Ann": (r"^Offered: Ann may respond for you", D, D, D, D, D, A),
    "/proxy status": (r"You give no proxy and hold none", D, A, A, A, D, A),
    "/proxy accept": (r"now holds .*'s proxy", D, D, D, D, D, D),  # no one offered one
    "/proxy decline": (r"declines .*'s proxy", D, D, D, D, D, D),
    "/proxy revoke": (r"no longer holds|offer to .* is withdrawn", D, D, D, D, D, D),  # none given
    # Assemblies (bot.assembly): the facilitator chairs (with no facilitator: any member, see test_assembly).
    "/assembly start": (r"^Assembly 1 is open, chaired by", D, D, A, D, D, D),
    "/next": (r"^Now \(", D, D, D, D, D, D),  # no assembly is meeting
    "/assembly end": (r"^Minutes of assembly", D, D, D, D, D, D),  # no assembly is meeting
    "/minutes": (r"^No assembly has met yet", A, A, A, A, A, D),
}
IN_TOPIC = {"/announce here"}  # typed in a forum topic of the group (in the main chat it would change nothing)
SPEAKERS = {
    "nonmember": "Nick",
    "member": "Mia",
    "facilitator": "Fay",
    "treasurer": "Tom",
    "other": "Olga",
    "direct": "Mia",
}


def _collective(core, clock, n):
    """Ann raised #1 (a proposal with two responses), #2 (a funded need) and #3 (a
    need for help); the collective adopted #4 and #5, which made the facilitator and
    treasurer roles: Fay facilitates and Tom, who took Fay's first turn, keeps the
    accounts. Olga belongs to another collective."""
    platform = f"cell{n}"  # each cell its own people, so a DM acts for exactly one collective
    chat = Transcript(core, clock, Chat(platform, "group"))
    group(chat, "Fay Tom Mia Ann")
    chat.say("Ann", "/propose 2w Paint the kitchen")
    chat.say("Mia", "/contribute 100")
    chat.say("Ann", "/need €40 glasses #health")
    chat.say("Ann", "/need a ride on Friday #care")
    chat.say("Ann", "/rotation add dishes 1w")
    chat.say("Fay", "/rotation add facilitator 4w")
    chat.say("Ann", "/rotation add treasurer 4w")
    for number in (4, 5):
        for name in ("Fay", "Tom", "Mia", "Ann"):
            chat.say(name, f"/agree {number}")
        assert "adopted" in chat.say("Fay", f"/close {number}")
    chat.say("Fay", "/swap treasurer @Tom")
    assert "Swapped: Tom is treasurer" in chat.say("Tom", "/swap accept treasurer")
    chat.say("Tom", "/agree 1")
    chat.say("Ann", "/agree 1")
    chat.wait(timedelta(days=2))  # #2 approved by silence and funded
    elsewhere = Transcript(core, clock, Chat(platform, "other-group"))
    elsewhere.say("Olga", "/join")
    return chat


_cells = iter(range(10**6))


@pytest.mark.parametrize("command", list(TABLE))
def test_every_command_allows_exactly_whom_it_should(core, clock, command):
    success, *expected_by_role = TABLE[command]
    expected = dict(zip(ROLES, expected_by_role, strict=True))
    outcome = {}
    for role in ROLES:
        chat = _collective(core, clock, next(_cells))
        speaker = SPEAKERS[role]
        if role == "direct":
            answer = chat.say(speaker, command, chat=Chat(chat.chat.platform, f"dm-{speaker}", is_direct=True))
        elif command in IN_TOPIC:
            answer = chat.say(speaker, command, chat=dataclasses.replace(chat.chat, thread="7"))
        else:
            answer = chat.say(speaker, command)
        assert "something went wrong" not in answer, (role, answer)
        assert answer.strip(), (role, "no answer at all")
        outcome[role] = (A if re.search(success, answer, re.MULTILINE) else D, answer)
    unexpected = {role: answer for role, (got, answer) in outcome.items() if got != expected[role]}
    assert unexpected == {}
