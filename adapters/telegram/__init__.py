"""Telegram: the bot in groups and direct chats, on python-telegram-bot v22 (see adapter.py)."""

from adapters.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
