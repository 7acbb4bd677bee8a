"""actions/family.py: the family conversation's answers, danger first, the plan, and a family
consultation callback stored with the relation only (a real SQLite database)."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionSubmitCallback
from actions.family import ActionFamilyCallback, ActionFamilyPlan, ActionFamilyStart, ValidateFamilyForm
from tests.support.actions import DOMAIN, responses, tracker, validate


def at(question: str, text: str, **slots: Any) -> Any:
    return tracker({question: text, **slots}, text=text, requested=question, loop="family_form")


async def run(action: Any, t: Any) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return {"slots": slots, "responses": responses(dispatcher), "texts": [m.get("text") for m in dispatcher.messages]}


@pytest.mark.parametrize(
    "question, text",
    [
        ("family_tried", "last time he shoved me"),
        ("family_tried", "It got unsafe"),
        ("family_danger", "Yes, someone is in danger"),
        ("family_relation", "my wife, she hit me when I mentioned it"),
        ("family_concern", "drinking, and he threatened me"),
    ],
)
async def test_danger_at_any_question_gets_911_and_the_hotline_before_any_advice(question: str, text: str) -> None:
    out = await validate(ValidateFamilyForm(), at(question, text))
    assert out["_responses"] == ["utter_family_danger"]
    assert out["family_outcome"] == "danger" and out["urgent"] is True and out["requested_slot"] is None
    plan = await run(ActionFamilyPlan(), tracker({"family_outcome": "danger", "family_tried": None}))
    assert plan["responses"] == [] and plan["texts"] == []  # no advice after it


async def test_a_no_with_more_said_is_asked_once_more_then_read_as_danger() -> None:
    first = await validate(ValidateFamilyForm(), at("family_danger", "no, but he scares me sometimes"))
    assert first["_responses"] == ["utter_family_danger_again"] and first["family_danger_asked"] is True
    second = await validate(ValidateFamilyForm(), at("family_danger", "not really sure", family_danger_asked=True))
    assert second["_responses"] == ["utter_family_danger"] and second["family_outcome"] == "danger"


async def test_a_clear_no_goes_on() -> None:
    out = await validate(ValidateFamilyForm(), at("family_danger", "No, we're safe"))
    assert out["family_danger"] == "no" and out["_responses"] == []


@pytest.mark.parametrize("text, slot_value", [("skip", "skipped"), ("rather not say", "skipped"), ("Partner", "partner")])
async def test_questions_can_be_skipped(text: str, slot_value: str) -> None:
    out = await validate(ValidateFamilyForm(), at("family_relation", text, family_danger="no"))
    assert out["family_relation"] == slot_value


async def test_stop_ends_it_without_a_plan() -> None:
    out = await validate(ValidateFamilyForm(), at("family_concern", "stop", family_danger="no"))
    assert out["family_outcome"] == "stopped" and out["requested_slot"] is None
    plan = await run(ActionFamilyPlan(), tracker({"family_outcome": "stopped"}))
    assert plan["responses"] == ["utter_family_stopped"] and plan["texts"] == [None]


async def test_a_question_mid_way_is_answered_and_asked_again() -> None:
    t = tracker({"family_danger": "no", "family_relation": "how much does it cost?"}, text="how much does it cost?",
                intent="faq", faq="cost", requested="family_relation", loop="family_form")
    out = await validate(ValidateFamilyForm(), t)
    assert out["_responses"] == ["utter_faq/cost"] and out["family_relation"] is None


async def test_unclear_answers_get_help_then_the_offer_of_a_person() -> None:
    first = await validate(ValidateFamilyForm(), at("family_tried", "blah", family_danger="no"))
    assert first["_responses"] == ["utter_family_unclear"]
    second = await validate(ValidateFamilyForm(), at("family_tried", "blah", family_danger="no", unclear_answers=1))
    assert second["_responses"] == ["utter_unclear_offer_person"]


async def test_the_opening_message_fills_who_and_what() -> None:
    text = "my 16 year old son is smoking weed every day, how do I bring it up?"
    out = await run(ActionFamilyStart(), tracker(text=text, intent="start_family_plan"))
    assert out["responses"] == ["utter_family_intro"]
    assert out["slots"]["family_relation"] == "child_under_18" and out["slots"]["family_concern"] == "drugs"
    assert out["slots"]["family_danger"] is None  # the safety question is always asked


async def test_an_opening_message_with_violence_gets_the_danger_reply_first() -> None:
    out = await run(ActionFamilyStart(), tracker(text="my husband hit me, how do I get him to go to rehab", intent="start_family_plan"))
    assert out["responses"] == ["utter_family_danger"] and out["slots"]["family_outcome"] == "danger"


async def test_the_plan_then_the_offer_of_a_family_consultation() -> None:
    slots = {"family_danger": "no", "family_relation": "child_under_18", "family_concern": "drugs", "family_tried": "denial"}
    out = await run(ActionFamilyPlan(), tracker(slots))
    texts: List[str] = [t for t in out["texts"] if t]
    assert out["responses"][-1] == "utter_family_plan_next" and len(texts) >= 8
    assert any("assessment" in t for t in texts) and any("Al-Anon" in t for t in texts)
    assert any(t.startswith("Denial is a very common") for t in texts)
    assert out["slots"].get("family_relation", "kept") == "kept"  # kept for the consultation call


async def test_a_family_consultation_is_stored_with_the_relation_only(database: str) -> None:
    from bot.store import Store

    out = await run(ActionFamilyCallback(), tracker())
    assert out["slots"] == {"callback_topic": "family_consultation", "callback_for": "loved_one"}
    filled = {
        "callback_consent": "yes", "first_name": "Pat", "phone": "+14105550143", "best_time": "evening",
        "voicemail_ok": "no", "text_ok": "yes", "callback_for": "loved_one",
        "callback_topic": "family_consultation", "family_relation": "child_under_18",
    }
    submitted = await run(ActionSubmitCallback(), tracker(filled, sender="conv-family"))
    assert submitted["slots"]["callback_topic"] is None
    with Store(database) as store:
        [row] = store.callbacks.list()
    assert (row.topic, row.loved_one_relation, row.for_whom) == ("family_consultation", "child_under_18", "loved_one")


async def test_answers_from_the_opening_message_are_kept_when_the_form_starts() -> None:
    t = tracker({"family_relation": "child_under_18", "family_concern": "drugs"}, text="my 16 year old son...",
                requested=None, loop="family_form")
    for slot, value in (("family_relation", "child_under_18"), ("family_concern", "drugs")):
        assert ValidateFamilyForm()._validate(slot, value, CollectingDispatcher(), t) == {slot: value}


async def test_a_question_that_contains_an_answer_word_is_answered_not_taken() -> None:
    t = tracker({"family_danger": "no", "family_tried": "What if he gets angry?"}, text="What if he gets angry?",
                intent="faq", faq="approach_loved_one", requested="family_tried", loop="family_form")
    out = await validate(ValidateFamilyForm(), t)
    assert out["_responses"] == ["utter_faq/approach_loved_one"] and out["family_tried"] is None


async def test_my_son_without_an_age_is_asked_under_18_or_not() -> None:
    out = await validate(ValidateFamilyForm(), at("family_relation", "my son", family_danger="no"))
    assert out["_responses"] == ["utter_ask_family_child_age"] and out["family_relation"] is None


@pytest.mark.parametrize("text", ["end the plan", "stop this"])
async def test_sms_friendly_ways_to_stop(text: str) -> None:
    out = await validate(ValidateFamilyForm(), at("family_concern", text, family_danger="no"))
    assert out["family_outcome"] == "stopped"
