"""Rasa NLU component: a request to plan a talk with one's loved one starts the family conversation.

"How do I talk to my son about his drinking?" is classified as the general FAQ on approaching a
loved one (or not understood at all); bot.family.entry recognises that it names a particular loved
one and asks how to raise it, and this component makes it `start_family_plan`. It runs after the
safety net and never overrides a crisis, a possible risk or a request for medical advice.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.family.entry import is_planning_request
from bot.rasa_server.nlu.safety_net import set_top_intent

logger = logging.getLogger(__name__)

START_FAMILY_PLAN = "start_family_plan"
# What the classifier may have made of such a request; anything else (a crisis first of all) stands.
REPLACEABLE = frozenset({"faq", "nlu_fallback", "out_of_scope", "inform"})


def apply_family_request(message: Message) -> bool:
    """Make a planning request `start_family_plan`; True when it did."""
    top = (message.get(INTENT) or {}).get("name")
    if top not in REPLACEABLE or not is_planning_request(message.get(TEXT) or ""):
        return False
    set_top_intent(message, START_FAMILY_PLAN)
    return True


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FamilyRequest(GraphComponent, IntentClassifier):
    """Starts the guided family conversation for requests to plan a talk with a named loved one."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FamilyRequest":
        is_planning_request("")  # a mistake in content/family/ stops the server here
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if apply_family_request(message):
                logger.info("family conversation requested")
        return messages
