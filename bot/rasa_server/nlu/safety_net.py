"""Rasa NLU component: the deterministic safety net, run on every message after the classifiers.

The trained classifier may be unsure about a crisis phrased in slang or with typos. This component
does not depend on its confidence: when `bot.safety` recognises a crisis it sets the intent to
`crisis` and adds a `crisis_type` entity (suicide / medical / violence) that picks the right reply.
Requests for dosing or taper advice become `medical_advice`, which is always declined.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safety import crisis_words_explained_away, detect_crisis, is_medical_advice_request, load_safety_data
from bot.safety.names import CRISIS_ENTITY, CRISIS_INTENT, MEDICAL_ADVICE_INTENT

logger = logging.getLogger(__name__)

# Below this (calibrated) probability a crisis guess by the classifier alone is not trusted: the rules found
# nothing, and the classifier over-reacts to single words ("dead", "pills"). Above it, the
# classifier is kept as the second, independent detector for phrasings the rules do not know.
CLASSIFIER_CRISIS_MIN = 0.4
# Nor for one- or two-word messages: those are mostly answers ("Myself", "pills") whose meaning
# the rules can judge; a crisis in so few words ("kms", "want to die") is caught by the rules.
CLASSIFIER_CRISIS_MIN_WORDS = 3


def apply_safety_net(message: Message) -> Optional[str]:
    """Override intent/entities of one parsed message; returns the rule that fired, if any."""
    text = message.get(TEXT) or ""
    if not text or text.startswith("/"):
        return None
    signal = detect_crisis(text)
    if signal is not None:
        _set_intent(message, CRISIS_INTENT)
        entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != CRISIS_ENTITY]
        entities.append(
            {
                "entity": CRISIS_ENTITY,
                "value": signal.kind,
                "start": 0,
                "end": len(text),
                "confidence_entity": 1.0,
                "extractor": "SafetyNet",
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)
        return signal.rule
    intent = message.get(INTENT) or {}
    current = intent.get("name")
    if current == CRISIS_INTENT and (
        (intent.get("confidence") or 0.0) < CLASSIFIER_CRISIS_MIN
        or len(text.split()) < CLASSIFIER_CRISIS_MIN_WORDS
        or crisis_words_explained_away(text)
    ):
        _demote_crisis(message)
        current = (message.get(INTENT) or {}).get("name")
    if current != CRISIS_INTENT and is_medical_advice_request(text):
        _set_intent(message, MEDICAL_ADVICE_INTENT)
        return MEDICAL_ADVICE_INTENT
    return None


def _demote_crisis(message: Message) -> None:
    """Replace a classifier-only crisis guess by the next intent in its ranking."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != CRISIS_INTENT]
    top = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 1.0}
    message.set(INTENT, dict(top), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def _set_intent(message: Message, name: str) -> None:
    """Make `name` the top intent with full confidence, keeping the classifier's ranking below it."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != name]
    message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": 1.0}] + ranking, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyNet(GraphComponent, IntentClassifier):
    """Overrides the classifier when the deterministic crisis or medical-advice rules fire."""

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
    ) -> "SafetyNet":
        load_safety_data()  # a mistake in content/safety/ stops the server here, not at a crisis
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            rule = apply_safety_net(message)
            if rule:
                # The rule name only: user text never goes to logs.
                logger.info("safety net fired: %s", rule)
        return messages
