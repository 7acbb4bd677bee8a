"""The "is IOP a good fit?" check as plain functions: answer parsing and the outcome.

Safety gates are checked in a fixed order and each one short-circuits, so no combination of
answers can reach "IOP looks like a good fit" when a gate is triggered. "Not sure" on a safety
question counts as triggered: when in doubt, the safer level of care is suggested and a clinician
decides at assessment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

YES, NO, UNSURE = "yes", "no", "unsure"
SELF, LOVED_ONE = "self", "loved_one"

CRISIS = "crisis"
DETOX_FIRST = "detox_first"
HIGHER_CARE = "higher_care"
IOP_FIT = "iop_fit"
OUTPATIENT = "outpatient"
OUTCOMES = (CRISIS, DETOX_FIRST, HIGHER_CARE, IOP_FIT, OUTPATIENT)

QUESTIONS = (
    "screen_for",
    "concern",
    "safety",
    "withdrawal",
    "needs_24h",
    "safe_home",
    "tried_outpatient",
    "can_attend",
)
YES_NO_QUESTIONS = QUESTIONS[2:]


def _words(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " " + " ".join(text.split()) + " "


def _has(text: str, phrases: Tuple[str, ...]) -> bool:
    return any(f" {p} " in text for p in phrases)


_UNSURE = (
    "not sure", "unsure", "idk", "i don't know", "i dont know", "don't know", "dont know", "dunno",
    "maybe", "possibly", "perhaps", "kind of", "kinda", "sort of", "sorta", "hard to say",
    "no idea", "not certain", "i guess", "might", "could be", "no clue",
)
_NO = (
    "no", "nope", "nah", "n", "not really", "never", "none", "no way", "not at all", "negative",
    "not now", "no thanks", "no thank you", "don't", "dont", "hasn't", "haven't", "isn't", "doesn't",
    "didn't", "can't", "cant", "cannot", "wouldn't", "not",
)
_YES = (
    "yes", "yeah", "yep", "yup", "y", "ya", "yea", "ye", "sure", "definitely", "absolutely",
    "of course", "correct", "true", "i do", "i have", "they do", "he does", "she does", "i think so",
    "probably", "ok", "okay", "right", "affirmative", "totally", "certainly", "i can", "they can",
    "has", "have", "does", "did", "can",
)


def parse_yes_no(text: str) -> Optional[str]:
    """'yeah' -> yes, 'nope' -> no, 'not sure' -> unsure; None when unclear."""
    t = _words(text)
    if not t.strip():
        return None
    if _has(t, _UNSURE):
        return UNSURE
    if _has(t, _NO):
        return NO
    if _has(t, _YES):
        return YES
    return None


_SELF = ("me", "myself", "i", "i am", "i'm", "im", "mine", "self", "for me", "my self", "my own")
_LOVED = (
    "someone", "somebody", "someone i care about", "loved one", "family", "family member", "son",
    "daughter", "child", "kid", "kids", "teen", "teenager", "husband", "wife", "spouse", "partner",
    "boyfriend", "girlfriend", "fiance", "fiancee", "mom", "mother", "dad", "father", "parent",
    "brother", "sister", "sibling", "friend", "grandson", "granddaughter", "grandchild", "cousin",
    "aunt", "uncle", "niece", "nephew", "relative", "him", "her", "them", "they", "he", "she",
    "stepson", "stepdaughter", "roommate", "coworker", "other",
)


def parse_screen_for(text: str) -> Optional[str]:
    """Who the check is for: 'myself' -> self, 'my son' -> loved_one."""
    t = _words(text)
    if _has(t, _LOVED):
        return LOVED_ONE
    if _has(t, _SELF):
        return SELF
    return None


_CONCERNS: Dict[str, Tuple[str, ...]] = {
    "alcohol": (
        "alcohol", "drinking", "drink", "drinks", "drinker", "booze", "beer", "wine", "liquor",
        "vodka", "whiskey", "alcoholic", "alcoholism", "alc", "etoh",
    ),
    "drugs": (
        "drug", "drugs", "opioid", "opioids", "opiates", "heroin", "fentanyl", "pills", "pill",
        "meth", "cocaine", "coke", "crack", "weed", "marijuana", "cannabis", "xanax", "benzo",
        "benzos", "oxy", "oxycodone", "percocet", "adderall", "ketamine", "substance", "substances",
        "using", "addiction", "painkillers", "kratom", "vaping", "pot",
    ),
    "mental_health": (
        "mental health", "mental", "depression", "depressed", "anxiety", "anxious", "ptsd", "trauma",
        "bipolar", "panic", "eating", "ocd", "mood", "emotional", "stress", "grief", "adhd",
    ),
}
_SEVERAL = ("several", "several of these", "all", "all of them", "both", "multiple", "mix", "combination",
            "more than one", "everything", "all of the above")


def parse_concern(text: str) -> Optional[str]:
    """Main concern: alcohol, drugs, mental_health, or several (when more than one is named)."""
    t = _words(text)
    found = [name for name, words in _CONCERNS.items() if _has(t, words)]
    if _has(t, _SEVERAL) or len(found) > 1:
        return "several"
    return found[0] if found else None


def parse_answer(question: str, text: str) -> Optional[str]:
    """Normalise a typed or tapped answer for one screening question; None when unclear."""
    if question == "screen_for":
        return parse_screen_for(text)
    if question == "concern":
        return parse_concern(text)
    if question in YES_NO_QUESTIONS:
        return parse_yes_no(text)
    raise KeyError(question)


def required_questions(answers: Mapping[str, Optional[str]]) -> List[str]:
    """Questions still relevant: withdrawal risk does not apply to a mental-health-only concern."""
    questions = list(QUESTIONS)
    if answers.get("concern") == "mental_health":
        questions.remove("withdrawal")
    return questions


def decided_early(answers: Mapping[str, Optional[str]]) -> bool:
    """True once a safety gate has settled the outcome: the remaining questions cannot change it,
    so the check ends instead of asking them."""
    if answers.get("safety") in (YES, UNSURE):
        return True
    if answers.get("concern") != "mental_health" and answers.get("withdrawal") in (YES, UNSURE):
        return True
    return answers.get("needs_24h") in (YES, UNSURE) or answers.get("safe_home") in (NO, UNSURE)


@dataclass(frozen=True)
class Outcome:
    """The suggested level of care and the plain-language reasons behind it."""

    kind: str
    reasons: Tuple[str, ...]


def _subject(answers: Mapping[str, Optional[str]]) -> Tuple[str, str, str]:
    """('you', 'have', 'your') or ('they', 'have', 'their') for the reasons' wording."""
    if answers.get("screen_for") == LOVED_ONE:
        return "they", "have", "their"
    return "you", "have", "your"


