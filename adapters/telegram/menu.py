"""The command menu Telegram clients show (``setMyCommands``), from the core's command table."""

from __future__ import annotations

import re
from collections.abc import Iterable

from telegram import BotCommand

from bot.commands import Command
from bot.text import with_commands

MAX_COMMANDS = 100
MAX_DESCRIPTION = 256
_NAME = re.compile(r"[a-z0-9_]{1,32}")


def menu(commands: Iterable[Command], *, direct_only: bool = False) -> list[BotCommand]:
    """Each command Telegram accepts in a menu (1–32 of a-z, 0-9, _), with its summary;
    ``direct_only``: only those that work in a direct chat with the bot."""
    entries = []
    for command in commands:
        if direct_only and not command.in_direct:
            continue
        name = command.name.lower()
        if not _NAME.fullmatch(name):
            continue
        description = with_commands(command.summary or name).strip()  # a command it mentions, with its slash
        if len(description) > MAX_DESCRIPTION:
            description = description[: MAX_DESCRIPTION - 1] + "…"
        entries.append(BotCommand(name, description))
    return entries[:MAX_COMMANDS]
