"""The command table: each command declared once, beside its handler (``@command``, ``group`` for one
made of subcommands), with its name, aliases, arguments, where it works and its help. Usage text,
``/help`` and argument errors all come from these declarations, so they cannot drift apart.
``bot.command_table`` lists the modules whose commands make up the table.

A declaration is made once, before any language is known: its summary, details, section, example and
metavars are marked with ``N_`` where declared and translated here, where they are shown."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import Any, TypeVar

from bot.language import N_, _
from bot.text import cmd, one_line

_COMMAND = re.compile(r"^[/!]([A-Za-z][A-Za-z0-9_]{0,31})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)")
_TOKEN = re.compile(r"\s*(\S+)")
F = TypeVar("F", bound=Callable[..., None])


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
    # For a ``rest`` argument left empty: ``parse`` is given the empty text (and says what is missing itself).
    judges_empty: bool = False

    @property
    def shown(self) -> str:
        """The metavar in the language spoken (``REASON``)."""
        return translated(self.metavar)

    @property
    def usage(self) -> str:
        return f"[{self.shown}]" if self.optional else self.shown


class Where(StrEnum):
    """Where a command works: a collective's group chat (most commands), a direct chat with the bot, or both."""

    GROUP = "group"
    DIRECT = "direct"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class Command:
    """A command: its handler ``run(ctx, **arguments)`` answers with ``ctx.reply`` (it returns nothing). A
    handler with a ``member`` parameter is for members only and gets the speaking member in it.

    A command with ``subcommands`` runs the one its first word names (``/rotation add``), or ``run`` with
    all the words when the first names none and ``run`` is given (``/swap ROLE @member``).

    ``reads_first(uow, collective_id)``: a long read the command needs (``/verify``'s check of the whole record),
    done in a read transaction of its own before the command's unit of work — never holding the write lock, so
    no other chat waits for it. The handler finds it in ``ctx.read_first``, by collective."""

    name: str
    summary: str
    run: Callable[..., None] | None = None
    args: tuple[Arg, ...] = ()
    aliases: tuple[str, ...] = ()
    section: str = N_("General")
    details: str = ""
    where: Where = Where.GROUP
    subcommands: tuple[Command, ...] = ()
    example: str = ""  # shown after the usage when the arguments do not fit
    prefix: str = ""  # a subcommand's: the command it belongs to and its own name (``rotation add``)
    reads_first: Callable[..., object] | None = None
    members_only: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        wants = self.run is not None and "member" in inspect.signature(self.run).parameters
        object.__setattr__(self, "members_only", wants)

    @property
    def in_direct(self) -> bool:
        return self.where != Where.GROUP

    @property
    def usage(self) -> str:
        if not self.subcommands:
            return " ".join([cmd(self.prefix or self.name), *(arg.usage for arg in self.args)])
        # Each way to call it as words: the first word is its subcommand's name (or the default's first
        # argument); a later word is optional where one way leaves it out or has it optional.
        ways = [[(sub.name, False), *((a.shown, a.optional) for a in sub.args)] for sub in self.subcommands]
        if self.run is not None:
            ways.insert(0, [(a.shown, a.optional) for a in self.args])
        words = [cmd(self.name), "|".join(way[0][0] for way in ways)]
        for position in range(1, max(len(way) for way in ways)):
            here = [way[position] for way in ways if len(way) > position]
            metavar = "|".join(dict.fromkeys(name for name, _optional in here))
            optional = len(here) < len(ways) or any(optional for _name, optional in here)
            words.append(f"[{metavar}]" if optional else metavar)
        return " ".join(words)

    def help_text(self) -> str:
        lines = [f"{self.usage} — {translated(self.summary)}"]
        if self.details:
            lines.append(translated(self.details))
        if self.aliases:
            lines.append(_("Also: {commands}", commands=", ".join(cmd(alias) for alias in self.aliases)))
        return "\n".join(lines)

    def usage_line(self) -> str:
        if self.example:
            # Translators: {usage} is how a command is called ("/rotation add ROLE EVERY"), {example} a call of it.
            return _("Usage: {usage}, e.g. {example}", usage=self.usage, example=translated(self.example))
        # Translators: {usage} is how a command is called: "/object [N] REASON".
        return _("Usage: {usage}", usage=self.usage)


def translated(text: str) -> str:
    """A text of a declaration (marked with ``N_`` where it is declared) in the language spoken."""
    return _(text) if text else ""


_DECLARED: dict[str, list[Command | CommandGroup]] = {}


def command(
    name: str,
    summary: str,
    *,
    args: tuple[Arg, ...] = (),
    section: str,
    details: str = "",
    where: Where = Where.GROUP,
    aliases: tuple[str, ...] = (),
    reads_first: Callable[..., object] | None = None,
) -> Callable[[F], F]:
    """Declare the decorated function as the handler of ``/name``; ``commands_of(module)`` finds it."""

    def declare(run: F) -> F:
        declared = Command(name, summary, run, args, aliases, section, details, where, reads_first=reads_first)
        _DECLARED.setdefault(run.__module__, []).append(declared)
        return run

    return declare


