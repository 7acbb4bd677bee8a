"""Reading the answer to the safety check-in: yes, no, unsure, or not an answer.

After a warning sign the assistant asks whether the person is thinking about ending their life.
The answer decides between the crisis reply and going back to what they asked, so it is read
cautiously: a hedge is unsure, "yes, but..." is yes, and only a clear no is no. The phrases are
data a clinician can review (content/safety/check_in.yml).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Pattern

from bot.safety.data import SAFETY_DIR, Where, fields, phrase_list, phrase_pattern, read_yaml
from bot.safety.normalise import normalize, plain_variants

CHECK_IN_FILE = "check_in.yml"
YES_PAYLOAD = "/affirm"
NO_PAYLOAD = "/deny"


class Answer(str, Enum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    OTHER = "other"  # not an answer: a new question, another topic

    @property
    def is_risk(self) -> bool:
        """Yes and unsure both lead to the crisis numbers."""
        return self in (Answer.YES, Answer.UNSURE)


@dataclass(frozen=True)
class AnswerWords:
    """The phrases of check_in.yml, compiled."""

    yes: Pattern[str]
    no: Pattern[str]
    unsure: Pattern[str]
    distress: Pattern[str]
    contrast: Pattern[str]


def load_answer_words(directory: Path = SAFETY_DIR) -> AnswerWords:
    where = Where(CHECK_IN_FILE)
    data = fields(read_yaml(directory, CHECK_IN_FILE), where, ("yes", "no", "unsure", "distress", "contrast"))
    words = {key: phrase_list(data[key], where.at(key)) for key in data}
    return AnswerWords(
        yes=phrase_pattern(words["yes"], anchored=True),
        no=phrase_pattern(words["no"], anchored=True),
        unsure=phrase_pattern(words["unsure"]),
        distress=phrase_pattern(words["distress"]),
        contrast=phrase_pattern(words["contrast"]),
    )


@lru_cache(maxsize=None)
def answer_words() -> AnswerWords:
    """The check-in phrases of content/safety/, loaded once."""
    return load_answer_words()


def read_answer(text: str) -> Answer:
    """How an answer to "are you thinking about ending your life?" is read (see check_in.yml)."""
    stripped = (text or "").strip()
    if stripped.startswith("/"):  # a button
        return {YES_PAYLOAD: Answer.YES, NO_PAYLOAD: Answer.NO}.get(stripped.split("{")[0], Answer.OTHER)
    # Two readings: as typed (accents and punctuation only: "ya", "n") and with shorthand and
    # contractions written out ("im fine" -> "i am fine", "idk" -> "i do not know").
    forms = [_words(plain_variants(stripped)[0]), _words(normalize(stripped))]
    if not any(forms):
        return Answer.OTHER
    words = answer_words()
    yes = max((len(m.group(0)) for f in forms if (m := words.yes.search(f))), default=0)
    no_heads = [(f, m) for f in forms if (m := words.no.search(f))]
    no = max((len(m.group(0)) for _, m in no_heads), default=0)
    if yes > no:  # the longer phrase decides: "i am" is a yes, "i am fine" a no
        return Answer.YES
    if any(words.unsure.search(f) for f in forms):
        return Answer.UNSURE
    if no_heads:
        for form, head in no_heads:
            contrast = words.contrast.search(form, head.end())
            if contrast and words.distress.search(form, contrast.end()):
                return Answer.UNSURE
        return Answer.NO
    return Answer.OTHER


def _words(form: str) -> str:
    return " ".join(tok.strip("'") for tok in form.split() if tok not in (".", ","))
