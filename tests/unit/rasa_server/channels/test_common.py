"""What both channels share: cleaning inbound text, reading Rasa's crisis verdict, the reply when Rasa failed."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest

from bot.rasa_server.channels.common import CRISIS_RESPONSES, clean_text, failure_reply, is_crisis_reply
from bot.safety.names import UTTER_CRISIS, UTTER_CRISIS_NEXT, UTTER_RISK_CHECK, UTTER_RISK_CHECK_AGAIN, UTTER_RISK_UNSURE
from bot.texts import catalogue


@pytest.mark.parametrize(
    "raw, limit, expected",
    [
        ("  hi  ", 10, "hi"),
        (None, 10, ""),
        ("a\x00b\x07c", 10, "abc"),
        ("tab\there", 10, "tab\there"),
        ("cafe\u0301", 10, "caf\u00e9"),  # NFC: one character, as the person typed it
        ("x" * 20, 5, "xxxxx"),
        ("  " + "y" * 8, 5, "yyyyy"),  # trimmed before it is cut
    ],
)
def test_clean_text(raw: Any, limit: int, expected: str) -> None:
    assert clean_text(raw, limit) == expected


def test_crisis_responses_are_the_shared_names() -> None:
    assert CRISIS_RESPONSES == {UTTER_CRISIS, UTTER_CRISIS_NEXT, UTTER_RISK_CHECK, UTTER_RISK_CHECK_AGAIN, UTTER_RISK_UNSURE}


@pytest.mark.parametrize(
    "messages, expected",
    [
        ([], False),
        ([{"utter_action": "utter_crisis"}], True),
        ([{"utter_action": "utter_crisis_next"}], True),
        ([{"utter_action": "utter_greet"}, {"utter_action": None}], False),
        ([{"text": "no utter_action at all"}], False),
        ([{"utter_action": "utter_greet"}, {"utter_action": "utter_crisis"}], True),
        ([{"utter_action": "utter_outcome_crisis"}], False),  # the fit check's outcome, not a crisis reply
    ],
)
def test_is_crisis_reply_reads_the_response_rasa_chose(messages: List[Dict[str, Any]], expected: bool) -> None:
    assert is_crisis_reply(messages) is expected


@pytest.mark.parametrize(
    "text, must_contain, must_not_contain",
    [
        ("i want to kill myself", "988", "trouble"),
        ("my dad is not breathing", "911", "trouble"),
        ("how much does it cost", "trouble", None),
    ],
)
def test_failure_reply_keeps_crisis_answers(text: str, must_contain: str, must_not_contain) -> None:
    reply = failure_reply(text)
    assert must_contain in reply
    if must_not_contain:
        assert must_not_contain not in reply


@pytest.mark.parametrize(
    "text, kind", [("i want to kill myself", "suicide"), ("my dad is not breathing", "medical"), ("how much does it cost", None)]
)
def test_failure_reply_is_a_catalogue_text(text: str, kind: Any) -> None:
    expected = catalogue().crisis(kind) if kind else catalogue().technical_trouble()
    assert failure_reply(text) == expected
