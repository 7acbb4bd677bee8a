"""actions/screening.py: answers read, questions answered and asked again, stop and call requests,
the one-time clarification, early ends, and the result with its notes."""
from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import QUESTIONS, ActionScreeningResult, ValidateScreeningForm
from bot.screening.rules import rules
from tests.support.actions import DOMAIN, responses, tracker, validate

LOOP = "screening_form"


def at(question: str, text: str, intent: str = "nlu_fallback", faq: str = "", **slots: Any):
    given = {"screen_for": "self", "concern": "drugs", question: text, **slots}
    return tracker(given, text=text, intent=intent, requested=question, loop=LOOP, faq=faq or None)


async def test_an_answer_is_read_and_the_next_question_follows() -> None:
    out = await validate(ValidateScreeningForm(), tracker({"screen_for": "my daughter"}, text="my daughter",
                                                          requested="screen_for", loop=LOOP))
    assert out["screen_for"] == "loved_one" and out["unclear_answers"] == 0
    out = await validate(ValidateScreeningForm(), at("self_harm", "nah never", concern="alcohol"))
    assert out["self_harm"] == "no" and out["requested_slot"] == "overdose"  # opioids: not asked for alcohol


async def test_an_answer_kept_across_the_check_in_is_stored_as_it_is() -> None:
    """The crisis policy stores the answer a warning sign gave after a "no" to the check-in: the
    latest message is that "no", which must not be read in its place."""
    given = {"screen_for": "self", "concern": "alcohol", "self_harm": "no", "overdose": "yes"}
    out = await validate(ValidateScreeningForm(), tracker(given, text="no", intent="deny", requested="overdose", loop=LOOP))
    assert out["overdose"] == "yes" and out["requested_slot"] == "daily_use"


@pytest.mark.parametrize("question, value", [(q.id, v) for q in rules().questions for v in q.answers])
async def test_every_answer_value_reads_as_itself(question: str, value: str) -> None:
    """What the crisis policy stores after the check-in is an answer value: it must validate as itself."""
    out = await validate(ValidateScreeningForm(), at(question, value, intent="deny"))
    assert out[question] == value


async def test_typed_yes_to_self_harm_ends_the_check_as_urgent() -> None:
    out = await validate(ValidateScreeningForm(), at("self_harm", "yes but im not going to do anything", intent="affirm"))
    assert out["self_harm"] == "yes"  # the result, in this same turn, marks the conversation urgent
    # every remaining question counts as answered, so the form ends and the result is given now
    assert all(out.get(q) == "skipped" for q in ("opioids", "overdose", "daily_use", "medical", "home", "readiness"))


async def test_a_family_members_not_sure_ends_the_check_too() -> None:
    out = await validate(ValidateScreeningForm(), at("self_harm", "i honestly dont know", screen_for="loved_one"))
    assert out["self_harm"] == "unsure" and out["daily_use"] == "skipped"


async def test_a_question_is_answered_never_stored() -> None:
    out = await validate(ValidateScreeningForm(), at("self_harm", "how much does it cost?", intent="faq", faq="cost"))
    assert out["self_harm"] is None
    assert out["_responses"] == ["utter_faq/cost"]  # the form then asks the same question again


