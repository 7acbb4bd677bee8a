"""actions/safety.py: after a clear "no", thanks and the replayed question (or, with nothing to replay,
an offer to go on)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import ActionBackToQuestion
from tests.support.actions import DOMAIN, responses, tracker


async def test_replays_the_question() -> None:
    warning = {"event": "user", "text": "I bought a rope", "parse_data": {
        "intent": {"name": "possible_risk", "confidence": 1.0},
        "intent_ranking": [{"name": "possible_risk", "confidence": 1.0}, {"name": "out_of_scope", "confidence": 0.4}],
        "entities": []}}
    answer = {"event": "user", "text": "no", "parse_data": {"intent": {"name": "deny", "confidence": 0.9}, "entities": []}}
    t = Tracker("conv-1", {}, answer["parse_data"], [warning, {"event": "action", "name": "utter_risk_check"}, answer],
                False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = await ActionBackToQuestion().run(dispatcher, t, DOMAIN)
    assert responses(dispatcher) == ["utter_risk_check_thanks"]
    assert [e["event"] for e in events] == ["rewind", "rewind", "action", "user"]
    assert events[-1]["parse_data"]["intent"]["name"] == "out_of_scope"


async def test_with_nothing_to_replay_it_offers_to_go_on() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionBackToQuestion().run(dispatcher, tracker(text="no", intent="deny"), DOMAIN)
    assert events == [] and responses(dispatcher) == ["utter_risk_check_thanks", "utter_ok_anything_else"]
