"""The catalogue of texts: program settings filled in, nothing hard-coded, valid for Rasa, and a
broken content file reported when the catalogue is built (at start), naming the file."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.screening import rules as screening_rules
import yaml

from bot.safety.names import CRISIS_KINDS
from bot.settings import program
from bot.texts import (
    CALLBACK_WINDOW_TEXTS, CONSOLE_TEXTS, GENERATED_FILE, RUNTIME_PLACEHOLDERS, SMS_CHANNELS, SMS_TEXTS, WIDGET_TEXTS,
    ContentError, all_responses, build, catalogue, load_topics, render, render_html,
)
from tests.support.fixtures.content import edit

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


def test_program_settings_flow_into_the_channel_texts() -> None:
    other = replace(program(), phone="(999) 555-0000", name="Other Place IOP", crisis_line="000")
    texts = catalogue(other)
    assert "(999) 555-0000" in texts.technical_trouble() and "000" in texts.crisis("suicide")
    assert "Other Place IOP" in texts.sms["help"] and "(999) 555-0000" in texts.sms["media_only"]
    assert catalogue(other) is texts  # built once per set of settings
    assert program().phone not in texts.sms["help"]


def test_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(ContentError):
        render("call {nope}", {"x": "y"}, "here")


def test_render_html_escapes_values_and_allows_no_runtime_placeholders() -> None:
    page = render_html('<a title="{name}">{name}</a>', {"name": '<b>"Harbor" & Co</b>'}, "page")
    assert page == '<a title="&lt;b&gt;&quot;Harbor&quot; &amp; Co&lt;/b&gt;">&lt;b&gt;&quot;Harbor&quot; &amp; Co&lt;/b&gt;</a>'
    with pytest.raises(ContentError, match="page: unknown placeholder {ref}"):
        render_html("{ref}", {}, "page")


def test_every_form_question_and_action_response_exists() -> None:
    responses = all_responses()
    for form, spec in DOMAIN["forms"].items():
        for slot in spec["required_slots"]:
            assert f"utter_ask_{slot}" in responses, slot
    for name in ("utter_crisis", "utter_crisis_next", "utter_technical_trouble", "utter_no_medical_advice"):
        assert name in responses
    table = screening_rules()
    for kind in table.outcomes:
        assert f"utter_outcome_{kind}" in responses
    for note in {e.note for q in table.questions for e in q.on.values() if e.note}:
        assert f"utter_screening_note_{note}" in responses


def test_crisis_replies_always_carry_988_or_911() -> None:
    for variation in all_responses()["utter_crisis"]:
        assert "988" in variation["text"] or "911" in variation["text"]
    assert "988" in all_responses()["utter_technical_trouble"][0]["text"]


@pytest.mark.parametrize(
    "name",
    [
        # every reply that did not understand
        "utter_suggest_topics", "utter_ask_rephrase", "utter_default", "utter_out_of_scope",
        "utter_technical_trouble", "utter_empty_message",
        # the safety check-in and what follows it
        "utter_risk_check", "utter_risk_check_again", "utter_risk_unsure", "utter_crisis",
    ],
)
def test_safety_and_not_understood_replies_carry_988_and_911(name: str) -> None:
    for variation in all_responses()[name]:
        assert "988" in variation["text"] and "911" in variation["text"], (name, variation.get("channel"))


def test_the_spanish_crisis_reply_names_the_spanish_line() -> None:
    spanish = catalogue().crisis("spanish")
    assert "marca 2" in spanish and "AYUDA" in spanish and "988lineadevida.org" in spanish


def test_every_faq_answer_has_an_sms_variation_within_two_messages() -> None:
    responses = all_responses()
    for key in load_topics():
        variations = responses[f"utter_faq/{key}"]
        sms = [v for v in variations if v.get("channel") in SMS_CHANNELS]
        assert sms and len(sms[0]["text"]) <= 320, key


# --- what the channels send without Rasa -----------------------------------------------------------
def test_crisis_reply_by_kind_is_the_matching_variation() -> None:
    texts = catalogue()
    variations = texts.responses["utter_crisis"]
    for kind in CRISIS_KINDS:
        [expected] = [v["text"] for v in variations if any(c.get("value") == kind for c in v.get("condition") or [])]
        assert texts.crisis(kind) == expected
    general = next(v["text"] for v in variations if not v.get("condition"))
    assert texts.crisis(None) == general and texts.crisis("unknown kind") == general
    assert len({texts.crisis(kind) for kind in (*CRISIS_KINDS, None)}) == 4


def test_channel_texts_carry_the_crisis_numbers() -> None:
    texts = catalogue()
    assert "988" in texts.technical_trouble() and program().phone in texts.technical_trouble()
    assert "988" in texts.text("utter_empty_message")
    for key in ("stop", "help", "media_only", "empty_message"):
        assert "988" in texts.sms[key] and "911" in texts.sms[key], key


def test_text_picks_the_channel_variation_like_rasa() -> None:
    texts = catalogue()
    greet = texts.responses["utter_greet"]
    assert texts.text("utter_greet") == greet[0]["text"]
    assert texts.text("utter_greet", "twilio_sms") == next(v["text"] for v in greet if v.get("channel") == "twilio_sms")
    assert texts.text("utter_technical_trouble", "twilio_sms") == texts.technical_trouble()


def test_widget_texts_take_the_crisis_numbers_from_the_settings() -> None:
    texts = catalogue(replace(program(), crisis_line="000", emergency="112")).widget
    assert texts["crisis"] == "If you are in danger, call or text 000 or call 112."
    assert "call or text 000 or call 112" in texts["notice_crisis"]
    assert catalogue().widget["crisis"] == "If you are in danger, call or text 988 or call 911."


def test_widget_texts_leave_only_the_browser_placeholders() -> None:
    texts = catalogue().widget
    assert set(texts) == set(WIDGET_TEXTS)
    assert texts["connection_error_with_phone"].endswith("or call {phone}.")
    assert texts["characters_left"] == "{count} characters left"
    for key, text in texts.items():
        assert set(re.findall(r"{([a-z_]+)}", text)) <= set(WIDGET_TEXTS[key]), key


def test_after_hours_note_fills_the_opening_time_only() -> None:
    texts = catalogue()
    assert texts.sms_text("after_hours", opening="8am tomorrow") == (
        "Our team is away until 8am tomorrow. I can still answer questions and set up a callback for when we open."
    )
    with pytest.raises(ContentError):
        texts.sms_text("after_hours")


# texts of the catalogue, their declared run-time placeholders
STAFF_SIDE = [
    (lambda c: c.console, CONSOLE_TEXTS),
    (lambda c: c.callback_window, CALLBACK_WINDOW_TEXTS),
]


@pytest.mark.parametrize("texts, declared", STAFF_SIDE)
def test_console_and_window_texts_leave_only_their_run_time_placeholders(texts, declared) -> None:
    shipped = texts(catalogue())
    assert set(shipped) == set(declared)
    for key, text in shipped.items():
        assert set(re.findall(r"{([a-z_]+)}", text)) <= set(declared[key]), key


def test_console_and_window_texts_fill_their_run_time_values() -> None:
    texts = catalogue()
    assert texts.console_text("queue_heading", filter="Open", count=3) == "Callback requests: Open (3)"
    assert texts.console_text("too_many_attempts", minutes=15) == "Too many failed attempts. Try again in 15 minute(s)."
    assert texts.window_text("next_opening", day="tomorrow", opening="8am") == "tomorrow after 8am"
    with pytest.raises(ContentError, match=r"console.yml: sign_out: unknown placeholder \{username\}"):
        texts.console_text("sign_out")
    with pytest.raises(ContentError, match=r"callback_window.yml: within: unknown placeholder \{duration\}"):
        texts.window_text("within")


def test_program_settings_flow_into_the_console_texts(content_copy: Path) -> None:
    brand = 'brand: "{program_short_name} admissions"'
    edit(content_copy / "console.yml", lambda t: t.replace("brand: Admissions console", brand))
    assert build(program(), content_copy).console["brand"] == f"{program().short_name} admissions"


def test_shipped_generated_responses_are_current() -> None:
    """data/generated/responses.yml is what `python -m bot.texts` writes from content/ now."""
    body = yaml.safe_load(GENERATED_FILE.read_text(encoding="utf-8"))
    assert body == {"version": "3.1", "responses": all_responses()}


# --- a broken content file fails the build, naming the file and the problem -----------------------
def test_the_shipped_content_builds(content_copy: Path) -> None:
    texts = build(program(), content_copy)
    assert set(texts.sms) == set(SMS_TEXTS)
    assert texts.responses == catalogue().responses


@pytest.mark.parametrize(
    "file, change, message",
    [
        ("messages.yml", lambda t: t.replace("call {program_phone}", "call {program_fone}", 1), r"messages.yml: utter_\w+: unknown placeholder \{program_fone\}"),
        ("messages.yml", lambda t: t.replace("utter_technical_trouble:", "utter_technical_troubles:"), "utter_technical_trouble is required"),
        ("messages.yml", lambda t: t.replace("value: medical", "value: medicine"), r"utter_crisis has no variation for \['medical'\]"),
        ("messages.yml", lambda t: t + "\nutter_broken: [\n", "messages.yml: not valid YAML"),
        ("messages.yml", lambda t: t + "\nutter_no_text:\n  - buttons: []\n", "utter_no_text has a variation without text"),
        ("messages.yml", lambda t: t.replace("      - title: Myself\n", "      - titel: Myself\n", 1), "messages.yml: utter_ask_screen_for: every button needs a title"),
        ("sms.yml", lambda t: t.replace("help: >-", "helps: >-"), "sms.yml: help is missing or empty"),
        ("sms.yml", lambda t: t.replace("{opening}", "{opens}"), r"sms.yml: after_hours: unknown placeholder \{opens\}"),
        ("sms.yml", lambda t: t.replace("stop: >-\n", "stop: >-\n  Reply {ref}.\n"), r"sms.yml: stop: unknown placeholder \{ref\}"),
        ("buttons.yml", lambda t: t.replace("    payload: /deny\n", ""), "buttons.yml: every button in after_suggestions needs a title and a payload"),
        ("widget.yml", lambda t: t.replace("title:", "titel:"), "widget.yml: title is missing or empty"),
        ("widget.yml", lambda t: t + "\nfooter: Hello\n", r"widget.yml: unknown entries \['footer'\]"),
        ("widget.yml", lambda t: t.replace("{emergency}.", "{emergency_number}.", 1), r"widget.yml: notice_crisis: unknown placeholder \{emergency_number\}"),
        ("widget.yml", lambda t: t.replace("try_again: Try again", "try_again: Call {phone}"), r"widget.yml: try_again: unknown placeholder \{phone\}"),
        ("console.yml", lambda t: t.replace("brand:", "brand_name:"), "console.yml: brand is missing or empty"),
        ("console.yml", lambda t: t + "\nfooter: Hello\n", r"console.yml: unknown entries \['footer'\]"),
        ("console.yml", lambda t: t.replace("Sign out {username}", "Sign out {user}"), r"console.yml: sign_out: unknown placeholder \{user\}"),
        ("console.yml", lambda t: t.replace("requests here.", "requests for {filter}."), r"console.yml: queue_empty: unknown placeholder \{filter\}"),
        ("callback_window.yml", lambda t: t.replace("within:", "inside:"), "callback_window.yml: within is missing or empty"),
        ("callback_window.yml", lambda t: t + "\nlater: soon\n", r"callback_window.yml: unknown entries \['later'\]"),
        ("callback_window.yml", lambda t: t.replace("{duration}", "{hours}"), r"callback_window.yml: within: unknown placeholder \{hours\}"),
        ("faq/cost.yml", lambda t: re.sub(r"(?m)^short:", "shorter:", t), "cost.yml: missing short"),
        ("faq/cost.yml", lambda t: re.sub(r"(?m)^short: *>-?\n", "short: >-\n  Call {phone_number}.\n", t), r"faq/cost.yml: unknown placeholder \{phone_number\}"),
        ("faq/cost.yml", lambda t: t.replace("ours: [self_pay", "ours: [price"), r"cost.yml: ours names unknown facts \['price'\]"),
        ("faq/cost.yml", lambda t: t.replace("ours: [self_pay, payment_options]", "ours: self_pay"), "cost.yml: ours must be a list"),
        ("program_facts.yml", lambda t: t.replace("{rate} per", "{price} per"), r"program_facts.yml: self_pay may use only \['rate'\]"),
        ("program_facts.yml", lambda t: t.replace("childcare_no:", "childcare_none:"), "program_facts.yml: childcare_no is missing or empty"),
        ("program_facts.yml", lambda t: t + "\nparking: We have parking.\n", r"program_facts.yml: unknown entries \['parking'\]"),
        ("program_facts.yml", lambda t: t.replace("{languages}.", "{languages}}."), "program_facts.yml: languages may use only"),
    ],
)
def test_broken_content_is_reported_when_built(content_copy: Path, file: str, change, message: str) -> None:
    edit(content_copy / file, change)
    with pytest.raises(ContentError, match=message):
        build(program(), content_copy)


def test_a_missing_content_file_is_reported(content_copy: Path) -> None:
    (content_copy / "sms.yml").unlink()
    with pytest.raises(ContentError, match="sms.yml: file not found"):
        build(program(), content_copy)


def test_a_missing_widget_file_is_reported(content_copy: Path) -> None:
    (content_copy / "widget.yml").unlink()
    with pytest.raises(ContentError, match="widget.yml: file not found"):
        build(program(), content_copy)


@pytest.mark.parametrize("name", ["console.yml", "callback_window.yml"])
def test_a_missing_staff_side_file_is_reported(content_copy: Path, name: str) -> None:
    (content_copy / name).unlink()
    with pytest.raises(ContentError, match=f"{name}: file not found"):
        build(program(), content_copy)
