"""Deterministic crisis safety net: a second detector, independent of the NLU classifier.

People write to this assistant late at night, by SMS, in slang, with typos and about someone else
("my son took pills and won't wake up"). A trained intent classifier can be unsure about exactly
those messages, and a crisis that falls under its confidence threshold would get an FAQ answer.
This package does not depend on any model or confidence: it normalises the text (normalise.py)
and runs a fixed table of crisis rules with context checks for negation, past and resolved
events, topic mentions and idioms (rules.py, checks.py). When unsure it fires: a missed crisis is
far worse than a false alarm.

The rules and word lists are data a clinician can review, in content/safety/. They are read and
checked once, on first use or by `load_safety_data()` (the NLU component calls it at start, so a
mistake in them stops the server rather than a reply); `python -m bot.safety` checks them alone.

`assess` says whether a message signals risk, in two tiers: a definite crisis (suicide /
self-harm, a medical emergency such as an overdose, or violence; crisis_rules.yml), answered with
the crisis reply, or a warning sign (warning_signs.yml), answered with a direct question about
suicide; `detect_crisis` keeps the definite tier only. Both name the rule that fired; the rule name
is a constant, never the user's text, so it can be logged. `read_answer` (check_in.py) reads the
answer to that question. `is_medical_advice_request` (medical.py)
recognises requests for dosing, taper schedules, home detox or mixing drugs, which the assistant
always declines.
"""
from __future__ import annotations

from typing import Any

from bot.safety.data import SafetyDataError
from bot.safety.medical import advice_book, is_medical_advice_request
from bot.safety.names import CrisisKind
from bot.safety.normalise import MAX_CHARS, normalize, shorthand
from bot.safety.check_in import Answer, answer_words, read_answer
from bot.safety.rules import SafetySignal, assess, detect_crisis, mentions_crisis_words, rule_book

__all__ = [
    "Answer",
    "CrisisKind",
    "SafetySignal",
    "SafetyDataError",
    "assess",
    "detect_crisis",
    "read_answer",
    "mentions_crisis_words",
    "is_medical_advice_request",
    "load_safety_data",
    "normalize",
    "RULE_NAMES",
    "MAX_CHARS",
]


def load_safety_data() -> None:
    """Read and check everything in content/safety/ now (once); raises SafetyDataError naming the
    file and the rule of a mistake."""
    rule_book()
    advice_book()
    shorthand()
    answer_words()


def __getattr__(name: str) -> Any:
    """RULE_NAMES, the ids of all crisis rules (a frozenset), read from the data when first asked for."""
    if name == "RULE_NAMES":
        return rule_book().ids
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
