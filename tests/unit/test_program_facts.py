"""A program's own facts: each mistake in content/program.yml `facts` is named, and each stated fact
is said in one plain sentence (a "no" as plainly as a "yes"), with the arithmetic done for the reader."""
from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from bot import program_facts
from bot.program_facts import Facts, Meeting, Track, and_list, days_phrase, hours_phrase, sentences, weekly_hours
from bot.settings import CONTENT_DIR, SettingsError, load_program_file, parse_program
from bot.texts import load_fact_phrases

FULL = CONTENT_DIR / "examples" / "program_full.yml"
SPARSE = CONTENT_DIR / "examples" / "program_sparse.yml"


def full_raw() -> dict:
    return yaml.safe_load(FULL.read_text(encoding="utf-8"))


def test_both_examples_load() -> None:
    assert load_program_file(SPARSE).facts is None
    facts = load_program_file(FULL).facts
    assert facts is not None and len(facts.tracks) == 2 and facts.teens == (14, 17)
    assert facts.opioid_medicines == ("buprenorphine", "naltrexone") and facts.transportation is False


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda f: f.update(colour="blue"), "facts: unknown key(s) ['colour']"),
        (lambda f: f["tracks"][0].update(days=["mon"]), "facts.tracks[0].days"),
        (lambda f: f["tracks"][0].update(hours=["12:00", "09:00"]), "facts.tracks[0].hours: the start must be before"),
        (lambda f: f["tracks"][0].update(hours=["9am", "noon"]), "facts.tracks[0].hours"),
        (lambda f: f["tracks"][1].update(setting="zoom"), "facts.tracks[1].setting"),
        (lambda f: f["tracks"][1].pop("name"), "facts.tracks[1].name"),
        (lambda f: f["tracks"][0].update(room="B"), "facts.tracks[0]: unknown key(s) ['room']"),
        (lambda f: f.update(tracks={"name": "x"}), "facts.tracks: a list"),
        (lambda f: f.update(length_weeks=[12, 8]), "facts.length_weeks"),
        (lambda f: f.update(length_weeks="8-12"), "facts.length_weeks"),
        (lambda f: f.update(length_weeks=0), "facts.length_weeks"),
        (lambda f: f["ages"].update(teens=[17, 14]), "facts.ages.teens"),
        (lambda f: f["ages"].update(teens=[5, 17]), "facts.ages.teens"),
        (lambda f: f["ages"].update(adults="yes"), "facts.ages.adults"),
        (lambda f: f.update(ages={"adults": False}), "facts.ages: serves nobody"),
        (lambda f: f["self_pay"].update(per_day="$275"), "facts.self_pay.per_day"),
        (lambda f: f["self_pay"].update(per_day=0), "facts.self_pay.per_day"),
        (lambda f: f["self_pay"].update(options="payment plans"), "facts.self_pay.options"),
        (lambda f: f["insurance"].update(insurers=["Aetna", "aetna"]), "names a value twice"),
        (lambda f: f["insurance"].update(insurers=["{oops}"]), "without braces"),
        (lambda f: f["insurance"].update(insurers=[""]), "facts.insurance.insurers"),
        (lambda f: f["services"].update(opioid_medication=["suboxone"]), "unknown 'suboxone'"),
        (lambda f: f["services"].update(alcohol_medication=["methadone"]), "unknown 'methadone'"),
        (lambda f: f["services"].update(childcare="sometimes"), "facts.services.childcare: true or false"),
        (lambda f: f["services"].update(valet=True), "facts.services: unknown key(s) ['valet']"),
        (lambda f: f["services"].update(family_program={"days": ["tuesday"]}), "facts.services.family_program.hours"),
        (lambda f: f["services"].update(telehealth=False), "facts.services.telehealth: false, but a track meets online"),
        (lambda f: f.update(languages="English"), "facts.languages"),
        (lambda f: f.update({1: "a", "foo": "b"}), "facts: unknown key(s) ['1', 'foo']"),
        (lambda f: f["tracks"][0].update({1: "x", "room": "y"}), "facts.tracks[0]: unknown key(s) ['1', 'room']"),
        (lambda f: f["tracks"][0].update(name=True), "facts.tracks[0].name"),
        (lambda f: f["tracks"][0].update(name=["Morning"]), "facts.tracks[0].name"),
        (lambda f: f["tracks"][0].update(name="A very long name for a track that goes over forty"), "facts.tracks[0].name"),
        (lambda f: f.update(tracks={}), "facts.tracks: a list"),
        (lambda f: f.update(tracks=[{}]), "facts.tracks[0].name"),
        (lambda f: f["services"].update(family_program={}), "facts.services.family_program.days"),
        (lambda f: f.update(ages={}), "facts.ages: serves nobody"),
        (lambda f: f["ages"].update(teens=0), "facts.ages.teens"),
        (lambda f: f["services"].update(opioid_medication=0), "facts.services.opioid_medication: a list"),
        (lambda f: f["services"].update(opioid_medication="buprenorphine"), "facts.services.opioid_medication: a list"),
        (lambda f: f["insurance"].update(insurers=["Medicaid"], public_plans=["medicaid"]), "both as an insurer and as a public plan"),
    ],
)
def test_each_mistake_is_named(mutate, message: str) -> None:
    data = full_raw()
    mutate(data["facts"])
    with pytest.raises(SettingsError) as err:
        parse_program(data)
    assert message in str(err.value)


