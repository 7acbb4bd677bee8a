"""actions/screening.py: screening answers parsed, early ends, skipped questions, and the result."""
from __future__ import annotations

from typing import Dict

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import ActionScreeningResult, ValidateScreeningForm
from tests.support.actions import DOMAIN, responses, tracker, validate


async def test_screening_answer_is_parsed() -> None:
    out = await validate(ValidateScreeningForm(), tracker({"screen_for": "my daughter"}, text="my daughter",
                                                          requested="screen_for", loop="screening_form"))
    assert out["screen_for"] == "loved_one" and out["unclear_answers"] == 0


async def test_typed_yes_to_self_harm_ends_the_check_as_crisis() -> None:
    t = tracker({"screen_for": "self", "concern": "alcohol", "safety": "yes"}, text="yes", intent="affirm",
                requested="safety", loop="screening_form")
    out = await validate(ValidateScreeningForm(), t)
    assert out["safety"] == "yes" and out["urgent"] is True
    # every remaining question counts as answered, so the form ends and the result is given now
    assert all(out.get(q) == "skipped" for q in ("withdrawal", "needs_24h", "safe_home", "tried_outpatient", "can_attend"))


async def test_mental_health_only_skips_withdrawal() -> None:
    t = tracker({"screen_for": "self", "concern": "depression", "safety": None}, text="depression",
                requested="concern", loop="screening_form")
    out = await validate(ValidateScreeningForm(), t)
    assert out["concern"] == "mental_health" and out["requested_slot"] == "safety"
    t = tracker({"screen_for": "self", "concern": "mental_health", "safety": "no"}, text="no", intent="deny",
                requested="safety", loop="screening_form")
    out = await validate(ValidateScreeningForm(), t)
    assert out["requested_slot"] == "needs_24h"


@pytest.mark.parametrize(
    "answers, response",
    [
        ({"safety": "no", "withdrawal": "no", "needs_24h": "no", "safe_home": "yes", "tried_outpatient": "yes",
          "can_attend": "yes"}, "utter_outcome_iop_fit"),
        ({"safety": "yes"}, "utter_outcome_crisis"),
        ({"safety": "no", "withdrawal": "yes"}, "utter_outcome_detox_first"),
    ],
)
async def test_result_reports_outcome_and_offers_callback(answers: Dict[str, str], response: str) -> None:
    slots = {"screen_for": "self", "concern": "alcohol", **answers}
    dispatcher = CollectingDispatcher()
    events = await ActionScreeningResult().run(dispatcher, tracker(slots), DOMAIN)
    sent = responses(dispatcher)
    assert sent[0] == response
    assert dispatcher.messages[0]["reasons"]
    assert sent[1] in ("utter_screening_not_diagnosis", "utter_crisis_next")
    assert {"event": "slot", "name": "screening_outcome", "value": response.replace("utter_outcome_", ""),
            "timestamp": None} in events
