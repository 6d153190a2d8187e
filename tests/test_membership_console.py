"""Membership as members see it, through the console adapter, on a real SQLite
file and a fake clock."""

import textwrap

import pytest

from adapters.console import Console, Demo


@pytest.fixture
def console(core, clock):
    lines: list[str] = []
    terminal = Demo(core, Console(clock, lines.append, echo=True), clock)

    def play(script: str) -> str:
        del lines[:]
        for line in textwrap.dedent(script).strip().splitlines():
            terminal.feed(line)
        return "\n".join(lines)

    return play


def test_members_join_accepting_the_principles_and_see_each_other(console):
    transcript = console(
        """
        /join
        /as Bob
        /join
        /members
        """
    )
    assert transcript == textwrap.dedent(
        """\
        Alice: /join
        bot: Welcome, Alice! You are member 1 of this collective.
             By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation (read them with /principles).
        Alice: /as Bob
        (now speaking as Bob)
        Bob: /join
        bot: Welcome, Bob! You are member 2 of this collective.
             By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation (read them with /principles).
        Bob: /members
        bot: Members (2):
             • Alice
             • Bob"""
    )


def test_joining_twice_changes_nothing(console):
    console("/join")
    assert console("/join").endswith("bot: You are already a member, Alice.")
    assert "Members (1)" in console("/members")


def test_a_member_who_leaves_is_gone_from_the_list_and_can_come_back(console):
    console("/join\n/as Bob\n/join")
    left = console("/leave")
    assert "Bob has left the collective" in left
    assert "stays in the record" in left
    assert console("/members").splitlines()[1:] == ["bot: Members (1):", "     • Alice"]
    assert "Welcome, Bob! You are member 2" in console("/join")


def test_only_members_can_leave_or_go_away(console):
    for command in ("/leave", "/away 2d"):
        assert "Only members can do that" in console(command)


def test_away_shows_in_the_list_and_ends_by_itself_on_time(console):
    console("/join\n/as Bob\n/join")
    answer = console("/away 3d")
    assert "Bob, you are away for 3 days, until Thu 5 Mar 2026, 09:00 UTC" in answer
    assert "• Bob — away until Thu 5 Mar 2026, 09:00 UTC" in console("/members")
    assert "back from time away" not in console("/tick 2d")
    after = console("/tick 1d")
    assert "bot: Bob is back from time away; rotations include them again." in after
    assert "Late" not in after
    assert "• Bob\n" in console("/members") + "\n"


def test_away_off_ends_time_away_early_and_nothing_fires_later(console):
    console("/join\n/away 1w")
    assert "Welcome back, Alice" in console("/away off")
    assert "back from time away" not in console("/tick 2w")
    assert "You were not marked away" in console("/away off")


def test_away_needs_a_duration_it_understands(console):
    console("/join")
    assert console("/away soon").splitlines()[1:] == [
        "bot: 'soon' is not a duration: use a whole number and a unit, e.g. 30m, 12h, 3d or 2w.",
        "     Usage: /away DURATION|off",
    ]
    assert "longer than zero" in console("/away 0d")
    assert "up to a year" in console("/away 60w")


def test_principles_are_the_default_ones_until_the_collective_adopts_its_own(console):
    text = console("/principles")
    for principle in ("Equality", "Voluntary cooperation", "according to need", "Rotation"):
        assert principle in text
    assert "Joining (/join) means accepting them." in text


def test_help_lists_every_command_and_explains_one(console):
    overview = console("/help")
    for usage in ("/join", "/leave", "/members", "/away DURATION|off", "/principles", "/help [COMMAND]"):
        assert usage in overview
    assert console("/help away").splitlines()[1:] == [
        "bot: /away DURATION|off — be skipped by rotations for a while",
        "     DURATION is like 30m, 12h, 3d or 2w; /away off ends it early.",
    ]
    assert "There is no /vote" in console("/help vote")


def test_start_says_what_the_bot_is_and_that_no_one_is_admin(console):
    text = console("/start")
    assert "No one is an admin here" in text
    assert "/principles" in text and "/join" in text


def test_display_names_stay_current(console):
    console("/join")
    console("/as alice")  # the same person (user id alice), now shown in lower case
    assert "• alice" in console("/members")


def test_membership_commands_in_a_direct_chat_point_to_the_group(console):
    assert "works in your collective's group chat" in console("/dm /join")
    assert "/join" in console("/dm /help")


def test_the_console_picks_choices_by_number_only_after_a_question(console):
    # No command asks a question yet, so a bare number is just a message.
    assert console("1") == "Alice: 1"


def test_the_demo_speaks_in_another_groups_chat_and_back_in_main(console):
    transcript = console(
        """
        /join
        /in bakery
        /join
        /members
        /in main
        /as Bob
        /join
        /members
        """
    )
    assert transcript == textwrap.dedent(
        """\
        Alice: /join
        bot: Welcome, Alice! You are member 1 of this collective.
             By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation (read them with /principles).
        Alice: /in bakery
        (now in bakery, speaking as Alice)
        Alice: /join
        bot [bakery]: Welcome, Alice! You are member 1 of this collective.
                      By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation (read them with /principles).
        Alice: /members
        bot [bakery]: Members (1):
                      • Alice
        Alice: /in main
        (now in main, speaking as Alice)
        Alice: /as Bob
        (now speaking as Bob)
        Bob: /join
        bot: Welcome, Bob! You are member 2 of this collective.
             By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation (read them with /principles).
        Bob: /members
        bot: Members (2):
             • Alice
             • Bob"""
    )


def test_a_chat_on_a_make_believe_platform_has_its_own_accounts(console):
    console("/join")
    transcript = console("/in kitchen@matrix\n/join\n/dm /members")
    assert "(now in kitchen@matrix — a make-believe matrix group, speaking as Alice)" in transcript
    assert "bot [kitchen@matrix]: Welcome, Alice! You are member 1 of this collective." in transcript


def test_a_number_picks_from_the_question_asked_in_the_chat_spoken_in(console):
    console("/join\n/as Bob\n/join\n/as Alice\n/propose 2w Paint the door")
    in_bakery = console("/in bakery\n/join\n1")
    assert in_bakery.endswith("Alice: 1")  # no question asked there: a plain message, nobody's response
    assert console("/in main\n/as Bob\n1").splitlines()[-2:] == [
        "bot (to bob only): Bob agrees with #1 Paint the door.",
        "bot (updates its message above): agree 1 · stand aside 0 · object 0 · block 0 — 1 of 2 responded",
    ]


def test_a_chat_name_that_cannot_be_a_chat_gets_the_usage(console):
    assert "usage: /in CHAT[@PLATFORM]" in console("/in the bakery")
    assert "usage: /in CHAT[@PLATFORM]" in console("/in")
