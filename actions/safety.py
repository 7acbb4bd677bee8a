"""Safety check-in glue: after a clear "no", thank the person and go back to what they asked."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.action_server.back_to_question import replay_events
from bot.safety.names import ACTION_BACK_TO_QUESTION


class ActionBackToQuestion(Action):
    """Replays the message that raised the check-in (bot.action_server.back_to_question)."""

    def name(self) -> Text:
        return ACTION_BACK_TO_QUESTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_risk_check_thanks")
        events = replay_events(tracker.applied_events())
        if events is None:  # nothing to go back to: the conversation goes on from here
            dispatcher.utter_message(response="utter_ok_anything_else")
            return []
        return events
