"""The "is IOP a good fit?" check, as plain Python over data a clinician reviews.

- rules.py: the questions, grouped by the ASAM Criteria's six dimensions, and what each answer does
  (content/screening/questions.yml);
- answers.py: how a typed answer is read (content/screening/answers.yml);
- outcome.py: the outcome, its reasons and notes.
"""
from bot.screening.outcome import IOP_FIT, Outcome, decided_early, format_reasons, required_questions, screening_outcome
from bot.screening.rules import LOVED_ONE, NO, SELF, SKIPPED, UNSURE, YES, rules

__all__ = [
    "IOP_FIT", "Outcome", "decided_early", "format_reasons", "required_questions", "screening_outcome",
    "LOVED_ONE", "NO", "SELF", "SKIPPED", "UNSURE", "YES", "rules",
]
