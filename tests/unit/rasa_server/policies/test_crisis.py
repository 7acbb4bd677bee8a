"""The safety sequences the policy follows (crisis, check-in and its answers), as tables."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from bot.rasa_server.policies.crisis import ASKED, ASKED_AGAIN, Step, Turn, next_safety_action


def turn(
    intent: Optional[str],
    text: str = "",
    done: Optional[List[str]] = None,
    loop: Optional[str] = None,
    requested: Optional[str] = None,
    risk_check: Optional[str] = None,
    crisis_type: Optional[str] = None,
    from_rules: bool = True,
    held: Optional[str] = None,
) -> Turn:
    return Turn(intent, text, done or [], loop, requested, risk_check, crisis_type, from_rules, held)


@pytest.mark.parametrize(
    "intent, done, loop, expected",
    [
        ("crisis", [], None, "utter_crisis"),
        ("crisis", [], "screening_form", "utter_crisis"),
        ("crisis", ["utter_crisis"], None, "utter_crisis_next"),
        ("crisis", ["utter_crisis"], "screening_form", "action_deactivate_loop"),
        ("crisis", ["utter_crisis"], "callback_form", "action_deactivate_loop"),
        ("crisis", ["utter_crisis", "action_deactivate_loop"], None, "utter_crisis_next"),
        ("crisis", ["utter_crisis", "utter_crisis_next"], None, "action_listen"),
        ("faq", [], "screening_form", None),
        ("greet", [], None, None),
        (None, [], None, None),
    ],
)
def test_crisis_sequence(intent, done, loop, expected) -> None:
    step = next_safety_action(turn(intent, done=done, loop=loop))
    assert (step.action if step else None) == expected


def test_a_crisis_marks_the_conversation_urgent_and_closes_a_pending_check_in() -> None:
    step = next_safety_action(turn("crisis", risk_check=ASKED))
    assert step == Step("utter_crisis", {"urgent": True, "risk_check": None, "held_answer": None})


@pytest.mark.parametrize(
    "intent, done, loop, requested, expected, slots",
    [
        # a warning sign: ask, remember that we asked, wait for the answer
        ("possible_risk", [], None, None, "utter_risk_check", {"risk_check": ASKED}),
        ("possible_risk", [], "callback_form", "first_name", "utter_risk_check", {"risk_check": ASKED}),
        ("possible_risk", ["utter_risk_check"], None, None, "action_listen", {}),
        ("possible_risk", ["utter_risk_check"], "screening_form", "daily_use", "action_listen", {}),
    ],
)
def test_a_warning_sign_gets_the_check_in(intent, done, loop, requested, expected, slots) -> None:
    assert next_safety_action(turn(intent, done=done, loop=loop, requested=requested)) == Step(expected, slots)


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("yes", "affirm", "utter_crisis"),
        ("/affirm", "affirm", "utter_crisis"),
        ("Yes but I'm not going to act on it", "affirm", "utter_crisis"),
        ("yeah", "affirm", "utter_crisis"),
        ("maybe", "unsure", "utter_risk_unsure"),
        ("sometimes", "inform", "utter_risk_unsure"),
        ("idk", "unsure", "utter_risk_unsure"),
        ("not really", "deny", "utter_risk_unsure"),
        ("no, not anymore", "deny", "utter_risk_unsure"),
        ("no but I've been struggling", "deny", "utter_risk_unsure"),
        ("I just don't see the point", "possible_risk", "utter_crisis"),
        ("no", "deny", "action_back_to_question"),
        ("/deny", "deny", "action_back_to_question"),
        ("nope, just asking for my mom", "deny", "action_back_to_question"),
        ("I'm fine", "inform", "action_back_to_question"),
        ("how much does it cost?", "faq", "utter_risk_check_again"),
    ],
)
def test_the_answer_to_the_check_in(text, intent, expected) -> None:
    step = next_safety_action(turn(intent, text=text, risk_check=ASKED))
    assert step is not None and step.action == expected
    if expected in ("utter_crisis", "utter_risk_unsure"):
        assert step.slots["urgent"] is True and step.slots["risk_check"] is None
    if expected == "utter_crisis":
        assert step.slots["crisis_type"] == "suicide"  # "yes" to the question about ending one's life


def test_a_second_non_answer_is_read_as_unsure() -> None:
    step = next_safety_action(turn("faq", text="how much does it cost?", risk_check=ASKED_AGAIN))
    assert step is not None and step.action == "utter_risk_unsure"


def test_a_crisis_reply_after_yes_keeps_the_kind_the_warning_sign_set() -> None:
    step = next_safety_action(turn("affirm", text="sí", risk_check=ASKED, crisis_type="spanish"))
    assert step is not None and "crisis_type" not in step.slots


@pytest.mark.parametrize(
    "text, expected, slots",
    [
        ("no", "utter_risk_check_resume", {"daily_use": None, "risk_check": None, "held_answer": None}),
        ("yes", "utter_crisis", {"daily_use": None, "urgent": True, "risk_check": None, "crisis_type": "suicide",
                                 "held_answer": None}),
        ("what?", "utter_risk_check_again", {"daily_use": None, "risk_check": ASKED_AGAIN}),
    ],
)
def test_in_a_form_the_answer_does_not_fill_the_pending_question(text: str, expected: str, slots: Dict[str, Any]) -> None:
    step = next_safety_action(turn("deny", text=text, loop="screening_form", requested="daily_use", risk_check=ASKED))
    assert step == Step(expected, slots)


def test_yes_at_the_screening_self_harm_question_answers_it() -> None:
    step = next_safety_action(turn("affirm", text="yes", loop="screening_form", requested="self_harm", risk_check=ASKED))
    assert step is not None and step.action == "utter_crisis" and step.slots["self_harm"] == "yes"


@pytest.mark.parametrize(
    "requested, text, kind, expected",
    [
        # found by the rules at the self-harm question: it is the answer, and a crisis ...
        ("self_harm", "i've been giving my things away", "suicide", "utter_crisis"),
        # ... unless it is a sign of violence or a medical danger, which says nothing about self-harm:
        # the words' own answer decides, as for the classifier's warning signs below
        ("self_harm", "no. but he puts his hands on me", "violence", "utter_risk_check"),
        ("self_harm", "no, but she's been vomiting all day and she is yellow", "medical", "utter_risk_check"),
        ("self_harm", "yes, and he puts his hands on me when he drinks", "violence", None),
        # seen by the classifier alone there: a risky or unsure answer goes to the form (its outcome is
        # the crisis reply); anything else gets the check-in
        ("self_harm", "yes, a few times this month", None, None),
        ("self_harm", "nah i would just like to vanish forever", None, "utter_risk_check"),
        # anywhere else a warning sign gets the check-in, as outside the fit check, whatever answer the
        # words also give and whoever saw it
        ("overdose", "we had to use narcan on him twice this year", "medical", "utter_risk_check"),
        ("daily_use", "my mom's been vomiting all day and she's confused, she drinks every day", "medical", "utter_risk_check"),
        ("daily_use", "yes every day, i dont care what happens to me anymore", "suicide", "utter_risk_check"),
        ("home", "no, he hits me and there is a gun in the house", "violence", "utter_risk_check"),
        ("daily_use", "i have 60 pills saved up", "medical", "utter_risk_check"),
        ("opioids", "mixing my methadone with pills a friend gave me, don't know what they are, don't care", None, "utter_risk_check"),
        ("overdose", "if i took all my insulin at once would it hurt?", None, "utter_risk_check"),
        ("medical", "why are you asking me this", None, "utter_risk_check"),
        ("concern", "its for my son and he is using heroin", None, "utter_risk_check"),
        ("daily_use", "no, he is just a quiet guy who keeps to himself these days", None, "utter_risk_check"),
        ("medical", "everything is pointless lately", None, "utter_risk_check"),
        ("self_harm", "brb dog is barking", None, "utter_risk_check"),
    ],
)
def test_a_warning_sign_typed_in_the_fit_check(requested: str, text: str, kind: Optional[str], expected: Optional[str]) -> None:
    step = next_safety_action(turn("possible_risk", text=text, loop="screening_form", requested=requested,
                                   crisis_type=kind, from_rules=kind is not None))
    assert (step.action if step else None) == expected
    if step and step.action == "utter_crisis":
        assert step.slots["self_harm"] == "yes" and step.slots["urgent"] is True
    if step and step.action == "utter_risk_check":
        assert step.slots[requested] is None  # the form asks its question again after the answer


@pytest.mark.parametrize(
    "requested, text, held",
    [
        # the answer the words also give is kept while the check-in waits ...
        ("daily_use", "my mom's been vomiting all day and she's confused, she drinks every day", "yes"),
        ("overdose", "we had to use narcan on him twice this year", "yes"),
        ("home", "no, he hits me and there is a gun in the house", "no"),
        ("readiness", "yes i'm ready, i just feel hopeless lately", "yes"),
        # ... but not a safe answer to a safety question (said with a warning sign, it may not be the
        # whole story), nor a message that answers nothing
        ("daily_use", "no, he is just a quiet guy who keeps to himself these days", None),
        ("medical", "why are you asking me this", None),
        # ... nor an intake answer: the phrases read them by any word in the message, and they decide
        # the wording and the questions to come
        ("concern", "its for my son and he is using heroin", None),
        ("concern", "I've been so tired of everything lately", None),
        ("screen_for", "its for me. my husband puts his hands on me when he drinks", None),
    ],
)
def test_a_no_to_the_check_in_stores_the_answer_the_warning_sign_gave(requested: str, text: str, held: Optional[str]) -> None:
    asked = next_safety_action(turn("possible_risk", text=text, loop="screening_form", requested=requested, from_rules=False))
    assert asked is not None and asked.action == "utter_risk_check" and asked.slots["held_answer"] == held
    no = next_safety_action(turn("deny", text="no", loop="screening_form", requested=requested, risk_check=ASKED, held=held))
    assert no == Step("utter_risk_check_resume", {"risk_check": None, "held_answer": None, requested: held})
    again = next_safety_action(turn("faq", text="what?", loop="screening_form", requested=requested, risk_check=ASKED, held=held))
    assert again is not None and again.action == "utter_risk_check_again" and "held_answer" not in again.slots
    yes = next_safety_action(turn("affirm", text="yes", loop="screening_form", requested=requested, risk_check=ASKED, held=held))
    assert yes is not None and yes.action == "utter_crisis" and yes.slots["held_answer"] is None


@pytest.mark.parametrize(
    "done, loop, expected",
    [
        (["utter_risk_unsure"], "screening_form", "action_deactivate_loop"),
        (["utter_risk_unsure"], None, "utter_crisis_next"),
        (["utter_risk_unsure", "utter_crisis_next"], None, "action_listen"),
        (["utter_risk_check_again"], None, "action_listen"),
    ],
)
def test_after_the_answer(done, loop, expected) -> None:
    step = next_safety_action(turn("deny", text="maybe", done=done, loop=loop))
    assert step is not None and step.action == expected


@pytest.mark.parametrize("done", [["action_back_to_question"], ["utter_risk_check_resume"]])
def test_after_a_no_the_other_policies_take_over(done) -> None:
    assert next_safety_action(turn("deny", text="no", done=done, loop="screening_form")) is None


def test_the_replayed_message_is_left_to_the_other_policies() -> None:
    # After action_back_to_question the replayed message has its own intent and no check-in is pending.
    assert next_safety_action(turn("faq", text="how much does it cost?")) is None


def test_a_crisis_keeps_an_answer_given_before_it() -> None:
    step = next_safety_action(turn("crisis", text="i took all my pills", loop="screening_form", requested="concern",
                                   crisis_type="medical"))
    assert step is not None and step.action == "utter_crisis" and "concern" not in step.slots
