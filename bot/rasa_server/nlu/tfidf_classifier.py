"""Intent and FAQ-topic classifier: TF-IDF word and character n-grams with a calibrated linear SVM.

On our data (short, typo-heavy messages, ~2,700 examples over 40+ labels) this beats DIET plus
ResponseSelector on the held-out set and trains in about a second instead of minutes, with no
TensorFlow inference per message. Word n-grams use spaCy's lookup lemmas (so "costs" and "cost"
share features); character n-grams absorb typos and SMS shorthand.

It predicts full retrieval intents ("faq/cost") and fills both the intent and Rasa's
response-selector output, so `utter_faq` and the two-stage fallback work unchanged.
"""
from __future__ import annotations

import logging
import zlib
from typing import Any, Dict, List, Optional, Text, Tuple

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    TOKENS_NAMES,
)
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MODEL_FILE = "tfidf_classifier.joblib"
RANKING_LENGTH = 10


def lemma_text(message: Message) -> str:
    """The message as lower-case lemmas (from the spaCy tokenizer), or its text if not tokenized."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    lemmas = [str(t.get("lemma") or t.text) for t in tokens]
    return " ".join(lemmas).lower() if lemmas else str(message.get(TEXT) or "").lower()


def split_label(label: str) -> Tuple[str, Optional[str]]:
    """'faq/cost' -> ('faq', 'faq/cost'); 'greet' -> ('greet', None)."""
    if "/" in label:
        return label.split("/", 1)[0], label
    return label, None


def _lemmas(rows: List[Tuple[str, str]]) -> List[str]:
    return [row[0] for row in rows]


def _texts(rows: List[Tuple[str, str]]) -> List[str]:
    return [row[1] for row in rows]


def build_pipeline(config: Dict[str, Any]) -> Any:
    """Word n-grams on lemmas + character n-grams on the raw text, then a calibrated linear SVM."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import LinearSVC

    words = make_pipeline(
        FunctionTransformer(_lemmas),
        TfidfVectorizer(analyzer="word", ngram_range=(1, config["word_max_ngram"]), sublinear_tf=True,
                        token_pattern=r"(?u)\b\w[\w']*\b"),
    )
    chars = make_pipeline(
        FunctionTransformer(_texts),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(config["char_min_ngram"], config["char_max_ngram"]),
                        sublinear_tf=True, min_df=config["char_min_df"]),
    )
    svm = LinearSVC(C=config["C"], random_state=config["random_seed"])
    return make_pipeline(make_union(words, chars), CalibratedClassifierCV(svm, cv=config["calibration_folds"]))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class TfidfIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts intents and retrieval sub-intents with a linear model over TF-IDF features."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 1.0,
            "word_max_ngram": 2,
            "char_min_ngram": 2,
            "char_max_ngram": 5,
            "char_min_df": 2,
            "calibration_folds": 3,
            "random_seed": 7,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
        responses: Optional[Dict[str, List[Dict[str, Any]]]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.responses = responses or {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def _row(message: Message) -> Tuple[str, str]:
        return lemma_text(message), " ".join(str(message.get(TEXT) or "").lower().split())

    def train(self, training_data: TrainingData) -> Resource:
        rows, labels = [], []
        for example in training_data.intent_examples:
            label = example.get(INTENT_RESPONSE_KEY) or example.get(INTENT)
            if example.get(TEXT) and label:
                rows.append(self._row(example))
                labels.append(label)
        if len(set(labels)) < 2:
            logger.warning("TfidfIntentClassifier needs at least two intents; nothing trained")
            return self._resource
        self.model = build_pipeline(self.config).fit(rows, np.array(labels))
        self.responses = dict(training_data.responses)
        with self._model_storage.write_to(self._resource) as path:
            joblib.dump({"model": self.model, "responses": self.responses}, path / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TfidfIntentClassifier":
        try:
            with model_storage.read_from(resource) as path:
                saved = joblib.load(path / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("TfidfIntentClassifier: no trained model found; it will predict nothing")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, saved["model"], saved["responses"])

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        rows = [self._row(m) for m in messages]
        probabilities = self.model.predict_proba(rows)
        labels = list(self.model.classes_)
        retrieval_intents = sorted({split_label(label)[0] for label in labels if "/" in label})
        for message, probs in zip(messages, probabilities):
            self._annotate(message, labels, probs, retrieval_intents)
        return messages

    def _annotate(self, message: Message, labels: List[str], probs: np.ndarray, retrieval: List[str]) -> None:
        order = np.argsort(-probs)
        # Intent ranking over base intents: a retrieval intent counts with its best sub-intent.
        ranking: Dict[str, float] = {}
        for index in order:
            base, _ = split_label(labels[index])
            ranking.setdefault(base, float(probs[index]))
        intent_ranking = [{"name": n, PREDICTED_CONFIDENCE_KEY: c} for n, c in ranking.items()][:RANKING_LENGTH]
        message.set(INTENT, dict(intent_ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, intent_ranking, add_to_output=True)

        selector = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {}) or {}
        selector[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = retrieval
        for intent in retrieval:
            subs = [i for i in order if labels[i].startswith(f"{intent}/")]
            if not subs:
                continue
            top = labels[subs[0]]
            utter = f"utter_{top}"
            selector[intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(utter, []),
                    PREDICTED_CONFIDENCE_KEY: float(probs[subs[0]]),
                    INTENT_RESPONSE_KEY: top,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {"id": zlib.crc32(labels[i].encode()), PREDICTED_CONFIDENCE_KEY: float(probs[i]),
                     INTENT_RESPONSE_KEY: labels[i]}
                    for i in subs[:RANKING_LENGTH]
                ],
            }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)
