"""How a typed answer's outcome is scored (bot/tools/typed_answers.py): what counts as right, and the
two safety counts."""
from __future__ import annotations

import pytest

from bot.tools.typed_answers import is_correct, is_crisis_missed, is_risk_read_as_safe, kept_after_check_in


@pytest.mark.parametrize(
    "question, expected, got, right, risk_as_safe, missed",
    [
        ("overdose", "yes", "yes", True, False, False),
        ("overdose", "yes", "no", False, True, False),
        ("overdose", "unsure", "no", False, True, False),
        ("overdose", "yes", "clarify", True, False, False),  # asked once more: nothing lost
        ("overdose", "no", "clarify", False, False, False),
        ("home", "no", "yes", False, True, False),  # at the home question "no" is the risky side
        ("self_harm", "yes", "crisis", True, False, False),
        ("overdose", "crisis", "check_in", True, False, False),
        ("overdose", "crisis", "yes", False, False, True),  # stored as an answer: no 988/911 that turn
        ("overdose", "crisis", "no", False, True, True),
        ("readiness", "no", "yes", False, False, False),  # no risky side
        ("medical", "question", "why", True, False, False),
        ("medical", "off_topic", "unclear", True, False, False),
        # the check-in keeping the answer the message gave: right for a crisis (988/911 that turn),
        # not for a plain answer (a question too many), though that answer is not lost
        ("overdose", "crisis", "check_in:yes", True, False, False),
        ("overdose", "yes", "check_in:yes", False, False, False),
        ("overdose", "no", "check_in:yes", False, False, False),
    ],
)
def test_scoring(question: str, expected: str, got: str, right: bool, risk_as_safe: bool, missed: bool) -> None:
    assert is_correct(question, expected, got) is right
    assert is_risk_read_as_safe(question, expected, got) is risk_as_safe
    assert is_crisis_missed(expected, got) is missed


@pytest.mark.parametrize(
    "expected, got, kept",
    [("yes", "check_in:yes", True), ("unsure", "check_in:unsure", True), ("no", "check_in:yes", False),
     ("yes", "check_in", False), ("yes", "yes", False), ("crisis", "check_in:yes", False)],
)
def test_an_answer_kept_across_the_check_in(expected: str, got: str, kept: bool) -> None:
    assert kept_after_check_in(expected, got) is kept
