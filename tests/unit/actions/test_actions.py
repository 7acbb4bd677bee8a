"""Custom actions, run with rasa-sdk's own Tracker and dispatcher and a real SQLite database."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionSubmitCallback, ValidateCallbackForm
from actions.fallback import ActionDefaultAskAffirmation
from actions.screening import ActionScreeningResult, ValidateScreeningForm

DOMAIN: Dict[str, Any] = yaml.safe_load(open("domain.yml"))


def tracker(
    slots: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: str = "nlu_fallback",
    confidence: float = 0.9,
    requested: Optional[str] = None,
    loop: Optional[str] = None,
    faq: Optional[str] = None,
    sender: str = "conv-1",
    channel: str = "rest",
) -> Tracker:
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update({"urgent": False, "unclear_answers": 0})
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested
    message: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    if faq:
        message["response_selector"] = {
            "faq": {
                "response": {"intent_response_key": f"faq/{faq}", "utter_action": f"utter_faq/{faq}"},
                "ranking": [{"intent_response_key": f"faq/{faq}", "confidence": 0.9},
                            {"intent_response_key": "faq/insurance", "confidence": 0.05}],
            }
        }
    events = [{"event": "user", "text": text, "input_channel": channel, "parse_data": message}]
    if requested and all_slots.get(requested) is not None:
        # The candidate value Rasa extracted from this message, as it arrives at the validation action.
        events.append({"event": "slot", "name": requested, "value": all_slots[requested]})
    return Tracker(sender, all_slots, message, events, False, None, {"name": loop} if loop else {}, "action_listen")


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("response") for m in dispatcher.messages]


async def validate(action: Any, t: Tracker) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    result = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    result["_responses"] = responses(dispatcher)
    return result


# --- screening -------------------------------------------------------------------------------------

async def test_screening_answer_is_parsed() -> None:
    out = await validate(ValidateScreeningForm(), tracker({"screen_for": "my daughter"}, text="my daughter",
                                                          requested="screen_for", loop="screening_form"))
    assert out["screen_for"] == "loved_one" and out["unclear_answers"] == 0


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


# --- callback --------------------------------------------------------------------------------------

async def test_invalid_phone_is_reasked_with_help() -> None:
    t = tracker({"callback_consent": "yes", "first_name": "Sam", "phone": "12345"}, text="12345",
                requested="phone", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["phone"] is None and out["_responses"] == ["utter_invalid_phone"]


async def test_phone_is_normalised_to_e164() -> None:
    t = tracker({"callback_consent": "yes", "first_name": "Sam", "phone": "(410) 555-0143"}, text="(410) 555-0143",
                requested="phone", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["phone"] == "+14105550143"


async def test_who_it_is_for_comes_from_the_screening() -> None:
    t = tracker({"screen_for": "loved_one", "callback_consent": "yes", "first_name": "Sam", "phone": "+14105550143",
                 "best_time": "morning", "voicemail_ok": "no", "text_ok": "yes"},
                text="yes", intent="affirm", requested="text_ok", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["callback_for"] == "loved_one" and out["requested_slot"] is None


FILLED = {
    "callback_consent": "yes", "first_name": "Sam", "phone": "+14105550143", "best_time": "evening",
    "voicemail_ok": "yes", "voicemail_name_ok": "no", "text_ok": "yes", "callback_for": "self",
}


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    from bot.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'iop.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    return url


async def test_submit_stores_one_request_even_when_submitted_twice(database: str) -> None:
    from bot.store import Store

    t = tracker({**FILLED, "urgent": True, "screening_outcome": "iop_fit"}, sender="conv-dup")
    d1, d2 = CollectingDispatcher(), CollectingDispatcher()
    e1 = await ActionSubmitCallback().run(d1, t, DOMAIN)
    e2 = await ActionSubmitCallback().run(d2, t, DOMAIN)
    with Store(database) as store:
        rows = store.callbacks.list()
    assert len(rows) == 1
    assert rows[0].urgent and rows[0].screening_outcome == "iop_fit" and rows[0].phone_e164 == "+14105550143"
    assert responses(d1) == ["utter_callback_confirmed"] and d1.messages[0]["ref"] == rows[0].ref
    assert d2.messages[0]["ref"] == rows[0].ref
    assert e1 == e2


async def test_submitted_request_carries_program_initials_and_console_link(database: str) -> None:
    import json

    from sqlalchemy import select

    from bot.settings import program
    from bot.store import Store
    from bot.store.callbacks import ref_prefix
    from bot.store.models import OutboxMessage

    d = CollectingDispatcher()
    await ActionSubmitCallback().run(d, tracker(FILLED, sender="conv-link"), DOMAIN)
    ref = d.messages[0]["ref"]
    assert ref.startswith(ref_prefix(program().short_name) + "-")
    with Store(database) as store, store.session(write=False) as session:
        payloads = [json.loads(row.payload) for row in session.execute(select(OutboxMessage)).scalars()]
    assert [p["console_path"] for p in payloads] == [f"/staff/r/{ref}"]


async def test_declined_consent_stores_nothing(database: str) -> None:
    from bot.store import Store

    d = CollectingDispatcher()
    await ActionSubmitCallback().run(d, tracker({"callback_consent": "no"}), DOMAIN)
    with Store(database) as store:
        assert responses(d) == ["utter_callback_declined"] and store.callbacks.list() == []


async def test_dead_database_gives_a_clear_answer(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-dir' / 'x' / 'iop.sqlite'}")
    d = CollectingDispatcher()
    events = await ActionSubmitCallback().run(d, tracker(FILLED, sender="conv-dead"), DOMAIN)
    assert responses(d) == ["utter_callback_failed"] and events == []


# --- fallback --------------------------------------------------------------------------------------

async def test_fallback_suggests_closest_topics_and_a_callback() -> None:
    d = CollectingDispatcher()
    await ActionDefaultAskAffirmation().run(d, tracker(text="blah", faq="cost"), DOMAIN)
    buttons = d.messages[0]["buttons"]
    titles = [b["title"] for b in buttons]
    assert titles[0] == "Cost" and "Request a callback" in titles and "None of these" in titles


@pytest.mark.parametrize("text", ["cancel", "Never mind", "no more questions", "/stop_form"])
async def test_stop_ends_the_callback_form_with_nothing_stored(text: str) -> None:
    t = tracker({"callback_consent": "yes", "first_name": text}, text=text, intent="stop_form",
                requested="first_name", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["callback_consent"] == "no" and out["requested_slot"] is None and out["first_name"] is None


@pytest.mark.parametrize("name", ["Quintessa", "Priya", "Robin"])
async def test_unusual_names_are_names_whatever_the_classifier_says(name: str) -> None:
    t = tracker({"callback_consent": "yes", "first_name": name}, text=name, intent="stop_form", confidence=0.8,
                requested="first_name", loop="callback_form")
    out = await validate(ValidateCallbackForm(), t)
    assert out["first_name"] == name and "callback_consent" not in out
