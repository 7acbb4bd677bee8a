"""The answers with a program's own facts: rendered from the two example settings files.

With the full example, every FAQ answer that names a fact (`ours:`) says it first, on the web and by
text message, and still fits one SMS part; with the sparse example, and with the shipped settings
(no facts), every answer is the general one, word for word.
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

import pytest

from bot.program_facts import Facts, sentences
from bot.rasa_server.sms.format import SMS_PART_LIMIT
from bot.settings import CONTENT_DIR, load_program_file, program
from bot.texts import SMS_CHANNELS, Catalogue, build, load_fact_phrases

EXAMPLES = CONTENT_DIR / "examples"
SMS = SMS_CHANNELS[0]


@lru_cache(maxsize=None)
def rendered(name: str) -> Catalogue:
    return build(load_program_file(EXAMPLES / f"program_{name}.yml"))


@lru_cache(maxsize=None)
def general(name: str) -> Catalogue:
    """The same settings with the facts taken away: today's general answers."""
    return build(dataclasses.replace(load_program_file(EXAMPLES / f"program_{name}.yml"), facts=None))


def faq_texts(cat: Catalogue, channel=None):
    return {key: cat.text(f"utter_faq/{key}", channel) for key in cat.topics}


FULL_SAID = sentences(load_program_file(EXAMPLES / "program_full.yml").facts, load_fact_phrases())
WITH_FACTS = [pytest.param(k, id=k) for k, t in rendered("full").topics.items() if t.ours]


def test_fourteen_answers_carry_facts() -> None:
    assert len(WITH_FACTS) == 14


@pytest.mark.parametrize("key", WITH_FACTS)
@pytest.mark.parametrize("channel", [None, SMS], ids=["web", "sms"])
def test_full_example_states_each_matching_fact_first(key: str, channel) -> None:
    topic = rendered("full").topics[key]
    text = rendered("full").text(f"utter_faq/{key}", channel)
    facts = [FULL_SAID[fact] for fact in topic.ours]
    assert text.startswith(" ".join(facts)), text
    assert text != general("full").text(f"utter_faq/{key}", channel)


@pytest.mark.parametrize(
    "key, words",
    [
        ("schedule_hours", ["Evening track (evening, in person or online): Monday, Wednesday and Thursday, 6 to 9pm, 9 hours a week",
                            "Morning track (daytime, in person): Monday to Thursday, 9am to noon, 12 hours a week"]),
        ("program_length", ["about 8 to 12 weeks"]),
        ("cost", ["$275 per treatment day", "payment plans and sliding-scale fees"]),
        ("no_insurance", ["$275 per treatment day"]),
        ("insurance", ["We accept Aetna, Anthem Blue Cross, Cigna, Harvard Pilgrim, MaineCare (Medicaid) and Medicare"]),
        ("teens", ["teens aged 14 to 17"]),
        ("opioid_medication", ["buprenorphine and naltrexone"]),
        ("medication_mat", ["buprenorphine and naltrexone", "naltrexone and acamprosate"]),
        ("drug_testing", ["We do drug testing"]),
        ("transportation_childcare", ["We don't provide transportation", "We offer childcare"]),
        ("virtual_sessions", ["online by secure video"]),
        ("family_involvement", ["family program meets Tuesdays, 6 to 7:30pm"]),
        ("family_support", ["family program meets Tuesdays"]),
        ("choosing_program", ["English, Spanish and Portuguese"]),
    ],
)
def test_full_example_answers_in_plain_words(key: str, words) -> None:
    for channel in (None, SMS):
        text = rendered("full").text(f"utter_faq/{key}", channel)
        for said in words:
            assert said in text, f"{key} ({channel or 'web'}): {said!r} not in {text!r}"


@pytest.mark.parametrize("name", ["full", "sparse"])
def test_every_sms_answer_fits_one_part(name: str) -> None:
    long = {k: len(t) for k, t in faq_texts(rendered(name), SMS).items() if len(t) > SMS_PART_LIMIT}
    assert not long, long


def test_sparse_example_keeps_every_general_answer() -> None:
    for channel in (None, SMS):
        assert faq_texts(rendered("sparse"), channel) == faq_texts(general("sparse"), channel)


def test_shipped_settings_keep_every_general_answer() -> None:
    shipped = build(program())
    bare = build(dataclasses.replace(program(), facts=None))
    assert faq_texts(shipped) == faq_texts(bare) and faq_texts(shipped, SMS) == faq_texts(bare, SMS)


def test_an_answer_whose_fact_is_not_stated_stays_general() -> None:
    only_languages = dataclasses.replace(load_program_file(EXAMPLES / "program_full.yml"), facts=Facts(languages=("English",)))
    cat, plain = build(only_languages), general("full")
    changed = {k for k in cat.topics if cat.text(f"utter_faq/{k}") != plain.text(f"utter_faq/{k}")}
    assert changed == {"choosing_program"}
    assert cat.text("utter_faq/cost") == plain.text("utter_faq/cost")


def test_a_no_is_said_as_plainly_as_a_yes() -> None:
    no = dataclasses.replace(load_program_file(EXAMPLES / "program_full.yml"), facts=Facts(childcare=False, telehealth=False, opioid_medicines=()))
    cat = build(no)
    assert cat.text("utter_faq/transportation_childcare").startswith("We don't offer childcare.")
    assert cat.text("utter_faq/virtual_sessions").startswith("Our sessions are in person only.")
    assert "don't stop it on your own" in cat.text("utter_faq/opioid_medication")
