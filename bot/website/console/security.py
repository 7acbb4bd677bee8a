"""Staff sessions, login throttling and the Secure decision for console cookies.

Sessions are server-side and kept in memory: the cookie holds only a random 256-bit token, and we
keep its SHA-256, so nothing in memory can be replayed as a cookie. A session ends 8 hours after
sign-in, or sooner after a spell without any request (a screen left open at the front desk). A
restart signs everyone out, which is acceptable for a small admissions team.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Deque, Dict, Mapping, Optional, Tuple

SESSION_TTL_SECONDS = 8 * 60 * 60
DEFAULT_IDLE_MINUTES = 30
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
# Host names that can only mean this very machine: the only place a cookie may travel over plain http.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

Clock = Callable[[], float]


def new_token() -> str:
    """A random 256-bit token, URL-safe."""
    return secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def host_name(host: Optional[str]) -> str:
    """The name in a Host header, without port, brackets or a trailing dot, lower case."""
    value = (host or "").strip().lower()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def cookie_secure(
    *, forced: bool, https: bool, insecure_localhost: bool, host: Optional[str], proxied: bool = False
) -> bool:
    """Whether a console cookie gets the Secure flag: always, unless local development asked for
    plain http (STAFF_COOKIE_INSECURE_LOCALHOST) on a loopback name, with nothing forcing it.

    `proxied`: the request came through a proxy (forwarding headers, or from another machine). A TLS
    proxy in front of the website often passes Host as 127.0.0.1, so a proxied request is never local.
    """
    if forced or https or proxied:
        return True
    return not (insecure_localhost and host_name(host) in LOOPBACK_HOSTS)


FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP")


def is_proxied(headers: Mapping[str, str], remote: Optional[str]) -> bool:
    """Forwarding headers present, or the peer is not this machine."""
    if any(name in headers for name in FORWARDING_HEADERS):
        return True
    return host_name(remote or "") not in LOOPBACK_HOSTS


@dataclass
class StaffSession:
    """A signed-in staff member. `password_stamp` is when the account's password last changed: a
    later change (a reset) ends the session; `is_admin` follows the account on every request."""

    username: str
    csrf_token: str
    expires_at: float
    last_seen: float
    is_admin: bool = False
    password_stamp: Optional[dt.datetime] = None


@dataclass
class SessionStore:
    """Session tokens (by hash): a fixed lifetime from sign-in, and an idle limit between requests."""

    ttl: float = SESSION_TTL_SECONDS
    idle: float = DEFAULT_IDLE_MINUTES * 60
    clock: Clock = time.time
    _sessions: Dict[str, StaffSession] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(
        self, username: str, *, is_admin: bool = False, password_stamp: Optional[dt.datetime] = None
    ) -> Tuple[str, StaffSession]:
        """Start a session; returns the cookie token and the session."""
        token, now = new_token(), self.clock()
        session = StaffSession(
            username=username, csrf_token=new_token(), expires_at=now + self.ttl, last_seen=now,
            is_admin=is_admin, password_stamp=password_stamp,
        )
        with self._lock:
            self._purge()
            self._sessions[_digest(token)] = session
        return token, session

    def get(self, token: Optional[str]) -> Optional[StaffSession]:
        """The live session for a cookie token, or None; a live session counts this as activity."""
        if not token or len(token) > 200:
            return None
        key = _digest(token)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            now = self.clock()
            if self._ended(session, now):
                del self._sessions[key]
                return None
            session.last_seen = now
            return session

    def delete(self, token: Optional[str]) -> None:
        """End a session (logout, or its account was disabled)."""
        if token:
            with self._lock:
                self._sessions.pop(_digest(token), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _ended(self, session: StaffSession, now: float) -> bool:
        return session.expires_at <= now or session.last_seen + self.idle <= now

    def _purge(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._sessions.items() if self._ended(s, now)]:
            del self._sessions[key]


@dataclass
class LoginLimiter:
    """At most `limit` failed logins per key (username and address) in a sliding window."""

    limit: int = LOGIN_FAILURE_LIMIT
    window: float = LOGIN_FAILURE_WINDOW_SECONDS
    clock: Clock = time.time
    _failures: Dict[str, Deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str) -> Deque[float]:
        entries = self._failures.setdefault(key, deque())
        cutoff = self.clock() - self.window
        while entries and entries[0] <= cutoff:
            entries.popleft()
        return entries

    def retry_after(self, key: str) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        with self._lock:
            entries = self._recent(key)
            if len(entries) < self.limit:
                if not entries:
                    self._failures.pop(key, None)
                return 0
            return max(1, int(entries[0] + self.window - self.clock()) + 1)

    def failed(self, key: str) -> None:
        """Count a failed attempt."""
        with self._lock:
            self._recent(key).append(self.clock())
            if len(self._failures) > 10_000:  # bounded memory under a spray of usernames
                oldest = min(self._failures, key=lambda k: self._failures[k][-1] if self._failures[k] else 0)
                self._failures.pop(oldest, None)

    def succeeded(self, key: str) -> None:
        """Forget failures after a successful login."""
        with self._lock:
            self._failures.pop(key, None)
