"""The staff console in real headless Chromium, against the whole running stack.

A person requests a callback through the REST channel; a staff member then signs in, finds the
request in the queue by the reference the assistant gave, claims it, closes it with an outcome note
and signs out, all through the browser. Two more people, given accounts with the account command,
work the same queue: one claims a request, the other sees it claimed by her and cannot take it, and
the administrator (the login from the environment) finds their views, export and claim in the audit log.
"""
from __future__ import annotations

import re
import subprocess
import sys
from typing import Dict

import pytest

from bot.tools.run import PROJECT_ROOT, child_env
from tests.support.console import STAFF_PASSWORD, STAFF_USER
from tests.support.chat import Chat
from tests.support.widget import RESULTS_DIR

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

CALLER_NAME = "Marisol"
CALLER_PHONE = "(410) 555-0166"
OUTCOME_NOTE = "Talked; intake booked for Tuesday 10am. No voicemail left."
REF_PATTERN = re.compile(r"reference ([A-Z0-9]+-[A-Z0-9]+)\.")
SCREENING = {"concern": "Alcohol", "self_harm": "No", "overdose": "No", "daily_use": "No", "medical": "No",
             "psychosis_mania": "No", "home": "Yes", "readiness": "Yes"}


# ---------------------------------------------------------------- fixtures


def request_callback(rasa_url: str) -> str:
    """A callback request made through the REST channel, as a person in the widget would; its reference."""
    chat = Chat(rasa_url)
    chat.say("/start_screening")
    chat.click("Myself")
    for answer in SCREENING.values():
        chat.click(answer)
    chat.click("request a callback")
    assert "Only" in chat.text and "emergency" in chat.text, chat.text
    chat.click("Yes")  # consent
    chat.say(CALLER_NAME)
    chat.say(CALLER_PHONE)
    chat.click("Evening")
    chat.click("Yes")  # voicemail
    chat.click("No")  # program name in voicemail
    chat.click("Yes")  # texts
    match = REF_PATTERN.search(chat.text)
    assert match, f"no reference in the confirmation: {chat.text!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def callback_ref(live_stack) -> str:
    return request_callback(live_stack.rasa_url)


@pytest.fixture(scope="module")
def staff_accounts(live_stack) -> Dict[str, str]:
    """Two staff accounts (not administrators) made on the stack's database with the account command,
    each with a generated password: username -> password."""
    made = {}
    for name in ("ana", "ben"):
        result = subprocess.run(
            [sys.executable, "-m", "bot.website.console.staff", "add", name, "--generate"],
            env=child_env({"DATABASE_URL": live_stack.env["DATABASE_URL"]}),
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        made[name] = result.stdout.strip().rsplit(": ", 1)[1]
    return made


@pytest.fixture
def new_page(chromium):
    """new_page(**context_options) -> a page in a fresh browser context (no cookies)."""
    contexts = []

    def make(**context_options):
        context_options.setdefault("viewport", {"width": 1280, "height": 800})
        context = chromium.new_context(**context_options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- helpers


def login_url(base: str) -> re.Pattern:
    return re.compile(re.escape(base) + r"/staff/login(\?.*)?$")


def sign_in(page, base: str, password: str = STAFF_PASSWORD, username: str = STAFF_USER) -> None:
    """Open the queue, get sent to the sign-in page, and sign in there."""
    page.goto(base + "/staff/")
    expect(page).to_have_url(login_url(base))
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def row(page, ref: str):
    return page.locator(f'[data-testid="queue-row"][data-ref="{ref}"]')


def no_horizontal_scroll(page) -> Dict[str, int]:
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert sizes["scroll"] <= sizes["client"], f"horizontal scroll at {page.url}: {sizes}"
    return sizes


# ---------------------------------------------------------------- tests


def test_wrong_password_is_refused(live_stack, new_page) -> None:
    base = live_stack.web_url
    page = new_page()
    with page.expect_response(
        lambda r: r.url.startswith(base + "/staff/login") and r.request.method == "POST"
    ) as answer:
        sign_in(page, base, password="not the password")
    assert answer.value.status == 401
    expect(page).to_have_url(login_url(base))
    expect(page.get_by_test_id("message")).to_contain_text("Wrong username or password")
    expect(page.get_by_test_id("login-password")).to_have_value("")  # the password is never echoed back
    expect(page.get_by_test_id("logout-button")).to_have_count(0)
    # still signed out: the queue sends the browser back to the sign-in page
    page.goto(base + "/staff/")
    expect(page).to_have_url(login_url(base))
    expect(page.get_by_test_id("queue-row")).to_have_count(0)


def test_queue_fits_a_phone_screen(live_stack, new_page, callback_ref: str) -> None:
    base = live_stack.web_url
    page = new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    sign_in(page, base)
    expect(page).to_have_url(base + "/staff/")
    expect(row(page, callback_ref)).to_be_visible()
    no_horizontal_scroll(page)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "console-phone.png"), full_page=True)
    # the request page, with its forms, fits too
    row(page, callback_ref).get_by_test_id("request-link").click()
    expect(page.get_by_test_id("claim-button")).to_be_visible()
    no_horizontal_scroll(page)


