"""The safety evaluation sets in bot/tools/eval_sets/: size, coverage, no overlap, and no copy in the
NLU training data. See tests/support/eval_sets.py for what each set holds."""
from __future__ import annotations

import difflib
from collections import Counter

import yaml

from bot.safety import normalize
from bot.settings import PROJECT_ROOT as ROOT
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


def test_nlu_crisis_examples_are_not_copied_from_the_evaluation_sets() -> None:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "crisis.yml").read_text(encoding="utf-8"))
    blocks = [b for b in data["nlu"] if b.get("intent") == "crisis"]
    assert len(blocks) == 1
    examples = [
        line.strip()[2:].strip()
        for line in blocks[0]["examples"].splitlines()
        if line.strip().startswith("- ")
    ]
    assert len(examples) >= 60
    evaluation = [normalize(item["text"]) for item in CRISIS + NEAR_MISS]
    copies = [
        (example, text)
        for example in examples
        for text in evaluation
        if difflib.SequenceMatcher(None, normalize(example), text).ratio() >= 0.85
    ]
    assert not copies, copies
