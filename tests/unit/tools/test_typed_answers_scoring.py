"""How a typed answer's outcome is scored (bot/tools/typed_answers.py): what counts as right, and the
two safety counts."""
from __future__ import annotations

import pytest

from bot.tools.typed_answers import is_correct, is_crisis_missed, is_risk_read_as_safe


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
    ],
)
def test_scoring(question: str, expected: str, got: str, right: bool, risk_as_safe: bool, missed: bool) -> None:
    assert is_correct(question, expected, got) is right
    assert is_risk_read_as_safe(question, expected, got) is risk_as_safe
    assert is_crisis_missed(expected, got) is missed
