"""Staff password hashes: scrypt, as "scrypt$n$r$p$salt_b64$hash_b64", in the staff accounts table
and in STAFF_PASSWORD_HASH (the first administrator).

The console never keeps a plain password at rest; `python -m bot.website.console.passwords` asks for
a password (not echoed) and prints the hash to put in the environment, and
`python -m bot.website.console.staff` stores the hashes of personal accounts.
"""
from __future__ import annotations

import base64
import binascii
import getpass
import hashlib
import hmac
import secrets
import sys
from typing import Callable, List, NamedTuple, Optional

SCHEME = "scrypt"
DEFAULT_N = 2**15
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 12
# Refuse absurd cost parameters in a configured hash rather than exhaust memory.
_MAX_N = 2**20
_MAX_RP = 32


class ScryptParams(NamedTuple):
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _maxmem(n: int, r: int, p: int) -> int:
    return 128 * r * (n + p + 2) + 1024 * 1024


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=_maxmem(n, r, p)
    )


def hash_password(password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """A salted scrypt hash of `password` in our text format."""
    if not password:
        raise ValueError("password must not be empty")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, n, r, p, KEY_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(key)}"


def parse_hash(encoded: str) -> Optional[ScryptParams]:
    """The parts of a hash string, or None if it is not one we can check."""
    parts = (encoded or "").strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if n < 2 or n & (n - 1) or n > _MAX_N or not 0 < r <= _MAX_RP or not 0 < p <= _MAX_RP:
        return None
    if len(salt) < 8 or len(key) < 16:
        return None
    return ScryptParams(n, r, p, salt, key)


def verify_password(password: str, encoded: str) -> bool:
    """True when `password` matches the hash; the comparison takes the same time either way."""
    params = parse_hash(encoded)
    if params is None or password is None:
        return False
    candidate = _derive(password, params.salt, params.n, params.r, params.p, len(params.key))
    return hmac.compare_digest(candidate, params.key)


def read_new_password(ask: Optional[Callable[[str], str]] = None) -> str:
    """A new password typed twice (getpass by default: not echoed); ValueError saying why when it is
    too short or the two differ."""
    ask = ask or getpass.getpass
    first = ask("New password: ")
    if len(first) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")
    if ask("Same password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def main(argv: Optional[List[str]] = None) -> int:
    """Ask for a password twice and print its hash for STAFF_PASSWORD_HASH."""
    try:
        password = read_new_password()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
