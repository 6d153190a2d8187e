"""The console: a chat in the terminal where one person plays several members.

Lines are read one at a time, so a transcript can be piped in. Besides the
bot's commands it understands ``/as NAME`` (speak as another member),
``/dm TEXT`` (say something to the bot in a direct chat), ``/tick DURATION``
(the demo clock moves on and whatever fell due runs) and a bare number, which
picks that choice of the latest question with choices.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.actions import Acknowledge, Action, Ask, DirectMessage, Edit, Post, Reply
from bot.clock import Clock, FakeClock
from bot.core import Core
from bot.durations import parse_duration
from bot.events import Chat, ChoiceMade, Event, MessageReceived, Sender
from bot.timefmt import format_time

PLATFORM = "console"
GROUP = Chat(PLATFORM, "demo")
UTC_ZONE = ZoneInfo("UTC")
_AS = re.compile(r"^/as\s+(\S.{0,63})$")

HELP = """\
collective-bot demo — a collective chat in your terminal.
You speak as {name}. Console commands: /as NAME (speak as someone else),
/dm TEXT (write to the bot privately), /tick DURATION (move the clock on,
e.g. /tick 3d), a number (pick that choice); end a line with \\ to go on
on the next line. /help lists the bot's commands."""


@dataclass(frozen=True, slots=True)
class _LastAsk:
    key: str
    choices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tick:
    """``/tick DURATION``: the demo clock moves on by ``by``."""

    by: timedelta


class Console:
    """Reading typed lines as the core's events and showing the bot's actions; it holds no core (the
    ``Demo`` drives one, ``collective-bot run`` feeds the events to the runtime)."""

    def __init__(self, clock: Clock, write: Callable[[str], None], echo: bool = False) -> None:
        self._clock = clock
        self._write = write
        self._echo = echo
        self._run = secrets.token_hex(4)  # message refs must not repeat across demo runs
        self._count = 0
        self._last_ask: _LastAsk | None = None
        self._pending: list[str] = []
        self.speaker = Sender(PLATFORM, "alice", "Alice")

    def greet(self) -> None:
        self._write(HELP.format(name=self.speaker.display_name))

    def read(self, line: str) -> Event | Tick | None:
        """Turn a typed line into an event for the core, or handle it here (the
        console's own commands); a line ending in a backslash continues on the
        next one (a proposal's detail lines)."""
        text = line.rstrip("\n")
        if text.endswith("\\"):
            self._pending.append(text[:-1].rstrip())
            return None
        if self._pending:
            text = "\n".join([*self._pending, text])
            self._pending = []
        if not text.strip():
            return None
        if self._echo:
            self._write(_lines(f"{self.speaker.display_name}: ", text))
        stripped = text.strip()
        if match := _AS.match(stripped):
            name = match.group(1).strip()
            self.speaker = Sender(PLATFORM, name.lower(), name)
            self._write(f"(now speaking as {name})")
        elif stripped == "/as":
            self._write("(usage: /as NAME)")
        elif stripped.startswith("/tick"):
            return self._tick(stripped[len("/tick") :].strip())
        elif stripped == "/dm":
            self._write("(usage: /dm TEXT — what you write after /dm goes to the bot privately)")
        elif stripped.startswith("/dm "):
            direct = Chat(PLATFORM, f"dm:{self.speaker.user_id}", is_direct=True)
            return MessageReceived(direct, self.speaker, stripped[3:].strip(), self._ref(), self._clock.now())
        elif stripped.isdigit() and self._last_ask:
            return self._choice(int(stripped))
        else:
            return MessageReceived(GROUP, self.speaker, text, self._ref(), self._clock.now())
        return None

    def show(self, actions: Iterable[Action]) -> None:
        for action in actions:
            self._write(_render(action))
            if isinstance(action, Ask):
                self._last_ask = _LastAsk(action.key, tuple(choice.id for choice in action.choices))

    def say(self, text: str) -> None:
        self._write(text)

    def _ref(self) -> str:
        self._count += 1
        return f"{self._run}-{self._count}"

    def _choice(self, number: int) -> Event | None:
        ask = self._last_ask
        if not 1 <= number <= len(ask.choices):
            self._write(f"(choose a number from 1 to {len(ask.choices)})")
            return None
        return ChoiceMade(GROUP, self.speaker, ask.key, ask.choices[number - 1], self._ref(), self._clock.now())

    def _tick(self, argument: str) -> Tick | None:
        if not isinstance(self._clock, FakeClock):
            self._write("(/tick works only in the demo, where the clock is make-believe)")
            return None
        try:
            duration = parse_duration(argument)
        except ValueError as error:
            self._write(f"(usage: /tick DURATION — {error})")
            return None
        return Tick(duration)


class Demo:
    """The demo: a console whose lines go straight to a core, on a make-believe clock."""

    def __init__(self, core: Core, console: Console, clock: FakeClock) -> None:
        self._core = core
        self.console = console
        self._clock = clock

    def feed(self, line: str) -> None:
        """One line typed by the current speaker."""
        read = self.console.read(line)
        if isinstance(read, Tick):
            self._tick(read.by)
        elif read is not None:
            self.console.show(self._core.handle(read))

    def _tick(self, duration: timedelta) -> None:
        target = self._clock.now() + duration
        self.console.say(f"(the clock moves on to {format_time(target, UTC_ZONE)})")
        # Step through each due time on the way, so work happens when it fell due.
        while (due_at := self._core.next_due()) is not None and due_at <= target:
            self._clock.set(max(due_at, self._clock.now()))
            self.console.show(self._core.tick())
        self._clock.set(target)


class ConsoleOutlet:
    """The console as one of the runtime's adapters (``collective-bot run``)."""

    platform = PLATFORM

    def __init__(self, console: Console) -> None:
        self._console = console

    async def send(self, action: Action, txn_id: str) -> str | None:
        self._console.show([action])
        return action.key if isinstance(action, Ask) else None  # the console's "message" of an ask is its key

    async def edit(self, action: Edit, message_ref: str, txn_id: str) -> None:
        self._console.show([action])


def _render(action: Action) -> str:
    if isinstance(action, Reply | Post):
        return _lines("bot: ", action.text)
    if isinstance(action, Ask):
        options = "  ".join(f"[{n}] {choice.label}" for n, choice in enumerate(action.choices, 1))
        return _lines("bot: ", f"{action.text}\n{options}  (type a number to choose)")
    if isinstance(action, Edit):  # a live tally: its last line is what changed; an ended round, the two last
        lines = action.text.splitlines()
        changed = lines[-1] if action.choices else " · ".join(lines[-2:])
        return f"bot (updates its message above): {changed}"
    if isinstance(action, DirectMessage):
        return _lines(f"bot → {action.user_id} (direct): ", action.text)
    if isinstance(action, Acknowledge):
        return _lines(f"bot (to {action.user_id} only): ", action.text)
    raise TypeError(f"unknown action {action!r}")


def _lines(prefix: str, text: str) -> str:
    indent = " " * len(prefix)
    first, *rest = text.splitlines() or [""]
    return "\n".join([prefix + first, *(indent + line for line in rest)])
