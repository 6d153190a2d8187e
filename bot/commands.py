"""The command table: each command declared once with its name, aliases,
arguments and help. Usage text, ``/help`` and argument errors all come from
these declarations, so they cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.text import one_line

_COMMAND = re.compile(r"^[/!]([A-Za-z][A-Za-z0-9_]{0,31})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)")
_TOKEN = re.compile(r"\s*(\S+)")


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument. ``parse`` turns the typed text into a value or raises
    ValueError with a message for the member. A ``rest`` argument takes all
    the remaining text, line breaks included."""

    name: str
    metavar: str
    parse: Callable[[str], Any] = str
    optional: bool = False
    rest: bool = False
    # For an optional argument: whether a word that ``parse`` refused still looks
    # meant for it (``0d`` for a duration, ``1,`` for an item number). Such a word is
    # refused with the reason, never taken as the start of the next argument.
    looks: Callable[[str], bool] | None = None

    @property
    def usage(self) -> str:
        return f"[{self.metavar}]" if self.optional else self.metavar


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    summary: str
    run: Callable[..., str | None]
    args: tuple[Arg, ...] = ()
    aliases: tuple[str, ...] = ()
    section: str = "General"
    details: str = ""
    members_only: bool = False
    in_direct: bool = True  # False: only in a collective's group chat

    @property
    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(arg.usage for arg in self.args)])

    def help_text(self) -> str:
        lines = [f"{self.usage} — {self.summary}"]
        if self.details:
            lines.append(self.details)
        if self.aliases:
            lines.append("Also: " + ", ".join(f"/{alias}" for alias in self.aliases))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CommandText:
    """A message split into command name, addressed bot (if any) and the rest."""

    name: str
    bot: str | None
    rest: str


class UsageError(Exception):
    """The arguments do not fit the command; ``reason`` says what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def split_command(text: str) -> CommandText | None:
    """``/cmd@Bot rest`` or ``!cmd rest`` → its parts; None when it is not a command."""
    match = _COMMAND.match(text.lstrip())
    if not match:
        return None
    stripped = text.lstrip()
    return CommandText(match.group(1).lower(), match.group(2), stripped[match.end() :])


def bind(command: Command, rest: str) -> dict[str, Any]:
    """Parse ``rest`` into keyword arguments for ``command.run``."""
    values: dict[str, Any] = {}
    remaining = rest
    for position, arg in enumerate(command.args):
        if arg.rest:
            text = remaining.strip()
            remaining = ""
            if not text:
                values[arg.name] = _missing(arg)
                continue
            values[arg.name] = _parse(arg, text)
            continue
        match = _TOKEN.match(remaining)
        if not match:
            values[arg.name] = _missing(arg)
            continue
        try:
            values[arg.name] = arg.parse(match.group(1))
        except ValueError as error:
            later_args = position + 1 < len(command.args)
            meant = arg.looks is not None and arg.looks(match.group(1))
            if arg.optional and later_args and not meant:
                values[arg.name] = None  # leave the word for the next argument
                continue
            raise UsageError(str(error)) from None
        remaining = remaining[match.end() :]
    if remaining.strip():
        extra = one_line(remaining)
        shown = extra if len(extra) <= 40 else extra[:40] + "…"
        raise UsageError(f"I did not expect '{shown}' here.")
    return values


def _missing(arg: Arg) -> None:
    if arg.optional:
        return None
    raise UsageError(f"Missing {arg.metavar}.")


def _parse(arg: Arg, text: str) -> Any:
    try:
        return arg.parse(text)
    except ValueError as error:
        raise UsageError(str(error)) from None


class CommandTable:
    def __init__(self, commands: Iterable[Command]) -> None:
        self._commands: list[Command] = []
        self._by_name: dict[str, Command] = {}
        for command in commands:
            for name in (command.name, *command.aliases):
                if name in self._by_name:
                    raise ValueError(f"command name /{name} is declared twice")
                self._by_name[name] = command
            self._commands.append(command)

    def lookup(self, name: str) -> Command | None:
        return self._by_name.get(name.lower().lstrip("/!"))

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)

    def overview(self) -> str:
        """Every command, grouped by section, one line each."""
        sections: dict[str, list[Command]] = {}
        for command in self._commands:
            sections.setdefault(command.section, []).append(command)
        blocks = []
        for section, commands in sections.items():
            lines = [f"{section}:"] + [f"  {c.usage} — {c.summary}" for c in commands]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)
