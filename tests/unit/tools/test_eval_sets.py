"""The safety evaluation sets in bot/tools/eval_sets/: size, coverage, no overlap, and no copy in the
NLU training data. See tests/support/eval_sets.py for what each set holds."""
from __future__ import annotations

from collections import Counter
from typing import FrozenSet, List

import yaml

from bot.safety import normalize
from bot.settings import PROJECT_ROOT as ROOT
from bot.tools.evaluate import load_texts, safety_sets
from bot.screening.classifier import load_examples, training_files
from bot.tools.typed_answers import FROZEN_SETS, load_items

NOT_ANSWERS = ("question", "off_topic", "crisis", "stop", "callback")
from tests.support.eval_sets import ADVICE, CRISIS, KINDS, NEAR_MISS


def test_crisis_set_size_and_coverage() -> None:
    kinds = Counter(item["kind"] for item in CRISIS)
    assert set(kinds) <= KINDS
    assert len(CRISIS) >= 80
    assert kinds["suicide"] >= 20 and kinds["medical"] >= 20 and kinds["violence"] >= 10, kinds
    assert sum(item.get("about") == "other" for item in CRISIS) >= 25
    assert sum(bool(item.get("sms")) for item in CRISIS) >= 20
    for item in CRISIS:
        assert item.get("also") in (None, *KINDS) and item.get("also") != item["kind"], item


def test_near_miss_and_advice_set_sizes() -> None:
    assert len(NEAR_MISS) >= 80
    assert sum(item["advice"] is True for item in ADVICE) >= 25
    assert sum(item["advice"] is False for item in ADVICE) >= 25


def test_sets_do_not_overlap() -> None:
    crisis = {normalize(item["text"]) for item in CRISIS}
    near = {normalize(item["text"]) for item in NEAR_MISS}
    assert not crisis & near
    assert len(crisis) == len(CRISIS), "duplicate crisis phrasings"
    assert len(near) == len(NEAR_MISS), "duplicate near-miss phrasings"


def _words(text: str) -> FrozenSet[str]:
    return frozenset(w for w in normalize(text).split() if w not in (".", ","))


def _nearly_copies(words: FrozenSet[str], others: List[FrozenSet[str]]) -> bool:
    """Shares 70% or more of its words with one of the others (word-set overlap)."""
    return any(len(words & other) / len(words | other) >= 0.7 for other in others)


def test_no_training_example_is_a_near_copy_of_an_evaluation_message() -> None:
    """Every NLU training example against every safety evaluation message (tuned, development and
    unseen) and every frozen typed answer to the fit check: none may share 70% or more of its words
    with one (word-set overlap)."""
    examples: List[str] = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            examples += [line.strip()[2:] for line in str(block.get("examples", "")).splitlines() if line.strip().startswith("- ")]
    evaluation = [_words(item["text"]) for s in safety_sets() for item in load_texts(s.path)]
    assert len(evaluation) >= 1000
    # Typed answers to the fit check, from six words up: "not at all" or "i don't know" are everyday
    # words, not copies. Its questions and off-topic lines ("how much does the program cost") are
    # the classifier's own ground and may match its examples.
    typed = [_words(str(item["text"])) for item in load_items(FROZEN_SETS[0]) if item["expected"] not in NOT_ANSWERS]
    copies = []
    for example in examples:
        words = _words(example)
        if len(words) >= 3 and _nearly_copies(words, evaluation):
            copies.append(example)
        elif len(words) >= 6 and _nearly_copies(words, typed):
            copies.append(example)
    assert not copies, copies


def test_no_answer_the_fit_check_reading_learns_from_is_a_near_copy_of_a_frozen_answer() -> None:
    """The learned reading's training answers (data/screening/) against the frozen typed-answer
    sets: from four words up, none may share 70% or more of its words with a frozen answer."""
    frozen = [_words(str(item["text"])) for path in FROZEN_SETS for item in load_items(path)]
    assert len(frozen) >= 1500
    copies = []
    for example in load_examples(training_files()):
        words = _words(example.text)
        if len(words) >= 4 and _nearly_copies(words, frozen):
            copies.append(example.text)
    assert not copies, f"{len(copies)} training answers nearly copy a frozen answer"


def test_the_crisis_intent_has_its_own_examples() -> None:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "crisis.yml").read_text(encoding="utf-8"))
    blocks = [b for b in data["nlu"] if b.get("intent") == "crisis"]
    assert len(blocks) == 1
    assert sum(line.strip().startswith("- ") for line in blocks[0]["examples"].splitlines()) >= 50
