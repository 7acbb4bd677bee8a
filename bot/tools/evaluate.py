"""`make eval`: held-out NLU accuracy, crisis recall and near-miss false alarms, fit-check typed
answers, cross-validation.

Figures are printed and written to results/eval.json. The held-out set (bot/tools/eval_sets/heldout.yml)
is never used for training; the unseen FAQ-topic sets (faq_unseen*.yml) were written from topic
descriptions only and are never tuned on, so only which topics they confuse is printed, not their
questions. The safety sets come in two groups, reported apart:

- tuned: crisis_set / near_miss_set and the development sets dev_*, dev2_* and dev3_*, used while writing
  the rules (so they measure fit, not generalisation);
- unseen: unseen/crisis_batch*.yml and unseen/near_miss_batch*.yml, written apart from the rules,
  the training data and the other sets, frozen when committed and never used for tuning.

The fit check's typed answers (bot/tools/typed_answers.py) are scored on the learned reading's training
sets (data/screening/, fit) and the frozen sets in tests/screening/ (unseen, texts hidden).

A crisis message counts as caught when the same turn carries 988/911: the crisis reply (intent
`crisis`) or the safety check-in (intent `possible_risk`). A near-miss counts against the
assistant when it gets the crisis reply; check-ins on near-misses are reported beside it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot.settings import PROJECT_ROOT
from bot.screening.classifier import training_files
from bot.tools.typed_answers import FROZEN_SETS, TypedScores, load_items
from bot.tools.typed_answers import score as typed_score

EVAL_SETS = Path(__file__).resolve().parent / "eval_sets"
HELDOUT = EVAL_SETS / "heldout.yml"
FAQ_UNSEEN = EVAL_SETS / "faq_unseen.yml"
FAQ_UNSEEN_2 = EVAL_SETS / "faq_unseen2.yml"
FAQ_UNSEEN_3 = EVAL_SETS / "faq_unseen3.yml"
FAQ_UNSEEN_4 = EVAL_SETS / "faq_unseen4.yml"
# Key in results/eval.json -> (file, what the printed heading says of it).
FAQ_UNSEEN_SETS = {
    "faq_unseen": (FAQ_UNSEEN, "Unseen FAQ-topic set"),
    "faq_unseen2": (FAQ_UNSEEN_2, "Unseen FAQ-topic set 2"),
    "faq_unseen3": (FAQ_UNSEEN_3, "Unseen FAQ-topic set 3"),
    "faq_unseen4": (FAQ_UNSEEN_4, "Unseen FAQ-topic set 4"),
}
CRISIS_SET = EVAL_SETS / "crisis_set.yml"
NEAR_MISS_SET = EVAL_SETS / "near_miss_set.yml"
UNSEEN = EVAL_SETS / "unseen"
SAFETY_INTENTS = ("crisis", "possible_risk")
MODEL = PROJECT_ROOT / "models" / "iop.tar.gz"
RESULTS = PROJECT_ROOT / "results"


def load_heldout(path: Path = HELDOUT) -> List[Tuple[str, str]]:
    """(text, full intent) pairs from a Rasa NLU YAML file, e.g. ('cost?', 'faq/cost')."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs: List[Tuple[str, str]] = []
    for block in data.get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), intent))
    return pairs


def load_texts(path: Path) -> List[Dict[str, Any]]:
    """Items of a safety set: a list of {text: ..., kind / category: ...}, bare or under `items`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):  # {version: 1, items: [...]}
        data = data["items"] if "items" in data else next(iter(data.values()))
    return [item if isinstance(item, dict) else {"text": str(item)} for item in data]


# The first held-out set was labelled before these topics were split off the ones named: a question
# about methadone labelled "medication" is answered better by the opioid-medication topic. Reported
# beside the figure as labelled, never instead of it.
SPLIT_OFF = {
    "faq/medication_mat": {"faq/opioid_medication"},
    "faq/detox_first": {"faq/still_using"},
    "faq/who_is_it_for": {"faq/teens"},
    "faq/approach_loved_one": {"faq/loved_one_refuses"},
    "faq/family_involvement": {"faq/family_support"},
    "faq/support_groups": {"faq/family_support"},
}

# A request to plan a talk with a named loved one is that topic's guided version (bot/family/entry.py):
# scored as the topic, since the question was understood.
GUIDED_TOPICS = {"start_family_plan": "faq/approach_loved_one"}


def full_intent(parse: Dict[str, Any]) -> str:
    """The intent name with the retrieval sub-intent, as written in training data."""
    name = (parse.get("intent") or {}).get("name") or ""
    if name in GUIDED_TOPICS:
        return GUIDED_TOPICS[name]
    if name == "faq":
        response = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        key = response.get("intent_response_key")
        if key:
            return key
    return name


@dataclass
class Scores:
    """Accuracy figures for one model."""

    heldout_accuracy: float
    faq_topic_accuracy: float
    heldout_total: int
    crisis_recall: float
    crisis_total: int
    near_miss_false_alarms: float
    near_miss_total: int
    confusions: List[Tuple[str, str, str]]
    missed_crises: List[str]
    false_alarms: List[str]


class ModelParser:
    """Parses texts with a trained Rasa model (NLU only, in process)."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent

        self.agent = Agent.load(str(model))

    async def parse(self, text: str) -> Dict[str, Any]:
        return await self.agent.parse_message(text)


