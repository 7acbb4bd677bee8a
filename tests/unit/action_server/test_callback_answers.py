"""Callback answer parsing (names, times, consents)."""
from __future__ import annotations

import pytest

from bot.action_server import callback_answers as c


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sarah", "Sarah"),
        ("sarah", "Sarah"),
        ("my name is maria", "Maria"),
        ("I'm Jo", "Jo"),
        ("J.D.", "J.D."),
        ("Anne-Marie", "Anne-Marie"),
        ("José", "José"),
        ("call me Sam", "Sam"),
        ("", None),
        ("410 555 0142", None),
        ("http://x.example", None),
        ("how much does it cost for the program", None),
        ("<script>", None),
        ("\U0001F600", None),
        ("Nguyễn", "Nguyễn"),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # decomposed accents are composed
        ("Дмитрий", "Дмитрий"),
        ("дмитрий", "Дмитрий"),
        ("محمد", "محمد"),
        ("李", "李"),
        ("my name is Σοφία", "Σοφία"),
        ("O’Brien", "O’Brien"),
        ("Ali\u200b", None),  # an invisible character is not a letter
        ("محمد٣", None),  # digits of any script
        ("李" * 31, None),
        ("Anna\U0001F600", None),
    ],
)
def test_first_name(text: str, expected: str) -> None:
    assert c.parse_first_name(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Morning", "morning"),
        ("after work", "evening"),
        ("evenings", "evening"),
        ("mornings are best", "morning"),
        ("any time", "any time"),
        ("whenever", "any time"),
        ("tuesday around 3", "tuesday around 3"),
        ("purple", None),
        ("", None),
    ],
)
def test_best_time(text: str, expected: str) -> None:
    assert c.parse_best_time(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Yes", "yes"), ("no", "no"), ("not sure", None), ("ok", "yes"), ("?", None), ("sure thing", "yes"),
        ("don't", "no"), ("please dont", "no"), ("don't leave a message", "no"), ("not now", "no"),
        ("no thanks", "no"), ("yes please call", "yes"),
    ],
)
def test_consent(text: str, expected: str) -> None:
    assert c.parse_consent(text) == expected


@pytest.mark.parametrize(
    "text, stop",
    [("cancel", True), ("Never mind!", True), ("STOP", True), ("/stop_form", True), ("no more questions", True),
     ("Quintessa", False), ("stop calling me names", False), ("410-555-0142", False), ("", False)],
)
def test_is_stop_request(text: str, stop: bool) -> None:
    assert c.is_stop_request(text) is stop
