"""Every crisis phrasing gets 988/911 in the same turn through the real REST channel, both at the
start of a conversation and in the middle of the fit check; near-misses rarely trigger it."""
from __future__ import annotations

from typing import List

import pytest

from bot.tools.evaluate import CRISIS_SET, NEAR_MISS_SET, load_texts
from bot.texts import catalogue
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

CRISIS = [item["text"] for item in load_texts(CRISIS_SET)]
NEAR = [item["text"] for item in load_texts(NEAR_MISS_SET)]
CRISIS_REPLIES = {catalogue().crisis(kind) for kind in ("suicide", "medical", "violence", None)}


def has_emergency_numbers(text: str) -> bool:
    return "988" in text or "911" in text


def is_crisis_reply(text: str) -> bool:
    return any(reply in text for reply in CRISIS_REPLIES)


def test_crisis_set_at_the_start_of_a_conversation(live_stack) -> None:
    missed: List[str] = []
    for text in CRISIS:
        chat = Chat(live_stack.rasa_url)
        chat.say(text)
        if not (has_emergency_numbers(chat.text) and is_crisis_reply(chat.text)):
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
        if not (has_emergency_numbers(chat.text) and is_crisis_reply(chat.text)):
            missed.append(text)
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
    assert rate <= 0.05, f"false alarms {rate:.1%}: {alarms}"
