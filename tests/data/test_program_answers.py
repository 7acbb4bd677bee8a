"""The answers with a program's own facts: rendered from the two example settings files.

With the full example, every FAQ answer that names a fact (`ours:`) says it first, on the web and by
text message, and still fits one SMS part; with the sparse example, and with the shipped settings
(no facts), every answer is the general one, word for word.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache

import pytest

from bot.program_facts import Facts, Meeting, Track, sentences
from bot.rasa_server.sms.format import SMS_PART_LIMIT
from bot.settings import CONTENT_DIR, load_program_file
from bot.texts import SMS_CHANNELS, Catalogue, ContentError, build, load_fact_phrases, render

EXAMPLES = CONTENT_DIR / "examples"
SMS = SMS_CHANNELS[0]


@lru_cache(maxsize=None)
def rendered(name: str) -> Catalogue:
    return build(load_program_file(EXAMPLES / f"program_{name}.yml"))


@lru_cache(maxsize=None)
def general(name: str) -> Catalogue:
    """The same settings with the facts taken away: today's general answers."""
    return build(dataclasses.replace(load_program_file(EXAMPLES / f"program_{name}.yml"), facts=None))


def with_facts(**facts) -> Catalogue:
    return build(dataclasses.replace(load_program_file(EXAMPLES / "program_full.yml"), facts=Facts(**facts)))


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
    """Word for word the topic's own general text, on the web (with its detail) and by text message."""
    cat = rendered("sparse")
    assert cat.values["program_phone"] == "(555) 010-2000"
    for key, topic in cat.topics.items():
        short = render(topic.short, cat.values, key)
        assert cat.text(f"utter_faq/{key}", SMS) == short
        assert cat.text(f"utter_faq/{key}").startswith(short + ("\n\n" if topic.detail else ""))
    # An empty facts section says nothing either.
    empty = build(dataclasses.replace(load_program_file(EXAMPLES / "program_sparse.yml"), facts=Facts()))
    assert faq_texts(empty) == faq_texts(cat) and faq_texts(empty, SMS) == faq_texts(cat, SMS)


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


def track(name: str, start: int, end: int) -> Track:
    return Track(name, Meeting((0, 1, 2, 3), dt.time(start), dt.time(end)), "both")


def test_long_facts_keep_the_sms_answer_in_one_part() -> None:
    """Three tracks or eleven plans: the general answer after the facts gives way to the phone line."""
    cat = with_facts(
        tracks=(track("Mornings", 9, 12), track("Afternoons", 13, 16), track("Evenings", 18, 21)),
        insurers=("Aetna", "Anthem Blue Cross", "Cigna", "Harvard Pilgrim", "UnitedHealthcare", "Humana", "Tufts", "Oscar"),
        public_plans=("MaineCare (Medicaid)", "Medicare", "TRICARE"),
        opioid_medicines=(), alcohol_medicines=(),
    )
    for key in ("schedule_hours", "insurance", "medication_mat"):
        sms = cat.text(f"utter_faq/{key}", SMS)
        assert len(sms) <= SMS_PART_LIMIT, (key, len(sms), sms)
        assert cat.values["program_phone"] in sms
    assert "Evenings" in cat.text("utter_faq/schedule_hours", SMS) and "TRICARE" in cat.text("utter_faq/insurance", SMS)
    # The web keeps the general answer after the facts.
    assert "copay" in cat.text("utter_faq/insurance")


def test_facts_too_long_for_one_text_message_are_a_settings_error() -> None:
    many = tuple(track(f"Track number {i}", 9, 12) for i in range(4))
    with pytest.raises(ContentError, match=r"schedule_hours.yml: with the program's facts \(tracks\).* over 320"):
        with_facts(tracks=many)


def test_a_no_is_not_followed_by_a_yes() -> None:
    cat = with_facts(opioid_medicines=(), alcohol_medicines=(), family_program=False)
    meds = cat.text("utter_faq/medication_mat", SMS)
    assert meds.startswith("We don't prescribe medication for opioid use disorder here.")
    assert "checks with you whether medication could help" not in meds
    family = cat.text("utter_faq/family_involvement", SMS)
    assert family.startswith("We don't run a separate family program.") and "Ask us how families can take part" in family


def test_a_listed_opioid_medicine_does_not_ask_anyone_to_switch() -> None:
    text = with_facts(opioid_medicines=("naltrexone",)).text("utter_faq/opioid_medication", SMS)
    assert "we offer naltrexone here" in text and "keep taking it" in text
