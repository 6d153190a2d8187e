"""The console: a chat in the terminal where one person plays several members.

Lines are read one at a time, so a transcript can be piped in. Besides the
bot's commands it understands ``/as NAME`` (speak as another member),
``/in CHAT[@PLATFORM]`` (speak in another group chat: another collective's, or
one on a make-believe other platform, to link to; the first chat is ``main``),
``/dm TEXT`` (say something to the bot in a direct chat), ``/tick DURATION``
(the demo clock moves on and whatever fell due runs) and a bare number, which
picks that choice of the latest question with choices in the chat spoken in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from adapters.text import written
from bot.actions import Acknowledge, Action, Ask, DirectMessage, Edit, Post, Reply
from bot.clock import Clock, FakeClock
from bot.core import Core
from bot.durations import parse_duration
from bot.events import Chat, ChoiceMade, Event, MessageReceived, Sender
from bot.timefmt import format_time

PLATFORM = "console"
GROUP = Chat(PLATFORM, "demo")  # shown as "main" (its id stays "demo": demo files from before keep their chat)
MAIN = "main"
UTC_ZONE = ZoneInfo("UTC")
_AS = re.compile(r"^/as\s+(\S.{0,63})$")
_IN = re.compile(r"^/in\s+([a-z0-9][a-z0-9_-]{0,31})(?:@([a-z][a-z0-9]{0,15}))?$", re.IGNORECASE)

HELP = """\
collective-bot demo — a collective chat in your terminal.
You speak as {name}. Console commands: /as NAME (speak as someone else),
/in CHAT[@PLATFORM] (speak in another group chat, e.g. /in bakery or
/in kitchen@matrix; the first chat is main), /dm TEXT (write to the bot
privately), /tick DURATION (move the clock on, e.g. /tick 3d), a number
(pick that choice); end a line with \\ to go on on the next line.
/help lists the bot's commands."""


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
        self._last_ask: dict[Chat, _LastAsk] = {}  # per group chat
        self._pending: list[str] = []
        self.chat = GROUP  # the group chat spoken in
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
            self.speaker = Sender(self.chat.platform, name.lower(), name)
            self._write(f"(now speaking as {name})")
        elif stripped == "/as":
            self._write("(usage: /as NAME)")
        elif match := _IN.match(stripped):
            self._go_in(match.group(1).lower(), (match.group(2) or PLATFORM).lower())
        elif stripped == "/in" or stripped.startswith("/in "):
            self._write(
                "(usage: /in CHAT[@PLATFORM] — a name of letters, digits, - and _; e.g. /in bakery, "
                "/in kitchen@matrix; /in main goes back to the first chat)"
            )
        elif stripped.startswith("/tick"):
            return self._tick(stripped[len("/tick") :].strip())
        elif stripped == "/dm":
            self._write("(usage: /dm TEXT — what you write after /dm goes to the bot privately)")
        elif stripped.startswith("/dm "):
            direct = Chat(self.chat.platform, f"dm:{self.speaker.user_id}", is_direct=True)
            return MessageReceived(direct, self.speaker, stripped[3:].strip(), self._ref(), self._clock.now())
        elif stripped.isdigit() and self.chat in self._last_ask:
            return self._choice(int(stripped))
        else:
            return MessageReceived(self.chat, self.speaker, text, self._ref(), self._clock.now())
        return None

    def show(self, actions: Iterable[Action]) -> None:
        for action in actions:
            self._write(_render(action))
            if isinstance(action, Ask):
                self._last_ask[action.chat] = _LastAsk(action.key, tuple(choice.id for choice in action.choices))

    def _go_in(self, name: str, platform: str) -> None:
        if name == MAIN and platform == PLATFORM:
            self.chat = GROUP
        else:
            self.chat = Chat(platform, name)
        self.speaker = Sender(self.chat.platform, self.speaker.user_id, self.speaker.display_name)
        where = _label(self.chat)
        other = f" — a make-believe {platform} group" if platform != PLATFORM else ""
        self._write(f"(now in {where}{other}, speaking as {self.speaker.display_name})")

    def say(self, text: str) -> None:
        self._write(text)

    def _ref(self) -> str:
        self._count += 1
        return f"{self._run}-{self._count}"

    def _choice(self, number: int) -> Event | None:
        ask = self._last_ask[self.chat]
        if not 1 <= number <= len(ask.choices):
            self._write(f"(choose a number from 1 to {len(ask.choices)})")
            return None
        return ChoiceMade(self.chat, self.speaker, ask.key, ask.choices[number - 1], self._ref(), self._clock.now())

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


def _label(chat: Chat) -> str:
    if chat == GROUP:
        return MAIN
    return chat.chat_id if chat.platform == PLATFORM else f"{chat.chat_id}@{chat.platform}"


def _bot(chat: Chat) -> str:
    """Who speaks: the bot, naming the chat when it is not the first one."""
    return "bot" if chat == GROUP else f"bot [{_label(chat)}]"


def _render(action: Action) -> str:
    action = written(action)
    if isinstance(action, Reply | Post):
        return _lines(f"{_bot(action.chat)}: ", action.text)
    if isinstance(action, Ask):
        options = "  ".join(f"[{n}] {choice.label}" for n, choice in enumerate(action.choices, 1))
        return _lines(f"{_bot(action.chat)}: ", f"{action.text}\n{options}  (type a number to choose)")
    if isinstance(action, Edit):  # a live tally: its last line is what changed; an ended round, the two last
        lines = action.text.splitlines()
        changed = lines[-1] if action.choices else " · ".join(lines[-2:])
        return f"{_bot(action.chat)} (updates its message above): {changed}"
    if isinstance(action, DirectMessage):
        on = "" if action.platform == PLATFORM else f" on {action.platform}"
        return _lines(f"bot → {action.user_id}{on} (direct): ", action.text)
    if isinstance(action, Acknowledge):
        return _lines(f"bot (to {action.user_id} only): ", action.text)
    raise TypeError(f"unknown action {action!r}")


def _lines(prefix: str, text: str) -> str:
    indent = " " * len(prefix)
    first, *rest = text.splitlines() or [""]
    return "\n".join([prefix + first, *(indent + line for line in rest)])
