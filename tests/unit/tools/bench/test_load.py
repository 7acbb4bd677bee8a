"""bot.tools.bench.load: the scripted conversations and how buttons are followed."""
from __future__ import annotations

from bot.tools.bench.load import FAQ_QUESTIONS, conversation_script, messages_per_conversation, pick_payload


def test_script_covers_faq_screening_and_callback() -> None:
    script = conversation_script(0)
    texts = [value for _, value in script]
    assert texts[0] == "hi"
    assert sum(t in FAQ_QUESTIONS for t in texts) == 3
    assert "/start_screening" in texts and ("click", "callback") in script
    assert messages_per_conversation() == len(script)
    assert conversation_script(1)[1] != script[1]  # questions rotate between conversations


def test_button_payloads_are_followed_by_title() -> None:
    replies = [{"text": "?", "buttons": [{"title": "Not sure", "payload": "Not sure"}, {"title": "No", "payload": "No"},
                                         {"title": "Yes", "payload": "/crisis"}]}]
    assert pick_payload(replies, "No") == ("No", True)  # exact title beats "Not sure"
    assert pick_payload(replies, "yes") == ("/crisis", True)
    assert pick_payload([], "Evening") == ("Evening", False)

