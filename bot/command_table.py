"""Which modules make up the command table, in the order /help lists them. Each command is declared in
its module, beside its handler (see ``bot.commands``): ``/rotation`` is in ``bot.rotation_commands``,
``/need`` in ``bot.needs``, and so on."""

from __future__ import annotations

from bot import (
    aid,
    assembly,
    basics,
    decision_log,
    federation,
    fund,
    identities,
    links,
    membership,
    needs,
    proposals,
    proxies,
    responses,
    reversals,
    review_commands,
    rotation_commands,
    settings_proposals,
    steering,
    verification,
    web_links,
)
from bot.commands import Command, commands_of

MODULES = (
    basics,
    membership,
    proposals,
    steering,
    decision_log,
    review_commands,
    verification,
    responses,
    proxies,
    assembly,
    needs,
    fund,
    reversals,
    rotation_commands,
    settings_proposals,
    links,
    identities,
    federation,
    aid,
    web_links,
)


def default_commands() -> list[Command]:
    return [command for module in MODULES for command in commands_of(module)]
