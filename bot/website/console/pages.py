"""Server-rendered HTML for the staff console: small, escaped, readable on a 360px phone.

Everything dynamic goes through `e()` (HTML escaping). No scripts, fonts or images are loaded,
and the only stylesheet is inline, allowed by its hash in the Content-Security-Policy.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
from functools import lru_cache
from typing import Iterable, List, Optional, Tuple
from urllib.parse import quote

from bot import clock
from bot.phones import format_phone
from bot.store.callbacks import CallbackRecord

BASE = "/staff"

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
""".strip()

FILTERS: Tuple[Tuple[str, str], ...] = (
    ("open", "Open"),
    ("new", "New"),
    ("claimed", "Claimed"),
    ("done", "Done"),
    ("all", "All"),
)
FOR_WHOM_LABELS = {"self": "Themself", "loved_one": "A loved one"}



OUTCOME_LABELS = {
    "crisis": "Crisis: 988/911 given, call urgently",
    "detox_first": "Medically supervised detox first",
    "higher_care": "Higher level of care may be safer",
    "iop_fit": "IOP looks like a good fit",
    "outpatient": "Standard outpatient may be enough",
}


def outcome_label(outcome: Optional[str]) -> str:
    """The fit-check outcome in staff words (unknown values shown as stored)."""
    return OUTCOME_LABELS.get(outcome or "", outcome or "")

def e(value: object) -> str:
    """HTML-escape any value (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


@lru_cache(maxsize=1)
def css_hash() -> str:
    """The CSP source for our inline stylesheet."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii") + "'"


def request_path(ref: str) -> str:
    return f"{BASE}/r/{quote(ref, safe='-')}"


def local_time(value: Optional[dt.datetime], tz: dt.tzinfo) -> str:
    """'Wed Nov 25, 3:04pm EST' in the program's time zone."""
    if value is None:
        return ""
    return clock.timestamp(value, tz)


def age(value: dt.datetime, now: dt.datetime) -> str:
    """How long ago, roughly: '5 min ago', '3 h ago', '2 days ago'."""
    minutes = max(0, int((now - value).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def voicemail_text(record: CallbackRecord) -> str:
    """Spell out the privacy choice: a voicemail naming the program can out someone at home."""
    if not record.voicemail_ok:
        return "no voicemail"
    if record.voicemail_name_ok:
        return "OK, may name the program"
    return "OK, but do NOT name the program"


def layout(title: str, body: str, *, username: Optional[str] = None, csrf_token: Optional[str] = None) -> str:
    """The page shell: header with navigation and logout when signed in."""
    nav = ""
    if username is not None:
        nav = (
            f'<a href="{BASE}/" data-testid="nav-queue">Queue</a>'
            f'<a href="{BASE}/export.csv" data-testid="export-csv">Export CSV</a>'
            f'<form method="post" action="{BASE}/logout">'
            f'<input type="hidden" name="csrf_token" value="{e(csrf_token)}">'
            f'<button type="submit" data-testid="logout-button">Sign out {e(username)}</button></form>'
        )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{e(title)} · Admissions console</title><style>{CSS}</style></head>"
        f'<body><header><span class="brand">Admissions console</span>{nav}</header>'
        f"<main>{body}</main></body></html>"
    )


def message_box(text: Optional[str], error: bool = False) -> str:
    if not text:
        return ""
    role = "alert" if error else "status"
    return f'<p class="msg{" error" if error else ""}" role="{role}" data-testid="message">{e(text)}</p>'


def login_page(
    *, error: Optional[str] = None, username: str = "", next_path: str = "", csrf_token: str = "", enabled: bool = True
) -> str:
    """The sign-in form (or a notice that sign-in is not configured)."""
    if not enabled:
        body = (
            "<h1>Staff sign-in</h1>"
            + message_box(
                "Staff sign-in is not configured on this server. An administrator must set "
                "STAFF_PASSWORD_HASH (see python -m bot.website.console.passwords).",
                error=True,
            )
        )
        return layout("Sign in", body)
    body = (
        "<h1>Staff sign-in</h1>"
        + message_box(error, error=True)
        + f'<form method="post" action="{BASE}/login" class="card" data-testid="login-form">'
        f'<input type="hidden" name="csrf_token" value="{e(csrf_token)}">'
        f'<input type="hidden" name="next" value="{e(next_path)}">'
        '<label for="username">Username</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{e(username)}" '
        'data-testid="login-username">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required '
        'data-testid="login-password">'
        '<p><button type="submit" data-testid="login-submit">Sign in</button></p></form>'
    )
    return layout("Sign in", body)


def _badges(record: CallbackRecord) -> str:
    parts = []
    if record.urgent:
        parts.append('<span class="badge urgent" data-testid="urgent-badge">URGENT</span>')
    parts.append(f'<span class="badge {e(record.status)}" data-testid="request-status">{e(record.status)}</span>')
    return "".join(parts)


def _phone(record: CallbackRecord) -> str:
    return f'<a href="tel:{e(record.phone_e164)}" data-testid="phone">{e(format_phone(record.phone_e164))}</a>'


def _summary_fields(record: CallbackRecord, tz: dt.tzinfo, now: dt.datetime) -> List[Tuple[str, str]]:
    status = e(record.status)
    if record.claimed_by and record.status != "done":
        status += f" by {e(record.claimed_by)}"
    return [
        ("Requested", f"{e(local_time(record.created_at, tz))} <span class=\"muted\">({e(age(record.created_at, now))})</span>"),
        ("Phone", _phone(record)),
        ("Best time", e(record.best_time) or '<span class="muted">not given</span>'),
        ("Voicemail", e(voicemail_text(record))),
        ("Texts", yes_no(record.text_ok)),
        ("For", e(FOR_WHOM_LABELS.get(record.for_whom, record.for_whom))),
        ("Screening", e(outcome_label(record.screening_outcome)) or '<span class="muted">not done</span>'),
        ("Status", status),
    ]


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
) -> str:
    """The callback queue: urgent first, then oldest."""
    links = "".join(
        f'<a href="{BASE}/?status={key}" data-testid="filter-{key}"'
        + (' aria-current="page"' if key == current else "")
        + f">{label}</a>"
        for key, label in FILTERS
    )
    if records:
        items = "".join(
            f'<li class="card{" is-urgent" if r.urgent else ""}" data-testid="queue-row" data-ref="{e(r.ref)}">'
            f'<h2><a href="{request_path(r.ref)}" data-testid="request-link">{e(r.ref)}</a> '
            f"<span>{e(r.first_name)}</span>{_badges(r)}</h2>"
            + _dl(_summary_fields(r, tz, now))
            + "</li>"
            for r in records
        )
        listing = f'<ul class="queue" data-testid="queue">{items}</ul>'
    else:
        listing = '<p class="empty card" data-testid="queue-empty">No callback requests here.</p>'
    label = dict(FILTERS).get(current, current)
    body = (
        f"<h1>Callback requests: {e(label)} ({len(records)})</h1>"
        f'<nav class="filters" aria-label="Filter by status">{links}</nav>'
        f"{listing}"
        f'<p><a href="{BASE}/export.csv?status={e(current)}">Download these as CSV</a></p>'
    )
    return layout("Queue", body, username=username, csrf_token=csrf_token)


