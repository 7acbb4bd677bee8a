"""The hardened REST channel: input checks as plain functions."""
from __future__ import annotations

import pytest

from bot.rasa_server.channels.common import clean_text
from bot.rasa_server.channels.rest import MAX_MESSAGE_CHARS, parse_request
from bot.texts import catalogue

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
    assert clean_text(raw, MAX_MESSAGE_CHARS) == expected
    assert parse_request({"sender": "web-1", "message": raw})[1] == expected


def test_huge_message_is_capped() -> None:
    assert len(clean_text("a" * 100_000, MAX_MESSAGE_CHARS)) == MAX_MESSAGE_CHARS
    assert len(parse_request({"sender": "web-1", "message": "a" * 100_000})[1]) == MAX_MESSAGE_CHARS


def test_fallback_texts_have_crisis_numbers() -> None:
    assert "988" in catalogue().text("utter_technical_trouble")
    assert "988" in catalogue().text("utter_empty_message")


def test_a_huge_message_is_cut_before_it_is_processed() -> None:
    """40 MB of text: the part past the cut is never looked at (its control characters would be dropped,
    shortening the result, if it were)."""
    huge = "a" * MAX_MESSAGE_CHARS + "\x00" * 40_000_000
    assert clean_text(huge, MAX_MESSAGE_CHARS) == "a" * MAX_MESSAGE_CHARS
    assert clean_text("\x00" * (5 * MAX_MESSAGE_CHARS) + "tail", MAX_MESSAGE_CHARS) == ""


@pytest.mark.parametrize(
    "utter_action, sensitive",
    [("utter_ask_first_name", True), ("utter_ask_phone", True), ("utter_ask_best_time", True),
     ("utter_invalid_phone", True), ("utter_invalid_name", True), ("utter_ask_voicemail_ok", False),
     ("utter_crisis", False), (None, False)],
)
async def test_private_questions_are_marked_sensitive(utter_action, sensitive: bool) -> None:
    from bot.rasa_server.channels.rest import MarkingCollector

    collector = MarkingCollector()
    message = {"text": "What first name should we ask for?\n\nA second part", "utter_action": utter_action}
    await collector.send_response("web-1", message)
    assert len(collector.messages) == 2
    assert all(m.get("sensitive", False) is sensitive for m in collector.messages)
