"""After a clear "no" to the check-in: the events that replay what the person asked."""
from __future__ import annotations

from typing import Any, Dict, List

from bot.action_server.back_to_question import replay_events, underlying_parse


def user(text: str, intent: str, ranking: List[str], **extra: Any) -> Dict[str, Any]:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": name, "confidence": 0.5} for name in ranking],
        "entities": [{"entity": "crisis_type", "value": "suicide"}, {"entity": "other", "value": "x"}],
        **extra,
    }
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest", "metadata": {"channel": "web"}}


def bot(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


WARNING = user("I gave my dog away, how much does it cost?", "possible_risk", ["possible_risk", "faq", "greet"],
               response_selector={"faq": {"response": {"intent_response_key": "faq/cost"}}})


def test_the_warning_sign_is_replayed_as_what_it_would_have_been() -> None:
    events = [bot("action_listen"), WARNING, bot("utter_risk_check"), bot("action_listen"), user("no", "deny", ["deny"])]
    replay = replay_events(events)
    assert replay is not None
    assert replay[:3] == [{"event": "rewind"}, {"event": "rewind"}, {"event": "action", "name": "action_listen"}]
    replayed = replay[3]
    assert replayed["event"] == "user" and replayed["text"] == WARNING["text"]
    assert replayed["parse_data"]["intent"]["name"] == "faq"
    assert [r["name"] for r in replayed["parse_data"]["intent_ranking"]] == ["faq", "greet"]
    assert replayed["parse_data"]["entities"] == [{"entity": "other", "value": "x"}]
    assert replayed["parse_data"]["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/cost"
    assert replayed["metadata"] == {"channel": "web"} and replayed["input_channel"] == "rest"


def test_a_question_asked_while_the_check_in_waited_is_the_one_replayed() -> None:
    question = user("what are the hours?", "faq", ["faq", "greet"])
    events = [WARNING, bot("utter_risk_check"), question, bot("utter_risk_check_again"), user("no", "deny", ["deny"])]
    replay = replay_events(events)
    assert replay is not None
    assert replay[:3] == [{"event": "rewind"}] * 3
    assert replay[-1]["text"] == "what are the hours?" and replay[-1]["parse_data"]["intent"]["name"] == "faq"


def test_nothing_to_replay_without_a_check_in() -> None:
    assert replay_events([user("hi", "greet", ["greet"]), user("no", "deny", ["deny"])]) is None
    assert replay_events([]) is None


def test_a_ranking_with_only_safety_intents_falls_back() -> None:
    parse = underlying_parse({"intent": {"name": "possible_risk"}, "intent_ranking": [{"name": "possible_risk"}, {"name": "crisis"}]})
    assert parse["intent"]["name"] == "nlu_fallback" and parse["intent_ranking"] == []
