"""Rendered responses: program settings filled in, nothing hard-coded, valid for Rasa."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
import yaml

from bot.content import (
    RUNTIME_PLACEHOLDERS, SMS_CHANNELS, ContentError, all_responses, load_topics, render,
)
from bot.settings import program

DOMAIN = yaml.safe_load(open("domain.yml"))


def test_every_placeholder_is_filled_or_runtime() -> None:
    for name, variations in all_responses().items():
        for variation in variations:
            for field in re.findall(r"{([^{}]*)}", variation["text"]):
                assert field in RUNTIME_PLACEHOLDERS, f"{name}: {{{field}}}"


def test_program_settings_flow_into_answers() -> None:
    other = replace(program(), phone="(999) 555-0000", name="Other Place IOP")
    responses = all_responses(other)
    texts = " ".join(v["text"] for vs in responses.values() for v in vs)
    assert "(999) 555-0000" in texts and "Other Place IOP" in texts
    assert program().phone not in texts


def test_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(ContentError):
        render("call {nope}", {"x": "y"}, "here")


def test_every_form_question_and_action_response_exists() -> None:
    responses = all_responses()
    for form, spec in DOMAIN["forms"].items():
        for slot in spec["required_slots"]:
            assert f"utter_ask_{slot}" in responses, slot
    for name in ("utter_crisis", "utter_crisis_next", "utter_technical_trouble", "utter_no_medical_advice"):
        assert name in responses
    for kind in ("crisis", "detox_first", "higher_care", "iop_fit", "outpatient"):
        assert f"utter_outcome_{kind}" in responses


def test_crisis_replies_always_carry_988_or_911() -> None:
    for variation in all_responses()["utter_crisis"]:
        assert "988" in variation["text"] or "911" in variation["text"]
    assert "988" in all_responses()["utter_technical_trouble"][0]["text"]


def test_every_faq_answer_has_an_sms_variation_within_two_messages() -> None:
    responses = all_responses()
    for key in load_topics():
        variations = responses[f"utter_faq/{key}"]
        sms = [v for v in variations if v.get("channel") in SMS_CHANNELS]
        assert sms and len(sms[0]["text"]) <= 320, key