def detail_page(
    record: CallbackRecord,
    *,
    tz: dt.tzinfo,
    now: dt.datetime,
    username: str,
    csrf_token: str,
    message: Optional[str] = None,
    error: Optional[str] = None,
) -> str:
    """One request with its Claim and Mark done forms."""
    path = request_path(record.ref)
    fields = _summary_fields(record, tz, now) + [
        ("Promised", e(record.expected_window_text)),
        ("Channel", e(record.channel)),
    ]
    if record.claimed_at:
        fields.append(("Claimed", f"{e(local_time(record.claimed_at, tz))} by {e(record.claimed_by)}"))
    if record.done_at:
        fields.append(("Done", e(local_time(record.done_at, tz))))
        fields.append(("Outcome", f'<span data-testid="outcome-text">{e(record.outcome_note) or "—"}</span>'))
    forms = ""
    hidden = f'<input type="hidden" name="csrf_token" value="{e(csrf_token)}">'
    if record.status == "new":
        forms += (
            f'<form method="post" action="{path}/claim" class="actions">{hidden}'
            '<button type="submit" data-testid="claim-button">Claim: I will call</button></form>'
        )
    if record.status in ("new", "claimed"):
        forms += (
            f'<form method="post" action="{path}/done" class="actions card">{hidden}'
            '<label for="note">Outcome note</label>'
            '<textarea id="note" name="note" maxlength="4000" data-testid="outcome-note" '
            'placeholder="e.g. Talked, intake booked Tue 10am / Left voicemail (no program name)"></textarea>'
            '<p><button type="submit" data-testid="done-button">Mark done</button></p></form>'
        )
    body = (
        f'<p><a href="{BASE}/">&larr; Back to the queue</a></p>'
        + message_box(message)
        + message_box(error, error=True)
        + f'<article class="card{" is-urgent" if record.urgent else ""}" data-testid="request-detail" '
        f'data-ref="{e(record.ref)}">'
        f"<h2>{e(record.ref)} <span>{e(record.first_name)}</span>{_badges(record)}</h2>"
        + _dl(fields)
        + "</article>"
        + forms
    )
    return layout(record.ref, body, username=username, csrf_token=csrf_token)


def error_page(title: str, text: str, *, username: Optional[str] = None, csrf_token: Optional[str] = None) -> str:
    """A plain error page (not found, database down, bad request)."""
    body = f"<h1>{e(title)}</h1>" + message_box(text, error=True) + f'<p><a href="{BASE}/">Back to the queue</a></p>'
    return layout(title, body, username=username, csrf_token=csrf_token)
