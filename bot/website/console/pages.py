"""Server-rendered HTML for the staff console: small, escaped, readable on a 360px phone.

Everything dynamic goes through `e()` (HTML escaping), and every word comes from
content/console.yml through `say()`, which escapes the whole text, words and values alike. No
scripts, fonts or images are loaded, and the only stylesheet is inline, allowed by its hash in the
Content-Security-Policy.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
from functools import lru_cache
from typing import Collection, Iterable, List, Optional, Sequence, Tuple

from bot import clock
from bot.links import CONSOLE_BASE, request_path
from bot.phones import format_phone
from bot.store.callbacks import CallbackRecord
from bot.store.models import FOR_WHOM, RELATIONS, STATUS_CLAIMED, STATUS_DONE, STATUS_NEW, STATUSES, TOPICS
from bot.store.pages import BACKUP, PageRecord
from bot.texts import Catalogue

BASE = CONSOLE_BASE

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2329;background:#f4f6f8}
header{background:#1f4e79;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
header .brand{font-weight:700;margin-right:auto}
header a{color:#fff}
header form{margin:0}
header button{background:none;border:1px solid #fff;min-height:36px;padding:.2rem .7rem}
main{max-width:60rem;margin:0 auto;padding:1rem .75rem}
h1{font-size:1.35rem;margin:.25rem 0 .75rem}
ul.queue{list-style:none;margin:0;padding:0}
.card{background:#fff;border:1px solid #d5dbe1;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 .75rem}
.card.is-urgent{border-left:.4rem solid #b3261e}
.card h2{font-size:1.1rem;margin:0 0 .25rem;display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.8rem;font-weight:600;background:#e4e8ec;color:#1d2329}
.badge.urgent{background:#b3261e;color:#fff}
.badge.new{background:#fff4ce}
.badge.claimed{background:#dbe9f7}
.badge.done{background:#e6f4ea}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:.4rem 0 0}
dt{color:#56616c}
dd{margin:0;overflow-wrap:anywhere}
@media (max-width:30rem){dl{gap:.2rem .6rem}dt{font-size:.85rem;padding-top:.1rem}}
nav.filters{display:flex;flex-wrap:wrap;gap:.25rem .9rem;margin:0 0 1rem}
nav.filters a[aria-current]{font-weight:700;text-decoration:none;color:#1d2329}
a{color:#1f4e79}
button{font:inherit;padding:.5rem 1rem;border-radius:.4rem;border:1px solid #1f4e79;background:#1f4e79;color:#fff;min-height:44px;cursor:pointer}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
input,textarea{font:inherit;width:100%;padding:.5rem;border:1px solid #8a96a3;border-radius:.4rem;background:#fff}
textarea{min-height:6rem}
form.actions{margin:.75rem 0}
.msg{padding:.6rem 1rem;border-radius:.4rem;background:#e6f4ea;margin:0 0 1rem}
.msg.error{background:#fce8e6}
.muted{color:#56616c;font-size:.9rem}
.empty{padding:1rem;text-align:center;color:#56616c}
.scroll{overflow-x:auto;background:#fff;border:1px solid #d5dbe1;border-radius:.5rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e4e8ec;vertical-align:top}
th{background:#f4f6f8;white-space:nowrap}
""".strip()

# The queue's filters, in the order shown; each is worded by `filter_<key>` in content/console.yml.
FILTERS: Tuple[str, ...] = ("open", "new", "claimed", "done", "all")
# Fit-check outcomes with staff words (`outcome_<key>`); others are shown as stored.
OUTCOMES: Tuple[str, ...] = ("crisis", "ask_directly", "detox_first", "higher_care", "iop_fit", "outpatient")


def e(value: object) -> str:
    """HTML-escape any value (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def say(texts: Catalogue, key: str, **values: object) -> str:
    """A console text with its values, escaped for a page as a whole."""
    return e(texts.console_text(key, **values))


def label(texts: Catalogue, prefix: str, value: Optional[str], known: Collection[str]) -> str:
    """A stored value in staff words (`<prefix><value>` in content/console.yml); others as stored."""
    if value in known:
        return texts.console_text(f"{prefix}{value}")
    return value or ""


@lru_cache(maxsize=1)
def css_hash() -> str:
    """The CSP source for our inline stylesheet."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii") + "'"


