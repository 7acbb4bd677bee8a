"""Whole conversations through the real REST channel, with the real action server and database."""
from __future__ import annotations

from typing import Dict, List

import pytest

from bot.store import Store
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

SCREENING_ANSWERS: Dict[str, Dict[str, str]] = {
    "iop_fit": {"concern": "Alcohol", "self_harm": "No", "overdose": "No", "daily_use": "No", "medical": "No",
                "psychosis_mania": "No", "home": "Yes", "readiness": "Yes"},
    "higher_care": {"concern": "Drugs", "self_harm": "No", "opioids": "No", "overdose": "No", "daily_use": "No",
                    "medical": "No", "psychosis_mania": "No", "home": "No"},
    "detox_first": {"concern": "Alcohol", "self_harm": "No", "overdose": "No", "daily_use": "Yes"},
    "crisis": {"concern": "Several of these", "self_harm": "Yes"},
}
OUTCOME_WORDS = {
    "iop_fit": "IOP looks like it could be a good fit",
    "higher_care": "more intensive level of care",
    "detox_first": "a doctor should check withdrawal first",
    "crisis": "988",
}


def run_screening(chat: Chat, who: str, answers: Dict[str, str]) -> List[str]:
    """Tap through the check like a person would; returns the questions asked."""
    chat.say("/start_screening")
    assert "up to 10 quick questions" in chat.text
    chat.click("Myself" if who == "self" else "Someone I care about")
    asked = [chat.text]
    for slot, answer in answers.items():
        chat.click(answer)
        asked.append(chat.text)
    return asked


@pytest.mark.parametrize("who", ["self", "loved_one"])
@pytest.mark.parametrize("outcome", list(SCREENING_ANSWERS))
def test_each_screening_outcome_for_self_and_loved_one(live_stack, outcome: str, who: str) -> None:
    chat = Chat(live_stack.rasa_url)
    asked = run_screening(chat, who, SCREENING_ANSWERS[outcome])
    if who == "loved_one":
        assert any("them" in q or "they" in q for q in asked)
    assert OUTCOME_WORDS[outcome] in chat.text, chat.text
    assert "988" in chat.text or "not a diagnosis" in chat.text
    assert any("callback" in b["title"].lower() for b in chat.buttons)


def test_typed_answers_are_understood(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("/start_screening")
    for text in ["it's for my husband", "he drinks a lot", "no", "nope", "nah he only drinks on weekends", "no",
                 "nah", "yes it's a calm house", "i think so"]:
        chat.say(text)
    assert "good fit" in chat.text


def test_opioid_use_gets_medication_and_naloxone_information(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    run_screening(chat, "loved_one", {"concern": "Drugs", "self_harm": "No", "opioids": "Yes", "overdose": "Yes",
                                      "daily_use": "No", "medical": "No", "psychosis_mania": "No", "home": "Yes",
                                      "readiness": "No"})
    text = chat.text
    assert "good fit" in text and "detox" not in text.lower()
    assert "buprenorphine" in text.lower() and "naloxone" in text.lower() and "CRAFT" in text


def test_a_family_member_not_sure_about_suicide_is_helped_to_ask(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    run_screening(chat, "loved_one", {"concern": "Mental health", "self_harm": "Not sure"})
    assert "Are you thinking about suicide?" in chat.text and "988" in chat.text


def test_faq_mid_screening_is_answered_and_the_check_resumes(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("/start_screening")
    chat.click("Myself")
    assert "main concern" in chat.text
    chat.say("how much does iop cost?")
    assert "$" in chat.text  # the cost answer
    assert "main concern" in chat.text  # and the same question again
    chat.click("Alcohol")
    assert "harming yourself or ending your life" in chat.text


def test_stop_cancels_the_check(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("/start_screening")
    chat.say("stop")
    assert "stopped" in chat.text
    chat.say("what is iop")
    assert "several days a week" in chat.text


def test_unclear_answers_get_help_then_a_person(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("/start_screening")
    chat.click("Myself")
    chat.say("purple")
    assert "didn't catch" in chat.text and "main concern" in chat.text
    chat.say("banana")
    assert "talk to a person" in chat.text
    assert any("callback" in b["title"].lower() for b in chat.buttons)


def test_callback_request_creates_exactly_one_row(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    run_screening(chat, "self", SCREENING_ANSWERS["iop_fit"])
    chat.click("request a callback")
    assert "Only" in chat.text and "emergency" in chat.text  # what is collected, before asking
    chat.click("Yes")
    chat.say("Robin")
    chat.say("555")  # invalid
    assert "10-digit" in chat.text
    chat.say("(410) 555-0177")
    chat.click("Evening")
    chat.click("Yes")  # voicemail
    chat.click("No")  # program name in voicemail
    chat.click("Yes")  # texts
    assert "reference" in chat.text.lower()
    ref = chat.text.split("reference ")[1].split(".")[0]
    # asking again in the same conversation does not create a second request
    chat.say("/request_callback")
    with Store(live_stack.env["DATABASE_URL"]) as store:
        rows = [r for r in store.callbacks.list() if r.conversation_id == chat.sender]
    assert len(rows) == 1
    row = rows[0]
    assert row.ref == ref and row.phone_e164 == "+14105550177" and row.first_name == "Robin"
    assert row.screening_outcome == "iop_fit" and row.for_whom == "self" and not row.voicemail_name_ok


def test_crisis_then_urgent_callback_is_flagged(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("i want to end my life")
    assert "988" in chat.text
    chat.click("Urgent callback")
    chat.click("Yes")
    for text in ["Alex", "410-555-0188", "Any time", "No", "No", "Myself"]:
        chat.say(text)
    assert "reference" in chat.text.lower()
    with Store(live_stack.env["DATABASE_URL"]) as store:
        rows = [r for r in store.callbacks.list() if r.conversation_id == chat.sender]
    assert len(rows) == 1 and rows[0].urgent


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\U0001F600\U0001F600", "<script>alert(1)</script>", "a" * 50_000, "\u0000\u0001hello", "¿Qué es IOP?"],
)
def test_bad_input_always_gets_a_clear_answer(live_stack, text: str) -> None:
    chat = Chat(live_stack.rasa_url)
    replies = chat.say(text)
    assert replies and all(r.get("text") or r.get("buttons") for r in replies)


def test_medical_advice_is_declined(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("how should i taper off my xanax at home")
    assert "doctor" in chat.text and "seizures" in chat.text
