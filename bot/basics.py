"""What the bot is: /start, /help, /principles."""

from __future__ import annotations

from bot.commands import Arg, Where, command
from bot.context import Context
from bot.errors import Refusal
from bot.principles import principles_of
from bot.text import cmd

INTRO = f"""\
Hello! I help this group work as a collective of equals, right here in the chat:
• proposals, decided by the rule you choose together (consensus by default),
• a pooled fund, and asking the pool for what you need,
• rotating roles and chores, so no one holds power or drudgery for long.
No one is an admin here — not even the people who are admins of this chat.

Start with {cmd("principles")}, then {cmd("join")} if they are yours too. {cmd("help")} lists everything."""


@command("start", "what this bot is and how to begin", section="Membership", where=Where.ANY)
def start(ctx: Context) -> None:
    ctx.reply(INTRO)


@command(
    "help",
    "the commands, or more about one",
    args=(Arg("name", "COMMAND", optional=True),),
    section="Membership",
    where=Where.ANY,
)
def help_(ctx: Context, name: str | None) -> None:
    table = ctx.commands
    if name is None:
        ctx.reply(f"{table.overview()}\n\nCommands start with / or !. {cmd('help')} COMMAND tells more about one.")
        return
    found = table.lookup(name)
    if found is None:
        raise Refusal(f"There is no {cmd(name.lstrip('/!'))}. {cmd('help')} lists the commands.")
    ctx.reply(found.help_text())


@command("principles", "the principles we agreed on", section="Membership")
def principles(ctx: Context) -> None:
    collective = ctx.require_collective()
    text = principles_of(collective.principles)
    ctx.reply(f"Our principles:\n{text}\n\nJoining ({cmd('join')}) means accepting them.")
