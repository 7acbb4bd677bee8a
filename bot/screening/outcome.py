"""The fit check's outcome from its answers, following the rules in content/screening/questions.yml.

Every answer that leads somewhere is collected; the most intensive outcome reached wins and keeps
all of its reasons, and notes (medication for opioid use, naloxone, readiness) are added whatever
the outcome. "IOP could be a good fit" is only reached when no rule applied, so no combination of
answers with a triggered safety rule can say it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

from bot.screening.rules import LOVED_ONE, SELF, SKIPPED, Question, Rules, rules

IOP_FIT = "iop_fit"


@dataclass(frozen=True)
class Outcome:
    """The suggested level of care, the plain-language reasons behind it, and notes to add."""

    kind: str
    reasons: Tuple[str, ...]
    notes: Tuple[str, ...] = ()


def who(answers: Mapping[str, Optional[str]]) -> str:
    return LOVED_ONE if answers.get("screen_for") == LOVED_ONE else SELF


def required_questions(answers: Mapping[str, Optional[str]], table: Optional[Rules] = None) -> List[str]:
    """The questions that apply, in order: some are asked only after a given concern."""
    table = table or rules()
    return [q.id for q in table.questions if q.applies(answers) or answers.get(q.id) == SKIPPED]


def _reached(question: Question, answers: Mapping[str, Optional[str]]) -> Optional[str]:
    effect = question.on.get(str(answers.get(question.id)))
    return effect.outcome_for(who(answers)) if effect else None


def decided_early(answers: Mapping[str, Optional[str]], table: Optional[Rules] = None) -> bool:
    """True once the outcome is settled: no question still to ask could lead anywhere more intensive,
    so the check ends instead of asking them."""
    table = table or rules()
    rank = {kind: index for index, kind in enumerate(table.outcomes)}
    reached = [rank[k] for q in table.questions if q.applies(answers) and (k := _reached(q, answers))]
    if not reached:
        return False
    best = min(reached)
    for question in table.questions:
        if answers.get(question.id) is not None:
            continue
        possible = [rank[k] for e in question.on.values() if (k := e.outcome_for(who(answers)))]
        # A question whose own asked_when is not settled yet may still come: count it.
        if possible and min(possible) < best:
            return False
    return True


def screening_outcome(answers: Mapping[str, Optional[str]], table: Optional[Rules] = None) -> Outcome:
    """The outcome for a set of answers (unanswered and skipped questions add nothing)."""
    table = table or rules()
    person = who(answers)
    rank = {kind: index for index, kind in enumerate(table.outcomes)}
    found: List[Tuple[int, str]] = []
    notes: List[str] = []
    for question in table.questions:
        if not question.applies(answers):
            continue
        effect = question.on.get(str(answers.get(question.id)))
        if effect is None:
            continue
        kind = effect.outcome_for(person)
        if kind:
            found.append((rank[kind], effect.reason[person]))
        if effect.note and effect.note not in notes:
            notes.append(effect.note)
    if not found:
        return Outcome(IOP_FIT, (table.fit_reason[person],), tuple(notes))
    best = min(r for r, _ in found)
    return Outcome(table.outcomes[best], tuple(reason for r, reason in found if r == best), tuple(notes))


def format_reasons(outcome: Outcome) -> str:
    """Reasons as one readable sentence fragment list."""
    parts = list(outcome.reasons)
    if len(parts) == 1:
        return parts[0]
    return "; ".join(parts[:-1]) + "; and " + parts[-1]
