"""Personal accounts in the console: the first administrator from the environment, sign-in against
the database, disabled accounts and reset passwords ending sessions, the administrator role,
claims in each person's name, Secure cookies and the idle limit from the environment."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Optional

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import update

from bot.store import Store
from bot.store.db import upgrade
from bot.store.models import StaffAccount
from bot.website.console.app import CONSOLE, LOGIN_COOKIE, SESSION_COOKIE
from bot.website.console.passwords import hash_password
from tests.support.console import (
    CHEAP_N, STAFF_HASH, STAFF_PASSWORD, STAFF_USER, MakeClient, add_account, csrf_from, session_csrf, sign_in,
)

WRONG = "Wrong username or password."


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test client speaks plain http to 127.0.0.1: allow the session cookie there."""
    monkeypatch.setenv("STAFF_COOKIE_INSECURE_LOCALHOST", "1")


async def signed_in(make_client: MakeClient, username: str, password: str) -> TestClient:
    client = await make_client()
    response = await sign_in(client, username, password)
    assert response.status == 303, await response.text()
    return client


# --- the first administrator ---------------------------------------------------------------


async def test_environment_login_becomes_the_first_administrator(make_client: MakeClient, store: Store) -> None:
    await make_client()
    credentials = store.staff.credentials(STAFF_USER)
    assert credentials is not None and credentials.password_hash == STAFF_HASH
    assert credentials.account.is_admin and not credentials.account.disabled
    await make_client()  # a restart with the same settings changes nothing
    assert [(e.username, e.action, e.detail) for e in store.audit.recent()] == [
        ("settings:STAFF_USERNAME", "account_add_admin", STAFF_USER)
    ]


async def test_environment_hash_replaces_an_older_one(make_client: MakeClient, store: Store) -> None:
    store.staff.add(STAFF_USER, hash_password("the old long password", n=CHEAP_N))
    client = await make_client()
    account = store.staff.get(STAFF_USER)
    assert account is not None and account.is_admin
    assert (await sign_in(client, STAFF_USER, "the old long password")).status == 401
    assert (await sign_in(client)).status == 303
    assert store.audit.recent()[-1].action == "account_reset"


async def test_first_administrator_waits_for_the_database(make_client: MakeClient, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'late.sqlite'}"  # not migrated yet when the website starts
    client = await make_client(url)
    assert client.app[CONSOLE].first_admin_pending
    upgrade(url)
    assert (await sign_in(client)).status == 303
    assert not client.app[CONSOLE].first_admin_pending


