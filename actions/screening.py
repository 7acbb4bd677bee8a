"""Screening form glue: parse answers with bot.screening, then report the outcome."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import GuidedFormValidation
from bot import screening
from bot.screening import QUESTIONS


class ValidateScreeningForm(GuidedFormValidation):
    """Validates each screening answer; skips the withdrawal question for mental-health-only concerns."""

    def form_name(self) -> Text:
        return "screening_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        answers = {q: tracker.get_slot(q) for q in QUESTIONS}
        return screening.required_questions(answers)

    def _validate(self, question: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        result = self.accept_or_retry(
            question, value, lambda text: screening.parse_answer(question, text), dispatcher, tracker
        )
        answers = {q: tracker.get_slot(q) for q in QUESTIONS}
        answers[question] = result.get(question)
        if result.get(question) and screening.decided_early(answers):
            # A safety gate settled the outcome (e.g. "yes" to self-harm or withdrawal risk): the
            # remaining questions are marked skipped so the result comes in this same turn.
            result.update({q: "skipped" for q in QUESTIONS if answers.get(q) is None})
            if answers.get("safety") in (screening.YES, screening.UNSURE):
                result["urgent"] = True
        return result

    def validate_screen_for(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("screen_for", value, dispatcher, tracker)

    def validate_concern(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("concern", value, dispatcher, tracker)

    def validate_safety(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("safety", value, dispatcher, tracker)

    def validate_withdrawal(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("withdrawal", value, dispatcher, tracker)

    def validate_needs_24h(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("needs_24h", value, dispatcher, tracker)

    def validate_safe_home(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("safe_home", value, dispatcher, tracker)

    def validate_tried_outpatient(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("tried_outpatient", value, dispatcher, tracker)

    def validate_can_attend(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("can_attend", value, dispatcher, tracker)


class ActionScreeningResult(Action):
    """Tells the outcome with its reasons, says it is not a diagnosis, and offers a callback."""

    def name(self) -> Text:
        return "action_screening_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Parse again: an answer stored while the action server was down was never validated.
        answers: Dict[str, Optional[str]] = {
            q: screening.parse_answer(q, str(tracker.get_slot(q))) if tracker.get_slot(q) else None
            for q in QUESTIONS
        }
        events: List[EventType] = []
        outcome = screening.screening_outcome(answers)
        events.append(SlotSet("screening_outcome", outcome.kind))
        dispatcher.utter_message(response=f"utter_outcome_{outcome.kind}", reasons=screening.format_reasons(outcome))
        if outcome.kind == screening.CRISIS:
            events.append(SlotSet("urgent", True))
            dispatcher.utter_message(response="utter_crisis_next")
        else:
            dispatcher.utter_message(response="utter_screening_not_diagnosis")
        # The outcome stays for the callback; the answers are cleared so the check can be taken
        # again (who it is for is kept: it also tells the callback form who the call is about).
        events += [SlotSet(q, None) for q in QUESTIONS if q != "screen_for"]
        events.append(SlotSet("unclear_answers", 0))
        return events
