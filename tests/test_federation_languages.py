"""A federation's collectives may speak different languages: what one collective's action makes for another (a
joint item, an aid request, their rounds, the note that an outcome came late) is written in the language of the
collective it goes to; a round's closing time, written each language's own way (Babel), shows whose language it
was made in. Real SQLite, fake clock."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.actions import Ask, Post
from bot.timefmt import format_time
from tests.test_federation import collective, federate, with_treasurer
from tests.transcript import read


def speaks(chat, language: str) -> None:
    with chat.core.unit_of_work() as uow:  # test set-up only: settings normally change by proposal
        found = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        uow.settings.put(found.id, "language", language)
        uow.commit()


def posted_in(actions, chat) -> str:
    return "\n".join(read(a) for a in actions if isinstance(a, Post | Ask) and a.chat.chat_id == chat.chat.chat_id)


def test_a_joint_item_is_announced_in_each_collectives_own_language(core, clock):
    a = collective(core, clock, "bakery", "Ann Abe")
    b = collective(core, clock, "school", "Bea Bo")
    federate(a, b)
    speaks(b, "de")
    closes = clock.now() + timedelta(days=2)
    actions = a.send("Ann", "/propose joint 2d Shared tool library")
    here, there = posted_in(actions, a), posted_in(actions, b)
    assert "J1" in here and "J1" in there
    assert format_time(closes, ZoneInfo("UTC"), "en") in here
    assert format_time(closes, ZoneInfo("UTC"), "de") in there
    assert format_time(closes, ZoneInfo("UTC"), "en") not in there


def test_an_aid_request_is_opened_in_the_language_of_the_collective_asked(core, clock):
    a = collective(core, clock, "bakery", "Ann Abe")
    b = collective(core, clock, "school", "Bea Bo")
    federate(a, b)
    treasurer = with_treasurer(a)
    need = int(re.search(r"#(\d+)", a.say("Ann", "/need €300 new oven #food")).group(1))
    a.say("Abe", f"/agree {need}")
    a.wait(timedelta(days=3))
    speaks(b, "fr")
    actions = a.send(treasurer, f"/aid {need}")
    closes = clock.now() + timedelta(days=3)  # the asked collective's proposal duration (the default)
    there = posted_in(actions, b)
    assert format_time(closes, ZoneInfo("UTC"), "fr") in there
    assert format_time(closes, ZoneInfo("UTC"), "en") not in there
    assert format_time(closes, ZoneInfo("UTC"), "en") not in posted_in(actions, a)  # no round opens in the bakery


def test_a_joint_outcome_late_after_downtime_says_so_in_each_collectives_language(core, clock):
    a = collective(core, clock, "bakery", "Ann Abe")
    b = collective(core, clock, "school", "Bea Bo")
    federate(a, b)
    speaks(b, "de")
    a.say("Ann", "/propose joint 2d Shared tool library")
    clock.set(clock.now() + timedelta(days=3))  # the bot was down when the joint round closed
    actions = core.tick()
    here, there = posted_in(actions, a), posted_in(actions, b)
    assert "(Late by 24 h: this was due " in here and "zu spät" not in here
    assert "(24 h zu spät: Das war am " in there and "Late by" not in there
