"""What the bot is: /start, /help, /principles."""

from __future__ import annotations

from bot.commands import Arg, Command
from bot.context import Context
from bot.errors import Refusal
from bot.principles import principles_of

INTRO = """\
Hello! I help this group work as a collective of equals, right here in the chat:
• proposals, decided by the rule you choose together (consensus by default),
• a pooled fund, and asking the pool for what you need,
• rotating roles and chores, so no one holds power or drudgery for long.
No one is an admin here — not even the people who are admins of this chat.

Start with /principles, then /join if they are yours too. /help lists everything."""


def start(ctx: Context) -> str:
    return INTRO


def help_(ctx: Context, command: str | None) -> str:
    table = ctx.commands
    if command is None:
        return f"{table.overview()}\n\nCommands start with / or !. /help COMMAND tells more about one."
    found = table.lookup(command)
    if found is None:
        raise Refusal(f"There is no /{command.lstrip('/!')}. /help lists the commands.")
    return found.help_text()


def principles(ctx: Context) -> str:
    collective = ctx.require_collective()
    text = principles_of(collective.principles)
    return f"Our principles:\n{text}\n\nJoining (/join) means accepting them."


COMMANDS = [
    Command("start", "what this bot is and how to begin", start, section="Membership"),
    Command(
        "help",
        "the commands, or more about one",
        help_,
        args=(Arg("command", "COMMAND", optional=True),),
        section="Membership",
    ),
    Command("principles", "the principles we agreed on", principles, section="Membership", in_direct=False),
]
