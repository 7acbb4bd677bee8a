"""When every action fails, the person hears a kind technical-trouble reply and no log holds what they typed.

A stack whose action server serves tests.support.faulty_actions: each real action replaced by one that
raises with the person's message and every slot in the exception. The conversations of the happy-path
privacy test run against it, then every log file is read.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.store import Store
from bot.texts import catalogue
from tests.support.chat import Chat
from tests.support.privacy import (
    EXPECTED_LOGS, FREE_TEXT, Transcript, has_disclosure, has_name, has_number, leaks, report,
)
from tests.support.stack import require_model, temporary_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, object]]:
    require_model()
    stack = temporary_stack(tmp_path_factory.mktemp("failing-var"), actions_package="tests.support.faulty_actions")
    stack.start(timeout=300)
    try:
        chat = Transcript(Chat(stack.rasa_url))
        chat.say("/request_callback")  # the callback form's validation action runs at once
        callback_replies = chat.chat.text
        chat.say("Quintessa")
        chat.say("(410) 555-0199")
        free = Chat(stack.rasa_url)
        free.say(FREE_TEXT)
        time.sleep(2)
        with Store(stack.env["DATABASE_URL"]) as store:
            rows = store.callbacks.list()
        logs = {p.name: p.read_text(errors="replace") for p in sorted(Path(stack.log_dir).glob("*.log"))}
        yield {"transcript": chat, "callback_replies": callback_replies, "rows": rows, "logs": logs}
    finally:
        stack.stop()


def test_the_actions_really_failed(failing: Dict[str, object]) -> None:
    logs = failing["logs"]
    assert set(EXPECTED_LOGS) <= set(logs), sorted(logs)
    assert "failed: RuntimeError" in logs["actions.log"], "the faulty actions did not run"


def test_the_person_is_told_plainly(failing: Dict[str, object]) -> None:
    trouble = catalogue().technical_trouble().split(".")[0]
    assert trouble in str(failing["callback_replies"]), failing["transcript"]


def test_nothing_is_stored(failing: Dict[str, object]) -> None:
    assert failing["rows"] == []


@pytest.mark.parametrize("check", [has_name, has_number, has_disclosure], ids=["names", "numbers", "text"])
def test_no_conversation_in_any_log(failing: Dict[str, object], check) -> None:
    hits = leaks(failing["logs"], check)
    assert not hits, report(check.__name__, hits)
