"""The admissions staff console: the callback queue, claiming, closing, CSV export.

Mounted under /staff on an application the caller owns. Every page needs a signed-in session;
the only credentials are STAFF_USERNAME (default "staff") and STAFF_PASSWORD_HASH from the
environment. Without a password hash nobody can sign in. Every POST carries the session's CSRF
token, and responses forbid framing, caching and any outside resource. Every word staff read comes
from content/console.yml (the catalogue's `console_text`).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hmac
import logging
import os
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Optional
from urllib.parse import quote

from aiohttp import web

from bot.website.console import pages
from bot.website.console.passwords import DEFAULT_N, hash_password, parse_hash, verify_password
from bot.website.console.security import SESSION_TTL_SECONDS, LoginLimiter, SessionStore, StaffSession, new_token
from bot.settings import SettingsError, env, program
from bot.store import InvalidTransition, RequestNotFound, StorageUnavailable, Store
from bot.store.models import utcnow
from bot.texts import Catalogue, catalogue

log = logging.getLogger(__name__)

BASE = pages.BASE
SESSION_COOKIE = "iop_staff_session"
LOGIN_COOKIE = "iop_staff_login"
DEFAULT_USERNAME = "staff"
STATUS_FILTERS = set(pages.FILTERS)
# ?m= after a step -> the console text confirming it.
MESSAGES = {"claimed": "claimed_message", "done": "done_message"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ConsoleState:
    """Configuration and in-memory state of one mounted console."""

    store: Store
    username: str
    password_hash: Optional[str]
    cookie_secure: bool
    tz: dt.tzinfo
    texts: Catalogue
    sessions: SessionStore = field(default_factory=SessionStore)
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    _dummy_hash: Optional[str] = None

    @property
    def login_enabled(self) -> bool:
        return self.password_hash is not None

    def say(self, key: str, **values: object) -> str:
        """A console text (plain; pages escape it)."""
        return self.texts.console_text(key, **values)

    def dummy_hash(self) -> str:
        """A hash with the same cost as the real one, checked when the username is wrong."""
        if self._dummy_hash is None:
            params = parse_hash(self.password_hash or "")
            n, r, p = (params.n, params.r, params.p) if params else (DEFAULT_N, 8, 1)
            self._dummy_hash = hash_password(new_token(), n=n, r=r, p=p)
        return self._dummy_hash


# Stored on the caller's application (read by the handlers, health checks and tests).
CONSOLE = web.AppKey("iop_console", ConsoleState)


def _state(request: web.Request) -> ConsoleState:
    return request.config_dict[CONSOLE]


def _staff(request: web.Request) -> StaffSession:
    return request["staff_session"]


def _safe_next(value: str) -> str:
    """Only a path inside the console: never another site (no open redirect)."""
    if value.startswith(BASE + "/") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return BASE + "/"


def _secure(request: web.Request, state: ConsoleState) -> bool:
    return state.cookie_secure or request.secure


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# --- protection and headers ------------------------------------------------------------------


def protected(handler: Handler) -> Handler:
    """No page without a session; no POST without the session's CSRF token; kind database errors.

    A wrapper per route rather than a sub-application or middleware: the caller's application
    (and its other routes) stay untouched, and aiohttp 3.9 sub-application routing breaks with
    newer yarl releases whenever the Host header carries a port.
    """

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        state = _state(request)
        session = state.sessions.get(request.cookies.get(SESSION_COOKIE))
        if session is None:
            if request.method in ("GET", "HEAD"):
                raise web.HTTPSeeOther(f"{BASE}/login?next={quote(request.path_qs, safe='')}")
            raise web.HTTPUnauthorized(text=state.say("sign_in_first"))
        if request.method not in ("GET", "HEAD"):
            form = await request.post()
            if not _same(str(form.get("csrf_token", "")), session.csrf_token):
                log.warning("staff console: POST with a missing or wrong CSRF token refused")
                raise web.HTTPForbidden(text=state.say("form_expired"))
        request["staff_session"] = session
        try:
            return await handler(request)
        except StorageUnavailable:
            page = pages.error_page(
                state.say("database_down_title"),
                state.say("database_down"),
                texts=state.texts,
                username=session.username,
                csrf_token=session.csrf_token,
            )
            return _html(page, status=503)

    return wrapper


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    if not (request.path == BASE or request.path.startswith(BASE + "/")):
        return
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {pages.css_hash()}; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


# --- sign-in -----------------------------------------------------------------------------------


def _login_response(
    request: web.Request, state: ConsoleState, *, status: int = 200, error: Optional[str] = None, username: str = ""
) -> web.Response:
    token = request.cookies.get(LOGIN_COOKIE) or new_token()
    next_path = request.query.get("next", "") if request.method == "GET" else ""
    page = pages.login_page(
        texts=state.texts,
        error=error,
        username=username,
        next_path=_safe_next(next_path) if next_path else "",
        csrf_token=token,
        enabled=state.login_enabled,
    )
    response = _html(page, status=status)
    response.set_cookie(
        LOGIN_COOKIE, token, path=BASE, httponly=True, samesite="Strict", secure=_secure(request, state), max_age=3600
    )
    return response


async def login_get(request: web.Request) -> web.StreamResponse:
    state = _state(request)
    if state.sessions.get(request.cookies.get(SESSION_COOKIE)) is not None:
        raise web.HTTPSeeOther(BASE + "/")
    return _login_response(request, state)


async def login_post(request: web.Request) -> web.StreamResponse:
    state = _state(request)
    form = await request.post()
    username = str(form.get("username", ""))[:200]
    password = str(form.get("password", ""))[:1000]
    if not state.login_enabled:
        return _login_response(request, state, status=403)
    cookie_token = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie_token or not _same(str(form.get("csrf_token", "")), cookie_token):
        return _login_response(request, state, status=403, error=state.say("sign_in_expired"))
    key = f"{username.strip().lower()}|{request.remote or ''}"
    wait = state.limiter.retry_after(key)
    if wait:
        log.warning("staff console: sign-in throttled after repeated failures")
        response = _login_response(
            request, state, status=429, username=username,
            error=state.say("too_many_attempts", minutes=max(1, wait // 60)),
        )
        response.headers["Retry-After"] = str(wait)
        return response
    user_ok = _same(username.strip(), state.username)

    def check() -> bool:
        # A wrong username still costs one scrypt run, so timing does not reveal it.
        return verify_password(password, (state.password_hash if user_ok else state.dummy_hash()) or "")

    password_ok = await asyncio.to_thread(check)
    if not (user_ok and password_ok):
        state.limiter.failed(key)
        log.info("staff console: failed sign-in")
        return _login_response(request, state, status=401, username=username, error=state.say("wrong_credentials"))
    state.limiter.succeeded(key)
    state.sessions.delete(request.cookies.get(SESSION_COOKIE))
    token, _ = state.sessions.create(state.username)
    log.info("staff console: signed in")
    response = web.HTTPSeeOther(_safe_next(str(form.get("next", ""))))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=BASE,
        httponly=True,
        samesite="Strict",
        secure=_secure(request, state),
        max_age=SESSION_TTL_SECONDS,
    )
    response.del_cookie(LOGIN_COOKIE, path=BASE)
    raise response


async def logout_post(request: web.Request) -> web.StreamResponse:
    state = _state(request)
    state.sessions.delete(request.cookies.get(SESSION_COOKIE))
    response = web.HTTPSeeOther(BASE + "/login")
    response.del_cookie(SESSION_COOKIE, path=BASE)
    raise response


# --- queue and requests ------------------------------------------------------------------------


async def queue(request: web.Request) -> web.StreamResponse:
    state, session = _state(request), _staff(request)
    current = request.query.get("status", "open")
    if current not in STATUS_FILTERS:
        current = "open"
    records = await asyncio.to_thread(state.store.callbacks.list, current)
    page = pages.queue_page(
        records,
        current=current,
        tz=state.tz,
        now=utcnow(),
        username=session.username,
        csrf_token=session.csrf_token,
        texts=state.texts,
    )
    return _html(page)


async def _detail(request: web.Request, *, status: int = 200, error: Optional[str] = None) -> web.Response:
    state, session = _state(request), _staff(request)
    record = await asyncio.to_thread(state.store.callbacks.get, request.match_info["ref"])
    if record is None:
        page = pages.error_page(
            state.say("not_found_title"), state.say("request_not_found"),
            texts=state.texts, username=session.username, csrf_token=session.csrf_token,
        )
        return _html(page, status=404)
    flash = MESSAGES.get(request.query.get("m", "")) if status == 200 else None
    page = pages.detail_page(
        record,
        tz=state.tz,
        now=utcnow(),
        username=session.username,
        csrf_token=session.csrf_token,
        texts=state.texts,
        message=state.say(flash) if flash else None,
        error=error,
    )
    return _html(page, status=status)


async def detail(request: web.Request) -> web.StreamResponse:
    return await _detail(request)


async def _transition(request: web.Request, step: Callable[[], object], done_message: str) -> web.StreamResponse:
    try:
        record = await asyncio.to_thread(step)
    except RequestNotFound:
        return await _detail(request)  # renders the 404 page
    except InvalidTransition as exc:
        # The store's reason is the name of its console text; its data fills the placeholders.
        return await _detail(request, status=409, error=_state(request).say(exc.reason, **exc.data))
    raise web.HTTPSeeOther(f"{pages.request_path(getattr(record, 'ref'))}?m={done_message}")


async def claim_post(request: web.Request) -> web.StreamResponse:
    state, session = _state(request), _staff(request)
    ref = request.match_info["ref"]
    return await _transition(request, lambda: state.store.callbacks.claim(ref, session.username), "claimed")


async def done_post(request: web.Request) -> web.StreamResponse:
    state, session = _state(request), _staff(request)
    ref = request.match_info["ref"]
    note = str((await request.post()).get("note", ""))
    return await _transition(request, lambda: state.store.callbacks.complete(ref, session.username, note), "done")


async def export(request: web.Request) -> web.StreamResponse:
    state = _state(request)
    current = request.query.get("status", "all")
    if current not in STATUS_FILTERS:
        current = "all"
    status = None if current == "all" else current
    text = await asyncio.to_thread(lambda: state.store.callbacks.export_csv(status, tz=state.tz))
    stamp = dt.datetime.now(state.tz).strftime("%Y%m%d-%H%M")
    return web.Response(
        # A byte order mark lets spreadsheet programs read the UTF-8 names correctly.
        body=("\ufeff" + text).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="callbacks-{current}-{stamp}.csv"'},
    )


async def _to_queue(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(BASE + "/")


async def not_found(request: web.Request) -> web.StreamResponse:
    state, session = _state(request), _staff(request)
    page = pages.error_page(
        state.say("not_found_title"), state.say("page_not_found"),
        texts=state.texts, username=session.username, csrf_token=session.csrf_token,
    )
    return _html(page, status=404)


# --- mounting ----------------------------------------------------------------------------------


def _program_tz() -> dt.tzinfo:
    try:
        return program().tz
    except SettingsError:
        log.warning("program settings invalid: staff console shows times in UTC")
        return dt.timezone.utc


def build_state(store: Store, texts: Optional[Catalogue] = None) -> ConsoleState:
    """Read the console's settings from the environment; requests are read from `store`.

    `texts` is the catalogue the console takes its words from (the deployed program's by default:
    broken content stops the website at start, not on a page).
    """
    password_hash = env("STAFF_PASSWORD_HASH")
    if password_hash is None:
        log.warning("STAFF_PASSWORD_HASH is not set: staff console sign-in is disabled")
    elif parse_hash(password_hash) is None:
        log.warning("STAFF_PASSWORD_HASH is not a valid scrypt hash: staff console sign-in is disabled")
        password_hash = None
    return ConsoleState(
        store=store,
        username=(env("STAFF_USERNAME") or DEFAULT_USERNAME).strip(),
        password_hash=password_hash,
        cookie_secure=os.environ.get("COOKIE_SECURE", "").strip().lower() in ("1", "true", "yes"),
        tz=_program_tz(),
        texts=texts or catalogue(program()),
    )


def setup_console(app: web.Application, *, store: Store, texts: Optional[Catalogue] = None) -> None:
    """Mount the staff console under /staff on `app`; the caller owns `store` and its lifetime."""
    state = build_state(store, texts)
    app[CONSOLE] = state
    app.on_response_prepare.append(_security_headers)
    ref = r"{ref:[A-Za-z0-9-]{1,24}}"
    router = app.router
    router.add_get(BASE, _to_queue)
    router.add_get(f"{BASE}/login", login_get, name="staff-login")
    router.add_post(f"{BASE}/login", login_post)
    router.add_post(f"{BASE}/logout", protected(logout_post), name="staff-logout")
    router.add_get(f"{BASE}/", protected(queue), name="staff-queue")
    router.add_get(f"{BASE}/export.csv", protected(export), name="staff-export")
    router.add_get(f"{BASE}/r/{ref}", protected(detail), name="staff-request")
    router.add_post(f"{BASE}/r/{ref}/claim", protected(claim_post))
    router.add_post(f"{BASE}/r/{ref}/done", protected(done_post))
    # Anything else under /staff/ also needs a session before it may even say "not found".
    router.add_route("*", BASE + "/{tail:.*}", protected(not_found))
