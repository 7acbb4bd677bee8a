"""The TF-IDF intent/topic classifier as a Rasa component: train, persist, load, predict."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.tfidf_classifier import TfidfIntentClassifier, split_label

EXAMPLES = {
    "greet": ["hi", "hello", "hey there", "good morning", "hiya"],
    "faq/cost": ["how much does it cost", "what is the price", "cost per week", "is it expensive", "fees?"],
    "faq/meals": ["is lunch provided", "do you serve food", "should i bring a snack", "are meals included",
                  "will there be food"],
}


def training_data() -> TrainingData:
    messages = []
    for label, texts in EXAMPLES.items():
        intent, _, sub = label.partition("/")
        for text in texts:
            data = {"text": text, "intent": intent}
            if sub:
                data["intent_response_key"] = label
            messages.append(Message(data=data))
    return TrainingData(messages, responses={"utter_faq/cost": [{"text": "c"}], "utter_faq/meals": [{"text": "m"}]})


@pytest.mark.parametrize("label, expected", [("faq/cost", ("faq", "faq/cost")), ("greet", ("greet", None))])
def test_split_label(label, expected) -> None:
    assert split_label(label) == expected


def test_train_persist_load_predict(tmp_path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("tfidf")
    context = ExecutionContext(node_name="tfidf", graph_schema=None)  # type: ignore[arg-type]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    data = training_data()
    tokenizer.process_training_data(data)
    component = TfidfIntentClassifier.create({"calibration_folds": 2}, storage, resource, context)
    component.train(data)

    loaded = TfidfIntentClassifier.load({"calibration_folds": 2}, storage, resource, context)
    messages = [Message(data={"text": t}) for t in ("how much is it per week", "hello!", "do they feed you lunch")]
    tokenizer.process(messages)
    loaded.process(messages)

    cost, hello, meals = messages
    assert cost.get("intent")["name"] == "faq"
    assert cost.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/cost"
    assert cost.get("response_selector")["faq"]["response"]["utter_action"] == "utter_faq/cost"
    assert cost.get("response_selector")["all_retrieval_intents"] == ["faq"]
    assert hello.get("intent")["name"] == "greet"
    assert meals.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/meals"
    ranking = cost.get("intent_ranking")
    assert [r["name"] for r in ranking] == sorted({"greet", "faq"}, key=lambda n: -dict(
        (r["name"], r["confidence"]) for r in ranking)[n])
    assert 0.0 < ranking[0]["confidence"] <= 1.0


def test_untrained_component_leaves_messages_alone(tmp_path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(node_name="tfidf", graph_schema=None)  # type: ignore[arg-type]
    component = TfidfIntentClassifier.load({}, storage, Resource("missing"), context)
    message = Message(data={"text": "hi"})
    component.process([message])
    assert message.get("intent") is None
