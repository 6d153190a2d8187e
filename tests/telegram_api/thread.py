"""The test server in a thread with its own event loop, for tests whose own thread must block."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import TelegramTestServer


class ServerThread:
    """Runs a TelegramTestServer in a thread with its own event loop.

    Any attribute of the server is reachable through this object: methods are run *in the server's loop*
    and their result returned (coroutines are awaited there), so ``thread.user_sends(...)`` blocks the
    calling thread until done; ``await thread.aio.user_sends(...)`` is the same from another event loop.
    """

    def __init__(self, server: TelegramTestServer | None = None, **options: Any):
        if server is None:
            from .server import TelegramTestServer  # the server module imports this one

            server = TelegramTestServer(**options)
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.aio = _AsyncProxy(self)

    def start(self) -> ServerThread:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as error:
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="telegram-test-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self.loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop = None
        self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def _submit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        assert self.loop is not None, "the server thread is not running"

        async def call() -> Any:
            result = function(*args, **kwargs)
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(call(), self.loop)

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``function(*args, **kwargs)`` in the server's loop and return its (awaited) result."""
        return self._submit(function, *args, **kwargs).result()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.server, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: self.call(attribute, *args, **kwargs)


class _AsyncProxy:
    def __init__(self, owner: ServerThread):
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._owner.server, name)
        if not callable(attribute):
            raise AttributeError(f"{name} is not a method; read it from the ServerThread")

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.wrap_future(self._owner._submit(attribute, *args, **kwargs))

        return call
