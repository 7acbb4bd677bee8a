"""What every part of the staff console shares: its configuration and memory, and small helpers
for answering a request (pages, cookies, the signed-in person)."""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from aiohttp import web

from bot.links import CONSOLE_BASE
from bot.store import Store
from bot.texts import Catalogue
from bot.website.console.passwords import DEFAULT_N, hash_password, parse_hash
from bot.website.console.security import (
    LoginLimiter, SessionStore, StaffSession, cookie_secure, is_proxied, new_token,
)

BASE = CONSOLE_BASE
SESSION_COOKIE = "iop_staff_session"
LOGIN_COOKIE = "iop_staff_login"


@dataclass
class ConsoleState:
    """Configuration and in-memory state of one mounted console.

    `first_admin` is the (username, password hash) from STAFF_USERNAME / STAFF_PASSWORD_HASH, kept
    as an administrator account; `first_admin_pending` while the database could not be reached.
    """

    store: Store
    tz: dt.tzinfo
    texts: Catalogue
    cookie_forced: bool = False
    insecure_localhost: bool = False
    first_admin: Optional[Tuple[str, str]] = None
    first_admin_pending: bool = False
    sessions: SessionStore = field(default_factory=SessionStore)
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    _dummy_hash: Optional[str] = None

    def say(self, key: str, **values: object) -> str:
        """A console text (plain; pages escape it)."""
        return self.texts.console_text(key, **values)

    def dummy_hash(self) -> str:
        """A hash with the usual cost, checked when the username is wrong, so timing tells nothing."""
        if self._dummy_hash is None:
            params = parse_hash(self.first_admin[1]) if self.first_admin else None
            n, r, p = (params.n, params.r, params.p) if params else (DEFAULT_N, 8, 1)
            self._dummy_hash = hash_password(new_token(), n=n, r=r, p=p)
        return self._dummy_hash

    def secure(self, request: web.Request) -> bool:
        """Whether this response's cookies get the Secure flag (see security.cookie_secure)."""
        return cookie_secure(
            forced=self.cookie_forced, https=request.secure, insecure_localhost=self.insecure_localhost,
            host=request.host, proxied=is_proxied(request.headers, request.remote),
        )


# Stored on the caller's application (read by the handlers, health checks and tests).
CONSOLE = web.AppKey("iop_console", ConsoleState)


def console_state(request: web.Request) -> ConsoleState:
    return request.config_dict[CONSOLE]


def staff_session(request: web.Request) -> StaffSession:
    """The signed-in person (set by the `protected` wrapper)."""
    return request["staff_session"]


def viewer(session: StaffSession) -> Dict[str, Any]:
    """What every page's header needs about the signed-in person."""
    return {"username": session.username, "csrf_token": session.csrf_token, "admin": session.is_admin}


def safe_next(value: str) -> str:
    """Only a path inside the console: never another site (no open redirect)."""
    if value.startswith(BASE + "/") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return BASE + "/"


def html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def same(a: str, b: str) -> bool:
    """Compare secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def set_cookie(
    response: web.StreamResponse, request: web.Request, state: ConsoleState, name: str, value: str, max_age: int
) -> None:
    """A console cookie: the console's path only, no script access, never sent from another site."""
    response.set_cookie(
        name, value, path=BASE, httponly=True, samesite="Strict", secure=state.secure(request), max_age=max_age
    )
