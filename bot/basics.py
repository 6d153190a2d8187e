"""What the bot is: /start, /help, /principles."""

from __future__ import annotations

from bot.commands import Arg, Where, command
from bot.context import Context
from bot.errors import Refusal
from bot.language import ENGLISH, N_, _, spoken
from bot.principles import principles_of
from bot.text import cmd

INTRO = N_("""\
Hello! I help this group work as a collective of equals, right here in the chat:
• proposals, decided by the rule you choose together (consensus by default),
• a pooled fund, and asking the pool for what you need,
• rotating roles and chores, so no one holds power or drudgery for long.
No one is an admin here — not even the people who are admins of this chat.

Start with /principles, then /join if they are yours too. /help lists everything.""")
_SECTION = N_("Membership")


@command("start", N_("what this bot is and how to begin"), section=_SECTION, where=Where.ANY)
def start(ctx: Context) -> None:
    ctx.reply(_(INTRO))


@command(
    "help",
    N_("the commands, or more about one"),
    # Translators: the argument of /help, as its usage line shows it: "/help [COMMAND]".
    args=(Arg("name", N_("COMMAND"), optional=True),),
    section=_SECTION,
    where=Where.ANY,
)
def help_(ctx: Context, name: str | None) -> None:
    table = ctx.commands
    if name is None:
        # Translators: the end of /help's list of commands; keep /help as it is (command names are not translated).
        footer = _("Commands start with / or !. /help COMMAND tells more about one.")
        if spoken() != ENGLISH:
            # Translators: said at the end of /help in every language but English.
            footer += " " + _("Command names are the same in every language.")
        ctx.reply(f"{table.overview()}\n\n{footer}")
        return
    found = table.lookup(name)
    if found is None:
        raise Refusal(_("There is no {command}. /help lists the commands.", command=cmd(name.lstrip("/!"))))
    ctx.reply(found.help_text())


@command("principles", N_("the principles we agreed on"), section=_SECTION)
def principles(ctx: Context) -> None:
    collective = ctx.require_collective()
    text = principles_of(collective.principles)
    # Translators: {principles} is the collective's principles, several lines.
    ctx.reply(_("Our principles:\n{principles}\n\nJoining (/join) means accepting them.", principles=text))
