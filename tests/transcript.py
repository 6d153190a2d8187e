"""Chat transcripts for tests: members speak, the bot answers, the clock moves."""

from __future__ import annotations

import itertools
from datetime import timedelta

from bot.actions import Action
from bot.clock import FakeClock
from bot.core import Core
from bot.events import Chat, MessageReceived, Sender

_refs = itertools.count(1)


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
        return "\n".join(action.text for action in self.send(who, text, **kwargs))

    def direct(self, who: str, text: str) -> str:
        return self.say(who, text, chat=Chat(self.chat.platform, f"dm-{who.lower()}", is_direct=True))

    def wait(self, duration: timedelta) -> str:
        """Time passes with the bot up: due work runs at its due times."""
        target = self.clock.now() + duration
        texts = []
        while (due_at := self.core.next_due()) is not None and due_at <= target:
            self.clock.set(max(due_at, self.clock.now()))
            texts += [action.text for action in self.core.tick()]
        self.clock.set(target)
        return "\n".join(texts)
