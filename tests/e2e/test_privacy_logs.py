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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from bot.store import Store
from bot.store.callbacks import CallbackRecord
from tests.support.console import STAFF_PASSWORD, STAFF_USER
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

CALLBACK_NAME = "Quintessa"
CALLBACK_PHONE = "(410) 555-0199"
FREE_NAME = "Bartholomew"
FREE_TEXT = "my name is Bartholomew and my number is 410-555-0123, my son uses heroin"
MORE_FORMS = "you can also text +14105550123 or 410.555.0199 or 4105550123"
NAMES = (CALLBACK_NAME, FREE_NAME)
# The seven-digit local part of each number: every written form (with or without separators, with
# the area code, in E.164 with +1) contains it once separators are dropped.
NUMBERS = {"5550199": "+14105550199", "5550123": "+14105550123"}
DISCLOSURE = "uses heroin"
EXPECTED_LOGS = ("rasa.log", "actions.log", "web.log")
REF_PATTERN = re.compile(r"reference ([A-Z0-9]+-[A-Z0-9]+)\.")

# digits joined by anything a phone number may be written with
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s().\-/+]*\d)*")


# ---------------------------------------------------------------- the conversations


@dataclass
class Transcript:
    """What was said in one conversation (for failure messages)."""

    chat: Chat
    turns: List[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.chat.say(text)
        self._record(text)

    def click(self, title: str) -> bool:
        """Tap the first button whose title contains `title`; False when there is none."""
        if not any(title.lower() in b["title"].lower() for b in self.chat.buttons):
            self.turns.append(f"(no button {title!r} among {[b['title'] for b in self.chat.buttons]})")
            return False
        self.chat.click(title)
        self._record(f"[tap {title}]")
        return True

    def _record(self, said: str) -> None:
        self.turns.append(f"> {said}\n< " + self.chat.text.replace("\n", " ")[:160])

    def __str__(self) -> str:
        return "\n".join(self.turns)


@dataclass
class Run:
    """Everything the module's tests look at."""

    logs: Dict[str, str]
    callback: Transcript
    ref: Optional[str]
    stored: List[CallbackRecord]


def request_callback(chat: Chat) -> Tuple[Transcript, Optional[str]]:
    """A callback request straight from the menu, tapping the offered answers as they come."""
    t = Transcript(chat)
    t.say("/request_callback")
    t.click("Yes")  # consent
    t.say(CALLBACK_NAME)
    t.say(CALLBACK_PHONE)
    for answer in ("Any time", "No", "No", "For me"):  # best time, voicemail, texts, for whom
        if "reference" in chat.text.lower() or not t.click(answer):
            break
    match = REF_PATTERN.search(chat.text)
    return t, match.group(1) if match else None


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


def _redact(line: str) -> str:
    """A leaking line as it can be shown in a report: the secret itself masked."""
    for name in NAMES:
        line = re.sub(re.escape(name), "[NAME]", line, flags=re.IGNORECASE)
    line = _DIGIT_RUN.sub(
        lambda m: "[PHONE]" if any(k in re.sub(r"\D", "", m.group()) for k in NUMBERS) else m.group(), line
    )
    line = re.sub(re.escape(DISCLOSURE), "[DISCLOSURE]", line, flags=re.IGNORECASE)
    return line.strip()[:400]


def _leaks(logs: Dict[str, str], found) -> List[Tuple[str, int, str]]:
    hits = []
    for file_name, text in logs.items():
        for number, line in enumerate(text.splitlines(), start=1):
            if found(line) or found(urllib.parse.unquote_plus(line)):
                hits.append((file_name, number, _redact(urllib.parse.unquote_plus(line))))
    return hits


def _report(what: str, hits: List[Tuple[str, int, str]]) -> str:
    return f"{what} found in the logs:\n" + "\n".join(f"  {f}:{n}: {line}" for f, n, line in hits)


def has_name(line: str) -> bool:
    lowered = line.lower()
    return any(name.lower() in lowered for name in NAMES)


def has_number(line: str) -> bool:
    return any(key in re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(line) for key in NUMBERS)


def has_disclosure(line: str) -> bool:
    return DISCLOSURE in line.lower()


# ---------------------------------------------------------------- tests


def test_the_leak_checks_find_what_they_look_for() -> None:
    for form in ["(410) 555-0199", "410-555-0123", "410.555.0199", "410 555 0123", "4105550199", "+14105550123",
                 "+1 (410) 555-0199", "14105550123", "555-0199", "%2B14105550199", "phone=%28410%29+555-0199"]:
        assert _leaks({"x.log": f"INFO something {form} else"}, has_number), form
    assert _leaks({"x.log": "text: 'QUINTESSA'"}, has_name)
    assert not _leaks({"x.log": "2024-05-01 12:00:00,123 INFO port 41055 pid 5550"}, has_number)
    assert _redact("name=Quintessa phone=+14105550199") == "name=[NAME] phone=[PHONE]"


def test_callback_with_these_details_is_stored(run: Run) -> None:
    assert run.ref, f"the callback request did not go through:\n{run.callback}"
    assert len(run.stored) == 1, run.stored
    assert run.stored[0].ref == run.ref
    assert run.stored[0].first_name == CALLBACK_NAME and run.stored[0].phone_e164 == NUMBERS["5550199"]


def test_no_names_in_any_log(run: Run) -> None:
    hits = _leaks(run.logs, has_name)
    assert not hits, _report("names", hits)


def test_no_phone_numbers_in_any_log(run: Run) -> None:
    hits = _leaks(run.logs, has_number)
    assert not hits, _report("phone numbers", hits)


def test_no_message_text_in_any_log(run: Run) -> None:
    hits = _leaks(run.logs, has_disclosure)
    assert not hits, _report("what the person typed", hits)
