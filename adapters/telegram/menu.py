"""The command menu Telegram clients show (``setMyCommands``), from the core's command table: in English for
everyone, and in each other language the bot speaks for the members whose Telegram app is in it (Telegram
chooses by the app's ``language_code``; the collective's own language is the core's business)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from telegram import BotCommand

from bot.commands import Command
from bot.language import ENGLISH, LANGUAGES, _
from bot.text import with_commands

MAX_COMMANDS = 100
MAX_DESCRIPTION = 256
_NAME = re.compile(r"[a-z0-9_]{1,32}")
# The languages with a menu of their own (``language_code``); English is the menu of every other language.
MENU_LANGUAGES = tuple(language for language in LANGUAGES if language != ENGLISH)


def menu(commands: Iterable[Command], *, direct_only: bool = False) -> list[BotCommand]:
    """Each command Telegram accepts in a menu (1–32 of a-z, 0-9, _), with its summary in the language
    spoken; ``direct_only``: only those that work in a direct chat with the bot."""
    entries = []
    for command in commands:
        if direct_only and not command.in_direct:
            continue
        name = command.name.lower()
        if not _NAME.fullmatch(name):
            continue
        summary = _(command.summary) if command.summary else name
        description = with_commands(summary).strip()  # a command it mentions, with its slash
        if len(description) > MAX_DESCRIPTION:
            description = description[: MAX_DESCRIPTION - 1] + "…"
        entries.append(BotCommand(name, description))
    return entries[:MAX_COMMANDS]