def test_every_mistake_is_reported_at_once() -> None:
    data = full_raw()
    data["facts"]["length_weeks"] = "long"
    data["facts"]["services"]["childcare"] = "maybe"
    data["facts"]["tracks"][0]["setting"] = "moon"
    with pytest.raises(SettingsError) as err:
        parse_program(data)
    text = str(err.value)
    assert "facts.length_weeks" in text and "facts.services.childcare" in text and "facts.tracks[0].setting" in text


def test_an_empty_medicine_entry_states_nothing_and_an_empty_list_states_none() -> None:
    data = full_raw()
    data["facts"]["services"]["opioid_medication"] = None
    data["facts"]["services"]["alcohol_medication"] = []
    facts = parse_program(data).facts
    assert facts.opioid_medicines is None and facts.alcohol_medicines == ()
    data["facts"]["services"]["opioid_medication"] = False
    assert parse_program(data).facts.opioid_medicines == ()


def test_left_out_means_not_stated() -> None:
    data = full_raw()
    data["facts"] = {"languages": ["English"]}
    facts = parse_program(data).facts
    assert facts == Facts(languages=("English",))
    assert set(sentences(facts, load_fact_phrases())) == {"languages"}
    assert sentences(None, load_fact_phrases()) == {}


@pytest.mark.parametrize(
    "days, said",
    [
        ((0, 1, 2, 3), "Monday to Thursday"),
        ((0, 2, 3), "Monday, Wednesday and Thursday"),
        ((1,), "Tuesdays"),
        ((5, 6), "Saturday and Sunday"),
        ((4, 3, 2), "Wednesday to Friday"),
    ],
)
def test_days(days, said: str) -> None:
    assert days_phrase(days) == said


@pytest.mark.parametrize(
    "start, end, said",
    [
        (dt.time(18), dt.time(21), "6 to 9pm"),
        (dt.time(9), dt.time(11, 30), "9 to 11:30am"),
        (dt.time(9), dt.time(13), "9am to 1pm"),
        (dt.time(17, 30), dt.time(20), "5:30 to 8pm"),
        (dt.time(9), dt.time(12), "9am to noon"),
        (dt.time(12), dt.time(15), "noon to 3pm"),
        (dt.time(11), dt.time(13), "11am to 1pm"),
    ],
)
def test_hours(start, end, said: str) -> None:
    assert hours_phrase(start, end) == said


