"""Shared fixtures for tests of the bot package: a fresh, migrated database per test."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from bot.db import dispose_engine, downgrade, upgrade




@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file, migrated to head."""
    url = f"sqlite:///{tmp_path / 'test.sqlite'}"
    upgrade(url)
    yield url
    dispose_engine(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on SQLite and on a real PostgreSQL server (emptied first)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
        downgrade(url, "base")
    upgrade(url)
    yield url
    if request.param == "postgresql":
        downgrade(url, "base")
    dispose_engine(url)
