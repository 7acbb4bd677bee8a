"""Fixtures for the staff console: a migrated temp database, credentials in the environment,
an aiohttp test client, and a helper that signs in like a browser does."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, Optional

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.console.passwords import hash_password
from bot.db import dispose_engine, upgrade
from bot.storage import CallbackData, create_callback_request

STAFF_USER = "maria"
STAFF_PASSWORD = "correct horse battery staple"
# Cheap scrypt parameters keep the tests fast; the format and the code path are the real ones.
STAFF_HASH = hash_password(STAFF_PASSWORD, n=2**10)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'console.sqlite'}"
    upgrade(url)
    yield url
    dispose_engine(url)


@pytest.fixture
def staff_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Console credentials set, nothing else that changes behaviour."""
    monkeypatch.setenv("STAFF_USERNAME", STAFF_USER)
    monkeypatch.setenv("STAFF_PASSWORD_HASH", STAFF_HASH)
    for name in ("COOKIE_SECURE", "STAFF_WEBHOOK_URL", "STAFF_WEBHOOK_SECRET", "STAFF_CONSOLE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


MakeClient = Callable[..., Awaitable[TestClient]]


@pytest_asyncio.fixture
async def make_client(aiohttp_client: Any, db_url: str, staff_env: None) -> MakeClient:
    """Build an app the way the website does (the caller's app, console mounted) and a client."""
    from bot.console import setup_console

    async def build(url: Optional[str] = None) -> TestClient:
        app = web.Application()
        setup_console(app, db_url=url or db_url)
        return await aiohttp_client(app)

    return build


@pytest_asyncio.fixture
async def client(make_client: MakeClient) -> TestClient:
    return await make_client()


async def sign_in(
    client: TestClient, username: str = STAFF_USER, password: str = STAFF_PASSWORD, next_path: str = ""
) -> Any:
    """GET the form (for its token and cookie), then POST it; returns the POST response."""
    page = await client.get("/staff/login")
    token = csrf_from(await page.text())
    form = {"username": username, "password": password, "csrf_token": token, "next": next_path}
    return await client.post("/staff/login", data=form, allow_redirects=False)


@pytest_asyncio.fixture
async def staff(client: TestClient) -> TestClient:
    """A signed-in client."""
    response = await sign_in(client)
    assert response.status == 303, await response.text()
    return client


async def session_csrf(client: TestClient) -> str:
    """The session's CSRF token, read from the queue page like a browser would."""
    page = await client.get("/staff/")
    return csrf_from(await page.text())


@pytest.fixture
def add_request(db_url: str, sample_data: CallbackData) -> Callable[..., str]:
    """Store a request for a new conversation; returns its reference."""
    counter = iter(range(10_000))

    def add(**overrides: Any) -> str:
        return create_callback_request(
            f"conv-{next(counter)}", replace(sample_data, **overrides), "within about 2 hours", url=db_url
        ).ref

    return add
