"""The data-validation gate accepts only the two known Rasa 3.6 false positives."""
from __future__ import annotations

import pytest

from bot.tools.validate_data import check, responses_used_outside_stories, retrieval_intents

UNUSED = "UserWarning: The utterance '{}' is not used in any story or rule."
DUP = "UserWarning: The following duplicated intents have been found across multiple domain files: {}"


@pytest.mark.parametrize(
    "line, problems",
    [
        (UNUSED.format("utter_ask_phone"), 0),  # asked by the callback form
        (UNUSED.format("utter_outcome_iop_fit"), 0),  # sent by the screening action
        (UNUSED.format("utter_technical_trouble"), 0),  # sent by the channels
        (UNUSED.format("utter_never_used_anywhere"), 1),
        (DUP.format("faq"), 0),
        (DUP.format("greet"), 1),
        ("UserWarning: Found intent 'x' in stories which is not part of the domain.", 1),
        ("2026-01-01 00:00:00 WARNING  rasa.something - odd", 1),
        ("2026-01-01 00:00:00 INFO     rasa.validator - Validating intents...", 0),
    ],
)
def test_check(line: str, problems: int) -> None:
    assert len(check(line, responses_used_outside_stories(), retrieval_intents())) == problems


def test_faq_is_the_retrieval_intent() -> None:
    assert retrieval_intents() == {"faq"}
