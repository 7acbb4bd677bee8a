"""The fit check's outcome: every rule of content/screening/questions.yml, early ends, and the
exhaustive check that no answer combination with a triggered safety rule says "IOP fits"."""
from __future__ import annotations

import itertools
from typing import Dict, Optional

import pytest

from bot.screening import decided_early, format_reasons, required_questions, rules, screening_outcome

BASE = {
    "screen_for": "self", "concern": "several", "self_harm": "no", "opioids": "no", "overdose": "no",
    "daily_use": "no", "medical": "no", "psychosis_mania": "no", "home": "yes", "readiness": "yes",
}


def answers(**changes: Optional[str]) -> Dict[str, Optional[str]]:
    return {**BASE, **changes}


@pytest.mark.parametrize(
    "changes, kind, notes",
    [
        ({}, "iop_fit", ()),
        ({"screen_for": "loved_one"}, "iop_fit", ()),
        ({"self_harm": "yes"}, "crisis", ()),
        ({"self_harm": "unsure"}, "crisis", ()),
        ({"screen_for": "loved_one", "self_harm": "yes"}, "crisis", ()),
        # a family member who cannot know is helped to ask, not sent away with a crisis ending
        ({"screen_for": "loved_one", "self_harm": "unsure"}, "ask_directly", ()),
        ({"self_harm": "yes", "daily_use": "yes", "medical": "yes"}, "crisis", ()),
        # opioid use leads to medication information, never to detox on its own
        ({"opioids": "yes"}, "iop_fit", ("opioid_medication",)),
        ({"opioids": "unsure"}, "iop_fit", ("opioid_medication",)),
        ({"overdose": "yes"}, "iop_fit", ("naloxone",)),
        ({"opioids": "yes", "overdose": "yes"}, "iop_fit", ("opioid_medication", "naloxone")),
        ({"daily_use": "yes"}, "detox_first", ()),
        ({"daily_use": "unsure"}, "detox_first", ()),
        ({"daily_use": "yes", "opioids": "yes"}, "detox_first", ("opioid_medication",)),
        # withdrawal risk from alcohol and benzodiazepines is asked of everyone, mental health too
        ({"concern": "mental_health", "daily_use": "yes"}, "detox_first", ()),
        ({"medical": "yes"}, "higher_care", ()),
        ({"medical": "unsure"}, "higher_care", ()),
        ({"psychosis_mania": "yes"}, "higher_care", ()),
        ({"home": "no"}, "higher_care", ()),
        ({"home": "unsure"}, "higher_care", ()),
        ({"home": "no", "medical": "yes", "daily_use": "yes"}, "detox_first", ()),
        # readiness is never a gate: mixed feelings get a note
        ({"readiness": "no"}, "iop_fit", ("readiness",)),
        ({"readiness": "unsure", "home": "no"}, "higher_care", ("readiness",)),
        # questions that do not apply to the concern add nothing
        ({"concern": "mental_health", "opioids": "yes", "overdose": "yes"}, "iop_fit", ()),
        ({"concern": "alcohol", "opioids": "yes", "overdose": "yes"}, "iop_fit", ("naloxone",)),
        # skipped questions add nothing
        ({"medical": "skipped", "home": "skipped"}, "iop_fit", ()),
    ],
)
def test_outcome_table(changes: Dict[str, str], kind: str, notes: tuple) -> None:
    outcome = screening_outcome(answers(**changes))
    assert outcome.kind == kind
    assert outcome.notes == notes
    assert outcome.reasons and all(r.strip() for r in outcome.reasons)


def test_reasons_speak_about_the_loved_one() -> None:
    text = format_reasons(screening_outcome(answers(screen_for="loved_one", home="no", medical="yes")))
    assert "their home" in text and "they have" in text and "your" not in text and "; and " in text


def test_no_fail_first_rule() -> None:
    """Nothing asks whether lighter care was tried first: IOP can be where treatment starts."""
    assert "tried_outpatient" not in rules().ids
    assert screening_outcome(answers()).kind == "iop_fit"


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, ["screen_for", "concern", "self_harm", "daily_use", "medical", "psychosis_mania", "home", "readiness"]),
        ({"concern": "mental_health"}, ["screen_for", "concern", "self_harm", "daily_use", "medical", "psychosis_mania", "home", "readiness"]),
        ({"concern": "alcohol"}, ["screen_for", "concern", "self_harm", "overdose", "daily_use", "medical", "psychosis_mania", "home", "readiness"]),
        ({"concern": "drugs"}, list(rules().ids)),
        ({"concern": "several"}, list(rules().ids)),
    ],
)
def test_questions_asked_follow_the_concern(given: Dict[str, str], expected: list) -> None:
    assert required_questions(given) == expected


def test_at_most_ten_questions_one_thing_each() -> None:
    assert len(rules().ids) <= 10
    for question in rules().questions:
        assert question.why.strip()


@pytest.mark.parametrize(
    "given, settled",
    [
        ({"screen_for": "self", "concern": "drugs", "self_harm": "yes"}, True),
        ({"screen_for": "loved_one", "concern": "drugs", "self_harm": "unsure"}, True),
        ({"screen_for": "self", "concern": "drugs", "self_harm": "unsure"}, True),
        ({"screen_for": "self", "concern": "drugs", "self_harm": "no", "opioids": "yes"}, False),
        ({"screen_for": "self", "concern": "drugs", "self_harm": "no", "opioids": "no", "overdose": "no", "daily_use": "yes"}, True),
        # higher care at the medical question: the daily-use question could still lead to detox first
        ({"screen_for": "self", "concern": "alcohol", "self_harm": "no", "medical": "yes"}, False),
        ({"screen_for": "self", "concern": "alcohol", "self_harm": "no", "overdose": "no", "daily_use": "no", "medical": "yes"}, True),
        ({"screen_for": "self", "concern": "alcohol", "self_harm": "no"}, False),
    ],
)
def test_early_end_once_settled(given: Dict[str, str], settled: bool) -> None:
    assert decided_early(given) is settled


def test_no_combination_with_a_triggered_safety_rule_says_iop_fits() -> None:
    """Exhaustive over every answer to every question (2 x 4 x 3^8 = 52,488 combinations)."""
    table = rules()
    values = [q.answers for q in table.questions]
    seen = set()
    for combination in itertools.product(*values):
        given = dict(zip(table.ids, combination))
        kind = screening_outcome(given).kind
        seen.add(kind)
        triggered = any(
            q.applies(given) and (effect := q.on.get(given[q.id])) is not None and effect.outcome_for(given["screen_for"])
            for q in table.questions
        )
        assert (kind == "iop_fit") is not triggered, given
        if given["self_harm"] != "no":
            assert kind in ("crisis", "ask_directly"), given
    assert seen == set(table.outcomes)
