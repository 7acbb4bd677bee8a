"""The guided family conversation through the real stack: by the website's REST channel and by SMS
with numbered options. Danger is answered before any advice; a parent of a teen gets the plan for one."""
from __future__ import annotations

from typing import Any

import pytest

from bot.store import Store
from bot.tools.run import Stack
from tests.support.chat import Chat
from tests.support.stack import send_sms

pytestmark = pytest.mark.e2e

TEEN_REQUEST = "my 16 year old son is smoking weed every day, how do I bring it up?"
DV_HOTLINE = ("1-800-799-7233", "START to 88788")
PLAN_START = "Pick a calm, private time"


def test_a_parent_of_a_teen_gets_a_plan_for_a_teen(live_stack: Stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say(TEEN_REQUEST)
    assert "Let's plan it together" in chat.text and "in danger right now" in chat.text
    chat.click("we're safe")
    # Who and what were in the opening message: the next question is how it went.
    assert "How did it go?" in chat.text
    chat.click("Not yet")
    plan = chat.text
    assert "your teen" in plan and PLAN_START in plan
    assert "assessment" in plan and any(group in plan for group in ("Al-Anon", "Nar-Anon", "SMART Recovery Family"))
    assert "For a first talk" in plan  # what to do when it was never raised
    chat.click("Family consultation call")
    chat.click("Yes")
    for text in ["Jordan", "410-555-0166", "evenings", "No", "Yes"]:  # who it is about is known already
        chat.say(text)
    assert "reference" in chat.text.lower()
    with Store(live_stack.env["DATABASE_URL"]) as store:
        [row] = [r for r in store.callbacks.list() if r.conversation_id == chat.sender]
    assert (row.topic, row.loved_one_relation, row.for_whom) == ("family_consultation", "child_under_18", "loved_one")


def test_violence_last_time_gets_911_and_the_hotline_before_any_advice(live_stack: Stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("how do I get my husband to go to rehab")
    chat.click("we're safe")
    assert "What worries you most?" in chat.text
    chat.click("Alcohol")
    chat.say("last time he shoved me")
    assert "911" in chat.text and all(part in chat.text for part in DV_HOTLINE)
    assert PLAN_START not in chat.text and "Some things you could say" not in chat.text
    assert any(b["payload"] == "/request_callback" for b in chat.buttons)


def test_danger_now_comes_first(live_stack: Stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("/start_family_plan")
    chat.say("yes, but he's asleep now")
    assert "911" in chat.text and all(part in chat.text for part in DV_HOTLINE)


def test_the_faq_answer_offers_the_plan(live_stack: Stack) -> None:
    chat = Chat(live_stack.rasa_url)
    chat.say("How do I talk to a loved one about getting treatment?")
    assert any(b["payload"] == "/start_family_plan" for b in chat.buttons), chat.buttons
    chat.click("Help me plan what to say")
    assert "in danger right now" in chat.text


def test_the_same_flow_by_sms_with_numbered_options(live_stack: Stack, twilio_fake: Any) -> None:
    phone = "+14155550161"
    first = " ".join(send_sms(live_stack, twilio_fake, phone, TEEN_REQUEST))
    assert "in danger right now" in first and "1) Yes, someone is in danger 2) No, we're safe" in first
    second = " ".join(send_sms(live_stack, twilio_fake, phone, "2"))
    assert "How did it go?" in second and "5) It got unsafe" in second
    plan = " ".join(send_sms(live_stack, twilio_fake, phone, "1"))
    assert "your teen" in plan and "assessment" in plan and "Al-Anon" in plan

    other = "+14155550162"
    send_sms(live_stack, twilio_fake, other, "how do I get my husband to go to rehab")
    send_sms(live_stack, twilio_fake, other, "2")
    send_sms(live_stack, twilio_fake, other, "1")  # alcohol
    danger = " ".join(send_sms(live_stack, twilio_fake, other, "5"))  # it got unsafe
    assert "911" in danger and all(part in danger for part in DV_HOTLINE)
    assert PLAN_START not in danger