async def test_accounts_in_the_database_can_sign_in_without_environment_login(
    make_client: MakeClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STAFF_PASSWORD_HASH")
    password = add_account(store, "alice")
    client = await make_client()
    page = await (await client.get("/staff/login")).text()
    assert 'data-testid="login-form"' in page
    assert (await sign_in(client, STAFF_USER, STAFF_PASSWORD)).status == 401
    assert (await sign_in(client, "alice", password)).status == 303
    assert "Sign out alice" in await (await client.get("/staff/")).text()


# --- signing in and staying signed in ------------------------------------------------------


async def test_disabled_account_is_refused_like_a_wrong_password(make_client: MakeClient, store: Store) -> None:
    password = add_account(store, "alice")
    store.staff.disable("alice")
    client = await make_client()
    disabled = await sign_in(client, "alice", password)
    wrong = await sign_in(client, "alice", "not the password")
    assert disabled.status == wrong.status == 401
    assert WRONG in await disabled.text() and WRONG in await wrong.text()
    assert SESSION_COOKIE not in disabled.cookies
    store.staff.enable("alice")
    assert (await sign_in(client, "alice", password)).status == 303


# how the account changes while its session is open
SESSION_ENDERS = {
    "disabled": lambda store: store.staff.disable("alice"),
    "password reset": lambda store: store.staff.set_password("alice", hash_password("a new long password", n=CHEAP_N)),
}


@pytest.mark.parametrize("change", SESSION_ENDERS)
async def test_open_sessions_end_at_their_next_request(
    make_client: MakeClient, store: Store, add_request: Callable[..., str], change: str
) -> None:
    client = await signed_in(make_client, "alice", add_account(store, "alice"))
    ref = add_request()
    token = await session_csrf(client)
    SESSION_ENDERS[change](store)
    response = await client.post(f"/staff/r/{ref}/claim", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 401
    assert store.callbacks.get(ref).status == "new"  # type: ignore[union-attr]
    store.staff.enable("alice")  # enabling again does not bring the old session back
    response = await client.get("/staff/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/staff/login")
    assert len(client.app[CONSOLE].sessions) == 0


async def test_claims_are_in_each_persons_name(
    make_client: MakeClient, store: Store, add_request: Callable[..., str]
) -> None:
    alice = await signed_in(make_client, "alice", add_account(store, "alice"))
    bob = await signed_in(make_client, "bob", add_account(store, "bob"))
    ref = add_request()
    bob_page = await (await bob.get(f"/staff/r/{ref}")).text()
    assert 'data-testid="claim-button"' in bob_page  # both see it new...
    claimed = await alice.post(f"/staff/r/{ref}/claim", data={"csrf_token": await session_csrf(alice)})
    assert claimed.status == 200 and "Claimed. The caller is yours." in await claimed.text()
    refused = await bob.post(f"/staff/r/{ref}/claim", data={"csrf_token": csrf_from(bob_page)})
    assert refused.status == 409  # ...but only the first claim counts
    html = await refused.text()
    assert f"Not changed: {ref} is already claimed by alice." in html
    assert 'data-testid="claim-button"' not in html and "claimed by alice" in html
    record = store.callbacks.get(ref)
    assert record is not None and record.claimed_by == "alice"


# --- the administrator role ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/audit", "/staff/accounts"])
async def test_administrator_pages_are_refused_to_staff(make_client: MakeClient, store: Store, path: str) -> None:
    alice = await signed_in(make_client, "alice", add_account(store, "alice"))
    response = await alice.get(path)
    assert response.status == 403
    html = await response.text()
    assert "This page is for administrators." in html and 'data-testid="audit-row"' not in html
    queue = await (await alice.get("/staff/")).text()
    assert 'data-testid="nav-audit"' not in queue and 'data-testid="nav-accounts"' not in queue


async def test_administrators_see_their_pages_and_the_role_follows_the_account(
    make_client: MakeClient, store: Store
) -> None:
    admin = await signed_in(make_client, STAFF_USER, STAFF_PASSWORD)
    queue = await (await admin.get("/staff/")).text()
    assert 'href="/staff/audit" data-testid="nav-audit">Audit log<' in queue
    assert 'href="/staff/accounts" data-testid="nav-accounts">Accounts<' in queue
    assert (await admin.get("/staff/audit")).status == 200
    with store.session() as session:
        session.execute(update(StaffAccount).where(StaffAccount.username == STAFF_USER).values(is_admin=False))
    assert (await admin.get("/staff/audit")).status == 403


# --- settings: Secure cookies and the idle limit -------------------------------------------


async def _login_cookie_secure(client: TestClient, host: Optional[str] = None) -> bool:
    headers = {"Host": host} if host else None
    return bool((await client.get("/staff/login", headers=headers)).cookies[LOGIN_COOKIE]["secure"])


async def test_cookies_are_secure_by_default(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STAFF_COOKIE_INSECURE_LOCALHOST")
    client = await make_client()
    page = await client.get("/staff/login")
    assert page.cookies[LOGIN_COOKIE]["secure"] is True  # even on plain http to 127.0.0.1
    token = csrf_from(await page.text())
    response = await client.post(  # the test client's jar keeps Secure cookies to itself over http
        "/staff/login",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": token},
        headers={"Cookie": f"{LOGIN_COOKIE}={token}"},
        allow_redirects=False,
    )
    assert response.status == 303 and response.cookies[SESSION_COOKIE]["secure"] is True


# STAFF_COOKIE_INSECURE_LOCALHOST, COOKIE_SECURE, Host header (None: the test server's), Secure
COOKIE_CASES = [
    ("1", None, None, False),
    ("1", None, "localhost:8080", False),
    ("1", None, "[::1]:8080", False),
    ("1", None, "staff.example.org", True),
    ("1", "1", None, True),
    ("0", None, None, True),
    ("", None, None, True),
    (None, "0", None, True),
]


@pytest.mark.parametrize("insecure, forced, host, secure", COOKIE_CASES)
async def test_cookie_settings(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch,
    insecure: Optional[str], forced: Optional[str], host: Optional[str], secure: bool,
) -> None:
    for name, value in (("STAFF_COOKIE_INSECURE_LOCALHOST", insecure), ("COOKIE_SECURE", forced)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert await _login_cookie_secure(await make_client(), host) is secure


# STAFF_IDLE_MINUTES, idle limit in seconds, warned
IDLE_CASES = [(None, 1800, False), ("5", 300, False), (" 90 ", 5400, False), ("", 1800, False),
              ("0", 1800, True), ("-3", 1800, True), ("half an hour", 1800, True)]


@pytest.mark.parametrize("value, seconds, warned", IDLE_CASES)
async def test_idle_minutes_setting(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    value: Optional[str], seconds: int, warned: bool,
) -> None:
    if value is None:
        monkeypatch.delenv("STAFF_IDLE_MINUTES", raising=False)
    else:
        monkeypatch.setenv("STAFF_IDLE_MINUTES", value)
    with caplog.at_level(logging.WARNING, logger="bot.website.console.app"):
        client = await make_client()
    assert client.app[CONSOLE].sessions.idle == seconds
    assert client.app[CONSOLE].sessions.ttl == 8 * 3600
    assert any("STAFF_IDLE_MINUTES" in r.getMessage() for r in caplog.records) is warned
