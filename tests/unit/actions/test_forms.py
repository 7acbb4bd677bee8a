"""actions/forms.py, through the screening form: a question asked mid-form is answered and the
question repeats; two unclear answers offer a person."""
from __future__ import annotations

from actions.screening import ValidateScreeningForm
from tests.support.actions import tracker, validate


async def test_faq_mid_form_is_answered_and_the_same_question_repeats() -> None:
    t = tracker({"screen_for": "self", "concern": "how much does it cost"}, text="how much does it cost",
                intent="faq", requested="concern", loop="screening_form", faq="cost")
    out = await validate(ValidateScreeningForm(), t)
    assert out["concern"] is None
    assert out["_responses"] == ["utter_faq/cost"]  # answered; the form then asks `concern` again
    assert "unclear_answers" not in out  # a question is not an unclear answer


async def test_two_unclear_answers_offer_a_person() -> None:
    t = tracker({"screen_for": "self", "concern": "purple"}, text="purple", requested="concern", loop="screening_form")
    first = await validate(ValidateScreeningForm(), t)
    assert first["_responses"] == ["utter_unclear_answer"] and first["unclear_answers"] == 1
    t = tracker({"screen_for": "self", "concern": "blue", "unclear_answers": 1}, text="blue", requested="concern",
                loop="screening_form")
    second = await validate(ValidateScreeningForm(), t)
    assert second["_responses"] == ["utter_unclear_offer_person"] and second["unclear_answers"] == 0
