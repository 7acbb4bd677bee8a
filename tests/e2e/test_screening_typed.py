"""The fit check with typed answers, through the REST channel with the real action server: every row
of the table in the screening issue, and the ways out of the check."""
from __future__ import annotations

from typing import List

import pytest

from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

SELF_HARM = "harming yourself or ending your life"
SELF_HARM_THEM = "harming themselves or ending their life"
DAILY_USE = "every day or nearly every day"
MEDICAL = "around the clock"
DETOX_FIRST = "a doctor should check withdrawal first"


def reach(chat: Chat, who: str, taps: List[str]) -> None:
    chat.say("/start_screening")
    chat.click("Myself" if who == "self" else "Someone I care about")
    for tap in taps:
        chat.click(tap)


@pytest.mark.parametrize(
    "who, taps, question",
    [
        ("self", ["Alcohol"], SELF_HARM),
        ("self", ["Alcohol", "No", "No"], DAILY_USE),
    ],
)
def test_a_cost_question_is_answered_and_the_same_question_asked_again(live_stack, who: str, taps: List[str], question: str) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, who, taps)
    assert question in chat.text
    chat.say("how much does it cost?")
    assert "$" in chat.text and question in chat.text
    assert "safety comes first" not in chat.text and DETOX_FIRST not in chat.text and "good fit" not in chat.text


def test_an_insurance_question_at_the_medical_question(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, "self", ["Mental health", "No", "No"])
    assert MEDICAL in chat.text
    chat.say("does insurance cover it")
    assert "Medicaid" in chat.text and MEDICAL in chat.text
    assert "more intensive level of care" not in chat.text


def test_yes_but_at_the_self_harm_question_is_yes(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, "self", ["Alcohol"])
    chat.say("yes but I'm not going to act on it")
    assert "988" in chat.text and "911" in chat.text
    assert DAILY_USE not in chat.text  # the check ended there
    assert any("callback" in b["title"].lower() for b in chat.buttons)


def test_not_safe_at_the_self_harm_question_gets_the_crisis_reply(live_stack) -> None:
    """"i need help now, im not safe" was once read as "no" (the "not"): now a warning sign, and at
    the self-harm question the answer, with the crisis reply."""
    chat = Chat(live_stack.rasa_url)
    reach(chat, "self", ["Drugs"])
    chat.say("i need help now, im not safe")
    assert "988" in chat.text and "911" in chat.text
    assert "opioids" not in chat.text  # the check ended there


@pytest.mark.parametrize(
    "who, concern, taps, text",
    [
        ("loved_one", "Alcohol", ["No", "No"], "Yes, he can't go a day without using"),
        ("self", "Drugs", ["No", "Yes", "No"], "no seizures, but I use heroin every day"),
    ],
)
def test_a_risky_answer_is_never_read_as_no(live_stack, who: str, concern: str, taps: List[str], text: str) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, who, [concern, *taps])
    assert DAILY_USE in chat.text
    chat.say(text)
    assert DETOX_FIRST in chat.text, chat.text


def test_stop_typed_mid_check_ends_it_without_an_outcome(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, "self", ["Alcohol", "No"])
    chat.say("i want to stop")
    assert "stopped" in chat.text and "good fit" not in chat.text
    chat.say("what is iop")
    assert "several days a week" in chat.text


def test_asking_for_a_call_mid_check_starts_the_callback_request(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, "loved_one", ["Drugs", "No"])
    chat.say("can someone call me instead")
    assert "consent" in chat.text.lower() or "call you" in chat.text.lower(), chat.text


def test_an_unclear_no_is_asked_about_once_then_taken(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, "loved_one", ["Alcohol", "No", "No"])
    text = "nah he works nights at the plant and sleeps days"
    chat.say(text)
    assert "Just so I read that right" in chat.text and DAILY_USE in chat.text
    chat.say("no")
    assert MEDICAL in chat.text


OVERDOSE = "have they overdosed"


def test_an_overdose_happening_now_at_the_overdose_question_gets_the_crisis_reply(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    reach(chat, "loved_one", ["Alcohol", "No"])
    assert OVERDOSE in chat.text
    chat.say("he od'd in june and now he won't wake up")
    assert "911" in chat.text and DAILY_USE not in chat.text, chat.text


@pytest.mark.parametrize(
    "text, wording",
    [
        ("its for my son and he is using heroin", "main concern for them"),
        ("for me, my family keeps saying i have a problem", "main concern for you"),
        ("Not for myself. For my adult daughter", "main concern for them"),
    ],
)
def test_who_it_is_for_told_with_the_situation_goes_on_to_the_concern(live_stack, text: str, wording: str) -> None:
    """An answer at "Who is this for?" that tells the situation in the same breath is an answer, not
    a warning sign, and a family member mentioned after "for me" does not make it someone else's
    check."""
    chat = Chat(live_stack.rasa_url)
    chat.say("/start_screening")
    chat.say(text)
    assert wording in chat.text, chat.text
    assert "ending your life" not in chat.text and "988" not in chat.text
