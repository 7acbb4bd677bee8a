"""Every crisis phrasing gets 988/911 in the same turn through the real REST channel, both at the
start of a conversation and in the middle of a form (the crisis reply, or the safety check-in whose
"yes" leads to it); near-misses rarely get the crisis reply."""
from __future__ import annotations

from typing import List

import pytest

from bot.texts import catalogue
from bot.tools.evaluate import CRISIS_SET, NEAR_MISS_SET, load_texts
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

CRISIS = [item["text"] for item in load_texts(CRISIS_SET)]
NEAR = [item["text"] for item in load_texts(NEAR_MISS_SET)]
CRISIS_REPLIES = {catalogue().crisis(kind) for kind in ("suicide", "medical", "violence", "spanish", None)}
CHECK_IN = catalogue().text("utter_risk_check")


def has_emergency_numbers(text: str) -> bool:
    return "988" in text or "911" in text


def is_crisis_reply(text: str) -> bool:
    return any(reply in text for reply in CRISIS_REPLIES)


def is_check_in(text: str) -> bool:
    return CHECK_IN in text


def test_crisis_set_at_the_start_of_a_conversation(live_stack) -> None:
    missed: List[str] = []
    for text in CRISIS:
        chat = Chat(live_stack.rasa_url)
        chat.say(text)
        if not (has_emergency_numbers(chat.text) and (is_crisis_reply(chat.text) or is_check_in(chat.text))):
            missed.append(text)
    assert not missed, f"{len(missed)}/{len(CRISIS)} crisis messages not answered with 988/911: {missed}"


@pytest.mark.parametrize("form_step", ["screening", "callback"])
def test_crisis_set_in_the_middle_of_a_form(live_stack, form_step: str) -> None:
    missed: List[str] = []
    for text in CRISIS:
        chat = Chat(live_stack.rasa_url)
        if form_step == "screening":
            chat.say("/start_screening")
            chat.click("Someone I care about")
        else:
            chat.say("/request_callback")
            chat.click("Yes")
        chat.say(text)
        if not has_emergency_numbers(chat.text) or not (is_crisis_reply(chat.text) or is_check_in(chat.text)):
            missed.append(text)
            continue
        if is_check_in(chat.text):
            chat.click("Yes")
            assert is_crisis_reply(chat.text), text
        # the form was paused: the person can go back to it
        assert any(b["payload"] == "/start_screening" for b in chat.buttons)
    assert not missed, f"{len(missed)}/{len(CRISIS)} missed mid-{form_step}: {missed}"


def test_near_misses_rarely_trigger_the_crisis_reply(live_stack) -> None:
    alarms = []
    for text in NEAR:
        chat = Chat(live_stack.rasa_url)
        chat.say(text)
        if is_crisis_reply(chat.text):
            alarms.append(text)
    rate = len(alarms) / len(NEAR)
    assert rate <= 0.03, f"crisis replies to near-misses {rate:.1%}: {alarms}"
