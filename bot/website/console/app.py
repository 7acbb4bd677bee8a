"""The admissions staff console: the callback queue, claiming, closing, CSV export, and for
administrators the audit log and the list of accounts.

Mounted under /staff on an application the caller owns. Every page needs a signed-in session of a
personal account (bot.store.staff; managed with `python -m bot.website.console.staff`), and
STAFF_USERNAME / STAFF_PASSWORD_HASH from the environment are kept as the first administrator. A
session ends 8 hours after sign-in, after STAFF_IDLE_MINUTES without a request, and at the next
request once its account is disabled or its password reset. Every POST carries the session's CSRF
token; responses forbid framing, caching and any outside resource; cookies are Secure unless local
development allows plain http on a loopback name. Every word staff read comes from
content/console.yml (the catalogue's `console_text`).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from typing import Awaitable, Callable, Optional, Tuple
from urllib.parse import quote

from aiohttp import web

from bot.settings import SettingsError, env, program
from bot.store import InvalidTransition, RequestNotFound, StorageUnavailable, Store
from bot.store.models import utcnow
from bot.texts import Catalogue, catalogue
from bot.website.console import admin, audit, pages, signin
from bot.website.console.passwords import parse_hash
from bot.website.console.security import DEFAULT_IDLE_MINUTES, LoginLimiter, SessionStore, StaffSession
from bot.website.console.state import (
    BASE, CONSOLE, LOGIN_COOKIE, SESSION_COOKIE, ConsoleState, console_state, html, same, staff_session, viewer,
)

log = logging.getLogger(__name__)

DEFAULT_USERNAME = "staff"
STATUS_FILTERS = set(pages.FILTERS)
# ?m= after a step -> the console text confirming it.
MESSAGES = {"claimed": "claimed_message", "done": "done_message"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

__all__ = ["CONSOLE", "LOGIN_COOKIE", "SESSION_COOKIE", "ConsoleState", "build_state", "setup_console"]


# --- protection and headers ------------------------------------------------------------------


async def _still_allowed(state: ConsoleState, session: StaffSession) -> bool:
    """The account still exists, is enabled and has the password it signed in with; its role is
    read afresh, so a change applies at the next request."""
    account = await asyncio.to_thread(state.store.staff.get, session.username)
    if account is None or account.disabled or account.password_changed_at != session.password_stamp:
        return False
    session.is_admin = account.is_admin
    return True


def _sign_in_first(request: web.Request, state: ConsoleState) -> web.HTTPException:
    if request.method in ("GET", "HEAD"):
        return web.HTTPSeeOther(f"{BASE}/login?next={quote(request.path_qs, safe='')}")
    return web.HTTPUnauthorized(text=state.say("sign_in_first"))


def protected(handler: Handler, *, admin_only: bool = False) -> Handler:
    """No page without a live session; no POST without the session's CSRF token; administrators'
    pages for administrators only; kind database errors.

    A wrapper per route rather than a sub-application or middleware: the caller's application
    (and its other routes) stay untouched, and aiohttp 3.9 sub-application routing breaks with
    newer yarl releases whenever the Host header carries a port.
    """

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        state = console_state(request)
        token = request.cookies.get(SESSION_COOKIE)
        session = state.sessions.get(token)
        if session is None:
            raise _sign_in_first(request, state)
        if request.method not in ("GET", "HEAD"):
            form = await request.post()
            if not same(str(form.get("csrf_token", "")), session.csrf_token):
                log.warning("staff console: POST with a missing or wrong CSRF token refused")
                raise web.HTTPForbidden(text=state.say("form_expired"))
        try:
            if not await _still_allowed(state, session):
                state.sessions.delete(token)
                log.info("staff console: session ended, its account was disabled or its password reset")
                raise _sign_in_first(request, state)
            request["staff_session"] = session
            if admin_only and not session.is_admin:
                page = pages.error_page(
                    state.say("forbidden_title"), state.say("admin_only"), texts=state.texts, **viewer(session)
                )
                return html(page, status=403)
            return await handler(request)
        except StorageUnavailable:
            page = pages.error_page(
                state.say("database_down_title"), state.say("database_down"), texts=state.texts, **viewer(session)
            )
            return html(page, status=503)

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


# --- queue and requests ------------------------------------------------------------------------


async def queue(request: web.Request) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    current = request.query.get("status", "open")
    if current not in STATUS_FILTERS:
        current = "open"
    records = await asyncio.to_thread(state.store.callbacks.list, current)
    await audit.note(state.store, session.username, audit.QUEUE, detail=current)  # names of everyone waiting
    page = pages.queue_page(records, current=current, tz=state.tz, now=utcnow(), texts=state.texts, **viewer(session))
    return html(page)


async def _detail(request: web.Request, *, status: int = 200, error: Optional[str] = None) -> web.Response:
    """A request's page; every showing of it (its name and phone number) is in the audit log."""
    state, session = console_state(request), staff_session(request)
    record = await asyncio.to_thread(state.store.callbacks.get, request.match_info["ref"])
    if record is None:
        page = pages.error_page(
            state.say("not_found_title"), state.say("request_not_found"), texts=state.texts, **viewer(session)
        )
        return html(page, status=404)
    await audit.note(state.store, session.username, audit.VIEW, record.ref)
    paged = await asyncio.to_thread(state.store.pages.for_request, record.ref)
    flash = MESSAGES.get(request.query.get("m", "")) if status == 200 else None
    page = pages.detail_page(
        record,
        paged=paged,
        tz=state.tz,
        now=utcnow(),
        texts=state.texts,
        message=state.say(flash) if flash else None,
        error=error,
        **viewer(session),
    )
    return html(page, status=status)


