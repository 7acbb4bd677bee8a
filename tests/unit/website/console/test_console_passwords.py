"""Password hashes, sessions and sign-in throttling, as plain functions."""
from __future__ import annotations

from typing import List

import pytest

from bot.website.console import passwords
from bot.website.console.passwords import hash_password, parse_hash, verify_password
from bot.website.console.security import LoginLimiter, SessionStore

CHEAP = 2**10
GOOD = hash_password("correct horse battery staple", n=CHEAP)


def test_hash_format() -> None:
    parts = GOOD.split("$")
    assert parts[0] == "scrypt" and parts[1:4] == [str(CHEAP), "8", "1"] and len(parts) == 6
    assert hash_password("same", n=CHEAP) != hash_password("same", n=CHEAP)  # salted


def test_default_cost_round_trip() -> None:
    encoded = hash_password("a long enough password")
    assert encoded.startswith("scrypt$32768$8$1$")
    assert verify_password("a long enough password", encoded)


# password, hash, expected
VERIFY_CASES = [
    ("correct horse battery staple", GOOD, True),
    ("correct horse battery stapl", GOOD, False),
    ("Correct horse battery staple", GOOD, False),
    ("", GOOD, False),
    ("correct horse battery staple", "", False),
    ("correct horse battery staple", "plaintext", False),
    ("correct horse battery staple", GOOD.replace("scrypt$", "bcrypt$"), False),
    ("correct horse battery staple", "scrypt$1000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==", False),  # n not 2^k
    ("correct horse battery staple", f"scrypt${2**24}$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==", False),  # too costly
    ("correct horse battery staple", "scrypt$1024$8$1$!!!$AAAA", False),
]


@pytest.mark.parametrize("password, encoded, expected", VERIFY_CASES)
def test_verify_password(password: str, encoded: str, expected: bool) -> None:
    assert verify_password(password, encoded) is expected


def test_parse_hash() -> None:
    params = parse_hash(GOOD)
    assert params is not None and params.n == CHEAP and len(params.salt) == 16 and len(params.key) == 32
    assert parse_hash("scrypt$1024$8$1$c2FsdA==$a2V5") is None  # salt and key too short


def test_empty_password_cannot_be_hashed() -> None:
    with pytest.raises(ValueError):
        hash_password("")


# answers typed at the two prompts, exit code, printed a hash
CLI_CASES = [
    (["a long enough password", "a long enough password"], 0, True),
    (["a long enough password", "a different password!"], 1, False),
    (["short", "short"], 1, False),
]


@pytest.mark.parametrize("answers, code, printed", CLI_CASES)
def test_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, answers: List[str], code: int, printed: bool
) -> None:
    typed = iter(answers)
    monkeypatch.setattr(passwords.getpass, "getpass", lambda prompt="": next(typed))
    assert passwords.main() == code
    out = capsys.readouterr().out.strip()
    if printed:
        assert verify_password(answers[0], out)
        assert answers[0] not in out
    else:
        assert out == ""


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


