"""Fixtures: one real Synapse for the whole session, and logged-in nio test users on it.

`synapse` installs Synapse on first use (see synapse.py), starts it on 127.0.0.1, and stops it by PID when the
session ends. Tests share the server, so every test makes its own users (`make_matrix_user` gives each a new
localpart) and its own rooms.

For the adapter's tests: `make_matrix_bot` starts the bot in-process (a MatrixAdapter on its own SQLite file and
fake clock), `make_member` makes a user with a display name, `collective_room` gathers them and the bot in a
room, and `RoomView` reads like a transcript of what one member sees there. `make_bot_on_both` starts a bot with
both adapters in one process — Matrix on the real Synapse, Telegram through the Bot API test server
(`telegram_server`) — on one SQLite file, for collectives and chats that span the two platforms.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nio import RoomMemberEvent, RoomMessageNotice
from telegram.ext import AIORateLimiter

from adapters.config import MatrixConfig, TelegramConfig
from adapters.matrix import MatrixAdapter
from adapters.runtime import Runtime
from adapters.telegram import TelegramAdapter
from adapters.telegram.limits import FLOOD_RETRIES
from adapters.wiring import core_for, open_storage
from bot.clock import FakeClock
from storage.adapter_state import AdapterState
from storage.engine import sqlite_url
from storage.outbox import OutboxStore
from tests.matrix_server.synapse import SynapseServer, SynapseUnavailable, ensure_synapse
from tests.matrix_server.users import MatrixTestError, MatrixUser
from tests.telegram_api import TelegramTestServer

MakeMatrixUser = Callable[..., Awaitable[MatrixUser]]


@pytest.fixture(scope="session")
def synapse_python() -> Path:
    """The python of the Synapse venv, installed there first if it is not yet."""
    try:
        return ensure_synapse()
    except SynapseUnavailable as unavailable:
        if os.environ.get("CI"):  # CI reaches the registry: not installing there is a failure, not a skip
            pytest.fail(str(unavailable), pytrace=False)
        pytest.skip(f"Synapse is not installed and the package registry is unreachable: {unavailable}")


@pytest.fixture(scope="session")
def synapse(synapse_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """A running Synapse on 127.0.0.1 for the whole session; its files and log are in its `workdir`."""
    server = SynapseServer(synapse_python, tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def make_matrix_user(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[MakeMatrixUser]:
    """`await make_matrix_user("alice", admin=False, encrypted=False)`: register a new account and log in as it
    (with end-to-end encryption on and its own store folder when `encrypted`)."""
    users: list[MatrixUser] = []

    async def make(name: str = "user", *, admin: bool = False, encrypted: bool = False) -> MatrixUser:
        localpart = synapse.unique_localpart(name)
        password = f"{localpart}-password"
        user_id = await synapse.register(localpart, password, admin=admin)
        store = None
        if encrypted:
            (store_path := tmp_path / f"{localpart}-store").mkdir()
            store = str(store_path)
        user = await MatrixUser.login(synapse.base_url, user_id, password, store_path=store)
        users.append(user)
        return user

    yield make
    for user in users:
        await user.close()


# --- the bot under test: an in-process MatrixAdapter on its own database -----------------------------------------

BOT_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


class RecordingRuntime(Runtime):
    """The real runtime, writing down every event an adapter hands it (to show what was, or was not, replayed)."""

    def __init__(self, core, outbox) -> None:
        super().__init__(core, outbox)
        self.events: list = []

    async def handle(self, event):
        self.events.append(event)
        return await super().handle(event)


@dataclass
class MatrixBot:
    """A bot account with its own SQLite database and fake clock, run as an in-process MatrixAdapter that can be
    stopped and started again on the same database (as a restart would)."""

    config: MatrixConfig
    db_path: Path
    options: dict = field(default_factory=dict)
    clock: FakeClock = field(default_factory=lambda: FakeClock(BOT_START))
    adapter: MatrixAdapter | None = None
    telegram: TelegramAdapter | None = None  # the same bot on Telegram too (``make_bot_on_both``)

    def __post_init__(self) -> None:
        self.engine = open_storage(sqlite_url(self.db_path))
        self.core = core_for(self.engine, self.clock)
        self.runtime = RecordingRuntime(self.core, OutboxStore(self.engine))
        self.state = AdapterState(self.engine, "matrix")

    @property
    def user_id(self) -> str:
        return self.config.user_id

    async def start(self, **options) -> MatrixBot:
        self.options.update(options)
        self.adapter = MatrixAdapter(self.config, self.runtime, self.state, **self.options)
        self.runtime.add(self.adapter)
        await self.adapter.start()
        if not self.runtime.started:  # (restarted, the runtime resumes the new adapter's sender by itself)
            await self.runtime.start()
        return self

    async def stop(self) -> None:
        if self.adapter is not None:
            await self.adapter.stop()
            self.adapter = None

    async def tick(self, duration: timedelta) -> None:
        """The clock moves on and whatever fell due is carried out (the alarm's job in `collective-bot run`)."""
        self.clock.advance(duration)
        await self.runtime.deliver(await asyncio.to_thread(self.core.tick))

    def handled(self) -> list[str]:
        """The event ids (message refs) handed to the core so far, in order."""
        return [event.message_ref for event in self.runtime.events]


MakeMatrixBot = Callable[..., Awaitable[MatrixBot]]


@pytest.fixture
async def make_matrix_bot(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[MakeMatrixBot]:
    """`await make_matrix_bot(invite_allowlist=[...])`: register a bot account and start a MatrixAdapter for it."""
    bots: list[MatrixBot] = []

    async def make(**options) -> MatrixBot:
        localpart = synapse.unique_localpart("collectivebot")
        password = f"{localpart}-password"
        user_id = await synapse.register(localpart, password)
        config = MatrixConfig(
            synapse.base_url, user_id, password=password, store_path=str(tmp_path / f"{localpart}-store")
        )
        bot = MatrixBot(config, tmp_path / f"{localpart}.db", {"sync_timeout_ms": 5_000, **options})
        bots.append(bot)
        return await bot.start()

    yield make
    for bot in bots:
        await bot.stop()
        bot.engine.dispose()


@pytest.fixture
async def telegram_server() -> AsyncIterator[TelegramTestServer]:
    """The Bot API test server on 127.0.0.1, for a bot on both platforms."""
    async with TelegramTestServer() as running:
        yield running


@pytest.fixture
async def make_bot_on_both(make_matrix_bot, telegram_server: TelegramTestServer) -> AsyncIterator[MakeMatrixBot]:
    """`await make_bot_on_both()`: a MatrixBot whose runtime also runs a TelegramAdapter against `telegram_server`
    (`bot.telegram`): one process, one SQLite file, one fake clock, both platforms."""
    started: list[TelegramAdapter] = []

    async def make(**options) -> MatrixBot:
        bot = await make_matrix_bot(**options)
        config = TelegramConfig(telegram_server.token, telegram_server.base_url)
        # PTB's own limiter, as in tests/telegram, but without a group's 20 a minute: a transcript's messages go
        # through at once (these tests are about both platforms; tests/telegram keep Telegram's limits).
        limiter = AIORateLimiter(group_max_rate=1000, max_retries=FLOOD_RETRIES)
        bot.telegram = TelegramAdapter(config, bot.runtime, rate_limiter=limiter)
        bot.runtime.add(bot.telegram)
        await bot.telegram.start()
        await telegram_server.wait_for_polling()
        started.append(bot.telegram)
        return bot

    yield make
    for adapter in started:
        await adapter.stop()
    assert telegram_server.internal_errors == []


@pytest.fixture
async def make_member(make_matrix_user) -> MakeMatrixUser:
    """`await make_member("Alice", encrypted=False)`: a new account whose display name is "Alice"."""

    async def make(name: str, *, encrypted: bool = False) -> MatrixUser:
        user = await make_matrix_user(name.lower(), encrypted=encrypted)
        await user.client.set_displayname(name)
        return user

    return make


async def wait_for_join(user: MatrixUser, room_id: str, joiner: str, timeout: float = 10.0) -> None:
    await user.wait_for_event(
        room_id,
        lambda e: e.membership == "join" and e.state_key == joiner,
        kind=RoomMemberEvent,
        timeout=timeout,
    )


async def collective_room(
    bot: MatrixBot, creator: MatrixUser, *others: MatrixUser, name: str = "Collective", encrypted: bool = False
) -> str:
    """`creator` makes a room (with encryption in its initial state if `encrypted`) and invites the bot and
    `others`; the bot joins by itself, the others join."""
    room_id = await creator.create_room(
        invite=[bot.user_id, *(o.user_id for o in others)], name=name, encrypted=encrypted
    )
    for other in others:
        await other.join(await other.wait_for_invite(room_id))
    await wait_for_join(creator, room_id, bot.user_id)
    return room_id


def at_the_door(bot: MatrixBot, monkeypatch, waits: Callable[[object], bool]) -> tuple[asyncio.Event, asyncio.Event]:
    """The bot's events for which ``waits(event)`` is true wait before the core until ``door`` opens; ``knocked``
    is set once the first has come (the bot is busy with it). Returns ``(door, knocked)``."""
    door, knocked = asyncio.Event(), asyncio.Event()
    handle = bot.runtime.handle

    async def waiting(event):
        if waits(event):
            knocked.set()
            await door.wait()
        return await handle(event)

    monkeypatch.setattr(bot.runtime, "handle", waiting)
    return door, knocked


def is_edit(event) -> bool:
    return event.source["content"].get("m.relates_to", {}).get("rel_type") == "m.replace"


@dataclass
class RoomView:
    """A room as one member (`observer`) sees it: what members say there, and what the bot (anything with the
    bot's `user_id`: a MatrixBot, a bot process) says back."""

    bot: MatrixBot
    room_id: str
    observer: MatrixUser

    async def message(self, timeout: float = 10.0) -> RoomMessageNotice:
        """The bot's next message here (its edits are waited for apart, with `edit`)."""
        return await self.observer.wait_for_event(
            self.room_id, lambda e: not is_edit(e), kind=RoomMessageNotice, sender=self.bot.user_id, timeout=timeout
        )

    async def says(self, timeout: float = 10.0) -> str:
        return (await self.message(timeout)).body

    async def edit(self, of: str | None = None, ending: str | None = None) -> RoomMessageNotice:
        """The bot's next edit here; with `of`, the next edit of that message, and with `ending`, the first whose
        text ends so (tally edits are coalesced: an intermediate one may never be sent)."""

        def wanted(event) -> bool:
            if not is_edit(event):
                return False
            if of is not None and event.source["content"].get("m.relates_to", {}).get("event_id") != of:
                return False
            return ending is None or event.body.endswith(ending)

        return await self.observer.wait_for_event(self.room_id, wanted, kind=RoomMessageNotice, sender=self.bot.user_id)

    async def say(self, speaker: MatrixUser, text: str, *, reply_to: str | None = None) -> str:
        """`speaker` writes `text`; the bot's answer."""
        await speaker.send_text(self.room_id, text, reply_to=reply_to)
        return await self.says()

    async def settled(self) -> None:
        """Everything members sent anywhere before this call has been handled by the bot: two round trips here
        (the first answer may come from the batch that held the earlier events; the second comes from a later
        batch, so by then the bot has read them), then — rooms being handled side by side — until a bot in this
        process has handled all it read (a bot process handles its batches in full before it stops)."""
        for _ in range(2):
            await self.say(self.observer, "!help join")
        runtime = getattr(self.bot, "runtime", None)
        if runtime is not None:
            await runtime.idle()

    async def nothing_more(self) -> None:
        """The bot said nothing here that was not waited for already (call after `settled`)."""
        await self.observer.sync(0)
        with pytest.raises(MatrixTestError):
            await self.message(timeout=0)


async def adopt(group: RoomView, proposer: MatrixUser, command: str, voters: list[MatrixUser]) -> str:
    """`proposer` opens a proposal with `command` (a role with powers, a setting); every voter agrees and the
    proposer closes it once all have responded. Returns the outcome; what it brought follows as messages."""
    opened = await group.say(proposer, command)
    number = opened.split("#", 1)[1].split(" ", 1)[0]
    for voter in voters:
        agreed = await group.say(voter, f"!agree {number}")
        assert " agrees with #" in agreed, agreed
    closed = await group.say(proposer, f"!close {number}")
    assert "— adopted." in closed, closed
    return closed
