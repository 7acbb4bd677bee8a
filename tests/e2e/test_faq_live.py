"""The topics parents and partners asked for, answered through the real REST channel."""
from __future__ import annotations

import pytest

from bot.texts import catalogue
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

ASKED = {
    "teens": "do you take teenagers? my son is 15",
    "still_using": "do i need to quit drinking before i can start with you",
    "opioid_medication": "can my husband keep going to his methadone clinic while he does your program",
    "group_speaking": "will they make me talk in front of the group",
    "choosing_program": "how do I know if a treatment program is any good",
    "between_sessions": "who can I reach on the days there's no group",
    "loved_one_refuses": "my daughter is 25 and refuses any help, what can I do",
    "family_support": "is there a support group for parents like me",
}


@pytest.mark.parametrize("topic", list(ASKED))
def test_new_topic_is_answered(live_stack, topic: str) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say(ASKED[topic])
    expected = catalogue().text(f"utter_faq/{topic}")
    assert chat.text.startswith(expected.split("\n")[0]), chat.text


def test_the_fixes_reach_the_reader(live_stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("Is IOP treatment confidential?")
    assert "42 CFR Part 2" in chat.text and "written consent" in chat.text
    chat.say("What happens if I relapse during or after IOP?")
    assert "naloxone" in chat.text.lower() and "tolerance" in chat.text