def local_time(value: Optional[dt.datetime], tz: dt.tzinfo) -> str:
    """'Wed Nov 25, 3:04pm EST' in the program's time zone."""
    if value is None:
        return ""
    return clock.timestamp(value, tz)


def age(value: dt.datetime, now: dt.datetime, texts: Catalogue) -> str:
    """How long ago, roughly: '5 min ago', '3 h ago', '2 days ago'."""
    minutes = max(0, int((now - value).total_seconds() // 60))
    if minutes < 1:
        return texts.console_text("age_just_now")
    if minutes < 60:
        return texts.console_text("age_minutes", minutes=minutes)
    if minutes < 48 * 60:
        return texts.console_text("age_hours", hours=minutes // 60)
    return texts.console_text("age_days", days=minutes // (24 * 60))


def voicemail_text(record: CallbackRecord, texts: Catalogue) -> str:
    """Spell out the privacy choice: a voicemail naming the program can out someone at home."""
    if not record.voicemail_ok:
        return texts.console_text("voicemail_no")
    if record.voicemail_name_ok:
        return texts.console_text("voicemail_named")
    return texts.console_text("voicemail_unnamed")


def layout(
    title: str,
    body: str,
    *,
    texts: Catalogue,
    username: Optional[str] = None,
    csrf_token: Optional[str] = None,
    admin: bool = False,
) -> str:
    """The page shell: header with navigation and logout when signed in (administrators also get
    the audit log and the accounts)."""
    nav = ""
    if username is not None:
        nav = (
            f'<a href="{BASE}/" data-testid="nav-queue">{say(texts, "nav_queue")}</a>'
            f'<a href="{BASE}/export.csv" data-testid="export-csv">{say(texts, "nav_export")}</a>'
        )
        if admin:
            nav += (
                f'<a href="{BASE}/audit" data-testid="nav-audit">{say(texts, "nav_audit")}</a>'
                f'<a href="{BASE}/accounts" data-testid="nav-accounts">{say(texts, "nav_accounts")}</a>'
            )
        nav += (
            f'<form method="post" action="{BASE}/logout">'
            f'<input type="hidden" name="csrf_token" value="{e(csrf_token)}">'
            f'<button type="submit" data-testid="logout-button">{say(texts, "sign_out", username=username)}</button>'
            "</form>"
        )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{say(texts, 'page_title', title=title)}</title><style>{CSS}</style></head>"
        f'<body><header><span class="brand">{say(texts, "brand")}</span>{nav}</header>'
        f"<main>{body}</main></body></html>"
    )


def message_box(text: Optional[str], error: bool = False) -> str:
    if not text:
        return ""
    role = "alert" if error else "status"
    return f'<p class="msg{" error" if error else ""}" role="{role}" data-testid="message">{e(text)}</p>'


def login_page(
    *,
    texts: Catalogue,
    error: Optional[str] = None,
    username: str = "",
    next_path: str = "",
    csrf_token: str = "",
    enabled: bool = True,
) -> str:
    """The sign-in form (or a notice that sign-in is not configured)."""
    title = texts.console_text("sign_in_title")
    heading = f"<h1>{say(texts, 'sign_in_heading')}</h1>"
    if not enabled:
        return layout(title, heading + message_box(texts.console_text("sign_in_disabled"), error=True), texts=texts)
    body = (
        heading
        + message_box(error, error=True)
        + f'<form method="post" action="{BASE}/login" class="card" data-testid="login-form">'
        f'<input type="hidden" name="csrf_token" value="{e(csrf_token)}">'
        f'<input type="hidden" name="next" value="{e(next_path)}">'
        f'<label for="username">{say(texts, "username_label")}</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{e(username)}" '
        'data-testid="login-username">'
        f'<label for="password">{say(texts, "password_label")}</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required '
        'data-testid="login-password">'
        f'<p><button type="submit" data-testid="login-submit">{say(texts, "sign_in_button")}</button></p></form>'
    )
    return layout(title, body, texts=texts)


def _badges(record: CallbackRecord, texts: Catalogue) -> str:
    parts = []
    if record.urgent:
        parts.append(f'<span class="badge urgent" data-testid="urgent-badge">{say(texts, "urgent")}</span>')
    status = e(label(texts, "status_", record.status, STATUSES))
    parts.append(f'<span class="badge {e(record.status)}" data-testid="request-status">{status}</span>')
    return "".join(parts)


def _phone(record: CallbackRecord) -> str:
    return f'<a href="tel:{e(record.phone_e164)}" data-testid="phone">{e(format_phone(record.phone_e164))}</a>'


def _muted(texts: Catalogue, key: str, **values: object) -> str:
    return f'<span class="muted">{say(texts, key, **values)}</span>'


def _summary_fields(
    record: CallbackRecord, tz: dt.tzinfo, now: dt.datetime, texts: Catalogue
) -> List[Tuple[str, str]]:
    status = label(texts, "status_", record.status, STATUSES)
    if record.claimed_by and record.status != STATUS_DONE:
        status = texts.console_text("status_by", status=status, name=record.claimed_by)
    outcome = label(texts, "outcome_", record.screening_outcome, OUTCOMES)
    requested = local_time(record.created_at, tz)
    fields = [
        ("requested", f"{e(requested)} {_muted(texts, 'requested_age', age=age(record.created_at, now, texts))}"),
        ("phone", _phone(record)),
        ("best_time", e(record.best_time) or _muted(texts, "best_time_missing")),
        ("voicemail", e(voicemail_text(record, texts))),
        ("texts", say(texts, "texts_yes" if record.text_ok else "texts_no")),
        ("for", e(_for_whom(record, texts))),
        ("screening", e(outcome) or _muted(texts, "screening_missing")),
        ("status", e(status)),
    ]
    return [(texts.console_text(f"field_{name}"), value) for name, value in fields]


def _for_whom(record: CallbackRecord, texts: Catalogue) -> str:
    """Who the call is about; a family consultation says so, with the loved one's relation."""
    who = label(texts, "for_", record.for_whom, FOR_WHOM)
    if record.topic in TOPICS:
        relation = label(texts, "relation_", record.loved_one_relation, RELATIONS) or texts.console_text("relation_unknown")
        return texts.console_text("for_family_consultation", relation=relation)
    return who


def _dl(items: Iterable[Tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def queue_page(
    records: List[CallbackRecord],
    *,
    current: str,
    tz: dt.tzinfo,
    now: dt.datetime,
    username: str,
    csrf_token: str,
    texts: Catalogue,
    admin: bool = False,
) -> str:
    """The callback queue: urgent first, then oldest."""
    links = "".join(
        f'<a href="{BASE}/?status={key}" data-testid="filter-{key}"'
        + (' aria-current="page"' if key == current else "")
        + f">{say(texts, f'filter_{key}')}</a>"
        for key in FILTERS
    )
    if records:
        items = "".join(
            f'<li class="card{" is-urgent" if r.urgent else ""}" data-testid="queue-row" data-ref="{e(r.ref)}">'
            f'<h2><a href="{request_path(r.ref)}" data-testid="request-link">{e(r.ref)}</a> '
            f"<span>{e(r.first_name)}</span>{_badges(r, texts)}</h2>"
            + _dl(_summary_fields(r, tz, now, texts))
            + "</li>"
            for r in records
        )
        listing = f'<ul class="queue" data-testid="queue">{items}</ul>'
    else:
        listing = f'<p class="empty card" data-testid="queue-empty">{say(texts, "queue_empty")}</p>'
    heading = say(texts, "queue_heading", filter=label(texts, "filter_", current, FILTERS), count=len(records))
    body = (
        f"<h1>{heading}</h1>"
        f'<nav class="filters" aria-label="{say(texts, "filters_label")}">{links}</nav>'
        f"{listing}"
        f'<p><a href="{BASE}/export.csv?status={e(current)}" data-testid="queue-download">'
        f'{say(texts, "queue_download")}</a></p>'
    )
    return layout(
        texts.console_text("queue_title"), body, texts=texts, username=username, csrf_token=csrf_token, admin=admin
    )


def _forms(record: CallbackRecord, csrf_token: str, texts: Catalogue) -> str:
    """Claim while new; the outcome note and Mark done while open."""
    path = request_path(record.ref)
    hidden = f'<input type="hidden" name="csrf_token" value="{e(csrf_token)}">'
    forms = ""
    if record.status == STATUS_NEW:
        forms += (
            f'<form method="post" action="{path}/claim" class="actions">{hidden}'
            f'<button type="submit" data-testid="claim-button">{say(texts, "claim_button")}</button></form>'
        )
    if record.status in (STATUS_NEW, STATUS_CLAIMED):
        forms += (
            f'<form method="post" action="{path}/done" class="actions card">{hidden}'
            f'<label for="note">{say(texts, "note_label")}</label>'
            '<textarea id="note" name="note" maxlength="4000" data-testid="outcome-note" '
            f'placeholder="{say(texts, "note_placeholder")}"></textarea>'
            f'<p><button type="submit" data-testid="done-button">{say(texts, "done_button")}</button></p></form>'
        )
    return forms


def _pages_text(paged: Sequence[PageRecord], tz: dt.tzinfo, texts: Catalogue) -> str:
    """The on-call pages of a request, one line each: who, and when it went out (or why not)."""
    lines = []
    for page in paged:
        if page.sent_at is not None:
            key = "page_sent_backup" if page.level == BACKUP else "page_sent"
            line = say(texts, key, name=page.recipient_name, time=local_time(page.sent_at, tz))
        elif page.not_sent:
            line = say(texts, "page_not_sent", name=page.recipient_name, reason=page.not_sent)
        else:
            line = say(texts, "page_waiting", name=page.recipient_name)
        lines.append(f'<span data-testid="page-level-{page.level}">{line}</span>')
    return "<br>".join(lines)


def detail_page(
    record: CallbackRecord,
    *,
    paged: Sequence[PageRecord] = (),
    tz: dt.tzinfo,
    now: dt.datetime,
    username: str,
    csrf_token: str,
    texts: Catalogue,
    message: Optional[str] = None,
    error: Optional[str] = None,
    admin: bool = False,
) -> str:
    """One request with its on-call pages and its Claim and Mark done forms."""
    field = texts.console_text
    fields = _summary_fields(record, tz, now, texts) + [
        (field("field_promised"), e(record.expected_window_text)),
        (field("field_channel"), e(record.channel)),
    ]
    if paged:
        fields.append((field("field_paged"), _pages_text(paged, tz, texts)))
    if record.acknowledged_at:
        ack = say(texts, "acknowledged_at", time=local_time(record.acknowledged_at, tz), name=record.acknowledged_by or "")
        fields.append((field("field_acknowledged"), f'<span data-testid="acknowledged">{ack}</span>'))
    if record.claimed_at:
        claimed = say(texts, "claimed_at", time=local_time(record.claimed_at, tz), name=record.claimed_by or "")
        fields.append((field("field_claimed"), claimed))
    if record.done_at:
        note = e(record.outcome_note) or say(texts, "note_missing")
        fields.append((field("field_done"), e(local_time(record.done_at, tz))))
        fields.append((field("field_outcome"), f'<span data-testid="outcome-text">{note}</span>'))
    body = (
        f'<p><a href="{BASE}/">&larr; {say(texts, "back_to_queue")}</a></p>'
        + message_box(message)
        + message_box(error, error=True)
        + f'<article class="card{" is-urgent" if record.urgent else ""}" data-testid="request-detail" '
        f'data-ref="{e(record.ref)}">'
        f"<h2>{e(record.ref)} <span>{e(record.first_name)}</span>{_badges(record, texts)}</h2>"
        + _dl(fields)
        + "</article>"
        + _forms(record, csrf_token, texts)
    )
    return layout(record.ref, body, texts=texts, username=username, csrf_token=csrf_token, admin=admin)


def error_page(
    title: str,
    text: str,
    *,
    texts: Catalogue,
    username: Optional[str] = None,
    csrf_token: Optional[str] = None,
    admin: bool = False,
) -> str:
    """A plain error page (not found, database down, bad request)."""
    body = (
        f"<h1>{e(title)}</h1>"
        + message_box(text, error=True)
        + f'<p><a href="{BASE}/">{say(texts, "back_to_queue")}</a></p>'
    )
    return layout(title, body, texts=texts, username=username, csrf_token=csrf_token, admin=admin)