@pytest.mark.parametrize(
    "days, start, end, weekly",
    [
        ((0, 2, 3), dt.time(18), dt.time(21), "9 hours"),
        ((0, 1, 2, 3, 4), dt.time(9), dt.time(12), "15 hours"),
        ((0, 2, 4), dt.time(17, 30), dt.time(20), "7.5 hours"),
        ((1,), dt.time(18), dt.time(19, 15), "1.25 hours"),
        ((1,), dt.time(18), dt.time(19), "1 hour"),
        ((1,), dt.time(17, 50), dt.time(20), "2.25 hours"),
        ((0, 2), dt.time(9, 10), dt.time(12), "5.75 hours"),
    ],
)
def test_weekly_hours_are_the_sessions_added_up(days, start, end, weekly: str) -> None:
    assert weekly_hours(Meeting(days, start, end).minutes_per_week) == weekly


def test_lists() -> None:
    assert [and_list(x) for x in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == ["", "A", "A and B", "A, B and C"]


PHRASES = load_fact_phrases()
EVENING = Track("Evening track", Meeting((0, 2, 3), dt.time(18), dt.time(21)), "both")


@pytest.mark.parametrize(
    "facts, key, said",
    [
        (Facts(tracks=(EVENING,)), "tracks", "Evening track (evening, in person or online): Monday, Wednesday and Thursday, 6 to 9pm, 9 hours a week."),
        (Facts(length_weeks=(10, 10)), "length", "about 10 weeks"),
        (Facts(length_weeks=(8, 12)), "length", "about 8 to 12 weeks"),
        (Facts(adults=True), "ages", "We serve adults, 18 and over."),
        (Facts(adults=False, teens=(13, 17)), "ages", "We serve teens aged 13 to 17."),
        (Facts(adults=True, teens=(14, 17)), "ages", "We serve adults, and teens aged 14 to 17."),
        (Facts(self_pay_per_day=1250), "self_pay", "$1,250 per treatment day"),
        (Facts(payment_options=("payment plans",)), "payment_options", "We offer payment plans."),
        (Facts(insurers=("Aetna",), public_plans=("Medicaid",)), "insurance", "We accept Aetna and Medicaid."),
        (Facts(public_plans=("Medicaid", "Medicare")), "insurance", "We accept Medicaid and Medicare."),
        (Facts(opioid_medicines=("methadone", "buprenorphine")), "opioid_medication", "we offer methadone and buprenorphine"),
        (Facts(opioid_medicines=()), "opioid_medication", "We don't prescribe medication for opioid use disorder here"),
        (Facts(alcohol_medicines=("acamprosate",)), "alcohol_medication", "we offer acamprosate"),
        (Facts(drug_testing=False), "drug_testing", "We don't do drug testing here."),
        (Facts(childcare=False), "childcare", "We don't offer childcare."),
        (Facts(childcare=True), "childcare", "We offer childcare during sessions."),
        (Facts(transportation=True), "transportation", "We can help you arrange transportation."),
        (Facts(telehealth=False), "telehealth", "Our sessions are in person only."),
        (Facts(family_program=True), "family_program", "We run a family program."),
        (Facts(family_program=False), "family_program", "We don't run a separate family program."),
        (Facts(family_program=Meeting((1,), dt.time(18), dt.time(19, 30))), "family_program", "meets Tuesdays, 6 to 7:30pm"),
        (Facts(languages=("English", "Spanish")), "languages", "Our staff speak English and Spanish."),
    ],
)
def test_each_fact_is_said(facts: Facts, key: str, said: str) -> None:
    out = sentences(facts, PHRASES)
    assert list(out) == [key]
    assert said in out[key]


def test_every_sayable_fact_has_a_sentence_in_the_full_example() -> None:
    assert set(sentences(load_program_file(FULL).facts, PHRASES)) == set(program_facts.SAYABLE)
