"""Table-driven tests of the SMS text formatting in bot/rasa_server/sms/format.py."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from bot.rasa_server.sms import format as sms

BUTTONS: List[Dict[str, str]] = [
    {"title": "What is IOP?", "payload": "What is an intensive outpatient program?"},
    {"title": "Check if IOP fits", "payload": "/start_screening"},
    {"title": "Request a callback", "payload": "/request_callback"},
]


def is_gsm7(text: str) -> bool:
    return all(ch in sms.GSM7_BASIC or ch in sms.GSM7_EXTENDED for ch in text)


# --- to_gsm7 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("plain text", "plain text"),
        ("It\u2019s \u201cfine\u201d", "It's \"fine\""),
        ("\u2018single\u2019 \u201adouble\u201e", "'single' 'double\""),
        ("8am\u20138pm \u2014 daily", "8am-8pm - daily"),
        ("wait\u2026", "wait..."),
        ("a\u00a0b\u202fc\u2009d", "a b c d"),
        ("Hi \U0001F44B there \U0001F60A", "Hi there"),
        ("thumbs \U0001F44D\U0001F3FD up", "thumbs up"),
        ("family \U0001F468\u200d\U0001F469\u200d\U0001F467 time", "family time"),
        ("flag \U0001F1FA\U0001F1F8!", "flag!"),
        ("home \U0001F3E0.", "home."),
        ("(ok \U0001F44D)", "(ok)"),
        ("a\U0001F44Db", "ab"),
        ("\U0001F44B hi", "hi"),
        ("caf\u00e9 \u00e0 \u00fc \u00f1 \u00c9", "caf\u00e9 \u00e0 \u00fc \u00f1 \u00c9"),  # GSM-7 basic set
        ("\u00e1 \u00ed \u00f3 \u00fa \u00e7 \u00e2 \u00ea", "a i o u c a e"),  # folded to ASCII
        ("Se\u00f1or Jos\u00e9 na\u00efve", "Se\u00f1or Jos\u00e9 naive"),
        ("\ufb01ne \u2122 \u00bd", "fine TM 1/2"),
        ("price \u20ac10 [a] {b} ~c | d \\ e ^", "price \u20ac10 [a] {b} ~c | d \\ e ^"),
        ("tab\there   and  spaces", "tab here and spaces"),
        ("  line one  \r\n  line two  ", "line one\nline two"),
        ("para\n\n\n\n\nnext", "para\n\nnext"),
        ("\u2022 bullet", "- bullet"),
        ("\u4f60\u597d hello", "hello"),
        ("", ""),
        ("\U0001F600", ""),
    ],
)
def test_to_gsm7(raw: str, expected: str) -> None:
    out = sms.to_gsm7(raw)
    assert out == expected
    assert is_gsm7(out)


# --- septets ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, count",
    [("", 0), ("abc", 3), ("[x]", 5), ("\u20ac", 2), ("{}^~|\\", 12), ("\u00e9\u00e8", 2)],
)
def test_septets(text: str, count: int) -> None:
    assert sms.septets(text) == count


# --- render_buttons -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, buttons, expected",
    [
        ("Hi.", BUTTONS, "Hi.\n1) What is IOP? 2) Check if IOP fits 3) Request a callback"),
        ("Hi.", [], "Hi."),
        ("Hi.", None, "Hi."),
        ("OK?  ", [{"title": "Yes", "payload": "Yes"}, {"title": "No", "payload": "/stop_form"}], "OK?\n1) Yes 2) No"),
        ("", [{"title": "Yes", "payload": "y"}], "1) Yes"),
        ("Pick", [{"payload": "/p"}, {"title": " ", "payload": ""}], "Pick\n1) /p"),
    ],
)
def test_render_buttons(text: str, buttons: Optional[List[Dict[str, str]]], expected: str) -> None:
    assert sms.render_buttons(text, buttons) == expected


# --- split_message --------------------------------------------------------------------------------
SENTENCE = "Intensive outpatient programs meet several times a week."  # 57 chars


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("", 320, []),
        ("   ", 320, []),
        ("Short.", 320, ["Short."]),
        ("One. Two. Three.", 9, ["One. Two.", "Three."]),
        ("One! Two? Three.", 9, ["One! Two?", "Three."]),
        ('He said "go." Then left.', 14, ['He said "go."', "Then left."]),
        ("alpha beta gamma delta", 11, ["alpha beta", "gamma delta"]),
        ("abcdefghijklmnop", 5, ["abcde", "fghij", "klmno", "p"]),
        ("ok abcdefghij ok", 4, ["ok", "abcd", "efgh", "ij", "ok"]),
        ("Line one.\nLine two.", 12, ["Line one.", "Line two."]),
        ("Line one.\nLine two.", 40, ["Line one.\nLine two."]),
        ("[a] [b]", 6, ["[a]", "[b]"]),  # brackets count twice: "[a] [b]" is 11 septets
        ("\u20ac\u20ac\u20ac", 4, ["\u20ac\u20ac", "\u20ac"]),
    ],
)
def test_split_message(text: str, limit: int, expected: List[str]) -> None:
    assert sms.split_message(text, limit) == expected


@pytest.mark.parametrize("limit", [40, 100, 160, 320])
@pytest.mark.parametrize(
    "text",
    [
        " ".join([SENTENCE] * 20),
        " ".join([SENTENCE.replace(".", "") for _ in range(15)]),  # no sentence ends at all
        ("Call {phone} [24/7] ~ " * 30).strip(),
        "Hi.\n1) What is IOP? 2) Check if IOP fits 3) Request a callback " + "word " * 120,
    ],
)
def test_split_message_properties(text: str, limit: int) -> None:
    parts = sms.split_message(text, limit)
    assert parts and all(parts)
    assert all(sms.septets(p) <= limit for p in parts)
    assert " ".join(parts).split() == text.split()  # nothing lost, no word cut


def test_split_message_rejects_tiny_limit() -> None:
    with pytest.raises(ValueError):
        sms.split_message("abc", 1)


# --- map_numeric_reply ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", "What is an intensive outpatient program?"),
        (" 2 ", "/start_screening"),
        ("2.", "/start_screening"),
        ("2)", "/start_screening"),
        ("#2", "/start_screening"),
        ("# 3", "/request_callback"),
        ("option 2", "/start_screening"),
        ("Option 3", "/request_callback"),
        ("no. 1", "What is an intensive outpatient program?"),
        ("number 3", "/request_callback"),
        ("0", None),
        ("4", None),
        ("99", None),
        ("-1", None),
        ("1 2", None),
        ("2 please", None),
        ("I have 2 kids", None),
        ("", None),
        ("two", None),
    ],
)
def test_map_numeric_reply(text: str, expected: Optional[str]) -> None:
    assert sms.map_numeric_reply(text, BUTTONS) == expected


@pytest.mark.parametrize("buttons", [None, []])
def test_map_numeric_reply_without_buttons(buttons: Optional[List[Dict[str, str]]]) -> None:
    assert sms.map_numeric_reply("1", buttons) is None


# --- compose_sms --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "messages, prefix, expected",
    [
        ([{"text": "Hello \U0001F44B."}], "", ["Hello."]),
        ([{"text": "Hi.", "buttons": BUTTONS}], "", ["Hi.\n1) What is IOP? 2) Check if IOP fits 3) Request a callback"]),
        (
            [{"text": "Answer.", "buttons": BUTTONS[:1]}, {"text": "Who is it for?", "buttons": BUTTONS[1:]}],
            "",
            ["Answer.\n\nWho is it for?\n1) Check if IOP fits 2) Request a callback"],
        ),
        ([{"text": "Crisis.", "buttons": []}, {"text": "Next.", "buttons": BUTTONS[:1]}], "Away.", ["Away.\n\nCrisis.\n\nNext.\n1) What is IOP?"]),
        ([{"text": "", "buttons": []}, {"text": "  "}], "", []),
        ([{"text": "It\u2019s 8am\u20138pm\u2026"}], "", ["It's 8am-8pm..."]),
    ],
)
def test_compose_sms(messages: List[Dict[str, Any]], prefix: str, expected: List[str]) -> None:
    assert sms.compose_sms(messages, prefix) == expected


def test_compose_sms_long_turn_is_split_into_gsm7_parts() -> None:
    long_text = " ".join(["IOP means group therapy several days a week \u2014 you keep living at home."] * 12)
    parts = sms.compose_sms([{"text": long_text, "buttons": BUTTONS}], "Our team is away until 8am tomorrow.")
    assert len(parts) > 1
    assert all(sms.septets(p) <= 320 and is_gsm7(p) for p in parts)
    assert parts[0].startswith("Our team is away")
    assert parts[-1].endswith("3) Request a callback")