def screening_outcome(answers: Mapping[str, Optional[str]]) -> Outcome:
    """Map answers to one outcome. Gates, in order: safety, withdrawal, 24-hour care, home, attendance."""
    who, have, their = _subject(answers)
    be = "are" if who in ("you", "they") else "is"

    safety = answers.get("safety")
    if safety in (YES, UNSURE):
        reason = (
            f"{who} may be having thoughts of self-harm right now"
            if safety == YES
            else f"it isn't clear whether {who} {be} safe from self-harm right now"
        )
        return Outcome(CRISIS, (reason,))

    withdrawal = answers.get("withdrawal")
    if answers.get("concern") != "mental_health" and withdrawal in (YES, UNSURE):
        reason = (
            f"{who} may be at risk of dangerous withdrawal, which needs medical care"
            if withdrawal == YES
            else f"{who} weren't sure about withdrawal risk, which a doctor should check first"
            if who == "you"
            else f"it isn't clear whether {who} could have dangerous withdrawal, which a doctor should check first"
        )
        return Outcome(DETOX_FIRST, (reason,))

    reasons: List[str] = []
    needs_24h = answers.get("needs_24h")
    if needs_24h == YES:
        reasons.append(f"{who} may need 24-hour support or medical care right now")
    elif needs_24h == UNSURE:
        reasons.append(f"it isn't clear whether {who} need 24-hour support right now")
    safe_home = answers.get("safe_home")
    if safe_home == NO:
        reasons.append(f"{their} home may not be a safe, substance-free place to recover")
    elif safe_home == UNSURE:
        reasons.append(f"{their} living situation may make recovery at home hard")
    if reasons:
        return Outcome(HIGHER_CARE, tuple(reasons))

    can_attend = answers.get("can_attend")
    tried = answers.get("tried_outpatient")
    if can_attend == NO:
        return Outcome(
            OUTPATIENT,
            (f"about 9 or more hours a week may be hard for {'you' if who == 'you' else 'them'} to attend right now",),
        )
    if tried == NO:
        return Outcome(
            OUTPATIENT,
            (f"{who} {have} not tried regular outpatient counseling yet, which may be enough to start",),
        )
    fit: List[str] = [f"{who} {have} a safe place to live and don't seem to need 24-hour care"]
    if tried == YES:
        fit.append(f"regular outpatient counseling hasn't been enough, or {who} {be} stepping down from more intensive care")
    if can_attend in (YES, UNSURE):
        fit.append(f"{who} can likely fit about 9+ hours a week of sessions into {their} week")
    return Outcome(IOP_FIT, tuple(fit))


def format_reasons(outcome: Outcome) -> str:
    """Reasons as one readable sentence fragment list."""
    parts = list(outcome.reasons)
    if len(parts) == 1:
        return parts[0]
    return "; ".join(parts[:-1]) + "; and " + parts[-1]
