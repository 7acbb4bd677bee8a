"""Two-stage fallback, first stage: suggest the closest FAQ topics as buttons.

Rasa's TwoStageFallback calls this action when a message is not understood. If none of the
suggestions fits, the user is asked to rephrase; a second miss offers a callback (utter_default).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.texts import catalogue

MAX_SUGGESTIONS = 3


def suggestions(latest_message: Dict[str, Any], limit: int = MAX_SUGGESTIONS) -> List[Dict[str, str]]:
    """Buttons for the closest topics by the response selector's ranking."""
    selector = (latest_message.get("response_selector") or {}).get("faq") or {}
    topics = catalogue().topics
    buttons: List[Dict[str, str]] = []
    for item in selector.get("ranking") or []:
        key = str(item.get("intent_response_key") or "").split("/", 1)[-1]
        if key in topics and all(b["payload"] != topics[key].question for b in buttons):
            buttons.append({"title": topics[key].title, "payload": topics[key].question})
        if len(buttons) >= limit:
            break
    return buttons


class ActionDefaultAskAffirmation(Action):
    """Offers the closest topics, a fit check, a callback, or 'none of these'."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        buttons = suggestions(tracker.latest_message or {})
        buttons += [dict(b) for b in catalogue().buttons["after_suggestions"]]
        dispatcher.utter_message(response="utter_suggest_topics", buttons=buttons)
        return []
