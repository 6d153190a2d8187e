"""The read-only web page of each collective and members' calendar feeds (``[web]`` in config.toml): an
adapter, like the chat platforms, reading through the same storage and never writing."""

from adapters.web.server import WebServer

__all__ = ["WebServer"]
