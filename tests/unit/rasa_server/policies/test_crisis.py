"""The crisis sequence the policy follows, as a table."""
from __future__ import annotations

import pytest

from bot.rasa_server.policies.crisis import next_crisis_action


@pytest.mark.parametrize(
    "intent, done, loop, expected",
    [
        ("crisis", [], None, "utter_crisis"),
        ("crisis", [], "screening_form", "utter_crisis"),
        ("crisis", ["utter_crisis"], None, "utter_crisis_next"),
        ("crisis", ["utter_crisis"], "screening_form", "action_deactivate_loop"),
        ("crisis", ["utter_crisis"], "callback_form", "action_deactivate_loop"),
        ("crisis", ["utter_crisis", "action_deactivate_loop"], None, "utter_crisis_next"),
        ("crisis", ["utter_crisis", "utter_crisis_next"], None, "action_listen"),
        ("faq", [], "screening_form", None),
        ("greet", [], None, None),
        (None, [], None, None),
    ],
)
def test_next_crisis_action(intent, done, loop, expected) -> None:
    assert next_crisis_action(intent, done, loop) == expected
