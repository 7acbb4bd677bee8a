"""The NLU safety-net component: overrides, demotions and medical-advice routing on real Messages."""
from __future__ import annotations

from typing import Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.nlu import safety_net
from bot.rasa_server.nlu.safety_net import (
    CLASSIFIER_CRISIS_MIN,
    CLASSIFIER_CRISIS_MIN_RULED_OUT,
    SafetyNet,
    apply_safety_net,
)
from bot.safety import SafetyDataError


def message(text: str, intent: str, confidence: float = 0.9, second: str = "faq", crisis: float = 0.0) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": confidence})
    ranking = [{"name": intent, "confidence": confidence}, {"name": second, "confidence": 1 - confidence - crisis}]
    if crisis:
        ranking.append({"name": "crisis", "confidence": crisis})
    msg.set("intent_ranking", ranking)
    msg.set("entities", [])
    return msg


@pytest.mark.parametrize(
    "text, classifier, confidence, expected_intent, expected_kind",
    [
        # the rules and the classifier agree
        ("i want to kill myself", "crisis", 0.9, "crisis", "suicide"),
        # the rules catch it when the classifier is unsure
        ("i want to kill myself", "nlu_fallback", 0.25, "crisis", "suicide"),
        ("my son took a whole bottle of pills and wont wake up", "nlu_fallback", 0.2, "crisis", "medical"),
        ("he said he's going to shoot me", "nlu_fallback", 0.25, "crisis", "violence"),
        # classifier-only crisis, confident, rules know nothing: the check-in (second detector)
        ("everything around me feels grey and far away", "crisis", 0.97, "possible_risk", None),
        # ... but not on a short form answer
        ("he drinks a lot", "crisis", 0.97, "faq", None),
        # a warning sign: the check-in, with its kind for the reply after a "yes"
        ("I bought a rope today", "faq", 0.9, "possible_risk", "suicide"),
        ("how many tylenol would it take", "faq", 0.9, "possible_risk", "suicide"),
        # Spanish: the Spanish crisis reply
        ("me quiero morir", "nlu_fallback", 0.2, "crisis", "spanish"),
        # a crisis rule the classifier confidently disagrees with: asked, not assumed
        ("i want to kill myself", "faq", 0.95, "possible_risk", "suicide"),
        ("ya no aguanto más", "faq", 0.9, "possible_risk", "spanish"),
        # ... but a message too short for the classifier's ranking to mean anything is the rules' call
        ("sobredosis", "faq", 0.9, "crisis", "spanish"),
        ("i want to die", "faq", 0.95, "crisis", "suicide"),
        # classifier-only crisis, but the rules explain the words away: demoted unless the classifier
        # is sure, then asked (a past attempt with the same feelings now)
        ("I'm not suicidal, just want info", "crisis", CLASSIFIER_CRISIS_MIN_RULED_OUT - 0.05, "faq", None),
        ("I tried to kill myself last year and I feel exactly the same now", "crisis", CLASSIFIER_CRISIS_MIN_RULED_OUT,
         "possible_risk", None),
        ("I tried to kill myself last year and I feel exactly the same now", "crisis", CLASSIFIER_CRISIS_MIN_RULED_OUT - 0.01,
         "faq", None),
        # classifier-only crisis with low confidence: demoted
        ("my phone is dead", "crisis", CLASSIFIER_CRISIS_MIN - 0.1, "faq", None),
        # classifier-only crisis on a one-word form answer: demoted
        ("Myself", "crisis", 0.99, "faq", None),
        # dosing questions are routed to the refusal
        ("how much suboxone should i take to taper", "faq", 0.9, "medical_advice", None),
        ("do i need detox before iop", "faq", 0.9, "faq", None),
    ],
)
def test_apply_safety_net(text: str, classifier: str, confidence: float, expected_intent: str,
                          expected_kind: Optional[str]) -> None:
    msg = message(text, classifier, confidence)
    apply_safety_net(msg)
    assert msg.get("intent")["name"] == expected_intent
    kinds = [e["value"] for e in msg.get("entities") if e["entity"] == "crisis_type"]
    assert kinds == ([expected_kind] if expected_kind else [])
    if expected_intent == "crisis" and expected_kind:
        assert msg.get("intent")["confidence"] == 1.0
        assert msg.get("intent_ranking")[0]["name"] == "crisis"


