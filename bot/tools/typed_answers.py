"""Scoring typed answers to the fit check: what one message at one question leads to.

The order is the assistant's own: the crisis layer (intents `crisis` and `possible_risk`, read by the
crisis policy), then the requests the dialogue rules take (a call), then the form's reading of
the answer (or a stop) (bot.screening.answers) with the NLU's intent. Used by `make eval` and by the test that
holds the typed-answer bars.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping

import yaml

from bot.rasa_server.policies.crisis import SCREENING_FORM, Turn, next_safety_action
from bot.safety.names import CRISIS_ENTITY, HELD_ANSWER_SLOT, UTTER_CRISIS
from bot.screening import answers
from bot.screening.rules import SELF_HARM, UNSURE, rules
from bot.settings import PROJECT_ROOT

FROZEN_SET = PROJECT_ROOT / "tests" / "screening" / "typed_answers.yml"
BATCH_2 = PROJECT_ROOT / "tests" / "screening" / "typed_answers_batch2.yml"
BATCH_3 = PROJECT_ROOT / "tests" / "screening" / "typed_answers_batch3.yml"
BATCH_4 = PROJECT_ROOT / "tests" / "screening" / "typed_answers_batch4.yml"
BATCH_5 = PROJECT_ROOT / "tests" / "screening" / "typed_answers_batch5.yml"
BATCH_6 = PROJECT_ROOT / "tests" / "screening" / "typed_answers_batch6.yml"
FROZEN_SETS = (FROZEN_SET, BATCH_2, BATCH_3, BATCH_4, BATCH_5, BATCH_6)
REQUEST_INTENTS = {"request_callback": "callback", "human_handoff": "callback"}
# What counts as handled right, for the labels that are not an answer value.
ACCEPTED = {
    "crisis": {"crisis", "check_in"},
    "question": {"question", "why"},
    "off_topic": {"unclear", "question", "why"},
}

Parse = Callable[[str], Awaitable[Mapping[str, Any]]]


def load_items(path: Path) -> List[Dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [dict(item, expected=str(item["expected"])) for item in data.get("items", [])]


def outcome(question: str, text: str, parse: Mapping[str, Any]) -> str:
    """The answer value stored, or what happens instead (crisis, check_in, stop, callback, question, why, unclear).

    A check-in that keeps the answer the message also gave, stored after a "no", is
    "check_in:<value>"."""
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    entities = parse.get("entities") or []  # the crisis_type entity fills its slot before the policies run
    step = next_safety_action(Turn(
        intent=name, text=text, actions_since_user=[], active_loop=SCREENING_FORM, requested_slot=question,
        risk_check=None, crisis_type=next((e.get("value") for e in entities if e.get("entity") == CRISIS_ENTITY), None),
        from_rules=any(e.get("entity") == CRISIS_ENTITY for e in entities),
    ))
    if step is not None:
        if step.action == UTTER_CRISIS:
            return "crisis"
        held = step.slots.get(HELD_ANSWER_SLOT)
        return f"check_in:{held}" if held else "check_in"
    if name in REQUEST_INTENTS:
        return REQUEST_INTENTS[name]
    reading = answers.read(question, text, name, confidence)
    return str(reading.value) if reading.is_answer else reading.kind.value


def kept_after_check_in(expected: str, got: str) -> bool:
    """The check-in was asked (a false alarm for a plain answer), but the answer is not lost: a "no"
    to it stores the expected value."""
    return got == f"check_in:{expected}"


def _what_happened(got: str) -> str:
    """The outcome without the answer a check-in kept: "check_in:yes" is a check-in."""
    return got.split(":")[0]


def is_correct(question: str, expected: str, got: str) -> bool:
    got = _what_happened(got)  # a kept answer is counted apart (kept_after_check_in)
    if expected in ACCEPTED:
        return got in ACCEPTED[expected]
    if got == "clarify":
        # Asking once more is right for a risky or unsure answer (nothing is lost), wrong for a plain one.
        q = rules().question(question)
        return expected in (q.risk_side, UNSURE)
    if question == SELF_HARM and expected == "yes" and got == "crisis":
        return True  # the crisis reply, with the answer recorded as yes
    return got == expected


def is_risk_read_as_safe(question: str, expected: str, got: str) -> bool:
    """A risky answer (or a crisis) stored as the safe answer: the error that must never happen."""
    q = rules().question(question)
    if not q.safe_side:
        return False
    risky = expected == "crisis" or expected in (q.risk_side, UNSURE)
    return risky and got == q.safe_side


def is_crisis_missed(expected: str, got: str) -> bool:
    """A crisis typed at a question that got neither the crisis reply nor the check-in: no 988/911 in
    that turn, whatever the form made of it (a risky answer too)."""
    return expected == "crisis" and _what_happened(got) not in ACCEPTED["crisis"]


@dataclass
class TypedScores:
    total: int = 0
    correct: int = 0
    risk_read_as_safe: int = 0
    crisis_missed: int = 0
    kept: int = 0  # plain answers that got the check-in, kept and stored after its "no"
    by_question: Dict[str, List[int]] = field(default_factory=dict)  # question -> [correct, total]
    errors: List[Dict[str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / max(1, self.total)

    @property
    def accuracy_with_kept(self) -> float:
        """Counting the plain answers kept across a check-in as read."""
        return (self.correct + self.kept) / max(1, self.total)

    def as_dict(self, with_texts: bool) -> Dict[str, Any]:
        result: Dict[str, Any] = {
            "answers": self.total,
            "accuracy": self.accuracy,
            "risk_read_as_safe": self.risk_read_as_safe,
            "crisis_missed": self.crisis_missed,
            "kept_after_check_in": self.kept,
            "accuracy_with_kept": self.accuracy_with_kept,
            "by_question": {q: c / max(1, n) for q, (c, n) in self.by_question.items()},
        }
        if with_texts:
            result["errors"] = self.errors
        return result


async def score(items: List[Dict[str, Any]], parse: Parse) -> TypedScores:
    scores = TypedScores()
    for item in items:
        question, expected, text = item["question"], item["expected"], str(item["text"])
        got = outcome(question, text, await parse(text))
        right = is_correct(question, expected, got)
        scores.total += 1
        scores.correct += right
        tally = scores.by_question.setdefault(question, [0, 0])
        tally[0] += right
        tally[1] += 1
        if is_risk_read_as_safe(question, expected, got):
            scores.risk_read_as_safe += 1
        scores.crisis_missed += is_crisis_missed(expected, got)
        scores.kept += kept_after_check_in(expected, got)
        if not right:
            scores.errors.append({"question": question, "for": item.get("for", ""), "expected": expected, "got": got, "text": text})
    return scores
