"""The safety check-in through the real REST channel, action server and policies: the messages of
the issue that asked for it, the answers to it (yes, "yes but", unsure, no, another question),
at the start of a conversation and in the middle of a form; the safety line on every reply that
did not understand; Spanish."""
from __future__ import annotations

import pytest

from bot.texts import catalogue
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

TEXTS = catalogue()
CHECK_IN = TEXTS.text("utter_risk_check")
CRISIS_SUICIDE = TEXTS.crisis("suicide")

# The four missed crises of the issue; each must carry 988/911 in the same turn.
WARNING_SIGNS = [
    "How many extra strength Tylenol would it take?",
    "I've written letters to my children, in case I'm not here",
    "mixing fentanyl and benzos tonight and honestly I don't care what happens",
    "I bought a rope",
]


def start(chat: Chat, where: str) -> None:
    if where == "screening":
        chat.say("/start_screening")
        chat.click("Myself")
    elif where == "callback":
        chat.say("/request_callback")
        chat.click("Yes")


@pytest.mark.parametrize("where", ["fresh", "screening", "callback"])
@pytest.mark.parametrize("text", WARNING_SIGNS)
def test_the_missed_crises_get_988_in_the_same_turn(live_stack, text: str, where: str) -> None:
    chat = Chat(live_stack.rasa_url)
    start(chat, where)
    chat.say(text)
    assert "988" in chat.text and "911" in chat.text


@pytest.mark.parametrize("where", ["fresh", "screening"])
def test_a_question_about_past_suicidal_thoughts_gets_an_answer(live_stack, where: str) -> None:
    chat = Chat(live_stack.rasa_url)
    start(chat, where)
    chat.say("Does your program treat people who had suicidal thoughts in the past?")
    assert CRISIS_SUICIDE not in chat.text and CHECK_IN not in chat.text
    assert "co-occurring" in chat.text and "988" in chat.text


@pytest.mark.parametrize("answer", ["yes", "Yes but I'm not going to act on it", "/affirm", "yeah"])
def test_yes_gets_the_crisis_reply_and_an_urgent_callback_offer(live_stack, answer: str) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("I bought a rope")
    assert CHECK_IN in chat.text
    chat.say(answer)
    assert CRISIS_SUICIDE in chat.text
    assert any(b["payload"] == "/request_callback" for b in chat.buttons)


def test_after_yes_the_callback_is_urgent(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("I gave away my guitar and my dog this week")
    chat.say("yes")
    chat.click("Urgent callback")
    assert "first name" in chat.text.lower() or "ok to continue" in chat.text.lower()


@pytest.mark.parametrize("answer", ["maybe", "sometimes", "idk", "not really", "no, not anymore"])
def test_unsure_is_read_as_risk(live_stack, answer: str) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("I wrote letters to my kids in case I'm not here")
    chat.say(answer)
    # the unsure reply, or the crisis reply when the answer itself reads as a warning sign
    assert TEXTS.text("utter_risk_unsure") in chat.text or CRISIS_SUICIDE in chat.text
    assert "988" in chat.text and any(b["payload"] == "/request_callback" for b in chat.buttons)


def test_no_goes_back_to_the_question(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("I gave my guitar to my brother, he could have it. anyway how much does IOP cost?")
    assert CHECK_IN in chat.text
    chat.say("no")
    assert TEXTS.text("utter_risk_check_thanks") in chat.text
    assert "$" in chat.text  # the cost answer


def test_morning_shakes_with_a_detox_question_are_asked_about_then_answered(live_stack) -> None:
    """Shakes every morning until the first drink: a reason for medical detox, not an emergency now.
    The check-in carries 911 and 988; after a "no" the detox question is answered."""
    chat = Chat(live_stack.rasa_url)
    chat.say("My husband gets the shakes every morning until he has a drink. Does he need detox before IOP?")
    assert CHECK_IN in chat.text and "911" in chat.text and "988" in chat.text
    chat.say("no")
    assert "withdrawal from some substances can be dangerous" in " ".join(chat.text.split())


def test_no_after_a_question_about_amounts_gets_the_dosing_refusal(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("how many tylenol would it take")
    chat.say("no, it's for my mom's back pain")
    assert TEXTS.text("utter_no_medical_advice") in chat.text


def test_another_question_is_answered_after_the_check_in(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("I bought a rope")
    chat.say("how much does it cost?")
    assert TEXTS.text("utter_risk_check_again") in chat.text and "988" in chat.text
    chat.say("no")
    assert "$" in chat.text  # the question asked meanwhile is the one answered


def test_a_second_non_answer_gets_the_numbers(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("I bought a rope")
    chat.say("how much does it cost?")
    chat.say("what are your hours?")
    assert TEXTS.text("utter_risk_unsure") in chat.text


def test_no_in_the_middle_of_the_fit_check_resumes_it(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    start(chat, "screening")
    chat.say("I've been so tired of everything lately")
    assert CHECK_IN in chat.text
    chat.say("no")
    assert TEXTS.text("utter_risk_check_resume") in chat.text
    assert "main concern" in chat.text  # the question it was asking, asked again
    chat.click("Alcohol")
    assert "harming yourself or ending your life" in chat.text


def test_no_to_the_check_in_keeps_the_fit_check_answer_the_warning_sign_gave(live_stack) -> None:
    """A warning sign that also answers the question: asked about, and after a "no" the answer is
    stored and the check goes on to the next question, instead of asking the same one again."""
    chat = Chat(live_stack.rasa_url)
    start(chat, "screening")
    chat.click("Alcohol")
    chat.click("No")  # the self-harm question
    assert "overdosed" in chat.text
    chat.say("yes, twice. i stopped carrying my narcan")
    assert CHECK_IN in chat.text and "988" in chat.text
    chat.say("no")
    assert TEXTS.text("utter_risk_check_resume") in chat.text
    assert "every day or" in chat.text and "overdosed" not in chat.text  # the next question
    for answer in ("No", "No", "No", "Yes", "Yes"):  # daily use, medical, psychosis, home, readiness
        chat.click(answer)
    assert "naloxone" in chat.text.lower()  # the result's note for the overdose answer that was kept


def test_a_crisis_while_the_check_in_waits_gets_the_crisis_reply(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("I bought a rope")
    chat.say("I want to kill myself")
    assert CRISIS_SUICIDE in chat.text


@pytest.mark.parametrize("text", ["blorp zzk", "qwertyuiop asdf", "tell me a joke", "🙂🙂🙂"])
def test_every_reply_that_did_not_understand_carries_988(live_stack, text: str) -> None:
    """Whichever way the message is not understood (the "did you mean" step, then rephrase, then the
    callback offer; or out of scope), every reply carries 988 and 911."""
    chat = Chat(live_stack.rasa_url)
    chat.say(text)
    assert "988" in chat.text and "911" in chat.text, chat.text
    for _ in range(2):
        if not any("none of these" in b["title"].lower() for b in chat.buttons):
            break
        chat.click("None of these")
        assert "988" in chat.text and "911" in chat.text, chat.text


@pytest.mark.parametrize("text", ["me quiero morir", "no quiero vivir", "me voy a matar", "sobredosis"])
def test_spanish_crisis_gets_the_spanish_reply(live_stack, text: str) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say(text)
    assert TEXTS.crisis("spanish") in chat.text and "marca 2" in chat.text
