"""The hardened REST channel: input checks as plain functions."""
from __future__ import annotations

import pytest

from bot.rasa_server.channels.rest import MAX_MESSAGE_CHARS, clean_text, parse_request
from bot.replies import failure_reply, fallback_text

pytestmark = pytest.mark.usefixtures("sanic_test_mode")


@pytest.mark.parametrize(
    "body, ok",
    [
        ({"sender": "web-abc123", "message": "hi"}, True),
        ({"sender": "web-abc123", "message": ""}, True),
        ({"sender": "web-abc123"}, True),
        ({"sender": "", "message": "hi"}, False),
        ({"sender": "a b", "message": "hi"}, False),
        ({"sender": "x" * 129, "message": "hi"}, False),
        ({"sender": 5, "message": "hi"}, False),
        ({"sender": "web-1", "message": ["hi"]}, False),
        (["not", "an", "object"], False),
        (None, False),
    ],
)
def test_parse_request(body, ok: bool) -> None:
    sender, text, error = parse_request(body)
    assert (error is None) == ok


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  hi  ", "hi"),
        ("a\x00b", "ab"),
        ("line1\nline2", "line1\nline2"),
        ("<b>hi</b>", "<b>hi</b>"),
        ("\U0001F600", "\U0001F600"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_huge_message_is_capped() -> None:
    assert len(clean_text("a" * 100_000)) == MAX_MESSAGE_CHARS


def test_fallback_texts_have_crisis_numbers() -> None:
    assert "988" in fallback_text("utter_technical_trouble")
    assert "988" in fallback_text("utter_empty_message")


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
