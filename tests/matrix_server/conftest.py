"""Fixtures: one real Synapse for the whole session, and logged-in nio test users on it.

`synapse` installs Synapse on first use (see synapse.py), starts it on 127.0.0.1, and stops it by PID when the
session ends. Tests share the server, so every test makes its own users (`make_matrix_user` gives each a new
localpart) and its own rooms.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from tests.matrix_server.synapse import SynapseServer, SynapseUnavailable, ensure_synapse
from tests.matrix_server.users import MatrixUser

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
async def make_matrix_user(synapse: SynapseServer) -> AsyncIterator[MakeMatrixUser]:
    """`await make_matrix_user("alice", admin=False)`: register a new account and log in as it."""
    users: list[MatrixUser] = []

    async def make(name: str = "user", *, admin: bool = False) -> MatrixUser:
        localpart = synapse.unique_localpart(name)
        password = f"{localpart}-password"
        user_id = await synapse.register(localpart, password, admin=admin)
        user = await MatrixUser.login(synapse.base_url, user_id, password)
        users.append(user)
        return user

    yield make
    for user in users:
        await user.close()