@dataclass
class Heldout:
    """Accuracy on the held-out NLU set."""

    accuracy: float
    faq_topic_accuracy: float
    total: int
    confusions: List[Tuple[str, str, str]]
    # FAQ-topic accuracy counting a topic split off the labelled one as right (SPLIT_OFF).
    faq_with_splits: float = 0.0


async def heldout_scores(parser: ModelParser, path: Path = HELDOUT) -> Heldout:
    """All-intent and FAQ-topic accuracy on a held-out set, with the confusions."""
    heldout = load_heldout(path)
    confusions: List[Tuple[str, str, str]] = []
    faq_total = faq_right = split_right = right = 0
    for text, gold in heldout:
        predicted = full_intent(await parser.parse(text))
        ok = predicted == gold
        right += ok
        if gold.startswith("faq/"):
            faq_total += 1
            faq_right += ok
            split_right += ok or predicted in SPLIT_OFF.get(gold, ())
        if not ok:
            confusions.append((text, gold, predicted))
    return Heldout(
        right / max(1, len(heldout)), faq_right / max(1, faq_total), len(heldout), confusions, split_right / max(1, faq_total)
    )


async def score(parser: ModelParser, is_crisis: Optional[Any] = None) -> Scores:
    """Held-out accuracy, crisis recall and near-miss alarms (crisis reply or check-in) for one model.

    is_crisis: how to decide that a parse is a safety answer; default: crisis or possible_risk.
    """
    is_crisis = is_crisis or (lambda parse: (parse.get("intent") or {}).get("name") in SAFETY_INTENTS)
    held = await heldout_scores(parser)
    crisis_items = load_texts(CRISIS_SET)
    missed = [item["text"] for item in crisis_items if not is_crisis(await parser.parse(item["text"]))]
    near = load_texts(NEAR_MISS_SET)
    alarms = [item["text"] for item in near if is_crisis(await parser.parse(item["text"]))]
    return Scores(
        heldout_accuracy=held.accuracy,
        faq_topic_accuracy=held.faq_topic_accuracy,
        heldout_total=held.total,
        crisis_recall=1 - len(missed) / max(1, len(crisis_items)),
        crisis_total=len(crisis_items),
        near_miss_false_alarms=len(alarms) / max(1, len(near)),
        near_miss_total=len(near),
        confusions=held.confusions,
        missed_crises=missed,
        false_alarms=alarms,
    )


@dataclass(frozen=True)
class SafetySet:
    """One safety set: its messages signal risk (`risky`) or are near-misses; tuned or unseen."""

    name: str
    path: Path
    risky: bool
    unseen: bool


def safety_sets() -> List[SafetySet]:
    """The tuned sets first, then the unseen batches in order."""
    sets = [
        SafetySet("crisis_set", CRISIS_SET, True, False),
        SafetySet("near_miss_set", NEAR_MISS_SET, False, False),
    ]
    for name, risky in (
        ("dev_crisis_set", True), ("dev_near_miss_set", False), ("dev2_crisis_set", True), ("dev2_near_miss_set", False),
        ("dev3_crisis_set", True), ("dev3_near_miss_set", False), ("dev4_crisis_set", True), ("dev4_near_miss_set", False),
        ("dev5_crisis_set", True), ("dev5_near_miss_set", False),
    ):
        if (EVAL_SETS / f"{name}.yml").exists():
            sets.append(SafetySet(name, EVAL_SETS / f"{name}.yml", risky, False))
    for path in sorted(UNSEEN.glob("*_batch*.yml")):
        sets.append(SafetySet(f"unseen/{path.stem}", path, path.stem.startswith("crisis"), True))
    return sets


