"""The Rasa patches (bot/rasa_server/patches.py): installed by our model's code, pinned to the Rasa
functions they replace, and indistinguishable from them: on valid and invalid action server answers,
on every event name Rasa knows, an unknown one, and one of an event class defined later, and on the
applied events of conversations with forms, reverted turns and restarts, at every step."""
from __future__ import annotations

import copy
from typing import Any, Dict

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import (
    ActionExecuted, ActionExecutionRejected, ActionReverted, ActiveLoop, BotUttered, Event, Restarted,
    SessionStarted, SlotSet, UserUttered, UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

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


@pytest.mark.parametrize("patch", patches.PATCHES, ids=lambda p: p.name)
def test_rasa_function_is_the_one_the_patch_was_written_for(patch: patches.Patch) -> None:
    """Fails after a Rasa upgrade that changes a patched function: review patches.py, then re-pin."""
    assert patches.source_digest(patch.original()) == patch.source_sha256


def test_loading_our_policies_installs_them_once() -> None:
    assert RemoteAction._validate_action_result is patches._validate_action_result
    assert Event.resolve_by_type is patches._resolve_by_type
    assert DialogueStateTracker.applied_events is patches._applied_events
    assert patches.apply() is True
    assert RemoteAction._validate_action_result is patches._validate_action_result
    assert Event.resolve_by_type is patches._resolve_by_type


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_answers_pass_as_with_rasa(name: str) -> None:
    result = VALID[name]
    assert patches.VALIDATOR.original()(RemoteAction, result) is True
    assert patches._validate_action_result(None, result) is True


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_answers_raise_the_same_error_as_rasa(name: str) -> None:
    result = INVALID[name]
    with pytest.raises(ValidationError) as rasa_error:
        patches.VALIDATOR.original()(RemoteAction, result)
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
    assert Event.resolve_by_type is patches._resolve_by_type  # the other one stays


def test_a_name_two_classes_share_finds_the_one_rasa_finds_first() -> None:
    """rasa.core.test's EndToEndUserUtterance inherits the name 'user' from UserUttered."""
    import rasa.core.test  # noqa: F401

    names = [cls.type_name for cls in all_subclasses(Event)]
    assert names.count("user") > 1
    patches._event_classes.clear()
    assert patches._resolve_by_type("user") is UserUttered is patches.EVENT_TYPES.original()("user")


@pytest.mark.parametrize("name", sorted({cls.type_name for cls in all_subclasses(Event)}))
def test_every_event_name_finds_rasa_s_class(name: str) -> None:
    assert patches._resolve_by_type(name) is patches.EVENT_TYPES.original()(name)


def test_unknown_names_as_with_rasa() -> None:
    rasa = patches.EVENT_TYPES.original()
    assert patches._resolve_by_type("topic") is rasa("topic") is None
    assert patches._resolve_by_type("no_such_event", Event) is rasa("no_such_event", Event) is Event
    with pytest.raises(ValueError) as rasa_error:
        rasa("no_such_event")
    with pytest.raises(ValueError) as ours:
        patches._resolve_by_type("no_such_event")
    assert str(ours.value) == str(rasa_error.value)


def test_an_event_class_defined_later_is_found() -> None:
    patches._resolve_by_type("user")  # the table exists

    class DefinedLater(Event):
        type_name = "iop_defined_later"

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, DefinedLater)

        def as_story_string(self) -> str:
            return self.type_name

    assert patches._resolve_by_type("iop_defined_later") is DefinedLater
    assert Event.from_parameters({"event": "iop_defined_later"}) == DefinedLater()


def _form_turns(form: str, answers: int, rejected_at: int = -1) -> list:
    """A form asked `answers` times; at `rejected_at` the user asked something else (unhappy path)."""
    events = [UserUttered("start", {"name": "start"}), ActionExecuted(form), ActiveLoop(form),
              SlotSet(REQUESTED_SLOT, "q0"), ActionExecuted(ACTION_LISTEN_NAME)]
    for i in range(answers):
        events.append(UserUttered(f"answer {i}", {"name": "inform"}))
        if i == rejected_at:
            events += [ActionExecutionRejected(form), ActionExecuted("utter_faq"), ActionExecuted(form),
                       SlotSet(REQUESTED_SLOT, f"q{i}"), ActionExecuted(ACTION_LISTEN_NAME)]
            continue
        events += [ActionExecuted(form), SlotSet(f"q{i}", "yes"), SlotSet(REQUESTED_SLOT, f"q{i + 1}"),
                   ActionExecuted(ACTION_LISTEN_NAME)]
    return events + [ActionExecuted(form), ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]


CONVERSATIONS = {
    "plain turns": [ActionExecuted(ACTION_LISTEN_NAME), UserUttered("hi", {"name": "greet"}),
                    ActionExecuted("utter_greet"), BotUttered("hello"), ActionExecuted(ACTION_LISTEN_NAME)] * 3,
    "a form's happy path": _form_turns("screening_form", 4),
    "a form's unhappy path": _form_turns("screening_form", 4, rejected_at=2),
    "two forms, one after the other": _form_turns("screening_form", 3) + _form_turns("callback_form", 2),
    "reverted turns": [UserUttered("a", {"name": "x"}), ActionExecuted("utter_a"), ActionReverted(),
                       UserUttered("b", {"name": "y"}), ActionExecuted("action_default_fallback"),
                       UserUtteranceReverted(), ActionExecuted(ACTION_LISTEN_NAME)],
    "a restart and a new session": [UserUttered("a", {"name": "x"}), Restarted(), ActionExecuted(ACTION_LISTEN_NAME),
                                    SessionStarted(), UserUttered("b", {"name": "y"}), ActionExecuted("utter_b")],
}


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_applied_events_as_rasa_works_them_out_at_every_step(name: str) -> None:
    rasa = patches.APPLIED_EVENTS.original()
    tracker = DialogueStateTracker("conv", slots=[])
    for event in CONVERSATIONS[name]:
        tracker.update(event)
        first = tracker.applied_events()
        assert first == rasa(tracker)
        first.append(UserUttered("a caller changing its own list"))
        assert tracker.applied_events() == rasa(tracker)  # the kept list is untouched


def test_applied_events_follow_a_tracker_that_drops_its_oldest_events() -> None:
    rasa = patches.APPLIED_EVENTS.original()
    tracker = DialogueStateTracker("conv", slots=[], max_event_history=6)
    for event in _form_turns("screening_form", 5):
        tracker.update(event)
        assert tracker.applied_events() == rasa(tracker)


def test_a_copied_tracker_works_out_its_own_state() -> None:
    tracker = DialogueStateTracker("conv", slots=[])
    for event in _form_turns("screening_form", 2)[:-3]:
        tracker.update(event)
    tracker.applied_events()
    for copied in (tracker.copy(), copy.deepcopy(tracker)):
        copied.update(ActionExecuted("utter_other"))
        assert copied.applied_events() == patches.APPLIED_EVENTS.original()(copied)
        assert tracker.applied_events() == patches.APPLIED_EVENTS.original()(tracker)


def test_removing_puts_rasa_s_functions_back_and_applying_again_restores_ours() -> None:
    try:
        patches.remove()
        assert RemoteAction._validate_action_result is patches.VALIDATOR.original()
        assert Event.resolve_by_type is patches.EVENT_TYPES.original()
        assert DialogueStateTracker.applied_events is patches.APPLIED_EVENTS.original()
    finally:
        assert patches.apply() is True
    assert DialogueStateTracker.applied_events is patches._applied_events
