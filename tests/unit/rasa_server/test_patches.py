"""The Rasa patch (bot/rasa_server/patches.py): installed by our model's code, pinned to the Rasa
function it replaces, and indistinguishable from it on valid and invalid action server answers."""
from __future__ import annotations

from typing import Any, Dict

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import bot.rasa_server.policies  # noqa: F401 - installs the patch, as loading the model does
from bot.rasa_server import patches

VALID: Dict[str, Dict[str, Any]] = {
    "nothing": {},
    "empty lists": {"events": [], "responses": []},
    "a slot and a reply": {
        "events": [{"event": "slot", "name": "urgent", "value": True, "timestamp": None}],
        "responses": [{"response": "utter_greet"}, {"text": "hello", "buttons": []}],
    },
    "a form and a follow-up": {
        "events": [{"event": "active_loop", "name": "screening_form"}, {"event": "followup", "name": "action_x"}],
    },
}
INVALID: Dict[str, Dict[str, Any]] = {
    "events not a list": {"events": {"event": "slot"}},
    "an event without its type": {"events": [{"name": "urgent", "value": True}]},
    "an unknown event type": {"events": [{"event": "no_such_event"}]},
    "a slot event without a name": {"events": [{"event": "slot", "value": 1}]},
    "a reply that is not an object": {"responses": ["hello"]},
    "not an object at all": [],  # type: ignore[dict-item]
}


def test_rasa_function_is_the_one_the_patch_was_written_for() -> None:
    """Fails after a Rasa upgrade that changes the patched function: review patches.py, then re-pin."""
    assert patches.source_digest(patches.original()) == patches.PATCHED_SOURCE_SHA256


def test_loading_our_policies_installs_it_once() -> None:
    installed = RemoteAction._validate_action_result
    assert installed is patches._validate_action_result
    assert patches.apply() is True
    assert RemoteAction._validate_action_result is installed


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_answers_pass_as_with_rasa(name: str) -> None:
    result = VALID[name]
    assert patches.original()(RemoteAction, result) is True
    assert patches._validate_action_result(None, result) is True


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_answers_raise_the_same_error_as_rasa(name: str) -> None:
    result = INVALID[name]
    with pytest.raises(ValidationError) as rasa_error:
        patches.original()(RemoteAction, result)
    with pytest.raises(ValidationError) as ours:
        patches._validate_action_result(None, result)
    assert ours.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.absolute_path) == list(rasa_error.value.absolute_path)
    assert ours.value.validator == rasa_error.value.validator


def test_a_changed_rasa_function_is_left_alone(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def changed(self: Any, result: Dict[str, Any]) -> bool:
        return True

    monkeypatch.setattr(RemoteAction, "_validate_action_result", changed)
    assert patches.apply() is False
    assert RemoteAction._validate_action_result is changed
    assert "leaving Rasa's own" in caplog.text
