"""Dialogue policy that puts safety first, whatever state the conversation is in.

Rasa lets an active form run before any rule, and a form asks the action server to validate the
answer; if that server is down, a rule-based crisis reply would never be reached. This policy has
the highest priority and predicts, without any custom action:

    crisis:           utter_crisis -> action_deactivate_loop (if a form is active) -> utter_crisis_next
    a warning sign:   utter_risk_check (are you thinking about ending your life? 988 / 911)
    its answer:       yes      -> the crisis sequence
                      unsure   -> utter_risk_unsure -> the rest of the crisis sequence
                      no       -> action_back_to_question (replays the message that raised it),
                                  or in a form utter_risk_check_resume; the fit check keeps the
                                  answer the warning sign also gave and goes on, else asks again
                      no answer-> utter_risk_check_again once, then as unsure

A crisis, yes or unsure marks the conversation urgent (slot `urgent`), so any later callback
request is flagged. The answer to the check-in never fills the slot a form was asking for.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.safety.check_in import Answer, read_answer
from bot.screening.answers import read as read_typed_answer
from bot.screening.answers import phrases as screening_phrases
from bot.screening.rules import INTAKE, SELF_HARM, UNSURE, YES
from bot.screening.rules import rules as screening_rules
from bot.safety.names import (
    ACTION_BACK_TO_QUESTION,
    CRISIS_ENTITY,
    CRISIS_INTENT,
    HELD_ANSWER_SLOT,
    POSSIBLE_RISK_INTENT,
    RISK_CHECK_SLOT,
    UTTER_CRISIS,
    UTTER_CRISIS_NEXT,
    UTTER_RISK_CHECK,
    UTTER_RISK_CHECK_AGAIN,
    UTTER_RISK_CHECK_RESUME,
    UTTER_RISK_UNSURE,
)

logger = logging.getLogger(__name__)

DEACTIVATE = "action_deactivate_loop"
ASKED = "asked"
ASKED_AGAIN = "asked_again"
# The screening question about self-harm: a risky answer to the check-in answers it too.
SCREENING_FORM = "screening_form"
# Warning-sign kinds that do not answer the self-harm question.
OTHER_DANGERS = ("medical", "violence")


@dataclass(frozen=True)
class Turn:
    """What the policy needs to know about the conversation, as plain values."""

    intent: Optional[str]
    text: str
    actions_since_user: List[str]
    active_loop: Optional[str]
    requested_slot: Optional[str]
    risk_check: Optional[str]  # ASKED / ASKED_AGAIN while a check-in waits for its answer
    crisis_type: Optional[str] = None
    # The latest message's warning sign came from the safety rules (they set the crisis_type
    # entity), not from the classifier alone.
    from_rules: bool = True
    held_answer: Optional[str] = None  # the fit-check answer kept while the check-in waits


@dataclass(frozen=True)
class Step:
    """The next action and the slots to set before it runs."""

    action: str
    slots: Dict[str, Any] = field(default_factory=dict)


def next_safety_action(turn: Turn) -> Optional[Step]:
    """The safety sequence as a plain function: the next step, or None if this is not a safety turn."""
    done = turn.actions_since_user
    if UTTER_CRISIS in done or UTTER_RISK_UNSURE in done:
        return _crisis_rest(turn)
    if UTTER_RISK_CHECK in done or UTTER_RISK_CHECK_AGAIN in done:
        return Step(ACTION_LISTEN_NAME)
    if done:
        return None  # e.g. after action_back_to_question or utter_risk_check_resume: the other policies' turn
    if turn.intent == CRISIS_INTENT:
        return _crisis_first(turn, UTTER_CRISIS)
    if turn.risk_check in (ASKED, ASKED_AGAIN):
        return _answer_to_check_in(turn)
    if turn.intent == POSSIBLE_RISK_INTENT:
        if turn.active_loop == SCREENING_FORM and turn.requested_slot in screening_rules().ids:
            return _warning_sign_in_fit_check(turn)
        return Step(UTTER_RISK_CHECK, {RISK_CHECK_SLOT: ASKED})
    return None


def _warning_sign_in_fit_check(turn: Turn) -> Optional[Step]:
    """A warning sign typed at a fit-check question.

    Found by the safety rules at the self-harm question, it is the answer: the crisis reply, recorded
    as a yes. Seen by the classifier alone there, or a sign of violence or a medical danger, a risky
    or unsure answer goes to the form, whose outcome is the crisis reply, and anything else gets the
    check-in. Anywhere else it gets the check-in, as it would outside the fit
    check, whatever answer the words also give: "mixing my methadone with pills, don't know what
    they are, don't care" reads as "not sure" at the opioid question, and "she's vomiting all day
    and confused, she drinks every day" as "yes" at the daily-use one. That answer is kept while
    the check-in waits: after a "no" the form stores it and goes on, so nobody is asked twice; a
    message that gives no answer is asked again. If the fit check's own data cannot be read, the
    check-in is the answer."""
    check_in = Step(UTTER_RISK_CHECK, {RISK_CHECK_SLOT: ASKED, **_keep_form_question(turn)})
    if turn.requested_slot != SELF_HARM:
        return Step(check_in.action, {**check_in.slots, HELD_ANSWER_SLOT: _answer_given(turn)})
    if turn.from_rules and turn.crisis_type not in OTHER_DANGERS:
        return _crisis_first(turn, UTTER_CRISIS)
    # Seen by the classifier alone, or a sign of violence or a medical danger, which says nothing
    # about self-harm ("no. but he puts his hands on me"): the words' own answer decides.
    try:  # only here is the answer read: the other questions never need it
        reading = read_typed_answer(SELF_HARM, turn.text, learned=False)
    except Exception:  # noqa: BLE001 - a data mistake must never cost a safety reply
        logger.exception("fit-check data could not be read; asking the safety check-in")
        return check_in
    return None if reading.is_answer and reading.value in (YES, UNSURE) else check_in


def _answer_given(turn: Turn) -> Optional[str]:
    """The answer to the pending fit-check question a message plainly gives (the phrases alone), if
    any. Not kept, so the question is asked again: a safe answer to a safety question (said with a
    warning sign, it may not be the whole story), and the intake answers, which the phrases read by
    any word in the message ("me, my husband puts his hands on me" names a husband; "tired of
    everything" is not "several of these") and which decide the wording and the questions to come."""
    question = str(turn.requested_slot)
    try:
        asked = screening_rules().question(question)
        if asked.dimension == INTAKE:
            return None
        reading = read_typed_answer(question, turn.text, clarify=False, learned=False)
    except Exception:  # noqa: BLE001 - a data mistake costs the kept answer, never the check-in
        logger.exception("fit-check data could not be read; the question will be asked again")
        return None
    if not reading.is_answer or (asked.safe_side and reading.value == asked.safe_side):
        return None
    return str(reading.value)


def _answer_to_check_in(turn: Turn) -> Step:
    answer = Answer.YES if turn.intent == POSSIBLE_RISK_INTENT else read_answer(turn.text)
    if answer is Answer.OTHER and turn.risk_check == ASKED:
        return Step(UTTER_RISK_CHECK_AGAIN, {RISK_CHECK_SLOT: ASKED_AGAIN, **_keep_form_question(turn)})
    if answer is Answer.NO:
        # The "no" is not an answer to the form's question: the answer the warning sign gave is
        # stored (the form validates it and goes on), or the form asks its question again.
        action = UTTER_RISK_CHECK_RESUME if turn.active_loop else ACTION_BACK_TO_QUESTION
        slots = {RISK_CHECK_SLOT: None, HELD_ANSWER_SLOT: None, **_keep_form_question(turn)}
        if turn.active_loop == SCREENING_FORM and turn.requested_slot and turn.held_answer:
            slots[turn.requested_slot] = turn.held_answer
        return Step(action, slots)
    first = UTTER_CRISIS if answer is Answer.YES else UTTER_RISK_UNSURE
    step = _crisis_first(turn, first)
    return Step(step.action, {**_keep_form_question(turn), **step.slots})


def _crisis_first(turn: Turn, action: str) -> Step:
    slots: Dict[str, Any] = {"urgent": True, RISK_CHECK_SLOT: None, HELD_ANSWER_SLOT: None}
    if action == UTTER_CRISIS and turn.intent != CRISIS_INTENT and turn.crisis_type is None:
        slots[CRISIS_ENTITY] = "suicide"  # a yes to "are you thinking about ending your life?"
    # "Yes" to the screening's self-harm question arrives as a crisis message: record it, so
    # that resuming the check does not ask the same question again.
    if turn.active_loop == SCREENING_FORM and turn.requested_slot == SELF_HARM:
        slots[SELF_HARM] = YES
    return Step(action, slots)


def _crisis_rest(turn: Turn) -> Step:
    if turn.active_loop:
        return Step(DEACTIVATE)
    if UTTER_CRISIS_NEXT not in turn.actions_since_user:
        return Step(UTTER_CRISIS_NEXT)
    return Step(ACTION_LISTEN_NAME)


def _keep_form_question(turn: Turn) -> Dict[str, Any]:
    """The answer to the check-in is not the answer to the form's pending question: undo the value
    Rasa's slot mapping took from it, so the form asks its question again."""
    if turn.active_loop and turn.requested_slot:
        return {turn.requested_slot: None}
    return {}


def actions_since_last_user_message(tracker: DialogueStateTracker) -> List[str]:
    """Names of actions run after the latest user message."""
    names: List[str] = []
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    return list(reversed(names))


def turn_of(tracker: DialogueStateTracker) -> Turn:
    latest = tracker.latest_message
    return Turn(
        intent=latest.intent.get("name") if latest else None,
        text=(latest.text or "") if latest else "",
        actions_since_user=actions_since_last_user_message(tracker),
        active_loop=tracker.active_loop_name,
        requested_slot=tracker.get_slot(REQUESTED_SLOT),
        risk_check=tracker.get_slot(RISK_CHECK_SLOT),
        crisis_type=tracker.get_slot(CRISIS_ENTITY),
        from_rules=any(e.get("entity") == CRISIS_ENTITY for e in (latest.entities if latest else [])),
        held_answer=tracker.get_slot(HELD_ANSWER_SLOT),
    )


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class CrisisPolicy(Policy):
    """Deterministic crisis handling and safety check-ins, with priority over forms and rules."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context)
        screening_phrases()  # a mistake in content/screening/ stops the server here, not at a warning sign

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        step = next_safety_action(turn_of(tracker))
        if step is None or step.action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(step.action)] = 1.0
        slots = {slot.name for slot in domain.slots}
        events: List[Event] = [SlotSet(name, value) for name, value in step.slots.items() if name in slots]
        # A no-user prediction outranks the form's own prediction, so the safety reply always comes first.
        return self._prediction(probabilities, events=events, is_no_user_prediction=True)
