"""The medical-advice detector: requests the assistant always declines (content/safety/medical_advice.yml).

Dosing, taper schedules, detoxing or withdrawing at home, what to take for withdrawal and mixing
drugs are questions for a doctor or pharmacist; the assistant points there instead of answering.
General questions about the program ("do I need detox before IOP?") are not advice requests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Pattern, Tuple

from bot.safety.data import (
    SAFETY_DIR,
    Vocabulary,
    Where,
    entries,
    fields,
    load_word_lists,
    name_of,
    read_yaml,
    text_of,
)
from bot.safety.normalise import variants

ADVICE_FILE = "medical_advice.yml"
# A mixing question about drinking or smoking needs only one drug after it ("can I drink on xanax").
_SUBSTANCE_VERB = re.compile(r"\b(?:drink|drinking|smoke|smoking)\b")


@dataclass(frozen=True)
class AdviceRequest:
    """One kind of advice request; `requires` must also occur in the sentence."""

    id: str
    pattern: Pattern[str]
    requires: Optional[Pattern[str]]


@dataclass(frozen=True)
class AdviceBook:
    """The compiled medical_advice.yml."""

    not_advice: Pattern[str]
    requests: Tuple[AdviceRequest, ...]
    mix_question: Pattern[str]  # with a group `rest`: the words after the verb
    mix_link: Pattern[str]
    mix_substance: Pattern[str]


def load_advice(directory: Path = SAFETY_DIR) -> AdviceBook:
    """Read, check and compile medical_advice.yml (and the word lists it names)."""
    where = Where(ADVICE_FILE)
    data = read_yaml(directory, ADVICE_FILE)
    fields(data, where, ("not_advice", "requests", "mixing"), ("phrases",))
    vocabulary = Vocabulary(load_word_lists(directory)).with_phrases(data.get("phrases"), where)

    at = where.at("not_advice")
    fields(data["not_advice"], at, ("means", "patterns"))
    text_of(data["not_advice"]["means"], at, "means")
    not_advice = vocabulary.compile(data["not_advice"]["patterns"], at.at("patterns"))

    def request(node: Any, at: Where) -> AdviceRequest:
        fields(node, at, ("id", "means", "patterns"), ("requires",))
        text_of(node["means"], at, "means")
        requires = node.get("requires")
        return AdviceRequest(
            id=name_of(node["id"], at, "id"),
            pattern=vocabulary.compile(node["patterns"], at.at("patterns"), never_empty=True),
            requires=None if requires is None else vocabulary.compile(requires, at.at("requires")),
        )

    requests = entries(data["requests"], where, "request", request, lambda item: item.id)

    at = where.at("mixing")
    mixing = fields(data["mixing"], at, ("means", "question", "link", "substance"))
    text_of(mixing["means"], at, "means")
    question = vocabulary.compile(mixing["question"], at.at("question"), never_empty=True)
    if "rest" not in question.groupindex:
        raise at.at("question").error("must name the words after the verb (?P<rest>...)")
    return AdviceBook(
        not_advice=not_advice,
        requests=requests,
        mix_question=question,
        mix_link=vocabulary.compile(mixing["link"], at.at("link")),
        mix_substance=vocabulary.compile(mixing["substance"], at.at("substance"), never_empty=True),
    )


@lru_cache(maxsize=None)
def advice_book() -> AdviceBook:
    """The medical-advice rules of content/safety/, loaded once."""
    return load_advice()


def _is_mixing_question(sentence: str, book: AdviceBook) -> bool:
    m = book.mix_question.search(sentence)
    if not m or not book.mix_link.search(m.group("rest")):
        return False
    verb_implies_substance = _SUBSTANCE_VERB.search(m.group(0)[: m.start("rest") - m.start()])
    drugs = len(book.mix_substance.findall(m.group("rest")))
    return drugs >= 2 or (drugs >= 1 and verb_implies_substance is not None)


def is_medical_advice_request(text: str) -> bool:
    """True when the message asks for dosing, a taper schedule, how to detox/withdraw at home,
    how much of a drug to take, or about mixing drugs. General questions ("do I need detox before
    IOP?", "is withdrawal dangerous?") are not advice requests."""
    if not text or not text.strip():
        return False
    book = advice_book()
    for variant in variants(text):
        for sentence in variant.split(" . "):
            if book.not_advice.search(sentence):
                continue
            for request in book.requests:
                if request.pattern.search(sentence) and (
                    request.requires is None or request.requires.search(sentence)
                ):
                    return True
            if _is_mixing_question(sentence, book):
                return True
    return False