def outcome(parse: Dict[str, Any]) -> str:
    """What the person gets in this turn: the crisis reply, the check-in, or neither."""
    name = (parse.get("intent") or {}).get("name")
    return {"crisis": "crisis_reply", "possible_risk": "check_in"}.get(str(name), "neither")


async def safety_scores(parser: ModelParser, safety_set: SafetySet) -> Dict[str, Any]:
    """Per-category figures of one safety set through the whole NLU pipeline (and the rules alone)."""
    from bot.safety import assess

    items = load_texts(safety_set.path)
    rows = []
    for item in items:
        signal = assess(item["text"])
        rows.append({
            "text": item["text"],
            "category": str(item.get("category") or item.get("kind") or "all"),
            "outcome": outcome(await parser.parse(item["text"])),
            "rules": "neither" if signal is None else ("crisis_reply" if signal.definite else "check_in"),
        })
    categories: Dict[str, Dict[str, Any]] = {}
    for category in sorted({r["category"] for r in rows}):
        chosen = [r for r in rows if r["category"] == category]
        categories[category] = _rates(chosen)
    result: Dict[str, Any] = {"messages": len(rows), "risky": safety_set.risky, "unseen": safety_set.unseen}
    result.update(_rates(rows))
    result["rules_alone"] = {
        "crisis_reply": _share(rows, lambda r: r["rules"] == "crisis_reply"),
        "988_same_turn": _share(rows, lambda r: r["rules"] != "neither"),
    }
    result["categories"] = categories
    wrong = (lambda r: r["outcome"] == "neither") if safety_set.risky else (lambda r: r["outcome"] != "neither")
    result["not_as_expected"] = [{"text": r["text"], "category": r["category"], "outcome": r["outcome"]} for r in rows if wrong(r)]
    return result


def _share(rows: List[Dict[str, Any]], test: Any) -> float:
    return sum(1 for r in rows if test(r)) / max(1, len(rows))


def _rates(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        "n": len(rows),
        "988_same_turn": _share(rows, lambda r: r["outcome"] != "neither"),
        "crisis_reply": _share(rows, lambda r: r["outcome"] == "crisis_reply"),
        "check_in": _share(rows, lambda r: r["outcome"] == "check_in"),
    }


def print_safety(name: str, figures: Dict[str, Any], show_texts: bool) -> None:
    label = "unseen" if figures["unseen"] else "tuned"
    if figures["risky"]:
        print(f"{name} ({figures['messages']} crisis messages, {label}): 988/911 in the same turn "
              f"{_pct(figures['988_same_turn'])} (crisis reply {_pct(figures['crisis_reply'])}, check-in "
              f"{_pct(figures['check_in'])}; rules alone {_pct(figures['rules_alone']['988_same_turn'])})")
    else:
        print(f"{name} ({figures['messages']} near-misses, {label}): crisis reply {_pct(figures['crisis_reply'])}, "
              f"check-in {_pct(figures['check_in'])} (rules alone: crisis reply "
              f"{_pct(figures['rules_alone']['crisis_reply'])})")
    for category, c in figures["categories"].items():
        main = c["988_same_turn"] if figures["risky"] else c["crisis_reply"]
        print(f"    {category:<20} {c['n']:>4}  {_pct(main):>7}   (crisis reply {_pct(c['crisis_reply'])}, check-in {_pct(c['check_in'])})")
    if show_texts:
        for row in figures.get("not_as_expected", []):
            print(f"      {row['outcome']:<12} {row['category']:<18} {row['text']!r}")


def typed_answer_sets() -> List[Tuple[str, Path, bool]]:
    """(name, path, unseen): the learned reading's training sets (fit) and the frozen sets."""
    sets = [(p.stem, p, False) for p in training_files()]
    return sets + [(f"{path.stem} (frozen)", path, True) for path in FROZEN_SETS]


def print_typed(name: str, typed: TypedScores, unseen: bool, show_texts: bool) -> None:
    label = "unseen" if unseen else "trained on"
    print(f"Fit-check typed answers, {name} ({typed.total}, {label}): read correctly {_pct(typed.accuracy)}, "
          f"risky answers read as the safe one: {typed.risk_read_as_safe}, crises without 988/911: {typed.crisis_missed}")
    print(f"    plain answers given the check-in and kept after its \"no\": {typed.kept} "
          f"(read correctly with them: {_pct(typed.accuracy_with_kept)})")
    print("    " + ", ".join(f"{q} {_pct(c / max(1, n))}" for q, (c, n) in typed.by_question.items()))
    if show_texts:
        for error in typed.errors:
            print(f"      {error['question']:<16} expected {error['expected']:<10} got {error['got']:<10} {error['text']!r}")


