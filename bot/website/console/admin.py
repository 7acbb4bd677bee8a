"""Administrators' pages: the audit log (who did what, newest first) and the staff accounts.

Both are read-only: accounts are managed on the server with `python -m bot.website.console.staff`,
so that a stolen console session cannot add itself an account. Password hashes are never shown.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import List, Optional

from aiohttp import web

from bot.links import request_path
from bot.store.staff import DEFAULT_AUDIT_LIMIT, UNKNOWN_USER, Account, AuditRecord
from bot.texts import Catalogue
from bot.website.console import audit
from bot.website.console.pages import FILTERS, e, label, layout, local_time, say
from bot.website.console.state import console_state, html, staff_session, viewer


def _table(columns: List[str], rows: str, testid: str) -> str:
    head = "".join(f'<th scope="col">{e(c)}</th>' for c in columns)
    return (
        f'<div class="scroll"><table data-testid="{testid}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _ref_cell(ref: Optional[str]) -> str:
    return f'<td><a href="{request_path(ref)}">{e(ref)}</a></td>' if ref else "<td></td>"


def _who(event: AuditRecord, texts: Catalogue) -> str:
    if event.username == UNKNOWN_USER:
        return texts.console_text("audit_unknown_user")
    return event.username


def _detail(event: AuditRecord, texts: Catalogue) -> str:
    if event.action in (audit.EXPORT, audit.QUEUE):
        return label(texts, "filter_", event.detail, FILTERS)
    if event.action in audit.ACCOUNT_ACTIONS:
        return event.detail or ""
    return label(texts, "audit_detail_", event.detail, audit.DETAILS)


def audit_body(events: List[AuditRecord], *, texts: Catalogue, tz: dt.tzinfo) -> str:
    """The audit log as a table, newest first."""
    heading = f"<h1>{say(texts, 'audit_heading', count=len(events))}</h1>"
    if not events:
        return heading + f'<p class="empty card" data-testid="audit-empty">{say(texts, "audit_empty")}</p>'
    rows = "".join(
        f'<tr data-testid="audit-row" data-action="{e(ev.action)}" data-ref="{e(ev.request_ref)}" '
        f'data-username="{e(ev.username)}">'
        f"<td>{e(local_time(ev.at, tz))}</td>"
        f'<td data-testid="audit-who">{e(_who(ev, texts))}</td>'
        f'<td data-testid="audit-action">{e(label(texts, "audit_action_", ev.action, audit.ACTIONS))}</td>'
        + _ref_cell(ev.request_ref)
        + f'<td data-testid="audit-detail">{e(_detail(ev, texts))}</td></tr>'
        for ev in events
    )
    columns = [texts.console_text(f"audit_col_{c}") for c in ("time", "who", "action", "request", "detail")]
    return heading + _table(columns, rows, "audit-log")


def accounts_body(accounts: List[Account], *, texts: Catalogue, tz: dt.tzinfo) -> str:
    """Every account with its role and state (they are changed on the server, not here)."""
    heading = f"<h1>{say(texts, 'accounts_heading', count=len(accounts))}</h1>"
    rows = "".join(
        f'<tr data-testid="account-row" data-username="{e(a.username)}">'
        f"<td>{e(a.username)}</td>"
        f'<td>{say(texts, "role_admin" if a.is_admin else "role_staff")}</td>'
        f'<td data-testid="account-state">{say(texts, "account_disabled" if a.disabled else "account_active")}</td>'
        f"<td>{e(local_time(a.created_at, tz))}</td>"
        f"<td>{e(local_time(a.password_changed_at, tz))}</td></tr>"
        for a in accounts
    )
    columns = [texts.console_text(f"accounts_col_{c}") for c in ("username", "role", "state", "created", "password")]
    return heading + _table(columns, rows, "accounts") + f'<p class="muted">{say(texts, "accounts_how")}</p>'


async def audit_page(request: web.Request) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    events = await asyncio.to_thread(state.store.audit.recent, DEFAULT_AUDIT_LIMIT)
    body = audit_body(events, texts=state.texts, tz=state.tz)
    return html(layout(state.say("audit_title"), body, texts=state.texts, **viewer(session)))


async def accounts_page(request: web.Request) -> web.StreamResponse:
    state, session = console_state(request), staff_session(request)
    accounts = await asyncio.to_thread(state.store.staff.list)
    body = accounts_body(accounts, texts=state.texts, tz=state.tz)
    return html(layout(state.say("accounts_title"), body, texts=state.texts, **viewer(session)))
