"""Chat transcripts for tests: members speak, the bot answers, the clock moves."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from adapters.text import written
from bot.actions import Action, Ask, DirectMessage, Edit
from bot.clock import FakeClock
from bot.core import Core
from bot.events import Chat, MessageReceived, Sender

_refs = itertools.count(1)


def read(action: Action) -> str:
    """An action's text as members read it on the console (and Telegram): the commands the bot mentions
    written with a slash."""
    return written(action).text


def person(name: str, platform: str = "console") -> Sender:
    return Sender(platform, name.lower(), name)


class Transcript:
    """One group chat. ``say`` returns the bot's answer as one string."""

    def __init__(self, core: Core, clock: FakeClock, chat: Chat | None = None) -> None:
        self.core = core
        self.clock = clock
        self.chat = chat or Chat("console", "group-1")

    def send(self, who: str, text: str, ref: str | None = None, chat: Chat | None = None) -> list[Action]:
        chat = chat or self.chat
        event = MessageReceived(chat, person(who, chat.platform), text, ref or f"m{next(_refs)}", self.clock.now())
        return self.core.handle(event)

    def say(self, who: str, text: str, **kwargs) -> str:
        """What members read in the chat (as the console writes it): new messages (tally edits left out)."""
        return "\n".join(read(a) for a in self.send(who, text, **kwargs) if not isinstance(a, Edit))

    def direct(self, who: str, text: str) -> str:
        return self.say(who, text, chat=Chat(self.chat.platform, f"dm-{who.lower()}", is_direct=True))

    def wait(self, duration: timedelta) -> str:
        """Time passes with the bot up: due work runs at its due times. Returns
        what the group reads (direct messages are left out)."""
        target = self.clock.now() + duration
        texts = []
        while (due_at := self.core.next_due()) is not None and due_at <= target:
            self.clock.set(max(due_at, self.clock.now()))
            texts += [read(a) for a in self.core.tick() if not isinstance(a, DirectMessage | Edit)]
        self.clock.set(target)
        return "\n".join(texts)


RECORD_LINE = re.compile(r"\n· record [0-9a-f]{12}(?=\n|$)")


def unrecorded(text: str, count: int = 1) -> str:
    """What members read, without the lines that end outcome and funding messages with the record's head
    (``· record 3f9a1c2e07b4``, see tests/test_record_chain.py) — after checking there were ``count`` of them."""
    found = RECORD_LINE.findall(text)
    assert len(found) == count, f"{len(found)} record lines, not {count}, in {text!r}"
    return RECORD_LINE.sub("", text)


def group(chat: Transcript, names: str, **settings: str) -> Transcript:
    """A collective whose members (space-separated names) have joined, with
    some settings already in force (as if adopted earlier)."""
    for name in names.split():
        chat.say(name, "/join")
    if settings:
        with chat.core.unit_of_work() as uow:  # test set-up only: settings normally change by proposal
            collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
            for key, value in settings.items():
                uow.settings.put(collective.id, key, value)
            uow.commit()
    return chat


def vote(chat: Transcript, number: int, **responses: str) -> None:
    """``vote(chat, 1, Alice="agree", Bob="block: too soon")``."""
    for name, response in responses.items():
        kind, _, reason = response.partition(":")
        answer = chat.say(name, f"/{kind} {number} {reason.strip()}".rstrip())
        assert f"{name} " in answer and "#" in answer, answer


def adopt(chat: Transcript, who: str, command: str) -> str:
    """``who`` opens a proposal with ``command`` (``/rotation add treasurer 4w``,
    ``/set quorum 0.6``); every member agrees at once and it is closed. Returns
    what the group read at the close: the outcome, then what it brought."""
    asked = [action for action in chat.send(who, command) if isinstance(action, Ask)]
    assert asked, f"{command} opened no proposal"
    number = int(re.search(r"#(\d+)", asked[0].text).group(1))
    with chat.core.unit_of_work() as uow:  # test set-up only: who is a member now
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        names = [member.display_name for member in uow.members.active(collective.id)]
    for name in names:
        chat.say(name, f"/agree {number}")
    for name in names:  # the facilitator, if there is one, or anyone once all have responded
        closed = chat.say(name, f"/close {number}")
        if "— adopted." in closed:
            return closed
    raise AssertionError(f"#{number} was not adopted: {closed}")
