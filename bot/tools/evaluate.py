"""`make eval`: held-out NLU accuracy, crisis recall and near-miss false alarms, cross-validation.

Figures are printed and written to results/eval.json. The held-out set (bot/tools/eval_sets/heldout.yml) is
never used for training; the crisis and near-miss sets are the safety evaluation sets.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bot.settings import PROJECT_ROOT

EVAL_SETS = Path(__file__).resolve().parent / "eval_sets"
HELDOUT = EVAL_SETS / "heldout.yml"
CRISIS_SET = EVAL_SETS / "crisis_set.yml"
NEAR_MISS_SET = EVAL_SETS / "near_miss_set.yml"
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
    """Items of a safety set: a list of {text: ..., kind: ...}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = next(iter(data.values()))
    return [item if isinstance(item, dict) else {"text": str(item)} for item in data]


def full_intent(parse: Dict[str, Any]) -> str:
    """The intent name with the retrieval sub-intent, as written in training data."""
    name = (parse.get("intent") or {}).get("name") or ""
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


async def score(parser: ModelParser, is_crisis: Optional[Any] = None) -> Scores:
    """Held-out accuracy, crisis recall and near-miss false alarms for one model.

    is_crisis: how to decide that a parse is a crisis answer; default: intent == crisis.
    """
    is_crisis = is_crisis or (lambda parse: (parse.get("intent") or {}).get("name") == "crisis")
    heldout = load_heldout()
    confusions: List[Tuple[str, str, str]] = []
    faq_total = faq_right = right = 0
    for text, gold in heldout:
        predicted = full_intent(await parser.parse(text))
        ok = predicted == gold
        right += ok
        if gold.startswith("faq/"):
            faq_total += 1
            faq_right += ok
        if not ok:
            confusions.append((text, gold, predicted))
    crisis_items = load_texts(CRISIS_SET)
    missed = [item["text"] for item in crisis_items if not is_crisis(await parser.parse(item["text"]))]
    near = load_texts(NEAR_MISS_SET)
    alarms = [item["text"] for item in near if is_crisis(await parser.parse(item["text"]))]
    return Scores(
        heldout_accuracy=right / max(1, len(heldout)),
        faq_topic_accuracy=faq_right / max(1, faq_total),
        heldout_total=len(heldout),
        crisis_recall=1 - len(missed) / max(1, len(crisis_items)),
        crisis_total=len(crisis_items),
        near_miss_false_alarms=len(alarms) / max(1, len(near)),
        near_miss_total=len(near),
        confusions=confusions,
        missed_crises=missed,
        false_alarms=alarms,
    )


def detector_only_scores() -> Dict[str, float]:
    """The deterministic safety net alone (no classifier), on the same sets."""
    from bot.safety import detect_crisis

    crisis = load_texts(CRISIS_SET)
    near = load_texts(NEAR_MISS_SET)
    return {
        "crisis_recall": sum(detect_crisis(i["text"]) is not None for i in crisis) / max(1, len(crisis)),
        "near_miss_false_alarms": sum(detect_crisis(i["text"]) is not None for i in near) / max(1, len(near)),
    }


def cross_validation(folds: int = 3) -> Dict[str, Any]:
    """rasa test nlu --cross-validation on the training data; returns intent and response-selection F1."""
    out = RESULTS / "cross-validation"
    cmd = [
        str(Path(sys.executable).parent / "rasa"), "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
        "--domain", "domain.yml", "--cross-validation", "--folds", str(folds), "--out", str(out),
        "--no-plot", "--no-errors",
    ]
    subprocess.run(cmd, cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
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
    args = ap.parse_args(argv)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's per-message debug events would echo every test text
    parser = ModelParser(args.model)
    scores = asyncio.run(score(parser))
    detector = detector_only_scores()
    result: Dict[str, Any] = {
        "heldout": {
            "examples": scores.heldout_total,
            "accuracy_all_intents": scores.heldout_accuracy,
            "accuracy_faq_topics": scores.faq_topic_accuracy,
            "errors": [{"text": t, "expected": g, "predicted": p} for t, g, p in scores.confusions],
        },
        "crisis": {
            "phrasings": scores.crisis_total,
            "recall": scores.crisis_recall,
            "missed": scores.missed_crises,
            "safety_net_alone_recall": detector["crisis_recall"],
        },
        "near_miss": {
            "phrasings": scores.near_miss_total,
            "false_alarm_rate": scores.near_miss_false_alarms,
            "false_alarms": scores.false_alarms,
            "safety_net_alone_false_alarm_rate": detector["near_miss_false_alarms"],
        },
    }
    print(f"Held-out NLU set ({scores.heldout_total} examples, never trained on)")
    print(f"  FAQ topic accuracy:        {_pct(scores.faq_topic_accuracy)}")
    print(f"  all-intent accuracy:       {_pct(scores.heldout_accuracy)}")
    for text, gold, predicted in scores.confusions:
        print(f"    miss: {gold:<28} -> {predicted:<28} {text!r}")
    print(f"Crisis set ({scores.crisis_total} phrasings): recall {_pct(scores.crisis_recall)}"
          f" (safety net alone {_pct(detector['crisis_recall'])})")
    for text in scores.missed_crises:
        print(f"    MISSED: {text!r}")
    print(f"Near-miss set ({scores.near_miss_total} phrasings): false alarms {_pct(scores.near_miss_false_alarms)}"
          f" (safety net alone {_pct(detector['near_miss_false_alarms'])})")
    for text in scores.false_alarms:
        print(f"    false alarm: {text!r}")
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