def test_the_check_in_keeps_what_the_message_would_have_been_second() -> None:
    msg = message("I gave away my guitar, how much does IOP cost?", "faq", 0.8, second="greet")
    apply_safety_net(msg)
    assert [r["name"] for r in msg.get("intent_ranking")][:2] == ["possible_risk", "faq"]


def ranked(text: str, ranking: list) -> Message:
    """A message as Rasa's FallbackClassifier leaves it: the fallback on top when the first two are close."""
    msg = Message(data={"text": text})
    msg.set("intent", dict(ranking[0]))
    msg.set("intent_ranking", [dict(r) for r in ranking])
    msg.set("entities", [])
    return msg


FALLBACK = {"name": "nlu_fallback", "confidence": 0.3}


def test_a_question_beside_a_warning_sign_is_not_lost_to_the_fallback() -> None:
    """The crisis guess and the question were close, so the fallback fired; without the guess the
    question is clear, and a "no" to the check-in goes back to it."""
    msg = ranked("I gave my guitar to my brother, he could have it. anyway how much does IOP cost?",
                 [FALLBACK, {"name": "crisis", "confidence": 0.5}, {"name": "faq", "confidence": 0.47},
                  {"name": "inform", "confidence": 0.01}])
    apply_safety_net(msg)
    assert [r["name"] for r in msg.get("intent_ranking")][:2] == ["possible_risk", "faq"]


@pytest.mark.parametrize(
    "ranking, top",
    [
        # the fallback stood only because of the crisis guess: the question takes its place
        ([FALLBACK, {"name": "faq", "confidence": 0.47}, {"name": "inform", "confidence": 0.01}], "faq"),
        # still unsure without it: the fallback stays
        ([FALLBACK, {"name": "faq", "confidence": 0.2}, {"name": "inform", "confidence": 0.1}], "nlu_fallback"),
        # still ambiguous without it: the fallback stays
        ([FALLBACK, {"name": "faq", "confidence": 0.4}, {"name": "inform", "confidence": 0.38}], "nlu_fallback"),
        # no fallback to judge
        ([{"name": "faq", "confidence": 0.9}], "faq"),
        ([], None),
    ],
)
def test_the_fallback_is_judged_again_without_the_crisis_guess(ranking, top) -> None:
    judged = safety_net.fallback_judged_again(ranking)
    assert (judged[0]["name"] if judged else None) == top


def test_an_explained_away_crisis_guess_leaves_a_clear_question_answered() -> None:
    msg = ranked("this insurance paperwork is killing me lol, how much does it cost",
                 [FALLBACK, {"name": "crisis", "confidence": CLASSIFIER_CRISIS_MIN - 0.05},
                  {"name": "faq", "confidence": 0.45}])
    apply_safety_net(msg)
    assert msg.get("intent")["name"] == "faq"


def test_the_fallback_settings_match_config_yml() -> None:
    import yaml

    from bot.settings import PROJECT_ROOT

    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    fallback = next(c for c in pipeline if c["name"] == "FallbackClassifier")
    assert (fallback["threshold"], fallback["ambiguity_threshold"]) == (
        safety_net.FALLBACK_THRESHOLD, safety_net.FALLBACK_AMBIGUITY)


def test_a_classifier_crisis_guess_ranked_second_also_asks() -> None:
    msg = message("everything around me feels grey and far away", "faq", 0.4, second="greet", crisis=CLASSIFIER_CRISIS_MIN)
    apply_safety_net(msg)
    assert msg.get("intent")["name"] == "possible_risk"
    assert "crisis" not in [r["name"] for r in msg.get("intent_ranking")]


def test_button_payloads_are_left_alone() -> None:
    msg = message("/start_screening", "start_screening", 1.0)
    assert apply_safety_net(msg) is None and msg.get("intent")["name"] == "start_screening"


def test_the_component_checks_the_safety_data_when_created(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistake in content/safety/ stops the server when Rasa builds the component, not at a crisis."""

    def broken() -> None:
        raise SafetyDataError("crisis_rules.yml, rule suicide.kill_self, unless: unknown check 'negatd'")

    monkeypatch.setattr(safety_net, "load_safety_data", broken)
    with pytest.raises(SafetyDataError, match="negatd"):
        SafetyNet.create({}, None, None, None)  # type: ignore[arg-type]
