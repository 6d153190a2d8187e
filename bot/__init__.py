"""The platform-neutral core of collective-bot.

Adapters feed inbound events (``bot.events``) to :class:`bot.core.Core` and
carry out the actions (``bot.actions``) it returns. This package imports
nothing but the standard library and its own modules; storage is reached
through the ports in ``bot.ports``.
"""
