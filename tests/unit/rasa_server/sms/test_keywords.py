"""Carrier keywords and texts without words: what the SMS channel answers itself (bot/rasa_server/sms/keywords.py)."""
from __future__ import annotations

from typing import Any, Optional, Tuple

import pytest

from bot.rasa_server.sms import format as sms
from bot.rasa_server.sms import keywords
from bot.rasa_server.sms.keywords import SILENCE, Answer


def is_gsm7(text: str) -> bool:
    return all(ch in sms.GSM7_BASIC or ch in sms.GSM7_EXTENDED for ch in text)


# --- classify_keyword -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        ("  Stop  ", "stop"),
        ("Stop.", "stop"),
        ("STOPALL", "stop"),
        ("stop all", "stop"),
        ("unsubscribe", "stop"),
        ("Cancel", "stop"),  # even inside a form: carrier rules win
        ("END", "stop"),
        ("quit", "stop"),
        ("revoke", "stop"),
        ("optout", "stop"),
        ("opt out", "stop"),
        ("START", "start"),
        ("start", "start"),
        ("Unstop", "start"),
        ("HELP", "help"),
        (" help! ", "help"),
        ("please stop", None),
        ("stop the check", None),
        ("I need help", None),
        ("help me", None),
        ("started", None),
        ("", None),
        ("1", None),
    ],
)
def test_classify_keyword(text: str, expected: Optional[str]) -> None:
    assert keywords.classify_keyword(text) == expected


# --- keyword replies --------------------------------------------------------------------------------
def test_keyword_replies_fit_one_sms_part_and_carry_crisis_numbers(sms_program: Any) -> None:
    stop = keywords.keyword_text("stop", sms_program)
    assert stop == (
        "You're unsubscribed from Harbor Light messages. No more texts will be sent. Reply START to "
        "resubscribe. If you're in crisis, call or text 988, or call 911."
    )
    help_ = keywords.keyword_text("help", sms_program)
    for needle in ("Harbor Light Recovery IOP", "(410) 555-0142", "Reply STOP to opt out.", "Msg & data rates may apply.", "988", "911"):
        assert needle in help_
    media = keywords.keyword_text("media_only", sms_program)
    assert media.startswith("I can only read text messages. Please type your question")
    for key in ("stop", "help", "start", "media_only", "empty_message"):
        text = keywords.keyword_text(key, sms_program)
        assert is_gsm7(text) and sms.septets(text) <= sms.SMS_PART_LIMIT


# The replies word for word, as the channel sent them before they moved to content/sms.yml.
EXACT = {
    "stop": "You're unsubscribed from Harbor Light messages. No more texts will be sent. Reply START to resubscribe. "
    "If you're in crisis, call or text 988, or call 911.",
    "start": "You're resubscribed to Harbor Light messages. Ask me a question about our program, or reply HELP for "
    "help and STOP to opt out. Msg & data rates may apply.",
    "help": "Harbor Light Recovery IOP assistant. To talk to our team call (410) 555-0142 (Mon-Thu 8am-8pm, Fri 8am-6pm, "
    "Sat 9am-1pm (Eastern time)). Reply STOP to opt out. Msg & data rates may apply. In crisis, call or text 988, "
    "or call 911.",
    "media_only": "I can only read text messages. Please type your question, or call (410) 555-0142. If you're in "
    "danger, call or text 988, or call 911.",
    "empty_message": "I didn't get any text there. Type a question, for example \"what is IOP?\". If you're in danger, "
    "call or text 988, or call 911.",
}


@pytest.mark.parametrize("key", sorted(EXACT))
def test_keyword_replies_word_for_word(sms_program: Any, key: str) -> None:
    assert keywords.keyword_text(key, sms_program) == EXACT[key]


# --- the policy ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body, num_media, opted_out, expected",
    [
        ("STOP", 0, False, (("stop",), True)),
        ("cancel", 0, False, (("stop",), True)),
        ("STOP", 0, True, ((), None)),  # one confirmation only
        ("START", 0, False, (("start",), False)),
        ("unstop", 0, True, (("start",), False)),
        ("HELP", 0, False, (("help",), None)),
        ("HELP", 0, True, ((), None)),  # an opted-out number gets nothing
        ("", 0, False, (("empty_message",), None)),
        ("", 2, False, (("media_only",), None)),
        ("", 1, True, ((), None)),
        ("I want to kill myself", 0, True, ((), None)),  # by carrier rules we may not text them
        ("hi", 0, False, None),  # for Rasa
        ("hi", 1, False, None),  # a picture with text is answered normally
        ("please stop", 0, False, None),
    ],
)
def test_answer(
    sms_program: Any, body: str, num_media: int, opted_out: bool, expected: Optional[Tuple[Tuple[str, ...], Optional[bool]]]
) -> None:
    answer = keywords.answer(body, num_media, opted_out, sms_program)
    if expected is None:
        assert answer is None
        return
    keys, opt_out = expected
    assert answer == Answer(tuple(EXACT[k] for k in keys), opt_out)
    if not keys:
        assert answer == SILENCE
