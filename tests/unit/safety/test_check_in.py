"""Reading the answer to the safety check-in: a hedge is unsure, "yes, but..." is yes, only a clear
no is no, and anything else is not an answer."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import Answer, read_answer
from bot.safety.check_in import load_answer_words
from bot.safety.data import SAFETY_DIR, SafetyDataError


@pytest.mark.parametrize(
    "text, expected",
    [
        # yes, however it goes on
        ("yes", Answer.YES),
        ("Yes.", Answer.YES),
        ("YES", Answer.YES),
        ("yeah", Answer.YES),
        ("ya", Answer.YES),
        ("y", Answer.YES),
        ("sí", Answer.YES),
        ("/affirm", Answer.YES),
        ("Yes but I'm not going to act on it", Answer.YES),
        ("yes, but only at night", Answer.YES),
        ("I am", Answer.YES),
        ("I have been, yes", Answer.YES),
        ("yeah kinda", Answer.YES),
        # hedges are unsure, never no
        ("maybe", Answer.UNSURE),
        ("sometimes", Answer.UNSURE),
        ("idk", Answer.UNSURE),
        ("I don't know", Answer.UNSURE),
        ("not sure", Answer.UNSURE),
        ("i am not sure", Answer.UNSURE),
        ("not really", Answer.UNSURE),
        ("no, not anymore", Answer.UNSURE),
        ("not right now", Answer.UNSURE),
        ("no but sometimes", Answer.UNSURE),
        ("no but I've been struggling", Answer.UNSURE),
        ("nah, just passing thoughts", Answer.UNSURE),
        ("a veces", Answer.UNSURE),
        # a clear no
        ("no", Answer.NO),
        ("No.", Answer.NO),
        ("n", Answer.NO),
        ("Noooo", Answer.NO),
        ("nope just asking for my mom", Answer.NO),
        ("No, how much does it cost?", Answer.NO),
        ("I'm fine", Answer.NO),
        ("im ok", Answer.NO),
        ("no. i'm safe", Answer.NO),
        ("I don't think so", Answer.NO),
        ("i am not", Answer.NO),
        ("No I would never", Answer.NO),
        ("not at all, I was asking about my brother who overdosed", Answer.NO),
        ("no but thanks for asking", Answer.NO),
        ("/deny", Answer.NO),
        # not an answer
        ("how much does it cost?", Answer.OTHER),
        ("", Answer.OTHER),
        ("   ", Answer.OTHER),
        ("🙂", Answer.OTHER),
        ("/start_screening", Answer.OTHER),
        ("<b>hello</b>", Answer.OTHER),
    ],
)
def test_read_answer(text: str, expected: Answer) -> None:
    assert read_answer(text) is expected


def test_yes_and_unsure_are_risk_no_and_other_are_not() -> None:
    assert Answer.YES.is_risk and Answer.UNSURE.is_risk
    assert not Answer.NO.is_risk and not Answer.OTHER.is_risk


def test_a_huge_answer_is_read_in_bounded_time() -> None:
    assert read_answer("no " + "very " * 5000 + "sure") in (Answer.NO, Answer.UNSURE)


@pytest.mark.parametrize(
    "content, message",
    [
        ('"yes": ["yes"]\n"no": ["no"]\nunsure: [maybe]\ndistress: [sad]\n', "missing field 'contrast'"),
        ('"yes": ["yes"]\n"no": ["no"]\nunsure: [maybe]\ndistress: [sad]\ncontrast: []\n', "contrast"),
        ('"yes": [Yes!]\n"no": ["no"]\nunsure: [maybe]\ndistress: [sad]\ncontrast: [but]\n', "lower-case words"),
        ('yes: [yeah]\n"no": ["no"]\nunsure: [maybe]\ndistress: [sad]\ncontrast: [but]\n', "missing field 'yes'"),
    ],
)
def test_a_mistake_in_the_file_is_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "check_in.yml").write_text(content, encoding="utf-8")
    with pytest.raises(SafetyDataError, match=message):
        load_answer_words(tmp_path)


def test_the_shipped_file_loads() -> None:
    load_answer_words(SAFETY_DIR)
