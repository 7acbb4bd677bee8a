"""Signing in to the staff console and out again, against the staff accounts in the database.

Every refusal reads the same (wrong name, wrong password, disabled account) and costs one scrypt
run, so neither the page nor its timing tells which accounts exist. Failures are throttled per
username and address, and every attempt is in the audit log: under the account's name when there
is such an account, else as "unknown" (a mistyped password in the name field stays out of it).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Optional

from aiohttp import web

from bot.store import StorageUnavailable
from bot.store.staff import UNKNOWN_USER, Credentials
from bot.website.console import audit, pages
from bot.website.console.passwords import verify_password
from bot.website.console.security import SESSION_TTL_SECONDS, new_token
from bot.website.console.state import (
    BASE, LOGIN_COOKIE, SESSION_COOKIE, ConsoleState, console_state, html, safe_next, same, set_cookie,
    staff_session,
)

log = logging.getLogger(__name__)


def ensure_first_admin(state: ConsoleState) -> None:
    """Keep STAFF_USERNAME / STAFF_PASSWORD_HASH as an administrator account (created, or its hash
    brought up to date); retried at the next sign-in while the database cannot be reached."""
    if state.first_admin is None:
        return
    username, encoded = state.first_admin
    try:
        outcome = state.store.staff.ensure_admin(username, encoded)
    except StorageUnavailable:
        state.first_admin_pending = True
        log.warning("staff console: database unavailable, the STAFF_USERNAME account is checked again at sign-in")
        return
    except ValueError:
        state.first_admin, state.first_admin_pending = None, False
        log.warning("STAFF_USERNAME is not a valid account name: no account made from the environment")
        return
    state.first_admin_pending = False
    if outcome != "unchanged":
        log.info("staff console: administrator account from STAFF_USERNAME %s", outcome)
        action = audit.ACCOUNT_ADD_ADMIN if outcome == "created" else audit.ACCOUNT_RESET
        try:
            state.store.audit.record(audit.BY_SETTINGS, action, None, username)
        except StorageUnavailable:
            pass


async def _enabled(state: ConsoleState) -> bool:
    """Sign-in is possible once anybody can sign in; when the database cannot tell, show the form."""
    if state.first_admin is not None:
        return True
    try:
        return await asyncio.to_thread(state.store.staff.has_active)
    except StorageUnavailable:
        return True


def _login_response(
    request: web.Request,
    state: ConsoleState,
    *,
    status: int = 200,
    error: Optional[str] = None,
    username: str = "",
    enabled: bool = True,
) -> web.Response:
    token = request.cookies.get(LOGIN_COOKIE) or new_token()
    next_path = request.query.get("next", "") if request.method == "GET" else ""
    page = pages.login_page(
        texts=state.texts,
        error=error,
        username=username,
        next_path=safe_next(next_path) if next_path else "",
        csrf_token=token,
        enabled=enabled,
    )
    response = html(page, status=status)
    set_cookie(response, request, state, LOGIN_COOKIE, token, 3600)
    return response


async def login_get(request: web.Request) -> web.StreamResponse:
    state = console_state(request)
    if state.sessions.get(request.cookies.get(SESSION_COOKIE)) is not None:
        raise web.HTTPSeeOther(BASE + "/")
    return _login_response(request, state, enabled=await _enabled(state))


async def _refused(state: ConsoleState, credentials: Optional[Credentials], detail: Optional[str]) -> None:
    """Note a refused attempt; a database gone at that moment does not change the answer."""
    name = credentials.account.username if credentials is not None else UNKNOWN_USER
    try:
        await audit.note(state.store, name, audit.SIGN_IN_FAILED, detail=detail)
    except StorageUnavailable:
        pass


async def login_post(request: web.Request) -> web.StreamResponse:
    state = console_state(request)
    form = await request.post()
    username = str(form.get("username", ""))[:200]
    password = str(form.get("password", ""))[:1000]
    if not await _enabled(state):
        return _login_response(request, state, status=403, enabled=False)
    cookie_token = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie_token or not same(str(form.get("csrf_token", "")), cookie_token):
        return _login_response(request, state, status=403, error=state.say("sign_in_expired"))
    if state.first_admin_pending:
        await asyncio.to_thread(ensure_first_admin, state)
    name = username.strip()
    try:
        credentials = await asyncio.to_thread(state.store.staff.credentials, name)
    except StorageUnavailable:
        return _login_response(request, state, status=503, username=username, error=state.say("database_down"))
    key = f"{name.lower()}|{request.remote or ''}"
    wait = state.limiter.retry_after(key)
    if wait:
        log.warning("staff console: sign-in throttled after repeated failures")
        await _refused(state, credentials, audit.DETAIL_THROTTLED)
        response = _login_response(
            request, state, status=429, username=username,
            error=state.say("too_many_attempts", minutes=max(1, wait // 60)),
        )
        response.headers["Retry-After"] = str(wait)
        return response

    def check() -> bool:
        # No account still costs one scrypt run, so timing does not reveal which names exist.
        return verify_password(password, credentials.password_hash if credentials else state.dummy_hash())

    password_ok = await asyncio.to_thread(check)
    account = credentials.account if credentials is not None else None
    if account is None or account.disabled or not password_ok:
        state.limiter.failed(key)
        log.info("staff console: failed sign-in")
        await _refused(state, credentials, audit.DETAIL_DISABLED if account and account.disabled else None)
        return _login_response(request, state, status=401, username=username, error=state.say("wrong_credentials"))
    try:
        await audit.note(state.store, account.username, audit.SIGN_IN)
    except StorageUnavailable:
        return _login_response(request, state, status=503, username=username, error=state.say("database_down"))
    state.limiter.succeeded(key)
    state.sessions.delete(request.cookies.get(SESSION_COOKIE))
    token, _ = state.sessions.create(
        account.username, is_admin=account.is_admin, password_stamp=account.password_changed_at
    )
    log.info("staff console: signed in")
    response = web.HTTPSeeOther(safe_next(str(form.get("next", ""))))
    set_cookie(response, request, state, SESSION_COOKIE, token, SESSION_TTL_SECONDS)
    response.del_cookie(LOGIN_COOKIE, path=BASE)
    raise response


async def logout_post(request: web.Request) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    state.sessions.delete(request.cookies.get(SESSION_COOKIE))
    try:
        await audit.note(state.store, session.username, audit.SIGN_OUT)
    except StorageUnavailable:
        log.warning("staff console: sign-out not recorded, database unavailable")
    response = web.HTTPSeeOther(BASE + "/login")
    response.del_cookie(SESSION_COOKIE, path=BASE)
    raise response
