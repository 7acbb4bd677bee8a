"""Family conversation glue: read each answer with bot.family, then send the plan from content/family/.

Danger comes first at every question: the reply with 911 and the domestic violence hotline ends the
conversation before any advice, and a callback from it is urgent. A question asked mid-way is
answered and the same question asked again; "skip" leaves a question out; "stop" ends it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import GuidedFormValidation, looks_like_question, answer_interruption
from bot.family import answers
from bot.family.answers import QUESTIONS, Kind

OUTCOME = "family_outcome"
ASKED_AGAIN = "family_danger_asked"
DANGER, STOPPED = "danger", "stopped"
FAMILY_CONSULTATION = "family_consultation"


def _danger(dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    dispatcher.utter_message(response="utter_family_danger")
    return {OUTCOME: DANGER, "urgent": True, "requested_slot": None}


class ActionFamilyStart(Action):
    """Starts afresh, keeping what the opening message already said (who, and what worries them)."""

    def name(self) -> Text:
        return "action_family_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        events: List[EventType] = [SlotSet(q, None) for q in QUESTIONS]
        events += [SlotSet(OUTCOME, None), SlotSet(ASKED_AGAIN, False), SlotSet("unclear_answers", 0)]
        if text.startswith("/"):
            text = ""
        if text and answers.is_danger(text):
            dispatcher.utter_message(response="utter_family_danger")
            return events + [SlotSet(OUTCOME, DANGER), SlotSet("urgent", True)]
        dispatcher.utter_message(response="utter_family_intro")
        relation, concern = answers.mentioned_relation(text), answers.concern_in(text)
        if relation:
            events.append(SlotSet("family_relation", relation))
        if concern:
            events.append(SlotSet("family_concern", concern))
        return events


class ValidateFamilyForm(GuidedFormValidation):
    """Reads each answer; danger or "stop" ends the conversation at once."""

    help_response = "utter_family_unclear"

    def form_name(self) -> Text:
        return "family_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return [] if tracker.get_slot(OUTCOME) else list(QUESTIONS)

    def _validate(self, question: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        if text in answers.STORED[question]:  # set from the opening message (action_family_start)
            return {question: text}
        reading = answers.read(question, text, asked_again=bool(tracker.get_slot(ASKED_AGAIN)))
        if reading.kind is Kind.DANGER:
            return {question: None, **_danger(dispatcher)}
        if reading.kind is Kind.STOP:
            return {question: None, OUTCOME: STOPPED, "requested_slot": None}
        # "What if he gets angry?" is a question, not the answer "anger": asked as one, answered first.
        question_mark = text.rstrip().endswith("?")
        if question_mark and answer_interruption(tracker, dispatcher):
            return {question: None}
        if reading.kind in (Kind.ANSWER, Kind.SKIP):
            return {question: reading.value, "unclear_answers": 0}
        if reading.value == answers.CHILD_AGE:
            dispatcher.utter_message(response="utter_ask_family_child_age")
            return {question: None}
        if question == "family_danger":
            dispatcher.utter_message(response="utter_family_danger_again")
            return {question: None, ASKED_AGAIN: True}
        if not question_mark and looks_like_question(text) and answer_interruption(tracker, dispatcher):
            return {question: None}
        return self.not_understood(question, dispatcher, tracker)

    def validate_family_danger(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("family_danger", value, dispatcher, tracker)

    def validate_family_relation(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("family_relation", value, dispatcher, tracker)

    def validate_family_concern(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("family_concern", value, dispatcher, tracker)

    def validate_family_tried(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("family_tried", value, dispatcher, tracker)


class ActionFamilyPlan(Action):
    """The plan for these answers, then the offer of a family consultation call.

    Who the loved one is stays for that call (the request names the relation, never a name).
    """

    def name(self) -> Text:
        return "action_family_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from bot.family.plan import compose
        from bot.settings import program

        outcome = tracker.get_slot(OUTCOME)
        reset: List[EventType] = [SlotSet(q, None) for q in QUESTIONS if q != "family_relation"]
        reset += [SlotSet(OUTCOME, None), SlotSet(ASKED_AGAIN, False), SlotSet("unclear_answers", 0)]
        if outcome == DANGER:
            return reset
        if outcome == STOPPED:
            dispatcher.utter_message(response="utter_family_stopped")
            return reset
        for text in compose(program(), *(tracker.get_slot(q) for q in QUESTIONS[1:])):
            dispatcher.utter_message(text=text)
        dispatcher.utter_message(response="utter_family_plan_next")
        return reset


class ActionFamilyCallback(Action):
    """A callback that is a family consultation, about the loved one named by relation only."""

    def name(self) -> Text:
        return "action_family_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return [SlotSet("callback_topic", FAMILY_CONSULTATION), SlotSet("callback_for", "loved_one")]
