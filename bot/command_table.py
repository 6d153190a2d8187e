"""Which modules make up the command table, in the order /help lists them. Each command is declared in
its module, beside its handler (see ``bot.commands``): ``/rotation`` is in ``bot.rotation_commands``,
``/need`` in ``bot.needs``, and so on."""

from __future__ import annotations

from bot import (
    aid,
    basics,
    decision_log,
    federation,
    fund,
    identities,
    links,
    membership,
    needs,
    proposals,
    responses,
    reversals,
    rotation_commands,
    settings_proposals,
    steering,
    verification,
)
from bot.commands import Command, commands_of

MODULES = (
    basics,
    membership,
    proposals,
    steering,
    decision_log,
    verification,
    responses,
    needs,
    fund,
    reversals,
    rotation_commands,
    settings_proposals,
    links,
    identities,
    federation,
    aid,
)


def default_commands() -> list[Command]:
    return [command for module in MODULES for command in commands_of(module)]
