"""Reading what a family member types in the guided conversation (phrases in content/family/answers.yml).

Every reading checks danger first: violence at home, or fear of it, at any question goes to 911 and
the domestic violence hotline before any advice. At the danger question only a clear "no" goes on;
"no, but..." and anything unclear are asked about once more and then read as danger, never as no.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from bot.settings import CONTENT_DIR

ANSWERS_FILE = CONTENT_DIR / "family" / "answers.yml"
QUESTIONS = ("family_danger", "family_relation", "family_concern", "family_tried")
RELATIONS = ("child_under_18", "adult_child", "partner", "parent", "sibling_friend")
CONCERNS = ("alcohol", "drugs", "mental_health", "several")
TRIED = ("not_yet", "calm", "denial", "anger")
SKIPPED = "skipped"
SAFE = "no"
CHILD_AGE = "child_age"
# What each question's slot holds once read: a typed answer is never one of these words.
STORED = {
    "family_danger": frozenset(),  # only ever read from what was typed
    "family_relation": frozenset(RELATIONS) | {SKIPPED},
    "family_concern": frozenset(CONCERNS) | {SKIPPED},
    "family_tried": frozenset(TRIED) | {SKIPPED},
}
ADULT_AGE = 18
# "16 year old", "16-year-old", "16yo", "is 16", "he's 16": an age; "drinking for 5 years" is not.
_AGE = re.compile(
    r"\b(\d{1,2})\s*-?\s*(?:years?|yrs?)\s*-?\s*old\b|\b(\d{1,2})\s*yo\b"
    r"|\b(?:is|turned|aged?|he's|she's|they're)\s+(\d{1,2})\b(?!\s*(?:years?|yrs?|days?|weeks?|months?|times?)\b)",
    re.I,
)
# "I'm his mom": the person is the parent; the loved one is their child.
_SELF_ROLE = re.compile(r"\b(?:i'm|im|i am)\s+(?:his|her|their)\b", re.I)
# Checked in this order: "he says he's fine" is denial before it is "fine".
TRIED_ORDER = ("denial", "anger", "not_yet", "calm")
_YES_FIRST = ("yes", "yeah", "yep", "yea", "y")


class Kind(Enum):
    ANSWER = "answer"
    DANGER = "danger"
    UNCLEAR = "unclear"
    SKIP = "skip"
    STOP = "stop"


@dataclass(frozen=True)
class Reading:
    kind: Kind
    value: Optional[str] = None


@dataclass(frozen=True)
class Phrases:
    """The phrase lists of content/family/answers.yml, compiled."""

    danger: re.Pattern
    danger_patterns: Tuple[re.Pattern, ...]
    danger_yes: re.Pattern
    danger_no: re.Pattern
    relation: Tuple[Tuple[str, re.Pattern], ...]
    child_words: re.Pattern
    concern: Tuple[Tuple[str, re.Pattern], ...]
    tried: Tuple[Tuple[str, re.Pattern], ...]
    skip: re.Pattern
    stop: re.Pattern


def normalise(text: str) -> str:
    """Lower case, curly apostrophes straight, punctuation as spaces, single spaces."""
    text = (text or "").lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


def _any(phrases: List[str]) -> re.Pattern:
    words = sorted({normalise(str(p)) for p in phrases if normalise(str(p))}, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w'])")


def _whole(phrases: List[str]) -> re.Pattern:
    words = sorted({normalise(str(p)) for p in phrases if normalise(str(p))}, key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")$")


def parse_phrases(data: Mapping) -> Phrases:
    def table(section: Mapping, keys: Tuple[str, ...]) -> Tuple[Tuple[str, re.Pattern], ...]:
        return tuple((key, _any(section[key])) for key in keys)

    question = data["danger_question"]
    return Phrases(
        danger=_any(data["danger"] + data["tried"]["unsafe"]),
        danger_patterns=tuple(re.compile(str(p)) for p in data["danger_patterns"]),
        danger_yes=_whole(question["yes"]),
        danger_no=_whole(question["no"]),
        relation=table(data["relation"], RELATIONS),
        child_words=_any(data["child_words"]),
        concern=table(data["concern"], ("several",) + tuple(c for c in CONCERNS if c != "several")),
        tried=table(data["tried"], TRIED_ORDER),
        skip=_whole(data["skip"]),
        stop=_whole(data["stop"]),
    )


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    return parse_phrases(yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8")))


def is_danger(text: str) -> bool:
    """Violence at home, or fear of it, anywhere in the text."""
    clean = normalise(text)
    return bool(phrases().danger.search(clean)) or any(p.search(clean) for p in phrases().danger_patterns)


def _age(text: str) -> Optional[int]:
    match = _AGE.search((text or "").replace("\u2019", "'"))
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def relation_in(text: str) -> Optional[str]:
    """Who the loved one is, from any message ("my 16 year old son" -> child_under_18), else None."""
    clean = normalise(text)
    if _SELF_ROLE.search(clean):
        return None  # their role, not the loved one's: asked with the buttons
    for key, pattern in phrases().relation:
        if pattern.search(clean):
            return key
    if phrases().child_words.search(clean):
        age = _age(text)
        if age is not None:
            return "child_under_18" if age < ADULT_AGE else "adult_child"
    return None


def concern_in(text: str) -> Optional[str]:
    """The main concern named in any message; two kinds named at once are "several"."""
    clean = normalise(text)
    found = [key for key, pattern in phrases().concern if pattern.search(clean)]
    if "several" in found or len(found) > 1:
        return "several"
    return found[0] if found else None


def _tried_in(text: str) -> Optional[str]:
    clean = normalise(text)
    for key, pattern in phrases().tried:
        if pattern.search(clean):
            return key
    return None


def read(question: str, text: str, *, asked_again: bool = False) -> Reading:
    """What a message typed at `question` is. `asked_again`: the danger question was already repeated."""
    clean = normalise(text)
    p = phrases()
    if not clean:
        return Reading(Kind.UNCLEAR)
    if p.stop.match(clean):
        return Reading(Kind.STOP)
    if question == "family_danger":
        if p.danger_no.match(clean):  # only a whole, clear no
            return Reading(Kind.ANSWER, SAFE)
        if is_danger(text) or p.danger_yes.match(clean) or clean.split()[0] in _YES_FIRST:
            return Reading(Kind.DANGER)  # "yes, but..." is a yes
        return Reading(Kind.DANGER if asked_again else Kind.UNCLEAR)
    if is_danger(text):
        return Reading(Kind.DANGER)
    if p.skip.match(clean):
        return Reading(Kind.SKIP, SKIPPED)
    readers: Dict[str, object] = {"family_relation": relation_in, "family_concern": concern_in, "family_tried": _tried_in}
    value = readers[question](text)  # type: ignore[operator]
    if value:
        return Reading(Kind.ANSWER, value)
    if question == "family_relation" and p.child_words.search(clean) and not _SELF_ROLE.search(clean):
        return Reading(Kind.UNCLEAR, CHILD_AGE)  # "my son": under 18 or not is asked
    return Reading(Kind.UNCLEAR)


_MY = re.compile(r"\bmy((?:\s+[\w'-]+){1,4})", re.I)


def mentioned_relation(text: str) -> Optional[str]:
    """Who "my ..." names in an opening message ("my 16 year old son" -> child_under_18), else None.

    Only phrases after "my" count, so "I'm his mom" is not read as the loved one being a parent, and
    only when they name one relation ("my son ... my husband and I" is asked).
    """
    found = set()
    for match in _MY.finditer(text or ""):
        chunk = "my" + match.group(1)
        relation = relation_in(chunk)
        if relation is None and phrases().child_words.search(normalise(chunk)):
            relation = CHILD_AGE  # a son or daughter of unknown age still counts as the one named
        found.add(relation)
    found.discard(None)
    only = found.pop() if len(found) == 1 else None
    return None if only == CHILD_AGE else only
