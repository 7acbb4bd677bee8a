"""The screening outcome function: every outcome, every safety gate, and answer parsing."""
from __future__ import annotations

import itertools

import pytest

from bot import screening as s
from bot.screening import CRISIS, DETOX_FIRST, HIGHER_CARE, IOP_FIT, OUTPATIENT

BASE = {
    "screen_for": "self", "concern": "alcohol", "safety": "no", "withdrawal": "no", "needs_24h": "no",
    "safe_home": "yes", "tried_outpatient": "yes", "can_attend": "yes",
}


def answers(**changes: str) -> dict:
    return {**BASE, **changes}


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, IOP_FIT),
        ({"screen_for": "loved_one"}, IOP_FIT),
        ({"tried_outpatient": "unsure"}, IOP_FIT),
        ({"can_attend": "unsure"}, IOP_FIT),
        ({"safety": "yes"}, CRISIS),
        ({"safety": "unsure"}, CRISIS),
        ({"safety": "yes", "withdrawal": "yes", "needs_24h": "yes"}, CRISIS),
        ({"screen_for": "loved_one", "safety": "yes"}, CRISIS),
        ({"withdrawal": "yes"}, DETOX_FIRST),
        ({"withdrawal": "unsure"}, DETOX_FIRST),
        ({"withdrawal": "yes", "needs_24h": "yes", "safe_home": "no"}, DETOX_FIRST),
        ({"screen_for": "loved_one", "concern": "drugs", "withdrawal": "yes"}, DETOX_FIRST),
        ({"concern": "mental_health", "withdrawal": "yes"}, IOP_FIT),  # question does not apply
        ({"needs_24h": "yes"}, HIGHER_CARE),
        ({"needs_24h": "unsure"}, HIGHER_CARE),
        ({"safe_home": "no"}, HIGHER_CARE),
        ({"safe_home": "unsure"}, HIGHER_CARE),
        ({"screen_for": "loved_one", "safe_home": "no", "needs_24h": "yes"}, HIGHER_CARE),
        ({"can_attend": "no"}, OUTPATIENT),
        ({"tried_outpatient": "no"}, OUTPATIENT),
        ({"screen_for": "loved_one", "tried_outpatient": "no", "concern": "mental_health"}, OUTPATIENT),
    ],
)
def test_outcome_table(changes: dict, expected: str) -> None:
    outcome = s.screening_outcome(answers(**changes))
    assert outcome.kind == expected
    assert outcome.reasons and all(r.strip() for r in outcome.reasons)


def test_reasons_speak_about_the_loved_one() -> None:
    outcome = s.screening_outcome(answers(screen_for="loved_one", safe_home="no"))
    text = s.format_reasons(outcome)
    assert "their home" in text and "your" not in text


GATE_VALUES = {
    "screen_for": ["self", "loved_one"],
    "concern": ["alcohol", "drugs", "mental_health", "several"],
    "safety": ["yes", "no", "unsure"],
    "withdrawal": ["yes", "no", "unsure"],
    "needs_24h": ["yes", "no", "unsure"],
    "safe_home": ["yes", "no", "unsure"],
    "tried_outpatient": ["yes", "no", "unsure"],
    "can_attend": ["yes", "no", "unsure"],
}


def test_no_combination_reaches_iop_fit_through_a_safety_gate() -> None:
    """Exhaustive: all 5,832 answer combinations."""
    keys = list(GATE_VALUES)
    seen = set()
    for values in itertools.product(*GATE_VALUES.values()):
        a = dict(zip(keys, values))
        kind = s.screening_outcome(a).kind
        seen.add(kind)
        gate = (
            a["safety"] != "no"
            or (a["concern"] != "mental_health" and a["withdrawal"] != "no")
            or a["needs_24h"] != "no"
            or a["safe_home"] != "yes"
        )
        if gate:
            assert kind != IOP_FIT, a
        if a["safety"] != "no":
            assert kind == CRISIS, a
    assert seen == set(s.OUTCOMES)


@pytest.mark.parametrize(
    "question, text, expected",
    [
        ("screen_for", "Myself", "self"),
        ("screen_for", "it's for me", "self"),
        ("screen_for", "my son", "loved_one"),
        ("screen_for", "Someone I care about", "loved_one"),
        ("screen_for", "my wife", "loved_one"),
        ("screen_for", "banana", None),
        ("concern", "Alcohol", "alcohol"),
        ("concern", "he drinks every night", "alcohol"),
        ("concern", "pills mostly, oxy", "drugs"),
        ("concern", "depression", "mental_health"),
        ("concern", "drinking and anxiety", "several"),
        ("concern", "Several of these", "several"),
        ("concern", "hmm", None),
        ("safety", "No", "no"),
        ("safety", "nope", "no"),
        ("safety", "not sure", "unsure"),
        ("withdrawal", "yeah", "yes"),
        ("withdrawal", "yes he has", "yes"),
        ("withdrawal", "idk", "unsure"),
        ("needs_24h", "nah", "no"),
        ("safe_home", "yep", "yes"),
        ("tried_outpatient", "not really", "no"),
        ("can_attend", "I think so", "yes"),
        ("can_attend", "maybe", "unsure"),
        ("can_attend", "", None),
        ("can_attend", "\U0001F600", None),
        ("can_attend", "<b>yes</b>", "yes"),
        ("can_attend", "purple", None),
    ],
)
def test_parse_answer(question: str, text: str, expected: str) -> None:
    assert s.parse_answer(question, text) == expected


def test_withdrawal_skipped_for_mental_health_only() -> None:
    assert "withdrawal" not in s.required_questions({"concern": "mental_health"})
    assert "withdrawal" in s.required_questions({"concern": "alcohol"})
    assert len(s.required_questions({})) <= 8


@pytest.mark.parametrize(
    "changes, decided",
    [
        ({"safety": "yes"}, True),
        ({"safety": "unsure"}, True),
        ({"withdrawal": "yes"}, True),
        ({"concern": "mental_health", "withdrawal": "yes"}, False),
        ({"needs_24h": "unsure"}, True),
        ({"safe_home": "no"}, True),
        ({}, False),
        ({"can_attend": "no"}, False),
    ],
)
def test_decided_early(changes: dict, decided: bool) -> None:
    partial = {"screen_for": "self", "concern": "alcohol", "safety": "no", **changes}
    assert s.decided_early(partial) is decided
    if decided:  # whatever the remaining answers, the outcome is the same
        kinds = {s.screening_outcome({**BASE, **changes, "tried_outpatient": t, "can_attend": c}).kind
                 for t in ("yes", "no", "unsure") for c in ("yes", "no", "unsure")}
        assert len(kinds) == 1 and kinds != {IOP_FIT}