def test_staff_claims_and_closes_a_callback(live_stack, new_page, callback_ref: str) -> None:
    base = live_stack.web_url
    page = new_page()

    # Signed out, the console sends the browser to the sign-in page, which returns to the queue.
    page.goto(base + "/staff/")
    expect(page).to_have_url(login_url(base))
    assert "next=" in page.url
    page.get_by_test_id("login-username").fill(STAFF_USER)
    page.get_by_test_id("login-password").fill(STAFF_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(base + "/staff/")
    expect(page.get_by_test_id("logout-button")).to_contain_text(STAFF_USER)

    # The request is in the queue under the reference the assistant gave, still new.
    item = row(page, callback_ref)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(CALLER_NAME)
    expect(item.get_by_test_id("request-status")).to_have_text("new")
    expect(item.get_by_test_id("phone")).to_have_attribute("href", "tel:+14105550166")

    # Open it.
    item.get_by_test_id("request-link").click()
    expect(page).to_have_url(f"{base}/staff/r/{callback_ref}")
    detail = page.get_by_test_id("request-detail")
    expect(detail).to_have_attribute("data-ref", callback_ref)
    expect(detail).to_contain_text(CALLER_NAME)
    expect(detail).to_contain_text("do NOT name the program")  # the caller's voicemail choice
    expect(detail.get_by_test_id("request-status")).to_have_text("new")

    # Claim it.
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_test_id("message")).to_contain_text("Claimed")
    expect(detail.get_by_test_id("request-status")).to_have_text("claimed")
    expect(detail).to_contain_text(f"by {STAFF_USER}")
    expect(page.get_by_test_id("claim-button")).to_have_count(0)

    # Mark it done with an outcome note.
    page.get_by_test_id("outcome-note").fill(OUTCOME_NOTE)
    page.get_by_test_id("done-button").click()
    expect(page.get_by_test_id("message")).to_contain_text("Marked done")
    expect(detail.get_by_test_id("request-status")).to_have_text("done")
    expect(detail.get_by_test_id("outcome-text")).to_have_text(OUTCOME_NOTE)
    expect(page.get_by_test_id("done-button")).to_have_count(0)
    expect(page.get_by_test_id("outcome-note")).to_have_count(0)

    # The queue's filters agree: under "done", not under "new" (nor under the default "open").
    page.goto(base + "/staff/")
    expect(page.get_by_test_id("filter-open")).to_have_attribute("aria-current", "page")
    expect(row(page, callback_ref)).to_have_count(0)
    page.get_by_test_id("filter-done").click()
    expect(page).to_have_url(base + "/staff/?status=done")
    expect(page.get_by_test_id("filter-done")).to_have_attribute("aria-current", "page")
    expect(row(page, callback_ref)).to_have_count(1)
    expect(row(page, callback_ref).get_by_test_id("request-status")).to_have_text("done")
    page.get_by_test_id("filter-new").click()
    expect(page).to_have_url(base + "/staff/?status=new")
    expect(page.get_by_test_id("filter-new")).to_have_attribute("aria-current", "page")
    expect(row(page, callback_ref)).to_have_count(0)

    # Sign out: the queue is closed again.
    page.get_by_test_id("logout-button").click()
    expect(page).to_have_url(login_url(base))
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.goto(base + "/staff/")
    expect(page).to_have_url(login_url(base))
    expect(page.get_by_test_id("queue-row")).to_have_count(0)
    page.goto(f"{base}/staff/r/{callback_ref}")
    expect(page).to_have_url(login_url(base))
    expect(page.get_by_text(CALLER_NAME)).to_have_count(0)


