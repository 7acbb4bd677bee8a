"""The fit check's questions and rules, read from content/screening/questions.yml.

The rules are data so that clinical staff can review them without reading code; this module only
checks the file (clear errors naming the question) and gives it a typed shape.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from bot.safety.data import Where, fields, read_yaml, text_of
from bot.settings import CONTENT_DIR

SCREENING_DIR = CONTENT_DIR / "screening"
QUESTIONS_FILE = "questions.yml"

YES, NO, UNSURE = "yes", "no", "unsure"
SELF, LOVED_ONE = "self", "loved_one"
SKIPPED = "skipped"
SELF_HARM = "self_harm"  # the question a warning sign answers by itself (the crisis policy records it)
YES_NO = (YES, NO, UNSURE)
# Answers of the two intake questions; every other question is answered yes / no / not sure.
INTAKE_ANSWERS: Mapping[str, Tuple[str, ...]] = {
    "screen_for": (SELF, LOVED_ONE),
    "concern": ("alcohol", "drugs", "mental_health", "several"),
}
INTAKE = "intake"  # who the check is for and the concern: they decide the wording and the questions
DIMENSIONS = (INTAKE, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Effect:
    """What one answer does: an outcome (maybe another for a family member), a note, a reason."""

    outcome: Optional[str] = None
    loved_one_outcome: Optional[str] = None
    note: Optional[str] = None
    reason: Mapping[str, str] = field(default_factory=dict)  # self / loved_one wording

    def outcome_for(self, screen_for: Optional[str]) -> Optional[str]:
        if screen_for == LOVED_ONE and self.loved_one_outcome:
            return self.loved_one_outcome
        return self.outcome


@dataclass(frozen=True)
class Question:
    id: str
    dimension: Any  # "intake" or 1-6
    why: str
    risk_side: Optional[str] = None  # YES or NO: how a mixed answer is read
    asked_when: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    on: Mapping[str, Effect] = field(default_factory=dict)

    @property
    def answers(self) -> Tuple[str, ...]:
        return INTAKE_ANSWERS.get(self.id, YES_NO)

    @property
    def safe_side(self) -> Optional[str]:
        return {YES: NO, NO: YES}.get(self.risk_side or "")

    def applies(self, answers: Mapping[str, Optional[str]]) -> bool:
        return all(answers.get(key) in values for key, values in self.asked_when.items())


@dataclass(frozen=True)
class Rules:
    outcomes: Tuple[str, ...]  # most intensive first
    urgent: Tuple[str, ...]  # outcomes that make a later callback urgent
    questions: Tuple[Question, ...]
    fit_reason: Mapping[str, str]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def ids(self) -> Tuple[str, ...]:
        return tuple(q.id for q in self.questions)


def _wording(node: Any, where: Where) -> Dict[str, str]:
    data = fields(node, where, (SELF, LOVED_ONE))
    return {key: text_of(data[key], where.at(key), "the wording") for key in (SELF, LOVED_ONE)}


def _effect(node: Any, where: Where, outcomes: Tuple[str, ...]) -> Effect:
    data = fields(node, where, (), ("outcome", "loved_one", "note", "reason"))
    for key in ("outcome", "loved_one"):
        if data.get(key) is not None and data[key] not in outcomes:
            raise where.error(f"{key} {data[key]!r} is not one of the outcomes ({', '.join(outcomes)})")
    if not data.get("outcome") and not data.get("note"):
        raise where.error("needs an outcome or a note")
    if data.get("outcome") and "reason" not in data:
        raise where.error("an outcome needs a reason")
    reason = _wording(data["reason"], where.at("reason")) if "reason" in data else {}
    return Effect(data.get("outcome"), data.get("loved_one"), data.get("note"), reason)


def _question(node: Any, where: Where, outcomes: Tuple[str, ...], earlier: Dict[str, Question]) -> Question:
    data = fields(node, where, ("id", "dimension", "why"), ("risk_side", "asked_when", "rule"))
    if data.get("risk_side") not in (None, YES, NO):
        raise where.error("risk_side must be \"yes\" or \"no\"")
    if data["dimension"] not in DIMENSIONS:
        raise where.error(f"dimension {data['dimension']!r} must be intake or 1-6")
    answers = INTAKE_ANSWERS.get(data["id"], YES_NO)
    asked_when: Dict[str, Tuple[str, ...]] = {}
    for key, values in (data.get("asked_when") or {}).items():
        if key not in earlier:
            raise where.error(f"asked_when names {key!r}, which is not an earlier question")
        values = tuple(values if isinstance(values, list) else [values])
        unknown = [v for v in values if v not in earlier[key].answers]
        if unknown:
            raise where.error(f"asked_when: {unknown[0]!r} is not an answer to {key}")
        asked_when[key] = values
    on: Dict[str, Effect] = {}
    for answer, effect in (data.get("rule") or {}).items():
        if answer not in answers:
            raise where.error(f"rule: {answer!r} is not an answer to this question ({', '.join(answers)})")
        on[answer] = _effect(effect, where.at(f"rule {answer}"), outcomes)
    why = text_of(data["why"], where, "why")
    return Question(data["id"], data["dimension"], why, data.get("risk_side"), asked_when, on)


def load_rules(directory: Path = SCREENING_DIR) -> Rules:
    """The questions file, checked: known outcomes, answers and earlier questions only."""
    where = Where(QUESTIONS_FILE)
    data = fields(read_yaml(directory, QUESTIONS_FILE), where, ("outcomes", "urgent", "questions", "fit_reason"))
    outcomes = tuple(data["outcomes"])
    if "iop_fit" not in outcomes or outcomes[-1] != "iop_fit":
        raise where.error("outcomes must end with iop_fit (the least intensive)")
    urgent = tuple(data["urgent"])
    if any(kind not in outcomes for kind in urgent):
        raise where.error("urgent names an outcome that is not in outcomes")
    questions: Dict[str, Question] = {}
    for index, node in enumerate(data["questions"], 1):
        at = where.at(f"question {node.get('id', index) if isinstance(node, dict) else index}")
        question = _question(node, at, outcomes, questions)
        if question.id in questions:
            raise at.error("duplicate id")
        questions[question.id] = question
    for needed in (*INTAKE_ANSWERS, SELF_HARM):
        if needed not in questions:
            raise where.error(f"the question {needed!r} is missing")
    if questions[SELF_HARM].risk_side != YES:
        raise where.error(f"{SELF_HARM}: risk_side must be \"yes\"")
    if len(questions) > 10:
        raise where.error(f"{len(questions)} questions: the check asks at most 10")
    reached = {e.outcome_for(who) for q in questions.values() for e in q.on.values() for who in (SELF, LOVED_ONE)}
    unreached = [o for o in outcomes[:-1] if o not in reached]
    if unreached:
        raise where.error(f"outcome {unreached[0]!r} is never reached")
    return Rules(outcomes, urgent, tuple(questions.values()), _wording(data["fit_reason"], where.at("fit_reason")))


@lru_cache(maxsize=None)
def rules() -> Rules:
    """The fit check's rules, loaded once."""
    return load_rules()
