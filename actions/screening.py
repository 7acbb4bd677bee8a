"""Fit-check glue: read each typed answer with bot.screening, then give the outcome.

What a message at a question is comes from bot.screening.answers: an answer is stored; a question is
answered (an FAQ, "what can you do", or why the check asks this) and the same question is asked
again; "stop" or "call me" ends the check; a safe answer that could carry risk is asked
about once more; anything else gets help, then the offer of a person.
"""
from __future__ import annotations

from typing import Any, Collection, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import GuidedFormValidation, answer_interruption, latest_intent
from bot import screening
from bot.screening.answers import INTAKE_PARSERS, Kind, read
from bot.screening.classifier import classifier
from bot.screening.rules import SKIPPED, UNSURE

QUESTIONS = screening.rules().ids
classifier()  # the learned reading of typed answers is trained when the actions load, not on a first answer
STOPPED_SLOT = "screening_stopped"
CLARIFIED_SLOT = "screening_clarified"  # the question just asked once more after an unclear safe answer


def stored_answers(tracker: Tracker) -> Dict[str, Optional[str]]:
    return {q: tracker.get_slot(q) for q in QUESTIONS}


class ValidateScreeningForm(GuidedFormValidation):
    """Reads each answer; ends the check early once a safety rule has settled the outcome."""

    def form_name(self) -> Text:
        return "screening_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        # Only who the check is for and the concern decide which questions apply.
        return screening.required_questions(answers_for_outcome(tracker, only=INTAKE_PARSERS))

    def validate_question(self, question: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        intent, confidence = latest_intent(tracker)
        reading = read(question, text, intent, confidence, clarify=tracker.get_slot(CLARIFIED_SLOT) != question)
        if reading.kind is Kind.ANSWER:
            return self._accept(question, str(reading.value), tracker)
        if reading.kind is Kind.CLARIFY:
            dispatcher.utter_message(response="utter_screening_clarify")
            return {question: None, CLARIFIED_SLOT: question}
        if reading.kind in (Kind.STOP, Kind.CALLBACK):
            return self._end(question, tracker, "stop" if reading.kind is Kind.STOP else "callback")
        if reading.kind is Kind.WHY:
            dispatcher.utter_message(response="utter_screening_why", why=screening.rules().question(question).why)
            return {question: None}
        if reading.kind is Kind.QUESTION:
            if not answer_interruption(tracker, dispatcher):
                dispatcher.utter_message(response="utter_screening_question_later")
            return {question: None}
        return self.not_understood(question, dispatcher, tracker)

    def _accept(self, question: str, value: str, tracker: Tracker) -> Dict[Text, Any]:
        result: Dict[Text, Any] = {question: value, "unclear_answers": 0, CLARIFIED_SLOT: None}
        answers = {**stored_answers(tracker), question: value}
        if screening.decided_early(answers):
            # A safety rule settled the outcome: the remaining questions are marked skipped so the
            # result comes in this same turn.
            result.update({q: SKIPPED for q in QUESTIONS if answers.get(q) is None})
        return result

    def _end(self, question: str, tracker: Tracker, why: str) -> Dict[Text, Any]:
        answers = stored_answers(tracker)
        result: Dict[Text, Any] = {q: SKIPPED for q in QUESTIONS if answers.get(q) is None or q == question}
        result[STOPPED_SLOT] = why
        return result


def _validator(question: str) -> Any:
    def validate(self: ValidateScreeningForm, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                 domain: DomainDict) -> Dict[Text, Any]:
        return self.validate_question(question, value, dispatcher, tracker)
    validate.__doc__ = f"Reads the answer to `{question}`."
    return validate


for _question in QUESTIONS:  # FormValidationAction looks up validate_<slot> by name
    setattr(ValidateScreeningForm, f"validate_{_question}", _validator(_question))


def answers_for_outcome(tracker: Tracker, only: Optional[Collection[str]] = None) -> Dict[str, Optional[str]]:
    """Stored answers, read again when one was stored without validation (the action server was down
    when it arrived): what cannot be read on a safety question counts as not sure. `only`: read
    again just these questions, the rest as stored."""
    result = stored_answers(tracker)
    for question in screening.rules().questions:
        value = result[question.id]
        if (only is not None and question.id not in only) or value in (None, SKIPPED) or value in question.answers:
            continue
        reading = read(question.id, str(value))
        result[question.id] = reading.value if reading.is_answer else (UNSURE if question.risk_side else None)
    return result


class ActionScreeningResult(Action):
    """Tells the outcome with its reasons and notes, says it is not a diagnosis, and offers a callback."""

    def name(self) -> Text:
        return "action_screening_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reset = [SlotSet(q, None) for q in QUESTIONS if q != "screen_for"]
        reset += [SlotSet("unclear_answers", 0), SlotSet(STOPPED_SLOT, None), SlotSet(CLARIFIED_SLOT, None)]
        stopped = tracker.get_slot(STOPPED_SLOT)
        outcome = screening.screening_outcome(answers_for_outcome(tracker))
        # A check left halfway has no outcome, but what was already learnt is still said (naloxone
        # after an overdose).
        if not stopped:
            dispatcher.utter_message(response=f"utter_outcome_{outcome.kind}", reasons=screening.format_reasons(outcome))
        for note in outcome.notes:
            dispatcher.utter_message(response=f"utter_screening_note_{note}")
        if stopped == "callback":
            return reset + [FollowupAction("callback_form")]
        if stopped:
            dispatcher.utter_message(response="utter_form_stopped")
            return reset
        events: List[EventType] = [SlotSet("screening_outcome", outcome.kind)]
        if outcome.kind in screening.rules().urgent:
            events.append(SlotSet("urgent", True))
            dispatcher.utter_message(response="utter_crisis_next")
        else:
            dispatcher.utter_message(response="utter_screening_not_diagnosis")
        # The outcome stays for the callback; the answers are cleared so the check can be taken
        # again (who it is for is kept: it also tells the callback form who the call is about).
        return events + reset
