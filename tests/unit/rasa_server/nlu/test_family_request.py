"""bot/rasa_server/nlu/family_request.py: a request to plan a talk becomes start_family_plan, and
nothing the safety net decided is ever overridden."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.nlu.family_request import apply_family_request

REQUEST = "how do I get my husband to go to rehab"


def message(text: str, intent: str) -> Message:
    m = Message(data={TEXT: text})
    m.set(INTENT, {"name": intent, "confidence": 0.6})
    m.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.6}, {"name": "faq", "confidence": 0.2}])
    return m


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        (REQUEST, "faq", "start_family_plan"),
        (REQUEST, "nlu_fallback", "start_family_plan"),
        ("my 16 year old son is smoking weed every day, how do I bring it up?", "faq", "start_family_plan"),
        (REQUEST, "crisis", "crisis"),
        (REQUEST, "possible_risk", "possible_risk"),
        (REQUEST, "medical_advice", "medical_advice"),
        ("how much does it cost", "faq", "faq"),
        ("How do I talk to a loved one about getting treatment?", "faq", "faq"),
    ],
)
def test_only_planning_requests_change_and_never_a_safety_intent(text: str, intent: str, expected: str) -> None:
    m = message(text, intent)
    apply_family_request(m)
    assert m.get(INTENT)["name"] == expected
    if expected == "start_family_plan":
        assert m.get(INTENT_RANKING_KEY)[0] == {"name": "start_family_plan", "confidence": 1.0}
        assert intent in [r["name"] for r in m.get(INTENT_RANKING_KEY)]
