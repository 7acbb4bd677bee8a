"""Staff console pages: queue, filters, claim and done, CSRF, CSV export, escaping, failures."""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Callable, List

import pytest
from aiohttp.test_utils import TestClient

from bot.store import Store
from bot.website.console.app import CONSOLE
from tests.support.console import MakeClient, csrf_from, session_csrf, sign_in


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test client speaks plain http to 127.0.0.1: allow the session cookie there."""
    monkeypatch.setenv("STAFF_COOKIE_INSECURE_LOCALHOST", "1")

_ROW = re.compile(r'data-testid="queue-row" data-ref="([^"]+)"')


def rows(html: str) -> List[str]:
    return _ROW.findall(html)


async def test_queue_lists_open_requests_urgent_first(staff: TestClient, add_request: Callable[..., str]) -> None:
    calm_old = add_request(first_name="Ann")
    urgent = add_request(first_name="Bea", urgent=True)
    calm_new = add_request(first_name="Cal")
    response = await staff.get("/staff/")
    assert response.status == 200
    html = await response.text()
    assert rows(html) == [urgent, calm_old, calm_new]
    assert html.count('data-testid="urgent-badge"') == 1
    assert "(410) 555-0142" in html and 'href="tel:+14105550142"' in html
    assert "evenings" in html and "Themself" in html and "IOP looks like a good fit" in html
    assert re.search(r"(EST|EDT)", html)  # times in the program's zone
    assert 'name="viewport"' in html and "@media (max-width:30rem)" in html


async def test_empty_queue(staff: TestClient) -> None:
    html = await (await staff.get("/staff/")).text()
    assert 'data-testid="queue-empty"' in html and rows(html) == []


# filter, expected rows (keys)
FILTER_CASES = [
    ("", "abc"),  # default: open
    ("open", "abc"),
    ("new", "ab"),
    ("claimed", "c"),
    ("done", "d"),
    ("all", "abcd"),
    ("bogus", "abc"),  # unknown filter falls back to open
]


@pytest.mark.parametrize("status, expected", FILTER_CASES)
async def test_filter(staff: TestClient, add_request: Callable[..., str], store: Store, status: str, expected: str) -> None:
    refs = {key: add_request() for key in "abcd"}
    store.callbacks.claim(refs["c"], "maria")
    store.callbacks.complete(refs["d"], "maria", "talked")
    html = await (await staff.get(f"/staff/?status={status}")).text()
    assert rows(html) == [refs[k] for k in expected]


async def test_detail_claim_and_done_flow(staff: TestClient, add_request: Callable[..., str], store: Store) -> None:
    ref = add_request()
    page = await staff.get(f"/staff/r/{ref}")
    html = await page.text()
    assert page.status == 200
    assert 'data-testid="claim-button"' in html and 'data-testid="done-button"' in html
    assert "within about 2 hours" in html  # what the person was promised
    token = csrf_from(html)

    claimed = await staff.post(f"/staff/r/{ref}/claim", data={"csrf_token": token}, allow_redirects=False)
    assert claimed.status == 303 and claimed.headers["Location"] == f"/staff/r/{ref}?m=claimed"
    html = await (await staff.get(claimed.headers["Location"])).text()
    assert "Claimed. The caller is yours." in html
    assert 'data-testid="claim-button"' not in html and 'data-testid="done-button"' in html
    assert "claimed by maria" in html

    done = await staff.post(
        f"/staff/r/{ref}/done", data={"csrf_token": token, "note": "Talked; intake Tue 10am"}, allow_redirects=False
    )
    assert done.status == 303
    html = await (await staff.get(done.headers["Location"])).text()
    assert "Marked done" in html and "Talked; intake Tue 10am" in html
    assert 'data-testid="done-button"' not in html

    record = store.callbacks.get(ref)
    assert record is not None and record.status == "done" and record.claimed_by == "maria"
    assert record.outcome_note == "Talked; intake Tue 10am"
    assert rows(await (await staff.get("/staff/")).text()) == []


async def test_done_without_claim(staff: TestClient, add_request: Callable[..., str], store: Store) -> None:
    ref = add_request()
    token = await session_csrf(staff)
    response = await staff.post(f"/staff/r/{ref}/done", data={"csrf_token": token, "note": ""}, allow_redirects=False)
    assert response.status == 303
    record = store.callbacks.get(ref)
    assert record is not None and record.status == "done" and record.outcome_note is None


async def test_conflicts_are_explained(staff: TestClient, add_request: Callable[..., str], store: Store) -> None:
    ref = add_request()
    store.callbacks.claim(ref, "joe")
    token = await session_csrf(staff)
    response = await staff.post(f"/staff/r/{ref}/claim", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 409
    assert "already claimed by joe" in await response.text()
    store.callbacks.complete(ref, "joe", "done")
    response = await staff.post(f"/staff/r/{ref}/done", data={"csrf_token": token, "note": "x"}, allow_redirects=False)
    assert response.status == 409
    record = store.callbacks.get(ref)
    assert record is not None and record.outcome_note == "done"


# path, method
CSRF_ROUTES = [("/staff/r/{ref}/claim", "claim"), ("/staff/r/{ref}/done", "done"), ("/staff/logout", "logout")]


@pytest.mark.parametrize("path, action", CSRF_ROUTES)
@pytest.mark.parametrize("token", ["", "wrong", None])
async def test_csrf_token_required(
    staff: TestClient, add_request: Callable[..., str], store: Store, path: str, action: str, token: Any
) -> None:
    ref = add_request()
    data = {"note": "x"} if token is None else {"csrf_token": token, "note": "x"}
    response = await staff.post(path.format(ref=ref), data=data, allow_redirects=False)
    assert response.status == 403
    record = store.callbacks.get(ref)
    assert record is not None and record.status == "new"
    assert (await staff.get("/staff/", allow_redirects=False)).status == 200  # still signed in


async def test_csrf_token_is_per_session(make_client: MakeClient, add_request: Callable[..., str]) -> None:
    first, second = await make_client(), await make_client()
    await sign_in(first)
    await sign_in(second)
    ref = add_request()
    token_of_first = await session_csrf(first)
    response = await second.post(f"/staff/r/{ref}/claim", data={"csrf_token": token_of_first}, allow_redirects=False)
    assert response.status == 403


async def test_unknown_reference_is_404(staff: TestClient) -> None:
    response = await staff.get("/staff/r/HL-ZZZZ")
    assert response.status == 404
    token = await session_csrf(staff)
    response = await staff.post("/staff/r/HL-ZZZZ/claim", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 404
    assert (await staff.get("/staff/r/<script>")).status == 404
    assert (await staff.get("/staff/nothing-here")).status == 404


async def test_csv_export(staff: TestClient, add_request: Callable[..., str], store: Store) -> None:
    first = add_request(first_name="Ann")
    second = add_request(first_name="Bea", urgent=True)
    store.callbacks.complete(second, "maria", "called back")
    response = await staff.get("/staff/export.csv")
    assert response.status == 200
    assert response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="callbacks-all-')
    body = await response.read()
    assert body.startswith("\ufeff".encode("utf-8"))
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["ref"] for r in table] == [second, first]
    assert table[1]["first_name"] == "Ann" and table[1]["phone_e164"] == "+14105550142"
    assert table[0]["status"] == "done" and table[0]["outcome_note"] == "called back"

    only_new = await (await staff.get("/staff/export.csv?status=new")).read()
    assert [r["ref"] for r in csv.DictReader(io.StringIO(only_new.decode("utf-8-sig")))] == [first]


XSS = '<script>alert("x")</script>'


async def test_user_text_is_escaped(staff: TestClient, add_request: Callable[..., str], store: Store) -> None:
    ref = add_request(first_name=XSS, best_time='"><img src=x onerror=alert(1)>', screening_outcome="<b>x</b>")
    store.callbacks.claim(ref, "maria")
    store.callbacks.complete(ref, "maria", "<iframe src=//evil>")
    for path in ("/staff/?status=all", f"/staff/r/{ref}"):
        html = await (await staff.get(path)).text()
        assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<b>x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;iframe src=//evil&gt;" in html


async def test_database_down_shows_a_clear_page(staff: TestClient) -> None:
    state = staff.app[CONSOLE]
    with Store("sqlite:////nonexistent-dir/never/db.sqlite") as dead:
        state.store = dead
        for path in ("/staff/", "/staff/r/HL-AAAA", "/staff/export.csv", "/staff/audit"):
            response = await staff.get(path, allow_redirects=False)
            assert response.status == 503
            assert "Database unavailable" in await response.text()


async def test_sign_in_while_the_database_is_down_says_so(make_client: MakeClient) -> None:
    client = await make_client("sqlite:////nonexistent-dir/never/db.sqlite")
    response = await sign_in(client)
    assert response.status == 503
    assert "cannot be reached" in await response.text()
    assert (await client.get("/staff/", allow_redirects=False)).status == 303
