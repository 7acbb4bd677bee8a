"""Running custom actions in tests: the domain, a rasa-sdk Tracker for one user message, and the
responses a dispatcher collected."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import PROJECT_ROOT

DOMAIN: Dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


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
    """A tracker whose latest event is the user's `text`, with every domain slot set (None unless given)."""
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
    """The names of the responses the dispatcher collected, in order."""
    return [m.get("response") for m in dispatcher.messages]


async def validate(action: Any, t: Tracker) -> Dict[str, Any]:
    """Run a form validation action: the slots it sets, and its responses under `_responses`."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, DOMAIN)
    result = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    result["_responses"] = responses(dispatcher)
    return result