async def detail(request: web.Request) -> web.StreamResponse:
    return await _detail(request)


async def _transition(request: web.Request, step: Callable[[], object], done_message: str) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    try:
        record = await asyncio.to_thread(step)
    except RequestNotFound:
        return await _detail(request)  # renders the 404 page
    except InvalidTransition as exc:
        # The store's reason is the name of its console text; its data fills the placeholders.
        return await _detail(request, status=409, error=state.say(exc.reason, **exc.data))
    ref = str(getattr(record, "ref"))  # the store recorded `action` with the change itself
    raise web.HTTPSeeOther(f"{pages.request_path(ref)}?m={done_message}")


async def claim_post(request: web.Request) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    ref = request.match_info["ref"]
    return await _transition(
        request, lambda: state.store.callbacks.claim(ref, session.username, audit.CLAIM), "claimed"
    )


async def done_post(request: web.Request) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    ref = request.match_info["ref"]
    note = str((await request.post()).get("note", ""))
    return await _transition(
        request, lambda: state.store.callbacks.complete(ref, session.username, note, audit.DONE), "done"
    )


async def export(request: web.Request) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    current = request.query.get("status", "all")
    if current not in STATUS_FILTERS:
        current = "all"
    status = None if current == "all" else current
    text = await asyncio.to_thread(lambda: state.store.callbacks.export_csv(status, tz=state.tz))
    await audit.note(state.store, session.username, audit.EXPORT, detail=current)
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
    state, session = console_state(request), staff_session(request)
    page = pages.error_page(
        state.say("not_found_title"), state.say("page_not_found"), texts=state.texts, **viewer(session)
    )
    return html(page, status=404)


# --- settings and mounting ---------------------------------------------------------------------


def _program_tz() -> dt.tzinfo:
    try:
        return program().tz
    except SettingsError:
        log.warning("program settings invalid: staff console shows times in UTC")
        return dt.timezone.utc


def _flag(name: str) -> bool:
    return (env(name) or "").strip().lower() in ("1", "true", "yes")


def _idle_minutes() -> int:
    """STAFF_IDLE_MINUTES: whole minutes without a request before a session ends (default 30)."""
    raw = env("STAFF_IDLE_MINUTES")
    try:
        minutes = int(raw) if raw is not None else DEFAULT_IDLE_MINUTES
    except ValueError:
        minutes = 0
    if minutes < 1:
        log.warning("STAFF_IDLE_MINUTES must be a whole number of minutes: using %d", DEFAULT_IDLE_MINUTES)
        return DEFAULT_IDLE_MINUTES
    return minutes


def _first_admin() -> Optional[Tuple[str, str]]:
    """(username, hash) from STAFF_USERNAME / STAFF_PASSWORD_HASH, when the hash is one we can check."""
    password_hash = env("STAFF_PASSWORD_HASH")
    if password_hash is None:
        log.warning("STAFF_PASSWORD_HASH is not set: only accounts in the database can sign in to the staff console")
        return None
    if parse_hash(password_hash) is None:
        log.warning("STAFF_PASSWORD_HASH is not a valid scrypt hash: it is ignored")
        return None
    return (env("STAFF_USERNAME") or DEFAULT_USERNAME).strip(), password_hash.strip()


def build_state(store: Store, texts: Optional[Catalogue] = None) -> ConsoleState:
    """Read the console's settings from the environment; requests and accounts are read from `store`.

    `texts` is the catalogue the console takes its words from (the deployed program's by default:
    broken content stops the website at start, not on a page).
    """
    return ConsoleState(
        store=store,
        tz=_program_tz(),
        texts=texts or catalogue(program()),
        cookie_forced=_flag("COOKIE_SECURE"),
        insecure_localhost=_flag("STAFF_COOKIE_INSECURE_LOCALHOST"),
        first_admin=_first_admin(),
        sessions=SessionStore(idle=_idle_minutes() * 60),
        limiter=LoginLimiter(),
    )


def setup_console(app: web.Application, *, store: Store, texts: Optional[Catalogue] = None) -> None:
    """Mount the staff console under /staff on `app`; the caller owns `store` and its lifetime."""
    state = build_state(store, texts)
    signin.ensure_first_admin(state)
    app[CONSOLE] = state
    app.on_response_prepare.append(_security_headers)
    ref = r"{ref:[A-Za-z0-9-]{1,24}}"
    router = app.router
    router.add_get(BASE, _to_queue)
    router.add_get(f"{BASE}/login", signin.login_get, name="staff-login")
    router.add_post(f"{BASE}/login", signin.login_post)
    router.add_post(f"{BASE}/logout", protected(signin.logout_post), name="staff-logout")
    router.add_get(f"{BASE}/", protected(queue), name="staff-queue")
    router.add_get(f"{BASE}/export.csv", protected(export), name="staff-export")
    router.add_get(f"{BASE}/r/{ref}", protected(detail), name="staff-request")
    router.add_post(f"{BASE}/r/{ref}/claim", protected(claim_post))
    router.add_post(f"{BASE}/r/{ref}/done", protected(done_post))
    router.add_get(f"{BASE}/audit", protected(admin.audit_page, admin_only=True), name="staff-audit")
    router.add_get(f"{BASE}/accounts", protected(admin.accounts_page, admin_only=True), name="staff-accounts")
    # Anything else under /staff/ also needs a session before it may even say "not found".
    router.add_route("*", BASE + "/{tail:.*}", protected(not_found))
