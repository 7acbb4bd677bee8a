"""FAQ answer texts in content/faq/: completeness, SMS length, plain ASCII, citations, originality.

The answers are written from the seed articles (next to this project, not in it). Facts may carry
over, sentences may not: no answer may share a run of OVERLAP_LIMIT consecutive words with any seed.
The checks read the seeds' kept fingerprints (tests/support/seeds.py), so they run without the seeds.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict

import pytest
import yaml

from bot.texts import FAQ_DIR, faq_responses, load_topics, render
from bot.settings import program
from tests.support.faq_topics import FAQ_TOPICS
from tests.support.seeds import FINGERPRINTS, OVERLAP_LIMIT, Fingerprints, build, seeds_dir, words

REQUIRED_TOPICS = list(FAQ_TOPICS)

SHORT_LIMIT = 320
DETAIL_LIMIT = 700
TITLE_LIMIT = 24

# Worst-case lengths for program settings that another provider may deploy with, so that an
# answer that fits for us still fits in one SMS for them.
PLAUSIBLE_LONG = {
    "program_name": "N" * 30,
    "program_short_name": "N" * 20,
    "program_phone": "(000) 000-0000",
    "program_address": "A" * 60,
    "program_website": "https://" + "w" * 32,
    "opening_hours": "H" * 80,
}

# Dosing / home-detox advice must never appear; withdrawal belongs with clinicians.
FORBIDDEN_PATTERNS = [
    r"\bmg\b",
    r"\bmilligrams?\b",
    r"\bmcg\b",
    r"\bdos(e|es|age|ing)\b",
    r"\btaper(ing)?\b",
    r"taper schedule",
    r"detox (at|from) home",
    r"home detox",
    r"cold turkey",
]
# The answers must not talk about how they were written.
BACKSTAGE_WORDS = [r"\bseeds?\b", r"\barticles?\b", r"\bsources?\b", r"according to"]

@lru_cache(maxsize=1)
def fingerprints() -> Fingerprints:
    return Fingerprints.load()


@lru_cache(maxsize=1)
def topics():
    return load_topics()


def values() -> Dict[str, str]:
    return program().placeholders()


def long_values() -> Dict[str, str]:
    actual = values()
    return {k: max(v, PLAUSIBLE_LONG.get(k, v), key=len) for k, v in actual.items()}


def user_text(topic) -> str:
    """Everything a user can see for a topic, with our program settings filled in."""
    where = f"faq/{topic.key}"
    parts = [topic.title, topic.question, topic.short, topic.detail, topic.short_after_ours]
    return "\n".join(render(p, values(), where) for p in parts if p)


def topic_param(key: str):
    return pytest.param(key, id=key)


ALL = [topic_param(k) for k in REQUIRED_TOPICS]


def get(key: str):
    found = topics()
    if key not in found:
        pytest.fail(f"topic {key!r} is missing: add content/faq/{key}.yml")
    return found[key]


def test_exactly_the_required_topics_exist():
    found = set(topics())
    assert not set(REQUIRED_TOPICS) - found, f"missing topics: {sorted(set(REQUIRED_TOPICS) - found)}"
    assert not found - set(REQUIRED_TOPICS), f"unexpected topics: {sorted(found - set(REQUIRED_TOPICS))}"


def test_file_names_match_topic_keys():
    for path in sorted(FAQ_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["topic"] == path.stem, f"{path.name}: topic is {data['topic']!r}"


def test_questions_and_titles_are_unique():
    all_topics = list(topics().values())
    questions = [t.question.lower() for t in all_topics]
    titles = [t.title.lower() for t in all_topics]
    assert len(set(questions)) == len(questions), "two topics share a question (button payload)"
    assert len(set(titles)) == len(titles), "two topics share a button title"


def test_every_topic_renders_as_rasa_responses():
    responses = faq_responses(topics(), values())
    for key in REQUIRED_TOPICS:
        variations = responses[f"utter_faq/{key}"]
        assert any(v.get("channel") == "twilio_sms" for v in variations)


@pytest.mark.parametrize("key", ALL)
def test_sources_exist_in_seeds(key):
    topic = get(key)
    seeds = fingerprints().names
    assert topic.sources, f"{key}: no sources"
    unknown = [s for s in topic.sources if s not in seeds]
    assert not unknown, f"{key}: sources not among the seed articles {sorted(seeds)}: {unknown}"
    assert len(set(topic.sources)) == len(topic.sources), f"{key}: duplicate sources"


@pytest.mark.parametrize("key", ALL)
def test_short_fits_one_sms_and_is_plain(key):
    topic = get(key)
    for label, vals in (("our settings", values()), ("long settings", long_values())):
        short = render(topic.short, vals, key)
        assert len(short) <= SHORT_LIMIT, f"{key}: short is {len(short)} chars with {label}: {short}"
        assert "{" not in short and "}" not in short, f"{key}: leftover braces: {short}"
        bad = sorted({c for c in short if not (32 <= ord(c) < 127)})
        assert not bad, f"{key}: non-ASCII characters in short: {bad!r}"


@pytest.mark.parametrize("key", ALL)
def test_other_fields_are_plain_and_sized(key):
    topic = get(key)
    assert 0 < len(topic.title) <= TITLE_LIMIT, f"{key}: title {topic.title!r} too long"
    assert topic.question.endswith("?"), f"{key}: question should be a plain question"
    assert not topic.question.startswith("/"), f"{key}: question must be text, not an intent payload"
    detail = render(" ".join(topic.detail.split()), long_values(), key)
    assert len(detail) <= DETAIL_LIMIT, f"{key}: detail is {len(detail)} chars"
    for label, text in (("title", topic.title), ("question", topic.question), ("detail", detail)):
        assert "{" not in text and "}" not in text, f"{key}: leftover braces in {label}"
        bad = sorted({c for c in text if not (32 <= ord(c) < 127 or c == "\n")})
        assert not bad, f"{key}: non-ASCII characters in {label}: {bad!r}"
    for field in (topic.short, topic.detail):
        assert "**" not in field and "](" not in field, f"{key}: markdown in text"


@pytest.mark.parametrize("key", ALL)
def test_related_topics_exist(key):
    topic = get(key)
    assert 1 <= len(topic.related) <= 3, f"{key}: needs 1-3 related topics"
    assert key not in topic.related, f"{key}: relates to itself"
    unknown = [r for r in topic.related if r not in REQUIRED_TOPICS]
    assert not unknown, f"{key}: unknown related topics {unknown}"


@pytest.mark.parametrize("key", ALL)
def test_no_dosing_or_home_detox_advice(key):
    text = user_text(get(key)).lower()
    hits = [p for p in FORBIDDEN_PATTERNS if re.search(p, text)]
    assert not hits, f"{key}: forbidden medical-advice wording {hits}"


@pytest.mark.parametrize("key", ALL)
def test_answers_do_not_mention_how_they_were_written(key):
    text = user_text(get(key)).lower()
    hits = [p for p in BACKSTAGE_WORDS if re.search(p, text)]
    assert not hits, f"{key}: user-facing text mentions {hits}"


@pytest.mark.parametrize("key", ALL)
def test_no_long_word_run_shared_with_any_seed(key):
    copied = fingerprints().copied_run(user_text(get(key)))
    if copied is not None:
        seed, run = copied
        pytest.fail(f"{key}: shares {len(run.split())} consecutive words with {seed}: {run!r}")


def test_overlap_check_catches_copied_text(tmp_path):
    """The originality check itself works: a run lifted from a seed is found, a paraphrase is not."""
    source = " ".join(f"word{i}" for i in range(OVERLAP_LIMIT + 30))
    (tmp_path / "seed.txt").write_text(f"Title\n\n{source}.", encoding="utf-8")
    kept = Fingerprints(build(tmp_path))
    copied = " ".join(f"word{i}" for i in range(10, 10 + OVERLAP_LIMIT + 2))
    assert kept.copied_run("We say: " + copied.upper() + "!") == ("seed.txt", copied)
    shorter = " ".join(f"word{i}" for i in range(10, 10 + OVERLAP_LIMIT - 1))
    assert kept.copied_run(f"{shorter} and then our own words") is None


def test_fingerprints_hold_no_readable_text():
    raw = FINGERPRINTS.read_text(encoding="utf-8")
    assert not re.search(r"\b[a-z]{4,}\s+[a-z]{4,}\b", raw.replace("digest_bytes", "").replace("overlap_limit", ""))
    assert fingerprints().names, "no seeds in the fingerprints"


def test_fingerprints_match_the_seeds_when_present():
    """Where the seed articles are at hand, the kept fingerprints must be made from exactly them."""
    folder = seeds_dir()
    if not folder.is_dir():
        pytest.skip(f"no seed folder at {folder}: the kept fingerprints are used as they are")
    stale = fingerprints().stale_against(folder)
    assert not stale, f"seed fingerprints are out of date ({stale}): run python -m tests.support.seeds"
    name, text = next(iter(sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.glob("*.txt"))))
    lifted = " ".join(words(text)[10 : 10 + OVERLAP_LIMIT + 2])
    assert fingerprints().copied_run("We say: " + lifted + "!") == (name, lifted)


def test_seed_folder_override(monkeypatch, tmp_path):
    monkeypatch.setenv("IOP_SEEDS_DIR", str(tmp_path))
    assert seeds_dir() == tmp_path


# A clinical read of the answers asked for these; each stays visible in what a person reads.
def read(key: str) -> str:
    return " ".join(user_text(get(key)).split())


def test_fit_and_levels_agree_on_repeated_returns_to_use() -> None:
    for key in ("who_is_it_for", "levels_of_care"):
        text = read(key)
        assert "more structure" in text and "clinician weighs" in text, key
        assert re.search(r"keeps? going back to use", text), key
    # Neither sends that person to live-in care as a rule.
    assert not re.search(r"live-in setting may suit someone[^.]*keeps going back", read("levels_of_care"))


def test_effectiveness_has_no_undefined_success_rate() -> None:
    assert not re.search(r"\d+\s*(%|percent|to \d+\s*%)", read("effectiveness"))
    assert "success rate" not in read("effectiveness").lower()


def test_confidentiality_names_the_law_and_written_consent() -> None:
    text = read("confidentiality")
    assert "42 CFR Part 2" in text and "HIPAA" in text and "written consent" in text
    assert "family" in text and "employer" in text


def test_relapse_warns_of_lost_tolerance_and_names_naloxone() -> None:
    text = read("relapse").lower()
    assert "tolerance" in text and "overdose" in text and "naloxone" in text


def test_family_involvement_does_not_blame() -> None:
    assert "feeding the problem" not in read("family_involvement")


def test_prices_are_per_treatment_day() -> None:
    text = read("cost")
    assert not re.search(r"\$\d+ a day", text)
    assert text.count("per treatment day") >= 2


def test_schedule_hours_add_up() -> None:
    text = read("schedule_hours")
    low, high = map(int, re.search(r"at least (\d+) hours a week, commonly up to about (\d+)", text).groups())
    days_lo, days_hi = map(int, re.search(r"over (\d+) to (\d+) days", text).groups())
    d1, d2, h1, h2, t1, t2 = map(int, re.search(
        r"(\d+) to (\d+) days a week for (\d+) to (\d+) hours each day, which adds up to (\d+) to (\d+) hours", text).groups())
    assert (t1, t2) == (d1 * h1, d2 * h2)
    days, per_day, total = map(int, re.search(r"come (\d+) days a week; at (\d+) hours a day, that is (\d+) hours", text).groups())
    assert total == days * per_day
    for hours in (t1, t2, total):
        assert low <= hours <= high
    for count in (d1, d2, days):
        assert days_lo <= count <= days_hi
    assert "9 or more" in read("levels_of_care") and low == 9


def test_the_program_fact_phrases_give_no_medical_advice_and_stay_in_front() -> None:
    from bot.texts import load_fact_phrases

    text = " ".join(load_fact_phrases().values()).lower()
    hits = [p for p in FORBIDDEN_PATTERNS + BACKSTAGE_WORDS if re.search(p, text)]
    assert not hits, hits