def audit_row(page, action: str, username: str, ref: str = ""):
    return page.locator(
        f'[data-testid="audit-row"][data-action="{action}"][data-username="{username}"][data-ref="{ref}"]'
    )


def test_two_people_one_claim_and_the_audit_log(live_stack, new_page, staff_accounts: Dict[str, str]) -> None:
    base = live_stack.web_url
    ref = request_callback(live_stack.rasa_url)
    ana, ben = new_page(), new_page()
    for page, name in ((ana, "ana"), (ben, "ben")):
        sign_in(page, base, staff_accounts[name], username=name)
        expect(page).to_have_url(base + "/staff/")
        expect(page.get_by_test_id("logout-button")).to_contain_text(name)
        expect(page.get_by_test_id("nav-audit")).to_have_count(0)  # neither is an administrator
        row(page, ref).get_by_test_id("request-link").click()
        expect(page.get_by_test_id("claim-button")).to_be_visible()  # both see it new

    # Ana claims it first.
    ana.get_by_test_id("claim-button").click()
    expect(ana.get_by_test_id("message")).to_contain_text("Claimed")
    expect(ana.get_by_test_id("request-detail")).to_contain_text("by ana")

    # Ben's page still offers the claim, but the claim is refused and names who holds it.
    with ben.expect_response(lambda r: r.url.endswith(f"/staff/r/{ref}/claim")) as answer:
        ben.get_by_test_id("claim-button").click()
    assert answer.value.status == 409
    expect(ben.get_by_test_id("message")).to_have_text(f"Not changed: {ref} is already claimed by ana.")
    expect(ben.get_by_test_id("claim-button")).to_have_count(0)
    ben.goto(base + "/staff/")
    expect(row(ben, ref).get_by_test_id("request-status")).to_have_text("claimed")
    expect(row(ben, ref)).to_contain_text("claimed by ana")
    response = ben.goto(base + "/staff/audit")
    assert response is not None and response.status == 403
    expect(ben.get_by_test_id("message")).to_have_text("This page is for administrators.")

    # Ana downloads the claimed requests.
    ana.goto(base + "/staff/?status=claimed")
    with ana.expect_download() as download:
        ana.get_by_test_id("queue-download").click()
    assert download.value.suggested_filename.startswith("callbacks-claimed-")

    # The administrator finds all of it in the audit log, newest first, on a phone too.
    admin = new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    sign_in(admin, base)
    admin.get_by_test_id("nav-audit").click()
    expect(admin).to_have_url(base + "/staff/audit")
    expect(audit_row(admin, "claim", "ana", ref)).to_have_count(1)
    expect(audit_row(admin, "claim", "ben", ref)).to_have_count(0)
    expect(audit_row(admin, "view", "ben", ref)).to_have_count(2)  # opened, and shown again with the refusal
    expect(audit_row(admin, "view", "ana", ref).first).to_be_visible()
    export = audit_row(admin, "export", "ana")
    expect(export).to_have_count(1)
    expect(export.get_by_test_id("audit-detail")).to_have_text("Claimed")
    expect(export.get_by_test_id("audit-action")).to_have_text("Downloaded CSV")
    added = admin.locator('[data-testid="audit-row"][data-action="account_add"]')  # by the account command
    for name in ("ana", "ben"):
        expect(added.filter(has=admin.get_by_test_id("audit-detail").get_by_text(name, exact=True))).to_have_count(1)
    expect(added.first).to_have_attribute("data-username", re.compile(r"^cli:"))
    actions = admin.locator('[data-testid="audit-row"]').evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert actions.index("sign_in") < actions.index("export") < actions.index("claim")  # newest first
    no_horizontal_scroll(admin)

    # And both accounts on the accounts page, as staff.
    admin.get_by_test_id("nav-accounts").click()
    for name in ("ana", "ben"):
        account = admin.locator(f'[data-testid="account-row"][data-username="{name}"]')
        expect(account).to_contain_text("staff")
        expect(account.get_by_test_id("account-state")).to_have_text("active")
