"""Staff sessions and login throttling, kept in memory.

Sessions are server-side: the cookie holds only a random 256-bit token, and we keep its SHA-256,
so nothing in memory can be replayed as a cookie. A restart signs everyone out, which is
acceptable for a small admissions team and keeps the database free of credentials.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Deque, Dict, Optional, Tuple

SESSION_TTL_SECONDS = 8 * 60 * 60
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60

Clock = Callable[[], float]


def new_token() -> str:
    """A random 256-bit token, URL-safe."""
    return secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class StaffSession:
    """A signed-in staff member."""

    username: str
    csrf_token: str
    expires_at: float


@dataclass
class SessionStore:
    """Session tokens (by hash) with a fixed lifetime from sign-in."""

    ttl: float = SESSION_TTL_SECONDS
    clock: Clock = time.time
    _sessions: Dict[str, StaffSession] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, username: str) -> Tuple[str, StaffSession]:
        """Start a session; returns the cookie token and the session."""
        token = new_token()
        session = StaffSession(username=username, csrf_token=new_token(), expires_at=self.clock() + self.ttl)
        with self._lock:
            self._purge()
            self._sessions[_digest(token)] = session
        return token, session

    def get(self, token: Optional[str]) -> Optional[StaffSession]:
        """The live session for a cookie token, or None (expired sessions are dropped)."""
        if not token or len(token) > 200:
            return None
        key = _digest(token)
        with self._lock:
            session = self._sessions.get(key)
            if session is not None and session.expires_at <= self.clock():
                del self._sessions[key]
                return None
            return session

    def delete(self, token: Optional[str]) -> None:
        """End a session (logout)."""
        if token:
            with self._lock:
                self._sessions.pop(_digest(token), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _purge(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._sessions.items() if s.expires_at <= now]:
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