def cross_validation(folds: int = 3) -> Dict[str, Any]:
    """rasa test nlu --cross-validation on the training data; returns intent and response-selection F1."""
    out = RESULTS / "cross-validation"
    cmd = [
        str(Path(sys.executable).parent / "rasa"), "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
        "--domain", "domain.yml", "--cross-validation", "--folds", str(folds), "--out", str(out),
        "--no-plot", "--no-errors",
    ]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}  # nothing leaves the machine, errors included
    subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    figures: Dict[str, Any] = {}
    for name, path in (("intent", out / "intent_report.json"), ("response_selection", out / "response_selection_report.json")):
        if path.exists():
            report = json.loads(path.read_text())
            figures[name] = {
                "accuracy": report.get("accuracy"),
                "weighted_f1": (report.get("weighted avg") or {}).get("f1-score"),
            }
    return figures


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation (it retrains 3 times)")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--show-unseen", action="store_true",
                    help="also list the unseen messages handled wrongly (for reports, never for tuning)")
    args = ap.parse_args(argv)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's per-message debug events would echo every test text
    parser = ModelParser(args.model)
    held = asyncio.run(heldout_scores(parser))
    result: Dict[str, Any] = {
        "heldout": {
            "examples": held.total,
            "accuracy_all_intents": held.accuracy,
            "accuracy_faq_topics": held.faq_topic_accuracy,
            "accuracy_faq_topics_with_splits": held.faq_with_splits,
            "errors": [{"text": t, "expected": g, "predicted": p} for t, g, p in held.confusions],
        },
    }
    print(f"Held-out NLU set ({held.total} examples, never trained on)")
    print(f"  FAQ topic accuracy:        {_pct(held.faq_topic_accuracy)}"
          f" ({_pct(held.faq_with_splits)} counting the topics split off since as right)")
    print(f"  all-intent accuracy:       {_pct(held.accuracy)}")
    for text, gold, predicted in held.confusions:
        print(f"    miss: {gold:<28} -> {predicted:<28} {text!r}")
    shown = args.show_unseen
    for key, (path, heading) in FAQ_UNSEEN_SETS.items():
        unseen = asyncio.run(heldout_scores(parser, path))
        result[key] = {
            "examples": unseen.total,
            "accuracy_faq_topics": unseen.faq_topic_accuracy,
            "errors": [
                {"text": t, "expected": g, "predicted": p} if shown else {"expected": g, "predicted": p}
                for t, g, p in unseen.confusions
            ],
        }
        print(f"{heading} ({unseen.total} questions, written apart, never tuned on)")
        print(f"  FAQ topic accuracy:        {_pct(unseen.faq_topic_accuracy)}")
        for text, gold, predicted in unseen.confusions:
            print(f"    miss: {gold:<28} -> {predicted:<28}" + (f" {text!r}" if shown else ""))
    result["safety"] = {}
    for safety_set in safety_sets():
        figures = asyncio.run(safety_scores(parser, safety_set))
        if safety_set.unseen and not args.show_unseen:
            figures.pop("not_as_expected")  # unseen messages stay out of sight while rules are written
        result["safety"][safety_set.name] = figures
        print_safety(safety_set.name, figures, show_texts=not safety_set.unseen or args.show_unseen)
    result["typed_answers"] = {}
    for name, path, unseen in typed_answer_sets():
        typed = asyncio.run(typed_score(load_items(path), parser.parse))
        result["typed_answers"][name] = dict(typed.as_dict(with_texts=not unseen or args.show_unseen), unseen=unseen)
        print_typed(name, typed, unseen, show_texts=not unseen or args.show_unseen)
    if not args.no_cv:
        print(f"Cross-validation ({args.folds} folds on the training data)...", flush=True)
        cv = cross_validation(args.folds)
        result["cross_validation"] = cv
        for name, figures in cv.items():
            print(f"  {name}: accuracy {_pct(figures['accuracy'] or 0)}, weighted F1 {_pct(figures['weighted_f1'] or 0)}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.json").write_text(json.dumps(result, indent=2))
    print(f"Written to {RESULTS / 'eval.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
