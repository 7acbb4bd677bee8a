"""A learned reading of typed answers to the fit check's yes-no questions.

The phrases in content/screening/answers.yml read what they name precisely, but people describe
situations ("she's on oxygen since the covid", "we fight every night and he keeps beer in the
fridge") in more ways than any list holds. This classifier learns what an answer means at each
question from labelled answers written by people who never saw the phrases
(data/screening/*.yml): yes, no, unsure, or not an answer. It is small (word and character
n-grams, a logistic regression), trains in a few seconds when first used, and keeps no model file,
so what it learned always matches the data in the repository.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

import yaml

from bot.safety.normalise import normalize
from bot.screening.rules import NO, UNSURE, YES, rules
from bot.settings import PROJECT_ROOT

TRAINING_DIR = PROJECT_ROOT / "data" / "screening"
OTHER = "other"  # a question, a request, a stop, anything that is not an answer
LABELS = (YES, NO, UNSURE, OTHER)
NOT_ANSWERS = frozenset({"question", "stop", "callback", "off_topic"})
C = 8.0  # inverse regularisation strength, chosen by leaving each development set out of the training in turn


@dataclass(frozen=True)
class Example:
    question: str
    text: str
    label: str


def label_of(expected: str) -> str | None:
    """The class an item's expected reading trains: a crisis is the crisis layer's, not an answer."""
    if expected in (YES, NO, UNSURE):
        return expected
    return OTHER if expected in NOT_ANSWERS else None


def load_examples(paths: Iterable[Path]) -> List[Example]:
    """Labelled answers at the yes-no questions (the intake questions have their own reading)."""
    yes_no = {q.id for q in rules().questions if q.answers and set(q.answers) >= {YES, NO}}
    examples: List[Example] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("items", []):
            label = label_of(str(item["expected"]))
            if label and item["question"] in yes_no:
                examples.append(Example(str(item["question"]), str(item["text"]), label))
    return examples


def training_files(directory: Path = TRAINING_DIR) -> List[Path]:
    return sorted(directory.glob("*.yml"))


def _question_words(question: str, text: str) -> str:
    """The words tagged with the question, so that "every day" can mean yes at one question only."""
    words = text.split()
    return " ".join(f"{question}__{w}" for w in words + [f"{a}_{b}" for a, b in zip(words, words[1:])])


class AnswerClassifier:
    """yes / no / unsure / other, with probabilities, for one message at one question."""

    def __init__(self, examples: Sequence[Example], c: float = C) -> None:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self._hstack = hstack
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        self._words = TfidfVectorizer(ngram_range=(1, 3), token_pattern=r"[^ ]+", sublinear_tf=True)
        self._tagged = TfidfVectorizer(token_pattern=r"[^ ]+", sublinear_tf=True, lowercase=False)
        matrix = self._features([e.question for e in examples], [e.text for e in examples], fit=True)
        self._model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
        self._model.fit(matrix, [e.label for e in examples])
        self.labels: Tuple[str, ...] = tuple(self._model.classes_)

    @staticmethod
    def prepare(text: str) -> str:
        """Shorthand written out and punctuation kept as marks ("nah, he drinks every nite")."""
        return normalize(text) or text.lower()

    def _features(self, questions: Sequence[str], texts: Sequence[str], fit: bool = False) -> Any:
        """Character n-grams, word n-grams and question-tagged words, side by side."""
        prepared = [self.prepare(t) for t in texts]
        tagged = [_question_words(q, t) for q, t in zip(questions, prepared)]
        parts = [(self._chars, prepared), (self._words, prepared), (self._tagged, tagged)]
        return self._hstack([v.fit_transform(d) if fit else v.transform(d) for v, d in parts]).tocsr()

    def probabilities(self, question: str, text: str) -> Dict[str, float]:
        row = self._features([question], [text])
        return dict(zip(self.labels, (float(p) for p in self._model.predict_proba(row)[0])))


@lru_cache(maxsize=1)
def classifier() -> AnswerClassifier:
    """Trained once per process from data/screening/."""
    examples = load_examples(training_files())
    if not examples:
        raise ValueError(f"no labelled answers to learn from in {TRAINING_DIR}")
    return AnswerClassifier(examples)


def best(probabilities: Mapping[str, float]) -> Tuple[str, float]:
    label = max(probabilities, key=lambda k: probabilities[k])
    return label, probabilities[label]