class CommandGroup:
    """A command made of subcommands, declared like this (in the style of maubot's command tree)::

        rotation = group("rotation", "…", section="Rotation")

        @rotation.subcommand("add", args=(…))
        def add(ctx, member, name, spec): …

    ``default`` declares what runs when the first word names no subcommand."""

    def __init__(self, name: str, summary: str, section: str, details: str, where: Where) -> None:
        self.name, self.summary, self.section, self.details, self.where = name, summary, section, details, where
        self._subcommands: list[Command] = []
        self._default: tuple[Callable[..., None], tuple[Arg, ...]] | None = None

    def subcommand(self, name: str, *, args: tuple[Arg, ...] = (), example: str = "") -> Callable[[F], F]:
        def declare(run: F) -> F:
            self._declared_in(run.__module__)
            prefix = f"{self.name} {name}"
            sub = Command(name, "", run, args, section=self.section, where=self.where, example=example, prefix=prefix)
            self._subcommands.append(sub)
            return run

        return declare

    def default(self, *, args: tuple[Arg, ...]) -> Callable[[F], F]:
        def declare(run: F) -> F:
            self._declared_in(run.__module__)
            self._default = (run, args)
            return run

        return declare

    def _declared_in(self, module: str) -> None:
        """The group takes its place in its module's commands with its first handler."""
        declared = _DECLARED.setdefault(module, [])
        if self not in declared:
            declared.append(self)

    def build(self) -> Command:
        run, args = self._default or (None, ())
        return Command(
            self.name,
            self.summary,
            run,
            args,
            section=self.section,
            details=self.details,
            where=self.where,
            subcommands=tuple(self._subcommands),
        )


def group(name: str, summary: str, *, section: str, details: str = "", where: Where = Where.GROUP) -> CommandGroup:
    return CommandGroup(name, summary, section, details, where)


def commands_of(module: ModuleType) -> list[Command]:
    """The commands declared in ``module``, in the order they were declared."""
    declared = _DECLARED.get(module.__name__, [])
    return [entry.build() if isinstance(entry, CommandGroup) else entry for entry in declared]


@dataclass(frozen=True, slots=True)
class CommandText:
    """A message split into command name, addressed bot (if any) and the rest."""

    name: str
    bot: str | None
    rest: str


class UsageError(Exception):
    """The arguments do not fit the command; ``reason`` says what is wrong, ``usage`` (once known) how
    the command, or the subcommand meant, is called. A handler may raise it too, for an argument it can
    judge only after looking at the collective (the usage is then its command's)."""

    def __init__(self, reason: str, usage: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage


def split_command(text: str) -> CommandText | None:
    """``/cmd@Bot rest`` or ``!cmd rest`` → its parts; None when it is not a command."""
    match = _COMMAND.match(text.lstrip())
    if not match:
        return None
    stripped = text.lstrip()
    return CommandText(match.group(1).lower(), match.group(2), stripped[match.end() :])


def dispatch(command: Command, rest: str) -> tuple[Command, dict[str, Any]]:
    """The command (or subcommand) ``rest`` calls, and its arguments; a ``UsageError`` carries the usage of
    whichever was meant."""
    if command.subcommands:
        match = _TOKEN.match(rest)
        word = match.group(1).lower() if match else ""
        sub = next((sub for sub in command.subcommands if sub.name == word), None)
        if sub is not None:
            command, rest = sub, rest[match.end() :]
        elif command.run is None:
            names = [sub.name for sub in command.subcommands]
            if match:
                # Translators: {word} is what the member typed, {names} the subcommands they could have meant.
                reason = _("'{word}' is not one of {names}.", word=match.group(1), names=", ".join(names))
            else:
                reason = _missing_text("|".join(names))
            raise UsageError(reason, command.usage_line())
        elif not match:
            raise UsageError(_missing_text(command.usage.split()[1]), command.usage_line())
        else:
            try:
                return command, bind(command, rest)
            except UsageError as error:
                raise UsageError(error.reason, command.usage_line()) from None
    try:
        return command, bind(command, rest)
    except UsageError as error:
        raise UsageError(error.reason, command.usage_line()) from None


def bind(command: Command, rest: str) -> dict[str, Any]:
    """Parse ``rest`` into keyword arguments for ``command.run``."""
    values: dict[str, Any] = {}
    remaining = rest
    for position, arg in enumerate(command.args):
        if arg.rest:
            text = remaining.strip()
            remaining = ""
            if not text and not arg.judges_empty:
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
        cut = extra if len(extra) <= 40 else extra[:40] + "…"
        # Translators: {text} is what the member typed after the arguments the command takes.
        raise UsageError(_("I did not expect '{text}' here.", text=cut))
    return values


def _missing(arg: Arg) -> None:
    if arg.optional:
        return None
    raise UsageError(_missing_text(arg.shown))


def _missing_text(what: str) -> str:
    # Translators: {what} is the argument left out, as the usage line names it: "Missing REASON."
    return _("Missing {what}.", what=what)


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
                    raise ValueError(f"the command name {name!r} is declared twice")
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
            # Translators: the heading of a section of /help ("Membership:"), its commands listed below it.
            lines = [_("{section}:", section=translated(section))] + [
                f"  {c.usage} — {translated(c.summary)}" for c in commands
            ]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)
