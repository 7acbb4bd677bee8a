"""Password hashes and the command that makes one, as plain functions."""
from __future__ import annotations

from typing import List

import pytest

from bot.website.console import passwords
from bot.website.console.passwords import hash_password, parse_hash, verify_password

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
