"""Staff sessions and sign-in throttling, as plain functions on a fake clock."""
from __future__ import annotations

from typing import List

import pytest

from bot.website.console.security import LoginLimiter, SessionStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_sessions() -> None:
    clock = FakeClock()
    store = SessionStore(clock=clock)
    token, session = store.create("maria")
    assert len(token) >= 43 and session.csrf_token != token
    assert store.get(token) is session
    assert store.get("other") is None and store.get(None) is None and store.get("x" * 500) is None
    clock.now += 8 * 3600 - 1
    assert store.get(token) is session
    clock.now += 2
    assert store.get(token) is None and len(store) == 0


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


