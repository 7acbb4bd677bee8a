"""Dialogue policy that answers a crisis message first, whatever state the conversation is in.

Rasa lets an active form run before any rule, and a form asks the action server to validate the
answer; if that server is down, a rule-based crisis reply would never be reached. This policy has
the highest priority and predicts, without any custom action:

    utter_crisis -> action_deactivate_loop (only if a form is active) -> utter_crisis_next -> listen

and marks the conversation urgent (slot `urgent`), so any later callback request is flagged.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.safety.names import CRISIS_INTENT, UTTER_CRISIS, UTTER_CRISIS_NEXT

DEACTIVATE = "action_deactivate_loop"


def next_crisis_action(
    latest_intent: Optional[str], actions_since_user: List[str], active_loop: Optional[str]
) -> Optional[str]:
    """The crisis sequence as a plain function: which action comes next, or None if not a crisis turn."""
    if latest_intent != CRISIS_INTENT:
        return None
    if UTTER_CRISIS not in actions_since_user:
        return UTTER_CRISIS
    if active_loop:
        return DEACTIVATE
    if UTTER_CRISIS_NEXT not in actions_since_user:
        return UTTER_CRISIS_NEXT
    return ACTION_LISTEN_NAME


def actions_since_last_user_message(tracker: DialogueStateTracker) -> List[str]:
    """Names of actions run after the latest user message."""
    names: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    return list(reversed(names))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class CrisisPolicy(Policy):
    """Deterministic crisis handling with priority over forms and rules."""

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
        latest = tracker.latest_message.intent.get("name") if tracker.latest_message else None
        action = next_crisis_action(latest, actions_since_last_user_message(tracker), tracker.active_loop_name)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        events = []
        if action == UTTER_CRISIS:
            slots = {slot.name for slot in domain.slots}
            if "urgent" in slots:
                events.append(SlotSet("urgent", True))
            # "Yes" to the screening's self-harm question arrives as a crisis message: record it, so
            # that resuming the check does not ask the same question again.
            if tracker.active_loop_name == "screening_form" and tracker.get_slot("requested_slot") == "safety":
                events.append(SlotSet("safety", "yes"))
        # A no-user prediction outranks the form's own prediction, so the crisis reply always comes first.
        return self._prediction(probabilities, events=events, is_no_user_prediction=True)
