"""The read-only web page and calendar feeds, served with aiohttp in the bot's own process.

- ``/p/{token}``: the page of the collective of the member the link was given to (``/page``);
  ``/c/{token}.ics``: their calendar feed (``/calendar``). A wrong or revoked token, and any other path, get
  the same bare 404: nothing tells a guess apart from a link that once worked.
- Every request reads in one read unit of work (``SqlUnitOfWork(read_only=True)`` through the ``reader``
  factory): a plain read transaction that never takes the write lock and never writes, run in a worker
  thread so the bot's loop is never blocked.
- The page is a Jinja2 template with autoescaping: whatever a member typed is shown as text.
- The page and the feed are read and written in the collective's language (``speaking``): the template's
  ``_``, ``ngettext`` and ``pgettext`` (``adapters.web.words``) are the catalog's. A miss (404) says the same
  in every language: it tells nothing about whose link it might have been."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from adapters.web.feed import calendar_feed
from adapters.web.pool_history import PoolHistory
from adapters.web.view import collective_page, scope_for
from adapters.web.words import TEMPLATE_GLOBALS
from bot.clock import Clock
from bot.language import speaking
from bot.ports import UnitOfWorkFactory
from bot.web_links import CALENDAR, PAGE, token_hash

log = logging.getLogger(__name__)

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.globals.update(TEMPLATE_GLOBALS)
# The page reads as a document: no script may run, nothing is fetched from elsewhere, and the link's token never
# leaves in a Referer header.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
}
NOT_FOUND = "Not found."


def not_found() -> web.Response:
    return web.Response(status=404, text=NOT_FOUND, headers={"Cache-Control": "no-store"})


@web.middleware
async def _same_not_found(request: web.Request, handler):
    """Every miss answers alike: an unknown path, a wrong method, a wrong or revoked token."""
    try:
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return not_found()


class WebPages:
    """The aiohttp application's handlers, reading through ``reader`` (read-only units of work)."""

    def __init__(self, reader: UnitOfWorkFactory, clock: Clock, host: str) -> None:
        self.reader = reader
        self.clock = clock
        self.host = host  # of [web] base_url: the calendar feeds' UIDs end with it
        self.pool_history = PoolHistory()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[_same_not_found])
        app.router.add_get("/p/{token}", self.page)
        app.router.add_get("/c/{token}.ics", self.calendar)
        return app

    async def page(self, request: web.Request) -> web.Response:
        html = await asyncio.to_thread(self.render_page, request.match_info["token"])
        if html is None:
            return not_found()
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=_HEADERS)

    async def calendar(self, request: web.Request) -> web.Response:
        feed = await asyncio.to_thread(self.render_calendar, request.match_info["token"])
        if feed is None:
            return not_found()
        return web.Response(body=feed, content_type="text/calendar", charset="utf-8", headers=_HEADERS)

    def render_page(self, token: str) -> str | None:
        with self.reader() as uow:
            member = uow.tokens.holder(token_hash(token), PAGE)
            if member is None:
                return None
            scope = scope_for(uow, uow.collectives.get(member.collective_id), self.clock.now())
            pool = self.pool_history.of(uow.ledger, member.collective_id)
            with speaking(scope.settings.language):
                page = collective_page(scope, scope.name(member), pool)
        with speaking(page.language):
            return _TEMPLATES.get_template("page.html").render(page=page)

    def render_calendar(self, token: str) -> bytes | None:
        with self.reader() as uow:
            member = uow.tokens.holder(token_hash(token), CALENDAR)
            if member is None:
                return None
            scope = scope_for(uow, uow.collectives.get(member.collective_id), self.clock.now())
            with speaking(scope.settings.language):
                return calendar_feed(scope, member, self.host)


class WebServer:
    """The pages served on ``listen`` (host, port) while the bot runs; port 0 takes a free one (``port``)."""

    def __init__(self, reader: UnitOfWorkFactory, clock: Clock, listen: tuple[str, int], base_url: str) -> None:
        self.pages = WebPages(reader, clock, urlsplit(base_url).hostname or "collective-bot")
        self.listen = listen
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(self.pages.app(), access_log=None)  # an access log would keep the tokens
        await self._runner.setup()
        site = web.TCPSite(self._runner, *self.listen)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("web: the read-only page is served on %s:%d", self.listen[0], self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
