"""Names, phone numbers and disclosures typed into the assistant never reach a log file.

Conversations run through the real REST channel, a staff member looks at the resulting request in
the console, and then every log file of the stack (Rasa server, action server, website) is read.
"""
from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from bot.store import Store
from bot.store.callbacks import CallbackRecord
from tests.support.console import STAFF_PASSWORD, STAFF_USER
from tests.support.chat import Chat
from tests.support.privacy import (
    CALLBACK_NAME, EXPECTED_LOGS, FREE_TEXT, MORE_FORMS, NUMBERS, Transcript, has_disclosure, has_name,
    has_number, leaks, redact, report, request_callback,
)

pytestmark = pytest.mark.e2e


@dataclass
class Run:
    """Everything the module's tests look at."""

    logs: Dict[str, str]
    callback: Transcript
    ref: Optional[str]
    stored: List[CallbackRecord]


def view_in_console(base: str, ref: Optional[str]) -> None:
    """Sign in to the console over HTTP; open the queue, the request and the CSV export."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/staff/login", timeout=30) as resp:
        page = resp.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf_token": token, "next": "/staff/"}
    ).encode()
    with opener.open(f"{base}/staff/login", data=form, timeout=30) as resp:
        assert resp.url == f"{base}/staff/", resp.url
        queue = resp.read().decode()
    with opener.open(f"{base}/staff/export.csv?status=all", timeout=30) as resp:
        export = resp.read().decode("utf-8-sig")
    if ref:
        assert ref in queue and CALLBACK_NAME in export
        with opener.open(f"{base}/staff/r/{ref}", timeout=30) as resp:
            assert CALLBACK_NAME in resp.read().decode()


@pytest.fixture(scope="module")
def run(live_stack) -> Run:
    """Run the conversations and look at the result in the console, then read every log file.

    Whatever the assistant answers, the logs are read afterwards: whether the callback itself went
    through is checked by its own test.
    """
    callback, ref = request_callback(Chat(live_stack.rasa_url))
    with Store(live_stack.env["DATABASE_URL"]) as store:
        stored = [r for r in store.callbacks.list() if r.conversation_id == callback.chat.sender]
    free = Chat(live_stack.rasa_url)
    assert free.say(FREE_TEXT), "no reply to the free message"
    assert free.say(MORE_FORMS), "no reply to the second message"
    # the same disclosure typed in the middle of a callback form
    mixed = Transcript(Chat(live_stack.rasa_url))
    mixed.say("/request_callback")
    mixed.click("Yes")
    mixed.say(FREE_TEXT)

    view_in_console(live_stack.web_url, ref)
    time.sleep(2)  # let every process finish writing
    logs = {path.name: path.read_text(errors="replace") for path in sorted(Path(live_stack.log_dir).glob("*.log"))}
    for name in EXPECTED_LOGS:
        assert name in logs, f"{name} missing from {live_stack.log_dir}: {sorted(logs)}"
        assert "INFO" in logs[name], f"{name} has no INFO lines: is the stack logging at INFO?"
    return Run(logs=logs, callback=callback, ref=ref, stored=stored)


# ---------------------------------------------------------------- finding leaks


# ---------------------------------------------------------------- tests


def test_the_leak_checks_find_what_they_look_for() -> None:
    for form in ["(410) 555-0199", "410-555-0123", "410.555.0199", "410 555 0123", "4105550199", "+14105550123",
                 "+1 (410) 555-0199", "14105550123", "555-0199", "%2B14105550199", "phone=%28410%29+555-0199"]:
        assert leaks({"x.log": f"INFO something {form} else"}, has_number), form
    assert leaks({"x.log": "text: 'QUINTESSA'"}, has_name)
    assert not leaks({"x.log": "2024-05-01 12:00:00,123 INFO port 41055 pid 5550"}, has_number)
    assert redact("name=Quintessa phone=+14105550199") == "name=[NAME] phone=[PHONE]"


def test_callback_with_these_details_is_stored(run: Run) -> None:
    assert run.ref, f"the callback request did not go through:\n{run.callback}"
    assert len(run.stored) == 1, run.stored
    assert run.stored[0].ref == run.ref
    assert run.stored[0].first_name == CALLBACK_NAME and run.stored[0].phone_e164 == NUMBERS["5550199"]


def test_no_names_in_any_log(run: Run) -> None:
    hits = leaks(run.logs, has_name)
    assert not hits, report("names", hits)


def test_no_phone_numbers_in_any_log(run: Run) -> None:
    hits = leaks(run.logs, has_number)
    assert not hits, report("phone numbers", hits)


def test_no_message_text_in_any_log(run: Run) -> None:
    hits = leaks(run.logs, has_disclosure)
    assert not hits, report("what the person typed", hits)
