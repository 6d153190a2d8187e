"""A chat that moved — a Telegram group become a supergroup, a Matrix room upgraded — keeps its collective
(``ChatMoved``), and its open rounds are asked again there. The old chat's messages can no longer be edited (nor,
on Matrix, reacted to): without this, a round's tally would stand still where members no longer are, and its
buttons would be gone. A round already past its deadline is not asked again: its outcome comes instead; nor is one
whose ask to the old chat has not gone out yet: the platform's adapter sends it to the new chat."""

from __future__ import annotations

from bot.actions import Ask
from bot.context import Scope
from bot.kinds import kind_of
from bot.model import ROUND_OPEN
from bot.rounds import ask_key, ask_text, choices


def ask_again(scope: Scope, platform: str, old_chat_id: str, chat_id: str) -> None:
    """The collective's open rounds, asked again in its chat ``chat_id``, formerly ``old_chat_id`` (in its main
    chat: topics and threads stayed behind)."""
    items = [item for item in scope.uow.items.open(scope.collective.id) if kind_of(item).has_round]
    latest = scope.uow.reads.latest_for([item.id for item in items])
    for item in items:
        round_ = latest.get(item.id)
        if round_ is None or round_.status != ROUND_OPEN or round_.closes_at <= scope.now:
            continue
        if scope.uow.outbox.where_asked(platform, old_chat_id, ask_key(round_)).unsent:
            continue  # still on its way to the old chat, which the adapter follows to the new one
        for chat in scope.places(scope.collective.id, item):
            if (chat.platform, chat.chat_id) == (platform, chat_id):
                scope.actions.append(Ask(chat, ask_key(round_), ask_text(scope, item, round_), choices()))
