"""Storage on PostgreSQL: every test here runs on a fresh database in the throwaway cluster (``cluster`` and
``postgresql_url`` in tests/conftest.py, where the transcripts marked ``stores`` get it too)."""

from __future__ import annotations

import pytest


@pytest.fixture
def store() -> str:
    return "postgresql"
