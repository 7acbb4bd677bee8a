"""Fixtures for channel tests: a migrated temp database, a local fake of Twilio's API, Sanic test mode."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the project root is importable however pytest is started
    sys.path.insert(0, str(ROOT))

from sanic import Sanic  # noqa: E402

from bot.db import dispose_engine, upgrade  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL pointing to a fresh, migrated SQLite file."""
    url = f"sqlite:///{tmp_path / 'iop.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    yield url
    dispose_engine(url)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def sanic_test_mode() -> Iterator[None]:
    """configure_app names every app the same; Sanic allows that only in test mode."""
    previous = Sanic.test_mode
    Sanic.test_mode = True
    yield
    Sanic.test_mode = previous


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    """A SQLite file for Rasa's SQL tracker store (it survives a simulated restart)."""
    return tmp_path / "tracker.sqlite"
