"""Staff sessions (absolute and idle expiry), sign-in throttling and the cookie Secure decision, as
plain functions on a fake clock."""
from __future__ import annotations

from typing import List, Optional, Tuple

import pytest

from bot.website.console.security import LoginLimiter, SessionStore, cookie_secure, host_name, is_proxied


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_sessions() -> None:
    clock = FakeClock()
    store = SessionStore(clock=clock)
    token, session = store.create("maria", is_admin=True)
    assert len(token) >= 43 and session.csrf_token != token
    assert session.username == "maria" and session.is_admin
    assert store.get(token) is session
    assert store.get("other") is None and store.get(None) is None and store.get("x" * 500) is None


MINUTE = 60
HOUR = 60 * MINUTE

# seconds between sign-in and each request (the last one is the one checked), idle limit, still live
EXPIRY_CASES: List[Tuple[List[int], int, bool]] = [
    ([30 * MINUTE - 1], 30 * MINUTE, True),
    ([30 * MINUTE], 30 * MINUTE, False),  # idle limit reached
    ([20 * MINUTE, 40 * MINUTE], 30 * MINUTE, True),  # measured from the last request
    ([20 * MINUTE, 50 * MINUTE + 1], 30 * MINUTE, False),
    ([5 * MINUTE - 1], 5 * MINUTE, True),  # STAFF_IDLE_MINUTES=5
    ([5 * MINUTE], 5 * MINUTE, False),
    ([m * 20 * MINUTE for m in range(1, 24)] + [8 * HOUR - 1], 30 * MINUTE, True),  # busy all day
    ([m * 20 * MINUTE for m in range(1, 25)], 30 * MINUTE, False),  # ...never past eight hours
    ([8 * HOUR - 1], 9 * HOUR, True),  # a long idle limit still ends at eight hours
    ([8 * HOUR], 9 * HOUR, False),
]


@pytest.mark.parametrize("requests, idle, live", EXPIRY_CASES)
def test_session_expiry(requests: List[int], idle: int, live: bool) -> None:
    clock = FakeClock()
    start = clock.now
    store = SessionStore(clock=clock, idle=idle)
    token, session = store.create("maria")
    for at in requests[:-1]:
        clock.now = start + at
        assert store.get(token) is session
    clock.now = start + requests[-1]
    assert (store.get(token) is session) is live
    assert len(store) == (1 if live else 0)


def test_expired_sessions_are_purged_when_others_sign_in() -> None:
    clock = FakeClock()
    store = SessionStore(clock=clock, idle=30 * MINUTE)
    store.create("maria")
    clock.now += 30 * MINUTE
    store.create("joe")
    assert len(store) == 1


# Host header, expected name
HOST_CASES = [
    ("localhost:8080", "localhost"),
    ("LOCALHOST", "localhost"),
    ("localhost.", "localhost"),
    ("127.0.0.1:8080", "127.0.0.1"),
    ("[::1]:8080", "::1"),
    ("[::1]", "::1"),
    ("::1", "::1"),
    ("staff.example.org:443", "staff.example.org"),
    ("", ""),
    (None, ""),
    ("[::1", ""),
]


@pytest.mark.parametrize("host, name", HOST_CASES)
def test_host_name(host: Optional[str], name: str) -> None:
    assert host_name(host) == name


# COOKIE_SECURE set, https, STAFF_COOKIE_INSECURE_LOCALHOST set, Host header, Secure flag
SECURE_CASES = [
    (False, False, False, "localhost:8080", True),  # secure by default, even on localhost
    (False, False, False, "staff.example.org", True),
    (False, False, True, "localhost:8080", False),  # local development, explicitly allowed
    (False, False, True, "127.0.0.1:8080", False),
    (False, False, True, "[::1]:8080", False),
    (False, False, True, "staff.example.org", True),  # allowance only for loopback names
    (False, False, True, "192.168.1.20:8080", True),
    (False, False, True, "127.0.0.2:8080", True),
    (False, False, True, "localhost.example.org", True),
    (False, False, True, "", True),
    (False, True, True, "localhost:8080", True),  # https: always
    (True, False, True, "localhost:8080", True),  # COOKIE_SECURE forces it
    (True, False, False, "staff.example.org", True),
]


@pytest.mark.parametrize("forced, https, insecure_localhost, host, secure", SECURE_CASES)
def test_cookie_secure(forced: bool, https: bool, insecure_localhost: bool, host: str, secure: bool) -> None:
    assert cookie_secure(forced=forced, https=https, insecure_localhost=insecure_localhost, host=host) is secure
    # through a proxy (which may pass Host as 127.0.0.1), always Secure
    assert cookie_secure(forced=forced, https=https, insecure_localhost=insecure_localhost, host=host, proxied=True)


@pytest.mark.parametrize(
    "headers, remote, proxied",
    [({}, "127.0.0.1", False), ({}, "::1", False), ({}, "10.0.0.5", True), ({}, None, True),
     ({"X-Forwarded-For": "203.0.113.9"}, "127.0.0.1", True), ({"X-Forwarded-Proto": "https"}, "127.0.0.1", True),
     ({"Forwarded": "for=203.0.113.9;proto=https"}, "127.0.0.1", True), ({"X-Real-IP": "1.2.3.4"}, "::1", True)],
)
def test_is_proxied(headers: dict, remote, proxied: bool) -> None:
    assert is_proxied(headers, remote) is proxied


def test_session_tokens_are_unique_and_deletable() -> None:
    store = SessionStore()
    tokens = {store.create("maria")[0] for _ in range(100)}
    assert len(tokens) == 100
    some = next(iter(tokens))
    store.delete(some)
    store.delete(None)
    assert store.get(some) is None and len(store) == 99


# failures so far, seconds later, expected wait > 0
LIMIT_CASES: List[tuple] = [
    (4, 0, False),
    (5, 0, True),
    (5, 15 * 60 - 1, True),
    (5, 15 * 60 + 1, False),
    (9, 0, True),
]


@pytest.mark.parametrize("failures, later, blocked", LIMIT_CASES)
def test_login_limiter(failures: int, later: int, blocked: bool) -> None:
    clock = FakeClock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(failures):
        limiter.failed("maria|127.0.0.1")
    clock.now += later
    assert (limiter.retry_after("maria|127.0.0.1") > 0) is blocked
    assert limiter.retry_after("joe|127.0.0.1") == 0


def test_login_limiter_forgets_after_success() -> None:
    limiter = LoginLimiter(clock=FakeClock())
    for _ in range(5):
        limiter.failed("k")
    limiter.succeeded("k")
    assert limiter.retry_after("k") == 0


def test_login_limiter_memory_is_bounded() -> None:
    limiter = LoginLimiter(clock=FakeClock())
    for i in range(10_050):
        limiter.failed(f"user{i}|ip")
    assert len(limiter._failures) <= 10_001