async def test_why_gets_the_questions_reason() -> None:
    dispatcher = CollectingDispatcher()
    await ValidateScreeningForm().run(dispatcher, at("overdose", "why do you ask that?"), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_screening_why"
    assert "naloxone" in dispatcher.messages[0]["why"]


async def test_a_question_without_an_answer_here_points_to_the_team() -> None:
    out = await validate(ValidateScreeningForm(), at("medical", "can my kids visit me there?"))
    assert out["medical"] is None and out["_responses"][0] == "utter_screening_question_later"


@pytest.mark.parametrize("text, stopped", [("stop", "stop"), ("end the check", "stop"), ("can someone call me instead", "callback")])
async def test_stop_or_call_ends_the_check_without_an_outcome(text: str, stopped: str) -> None:
    out = await validate(ValidateScreeningForm(), at("daily_use", text, self_harm="no", opioids="no", overdose="no"))
    assert out["screening_stopped"] == stopped
    assert all(out.get(q) == "skipped" for q in ("daily_use", "medical", "psychosis_mania", "home", "readiness"))
    assert "opioids" not in out  # what was answered stays


async def test_an_unclear_no_is_asked_about_once() -> None:
    text = "nah he works nights at the plant and sleeps days"
    out = await validate(ValidateScreeningForm(), at("daily_use", text, self_harm="no", opioids="no", overdose="no"))
    assert out["daily_use"] is None and out["screening_clarified"] == "daily_use"
    assert out["_responses"] == ["utter_screening_clarify"]  # then the same question again
    out = await validate(ValidateScreeningForm(), at("daily_use", text, self_harm="no", opioids="no", overdose="no",
                                                     screening_clarified="daily_use"))
    assert out["daily_use"] == "no" and out["screening_clarified"] is None


async def test_unclear_answers_get_help_then_a_person() -> None:
    out = await validate(ValidateScreeningForm(), at("medical", "pizza"))
    assert out["unclear_answers"] == 1 and out["_responses"][0] == "utter_unclear_answer"
    out = await validate(ValidateScreeningForm(), at("medical", "pizza", unclear_answers=1))
    assert out["unclear_answers"] == 0 and out["_responses"][0] == "utter_unclear_offer_person"


async def test_withdrawal_is_asked_for_mental_health_too() -> None:
    out = await validate(ValidateScreeningForm(), at("self_harm", "no", concern="mental_health"))
    assert out["requested_slot"] == "daily_use"


BASE = {"screen_for": "self", "concern": "drugs", "self_harm": "no", "opioids": "no", "overdose": "no",
        "daily_use": "no", "medical": "no", "psychosis_mania": "no", "home": "yes", "readiness": "yes"}


@pytest.mark.parametrize(
    "changes, sent",
    [
        ({}, ["utter_outcome_iop_fit", "utter_screening_not_diagnosis"]),
        ({"self_harm": "yes"}, ["utter_outcome_crisis", "utter_crisis_next"]),
        ({"screen_for": "loved_one", "self_harm": "unsure"}, ["utter_outcome_ask_directly", "utter_crisis_next"]),
        ({"opioids": "yes", "overdose": "yes"}, ["utter_outcome_iop_fit", "utter_screening_note_opioid_medication",
                                                 "utter_screening_note_naloxone", "utter_screening_not_diagnosis"]),
        ({"daily_use": "yes"}, ["utter_outcome_detox_first", "utter_screening_not_diagnosis"]),
        ({"home": "no", "readiness": "no"}, ["utter_outcome_higher_care", "utter_screening_note_readiness",
                                             "utter_screening_not_diagnosis"]),
        # an answer stored unread (the action server was down when it came) is read now; what cannot
        # be read on a safety question counts as not sure
        ({"daily_use": "a fifth a day"}, ["utter_outcome_detox_first", "utter_screening_not_diagnosis"]),
        ({"medical": "purple"}, ["utter_outcome_higher_care", "utter_screening_not_diagnosis"]),
    ],
)
async def test_result(changes: Dict[str, str], sent: list) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionScreeningResult().run(dispatcher, tracker({**BASE, **changes}), DOMAIN)
    assert responses(dispatcher) == sent
    assert dispatcher.messages[0]["reasons"]
    outcome = sent[0].replace("utter_outcome_", "")
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["screening_outcome"] == outcome
    assert slots.get("urgent", False) is (outcome in ("crisis", "ask_directly"))
    # answers are cleared so the check can be taken again; who it is for is kept for the callback
    assert all(slots[q] is None for q in QUESTIONS if q != "screen_for") and "screen_for" not in slots


async def test_a_stopped_check_gives_no_outcome() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionScreeningResult().run(dispatcher, tracker({**BASE, "screening_stopped": "stop"}), DOMAIN)
    assert responses(dispatcher) == ["utter_form_stopped"]
    assert not any(e.get("name") == "screening_outcome" for e in events)


async def test_a_stopped_check_still_gives_what_was_learnt() -> None:
    dispatcher = CollectingDispatcher()
    slots = {**BASE, "overdose": "yes", "daily_use": "skipped", "screening_stopped": "stop"}
    await ActionScreeningResult().run(dispatcher, tracker(slots), DOMAIN)
    assert responses(dispatcher) == ["utter_screening_note_naloxone", "utter_form_stopped"]


async def test_a_call_request_opens_the_callback_form() -> None:
    events = await ActionScreeningResult().run(CollectingDispatcher(), tracker({**BASE, "screening_stopped": "callback"}), DOMAIN)
    assert {"event": "followup", "name": "callback_form", "timestamp": None} in events
