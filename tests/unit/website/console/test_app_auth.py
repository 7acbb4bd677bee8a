"""Staff console sign-in: every route needs a session, cookies are locked down, failures are throttled.

The test client speaks plain http on 127.0.0.1, so local development's plain-http allowance is on
here (its jar would not send a Secure cookie back); the Secure default is tested in test_app_accounts.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

import pytest
from aiohttp.test_utils import TestClient

from bot.website.console.app import CONSOLE, LOGIN_COOKIE, SESSION_COOKIE
from tests.support.console import STAFF_PASSWORD, STAFF_USER, MakeClient, csrf_from, session_csrf, sign_in


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_COOKIE_INSECURE_LOCALHOST", "1")


# every GET route (and an unknown one): signed out, the browser is sent to the sign-in page
GET_ROUTES = [
    "/staff/",
    "/staff/?status=done",
    "/staff/r/HL-AAAA",
    "/staff/export.csv",
    "/staff/export.csv?status=done",
    "/staff/no-such-page",
]


@pytest.mark.parametrize("path", GET_ROUTES)
async def test_get_routes_redirect_to_sign_in(client: TestClient, path: str) -> None:
    response = await client.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/staff/login?next=")
    assert "Ann" not in await response.text()


# every POST route: signed out, refused outright
POST_ROUTES = ["/staff/logout", "/staff/r/HL-AAAA/claim", "/staff/r/HL-AAAA/done"]


@pytest.mark.parametrize("path", POST_ROUTES)
async def test_post_routes_refuse_without_session(client: TestClient, add_request: Callable[..., str], path: str) -> None:
    ref = add_request()
    response = await client.post(path.replace("HL-AAAA", ref), data={"csrf_token": "x", "note": "n"}, allow_redirects=False)
    assert response.status == 401


async def test_forged_session_cookie_is_refused(client: TestClient) -> None:
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: "forged-token"})
    response = await client.get("/staff/", allow_redirects=False)
    assert response.status == 303


async def test_bare_prefix_goes_to_queue(client: TestClient) -> None:
    response = await client.get("/staff", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/staff/"


async def test_sign_in_page_and_security_headers(client: TestClient) -> None:
    response = await client.get("/staff/login")
    assert response.status == 200
    html = await response.text()
    assert 'data-testid="login-form"' in html and 'type="password"' in html
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<script" not in html and "http://" not in html and "https://" not in html


async def test_sign_in_sets_a_locked_down_session_cookie(client: TestClient) -> None:
    response = await sign_in(client)
    assert response.status == 303 and response.headers["Location"] == "/staff/"
    cookie = response.cookies[SESSION_COOKIE]
    assert len(cookie.value) >= 43  # 256 bits, URL-safe base64
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/staff"
    assert not cookie["secure"]  # plain http on a loopback name, allowed for local development
    assert int(cookie["max-age"]) == 8 * 3600
    queue = await client.get("/staff/", allow_redirects=False)
    assert queue.status == 200
    assert f"Sign out {STAFF_USER}" in await queue.text()


async def test_cookie_secure_from_environment(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOKIE_SECURE", "1")
    client = await make_client()
    page = await client.get("/staff/login")
    assert page.cookies[LOGIN_COOKIE]["secure"] is True
    token = csrf_from(await page.text())
    # The test client (plain http) will not send Secure cookies back, so send it by hand.
    response = await client.post(
        "/staff/login",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": token},
        headers={"Cookie": f"{LOGIN_COOKIE}={token}"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.cookies[SESSION_COOKIE]["secure"] is True


# username, password, expected status
BAD_LOGINS = [
    (STAFF_USER, "wrong password", 401),
    ("joe", STAFF_PASSWORD, 401),
    (STAFF_USER.upper(), STAFF_PASSWORD, 401),
    ("", "", 401),
    (STAFF_USER, STAFF_PASSWORD + " ", 401),
]


@pytest.mark.parametrize("username, password, status", BAD_LOGINS)
async def test_failed_sign_in(client: TestClient, username: str, password: str, status: int) -> None:
    response = await sign_in(client, username, password)
    assert response.status == status
    assert SESSION_COOKIE not in response.cookies
    assert "Wrong username or password." in await response.text()
    assert (await client.get("/staff/", allow_redirects=False)).status == 303


async def test_sign_in_needs_the_form_token(client: TestClient) -> None:
    await client.get("/staff/login")
    response = await client.post(
        "/staff/login",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": "not-the-token"},
        allow_redirects=False,
    )
    assert response.status == 403 and SESSION_COOKIE not in response.cookies


async def test_sign_in_from_another_site_without_the_form_cookie_fails(make_client: MakeClient) -> None:
    client = await make_client()
    response = await client.post(
        "/staff/login",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": "guess"},
        allow_redirects=False,
    )
    assert response.status == 403


# requested next page, where we land after signing in
NEXT_CASES = [
    ("", "/staff/"),
    ("/staff/r/HL-AAAA", "/staff/r/HL-AAAA"),
    ("/staff/?status=done", "/staff/?status=done"),
    ("https://evil.example/", "/staff/"),
    ("//evil.example/staff/", "/staff/"),
    ("/elsewhere", "/staff/"),
    ("/staff/\\evil", "/staff/"),
]


@pytest.mark.parametrize("requested, landing", NEXT_CASES)
async def test_redirect_after_sign_in_stays_in_console(client: TestClient, requested: str, landing: str) -> None:
    response = await sign_in(client, next_path=requested)
    assert response.status == 303 and response.headers["Location"] == landing


async def test_sign_in_round_trip_keeps_the_requested_page(client: TestClient, add_request: Callable[..., str]) -> None:
    ref = add_request()
    first = await client.get(f"/staff/r/{ref}", allow_redirects=False)
    login_page = await client.get(first.headers["Location"])
    html = await login_page.text()
    assert f'name="next" value="/staff/r/{ref}"' in html
    response = await client.post(
        "/staff/login",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": csrf_from(html), "next": f"/staff/r/{ref}"},
        allow_redirects=False,
    )
    assert response.headers["Location"] == f"/staff/r/{ref}"


async def test_failures_are_throttled_per_username_and_address(client: TestClient) -> None:
    for _ in range(5):
        assert (await sign_in(client, password="nope")).status == 401
    blocked = await sign_in(client)  # even the right password waits now
    assert blocked.status == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in await blocked.text()
    assert (await sign_in(client, username="someone-else", password="nope")).status == 401


async def test_throttle_expires(client: TestClient) -> None:
    state = client.app[CONSOLE]
    now = [1_000_000.0]
    state.limiter.clock = lambda: now[0]
    for _ in range(5):
        await sign_in(client, password="nope")
    assert (await sign_in(client)).status == 429
    now[0] += 15 * 60 + 1
    assert (await sign_in(client)).status == 303


async def test_success_clears_earlier_failures(client: TestClient) -> None:
    for _ in range(4):
        await sign_in(client, password="nope")
    assert (await sign_in(client)).status == 303
    client.session.cookie_jar.clear()  # signed out again, same address
    for _ in range(4):
        assert (await sign_in(client, password="nope")).status == 401


async def test_sign_in_disabled_without_password_hash(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("STAFF_PASSWORD_HASH")
    with caplog.at_level(logging.WARNING, logger="bot.website.console.app"):
        client = await make_client()
    assert any("STAFF_PASSWORD_HASH is not set" in r.getMessage() for r in caplog.records)
    page = await client.get("/staff/login")  # and no account in the database either
    assert "not configured" in await page.text()
    for password in (STAFF_PASSWORD, "", "anything"):
        response = await client.post(
            "/staff/login", data={"username": STAFF_USER, "password": password, "csrf_token": "x"}, allow_redirects=False
        )
        assert response.status == 403 and SESSION_COOKIE not in response.cookies
    assert (await client.get("/staff/", allow_redirects=False)).status == 303


async def test_malformed_password_hash_disables_sign_in(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("STAFF_PASSWORD_HASH", "plaintext-password")
    with caplog.at_level(logging.WARNING, logger="bot.website.console.app"):
        client = await make_client()
    assert any("not a valid scrypt hash" in r.getMessage() for r in caplog.records)
    response = await client.post(
        "/staff/login",
        data={"username": STAFF_USER, "password": "plaintext-password", "csrf_token": "x"},
        allow_redirects=False,
    )
    assert response.status == 403 and SESSION_COOKIE not in response.cookies


async def test_logout_ends_the_session(staff: TestClient) -> None:
    token = await session_csrf(staff)
    old_cookie = staff.session.cookie_jar.filter_cookies(staff.make_url("/staff/"))[SESSION_COOKIE].value
    response = await staff.post("/staff/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/staff/login"
    assert (await staff.get("/staff/", allow_redirects=False)).status == 303
    # The old token is dead on the server, not just deleted in this browser.
    staff.session.cookie_jar.update_cookies({SESSION_COOKIE: old_cookie})
    assert (await staff.get("/staff/", allow_redirects=False)).status == 303


async def test_logout_needs_the_csrf_token(staff: TestClient) -> None:
    response = await staff.post("/staff/logout", data={"csrf_token": "wrong"}, allow_redirects=False)
    assert response.status == 403
    assert (await staff.get("/staff/", allow_redirects=False)).status == 200


async def test_sessions_expire_after_eight_hours_however_busy(staff: TestClient) -> None:
    state = staff.app[CONSOLE]
    assert len(state.sessions) == 1
    now = [time.time()]
    state.sessions.clock = lambda: now[0]
    for _ in range(8 * 6):  # a request every 10 minutes keeps it from going idle...
        assert (await staff.get("/staff/", allow_redirects=False)).status == 200
        now[0] += 10 * 60
    now[0] += 1  # ...but not past eight hours
    assert (await staff.get("/staff/", allow_redirects=False)).status == 303
    assert len(state.sessions) == 0


async def test_sessions_end_after_the_idle_limit(staff: TestClient) -> None:
    state = staff.app[CONSOLE]
    now = [time.time()]
    state.sessions.clock = lambda: now[0]
    now[0] += 30 * 60 - 1
    assert (await staff.get("/staff/", allow_redirects=False)).status == 200
    now[0] += 30 * 60 - 1  # measured from the last request, not from sign-in
    assert (await staff.get("/staff/", allow_redirects=False)).status == 200
    now[0] += 30 * 60
    response = await staff.get("/staff/r/HL-AAAA", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/staff/login?next=")
    assert len(state.sessions) == 0


async def test_signed_in_user_visiting_login_goes_to_queue(staff: TestClient) -> None:
    response = await staff.get("/staff/login", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/staff/"


async def test_log_lines_hold_no_credentials(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        await sign_in(client, password="nope")
        await sign_in(client)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert STAFF_PASSWORD not in text and "nope" not in text and STAFF_USER not in text
