"""Signing in to the staff console as a browser does, reading its CSRF tokens, and staff accounts
besides the one from the environment."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from aiohttp.test_utils import TestClient

from bot.website.console.passwords import hash_password

if TYPE_CHECKING:
    from bot.store import Store

STAFF_USER = "maria"
STAFF_PASSWORD = "correct horse battery staple"
# Cheap scrypt parameters keep the tests fast; the format and the code path are the real ones.
CHEAP_N = 2**10
STAFF_HASH = hash_password(STAFF_PASSWORD, n=CHEAP_N)


def password_of(username: str) -> str:
    """The password add_account gives `username`."""
    return f"{username}'s long password"


def add_account(store: "Store", username: str, *, admin: bool = False) -> str:
    """A staff account in the database (cheap hash); returns its password."""
    password = password_of(username)
    store.staff.add(username, hash_password(password, n=CHEAP_N), is_admin=admin)
    return password

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


MakeClient = Callable[..., Awaitable[TestClient]]


async def sign_in(
    client: TestClient, username: str = STAFF_USER, password: str = STAFF_PASSWORD, next_path: str = ""
) -> Any:
    """GET the form (for its token and cookie), then POST it; returns the POST response."""
    page = await client.get("/staff/login")
    token = csrf_from(await page.text())
    form = {"username": username, "password": password, "csrf_token": token, "next": next_path}
    return await client.post("/staff/login", data=form, allow_redirects=False)


async def session_csrf(client: TestClient) -> str:
    """The session's CSRF token, read from the queue page like a browser would."""
    page = await client.get("/staff/")
    return csrf_from(await page.text())
