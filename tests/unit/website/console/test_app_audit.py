"""The audit log: what the console records (who, when, which request) and the administrators' pages
that show it and the accounts."""
from __future__ import annotations

import re
from typing import Callable, List, Tuple

import pytest
from aiohttp.test_utils import TestClient

from bot.store import Store
from bot.texts import catalogue
from bot.website.console import audit
from tests.support.console import (
    STAFF_PASSWORD, STAFF_USER, MakeClient, add_account, csrf_from, session_csrf, sign_in,
)

Event = Tuple[str, str, object, object]


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test client speaks plain http to 127.0.0.1: allow the session cookie there."""
    monkeypatch.setenv("STAFF_COOKIE_INSECURE_LOCALHOST", "1")


def events(store: Store) -> List[Event]:
    """(who, action, request, detail), oldest first, without the first administrator's creation."""
    return [
        (e.username, e.action, e.request_ref, e.detail)
        for e in reversed(store.audit.recent())
        if not e.username.startswith("settings:")
    ]


async def test_sign_in_and_out_are_recorded(staff: TestClient, store: Store) -> None:
    token = await session_csrf(staff)
    await staff.post("/staff/logout", data={"csrf_token": token}, allow_redirects=False)
    assert events(store) == [
        (STAFF_USER, "sign_in", None, None), (STAFF_USER, "queue", None, "open"), (STAFF_USER, "sign_out", None, None)
    ]


# username typed, password typed, recorded as, detail
FAILED_SIGN_INS = [
    (STAFF_USER, "not the password", STAFF_USER, None),
    (" maria ", "not the password", STAFF_USER, None),
    ("mallory", STAFF_PASSWORD, "unknown", None),
    ("MARIA", STAFF_PASSWORD, "unknown", None),
    ("correct horse battery staple", "", "unknown", None),  # a password typed in the wrong field
    ("alice", "alice's long password", "alice", "disabled"),
]


@pytest.mark.parametrize("username, password, recorded, detail", FAILED_SIGN_INS)
async def test_failed_sign_ins_name_only_existing_accounts(
    client: TestClient, store: Store, username: str, password: str, recorded: str, detail: object
) -> None:
    add_account(store, "alice")
    store.staff.disable("alice")
    assert (await sign_in(client, username, password)).status == 401
    assert events(store) == [(recorded, "sign_in_failed", None, detail)]


async def test_throttled_sign_ins_are_recorded(client: TestClient, store: Store) -> None:
    for _ in range(5):
        await sign_in(client, password="nope")
    assert (await sign_in(client)).status == 429
    assert events(store)[-1] == (STAFF_USER, "sign_in_failed", None, "throttled")


async def test_views_exports_claims_and_closes_are_recorded(
    staff: TestClient, store: Store, add_request: Callable[..., str]
) -> None:
    ref = add_request()
    html = await (await staff.get(f"/staff/r/{ref}")).text()
    await staff.post(f"/staff/r/{ref}/claim", data={"csrf_token": csrf_from(html)})  # then shows the page again
    await staff.post(f"/staff/r/{ref}/done", data={"csrf_token": csrf_from(html), "note": "Talked to Ann"})
    await staff.get("/staff/export.csv?status=done")
    await staff.get("/staff/export.csv")
    await staff.get("/staff/export.csv?status=bogus")
    await staff.get("/staff/r/HL-ZZZZ")  # no such request: nothing was seen
    await staff.get("/staff/?status=all")  # the queue shows everyone's first name: recorded with its filter
    assert events(store)[1:] == [
        (STAFF_USER, "view", ref, None),
        (STAFF_USER, "claim", ref, None),
        (STAFF_USER, "view", ref, None),
        (STAFF_USER, "done", ref, None),
        (STAFF_USER, "view", ref, None),
        (STAFF_USER, "export", None, "done"),
        (STAFF_USER, "export", None, "all"),
        (STAFF_USER, "export", None, "all"),
        (STAFF_USER, "queue", None, "all"),
    ]
    assert "Talked" not in str(store.audit.recent())  # notes stay out of the log


async def test_audit_page_newest_first_in_staff_words(
    make_client: MakeClient, store: Store, add_request: Callable[..., str]
) -> None:
    ref = add_request()
    alice = await make_client()
    password = add_account(store, "alice")
    await sign_in(alice, "alice", password)
    token = await session_csrf(alice)
    await alice.post(f"/staff/r/{ref}/claim", data={"csrf_token": token}, allow_redirects=False)
    await alice.get("/staff/export.csv?status=claimed")
    await sign_in(await make_client(), "mallory", "guess")
    admin = await make_client()
    assert (await sign_in(admin)).status == 303
    response = await admin.get("/staff/audit")
    assert response.status == 200
    html = await response.text()
    rows = re.findall(r'data-testid="audit-row" data-action="([^"]+)" data-ref="([^"]*)" data-username="([^"]+)"', html)
    assert rows == [
        ("sign_in", "", STAFF_USER),
        ("sign_in_failed", "", "unknown"),
        ("export", "", "alice"),
        ("claim", ref, "alice"),
        ("queue", "", "alice"),
        ("sign_in", "", "alice"),
        ("account_add_admin", "", "settings:STAFF_USERNAME"),
    ]
    assert "<h1>Audit log: the last 7 events</h1>" in html
    assert ">Claimed</td>" in html and ">Downloaded CSV</td>" in html and ">Sign-in refused</td>" in html
    assert ">(no such account)</td>" in html and ">Claimed</td><td><a href" in html
    assert f'<a href="/staff/r/{ref}">{ref}</a>' in html
    assert 'data-testid="audit-detail">Claimed</td>' in html  # the export's filter, in staff words
    assert re.search(r"(EST|EDT)</td>", html)  # times in the program's zone


async def test_audit_page_shows_the_last_500_escaped(staff: TestClient, store: Store) -> None:
    store.audit.record("<script>x</script>", "view", "<b>", "<i>")
    for i in range(520):
        store.audit.record("cli:root", "account_disable", None, f"user{i}")
    html = await (await staff.get("/staff/audit")).text()
    assert html.count('data-testid="audit-row"') == 500
    assert "user519" in html and "user20<" in html and "user19<" not in html
    assert "<script>x" not in html and "<b>" not in html


async def test_audit_page_when_empty(staff: TestClient, store: Store) -> None:
    with store.session() as session:
        from bot.store.models import AuditEvent

        session.query(AuditEvent).delete()
    html = await (await staff.get("/staff/audit")).text()
    assert 'data-testid="audit-empty"' in html and "Nothing has been recorded yet." in html


async def test_accounts_page_lists_accounts_without_hashes(staff: TestClient, store: Store) -> None:
    add_account(store, "alice")
    store.staff.disable("alice")
    response = await staff.get("/staff/accounts")
    assert response.status == 200
    html = await response.text()
    rows = re.findall(r'data-testid="account-row" data-username="([^"]+)"><td>[^<]+</td><td>([^<]+)</td>'
                      r'<td data-testid="account-state">([^<]+)</td>', html)
    assert rows == [("alice", "staff", "disabled"), (STAFF_USER, "administrator", "active")]
    assert "scrypt" not in html and "python -m bot.website.console.staff" in html


def test_every_action_and_detail_is_worded() -> None:
    texts = catalogue()
    for action in audit.ACTIONS:
        assert texts.console_text(f"audit_action_{action}")
    for detail in audit.DETAILS:
        assert texts.console_text(f"audit_detail_{detail}")
    assert len(set(audit.ACTIONS)) == len(audit.ACTIONS) and set(audit.ACCOUNT_ACTIONS) <= set(audit.ACTIONS)
