"""Form validation base: answers questions asked mid-form and counts unclear answers.

After an unclear answer the question is re-asked with help; after two, the form offers a person
instead (the financial-demo pattern). A question asked in the middle of a form (an FAQ, "what can
you do") is answered and the form then repeats the same question.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

# Intents that are questions rather than answers, and the response that answers them mid-form.
INTERRUPTION_RESPONSES = {
    "bot_capabilities": "utter_bot_capabilities",
    "medical_advice": "utter_no_medical_advice",
}
MIN_QUESTION_CONFIDENCE = 0.5
MAX_UNCLEAR = 2


def faq_response_name(tracker: Tracker) -> Optional[str]:
    """`utter_faq/<topic>` chosen by the response selector for the latest message, if any."""
    selector = (tracker.latest_message or {}).get("response_selector") or {}
    response = (selector.get("faq") or selector.get("default") or {}).get("response") or {}
    name = response.get("utter_action")
    if name:
        return name
    key = response.get("intent_response_key")
    return f"utter_{key}" if key else None


def latest_intent(tracker: Tracker) -> Tuple[Optional[str], float]:
    """The classifier's intent for the latest message and its confidence."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def answer_interruption(tracker: Tracker, dispatcher: CollectingDispatcher) -> bool:
    """Answer a question asked mid-form; True when the message was such a question."""
    name, confidence = latest_intent(tracker)
    if confidence < MIN_QUESTION_CONFIDENCE:
        return False
    if name == "faq":
        response = faq_response_name(tracker)
        if response:
            dispatcher.utter_message(response=response)
            return True
        return False
    if name in INTERRUPTION_RESPONSES:
        dispatcher.utter_message(response=INTERRUPTION_RESPONSES[name])
        return True
    return False


class GuidedFormValidation(FormValidationAction, ABC):
    """Shared validation flow for our forms (abstract, so the action server does not register it)."""

    help_response = "utter_unclear_answer"
    give_up_response = "utter_unclear_offer_person"

    @abstractmethod
    def form_name(self) -> Text:
        """The form this action validates."""

    def name(self) -> Text:
        return f"validate_{self.form_name()}"

    def accept_or_retry(
        self,
        slot: str,
        value: Any,
        parser: Callable[[str], Optional[str]],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        question_first: bool = False,
        help_response: Optional[str] = None,
    ) -> Dict[Text, Any]:
        """Parse an answer; answer mid-form questions; on unclear answers help, then offer a person.

        question_first: for free-text slots (a name) check for a mid-form question before parsing,
        since almost any short text could parse.
        """
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        asks = looks_like_question(text)
        if question_first and asks and answer_interruption(tracker, dispatcher):
            return {slot: None}
        parsed = parser(text)
        if parsed is not None:
            return {slot: parsed, "unclear_answers": 0}
        if asks and answer_interruption(tracker, dispatcher):
            return {slot: None}
        return self.not_understood(slot, dispatcher, tracker, help_response)

    def not_understood(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, help_response: Optional[str] = None
    ) -> Dict[Text, Any]:
        """Help with the question; after the second unclear answer in a row, offer a person."""
        count = int(tracker.get_slot("unclear_answers") or 0) + 1
        if count >= MAX_UNCLEAR:
            dispatcher.utter_message(response=self.give_up_response)
            return {slot: None, "unclear_answers": 0}
        dispatcher.utter_message(response=help_response or self.help_response)
        return {slot: None, "unclear_answers": count}


def looks_like_question(text: str) -> bool:
    """A question mark, or four words or more: possibly a question rather than an answer."""
    words = text.split()
    return text.rstrip().endswith("?") or len(words) >= 4
