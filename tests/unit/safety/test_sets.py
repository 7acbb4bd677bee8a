"""The deterministic crisis safety net (bot.safety), driven by the evaluation sets in bot/tools/eval_sets/.

See tests/unit/safety/sets.py for what each set holds.
"""
from __future__ import annotations

import difflib
from collections import Counter
from typing import Any, Dict

import pytest
import yaml

from bot.safety import detect_crisis, normalize
from bot.settings import PROJECT_ROOT as ROOT
from tests.unit.safety.sets import ADVICE, CRISIS, KINDS, MAX_FALSE_ALARM_RATE, NEAR_MISS, _short

# ------------------------------------------------------------------------------------------------
# The sets themselves
# ------------------------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------------------------
# Crisis recall
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", CRISIS, ids=[_short(i["text"]) for i in CRISIS])
def test_crisis_is_detected_with_its_kind(item: Dict[str, Any]) -> None:
    signal = detect_crisis(item["text"])
    assert signal is not None, f"missed crisis: {item['text']!r} (normalized: {normalize(item['text'])!r})"
    accepted = {item["kind"], item.get("also")} - {None}
    assert signal.kind in accepted, f"{item['text']!r}: kind {signal.kind} ({signal.rule}), expected {accepted}"


def test_crisis_recall_is_total() -> None:
    missed = [item["text"] for item in CRISIS if detect_crisis(item["text"]) is None]
    assert not missed, f"recall {1 - len(missed) / len(CRISIS):.1%}; missed: {missed}"


# ------------------------------------------------------------------------------------------------
# False alarms
# ------------------------------------------------------------------------------------------------


def test_near_miss_false_alarm_rate() -> None:
    alarms = []
    for item in NEAR_MISS:
        signal = detect_crisis(item["text"])
        if signal is not None:
            alarms.append(f"{item['text']!r} -> {signal.kind} ({signal.rule})")
    rate = len(alarms) / len(NEAR_MISS)
    assert rate <= MAX_FALSE_ALARM_RATE, (
        f"false-alarm rate {rate:.1%} > {MAX_FALSE_ALARM_RATE:.0%} on {len(NEAR_MISS)} near-misses:\n"
        + "\n".join(alarms)
    )
