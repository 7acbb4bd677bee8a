"""The targets from the issue and whether a result meets them. They are reported, not asserted."""
from __future__ import annotations

from typing import Any, Dict, List

from bot.tools.bench.fmt import fmt_num, fmt_pct
from bot.tools.bench.stats import dig

TARGET_P95_MS = 100.0
TARGET_MSGS_PER_S = 50.0
TARGET_TRAIN_S = 120.0
TARGET_LEVEL = 10  # concurrent conversations the latency and throughput targets refer to


def evaluate_targets(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The issue's targets, each with what was measured and whether it was met (None: not measured)."""
    targets: List[Dict[str, Any]] = []
    level = str(TARGET_LEVEL)
    p95 = dig(result, "load", level, "ours", "median", "p95_ms")
    targets.append({
        "target": f"p95 <= {TARGET_P95_MS:.0f} ms per message at {TARGET_LEVEL} concurrent conversations (ours)",
        "measured": fmt_num(p95, 0, " ms"),
        "met": None if p95 is None else p95 <= TARGET_P95_MS,
    })
    rate = dig(result, "load", level, "ours", "median", "msgs_per_s")
    targets.append({
        "target": f">= {TARGET_MSGS_PER_S:.0f} messages/s at {TARGET_LEVEL} concurrent conversations (ours)",
        "measured": fmt_num(rate, 1, " msg/s"),
        "met": None if rate is None else rate >= TARGET_MSGS_PER_S,
    })
    train = dig(result, "training", "ours", "median_s")
    targets.append({
        "target": f"training <= {TARGET_TRAIN_S / 60:.0f} min (ours)",
        "measured": fmt_num(train, 0, " s"),
        "met": None if train is None else train <= TARGET_TRAIN_S,
    })
    ours_acc = dig(result, "nlu", "ours", "heldout_accuracy")
    default_acc = dig(result, "nlu", "default", "heldout_accuracy")
    targets.append({
        "target": "held-out accuracy above the default pipeline's",
        "measured": f"{fmt_pct(ours_acc)} vs {fmt_pct(default_acc)}",
        "met": None if ours_acc is None or default_acc is None else ours_acc > default_acc,
    })
    ratios = {lvl: dig(data, "ratio_median", "p95_ms") for lvl, data in (result.get("load") or {}).items()}
    present = {lvl: r for lvl, r in ratios.items() if r is not None}
    targets.append({
        "target": "latency at or below the default's (median paired p95 ratio <= 1.00 at every level)",
        "measured": ", ".join(f"{lvl} user{'s' if int(lvl) > 1 else ''} {r:.2f}" for lvl, r in sorted(present.items(), key=lambda kv: int(kv[0])))
        or "n/a",
        "met": None if not present else all(r <= 1.0 for r in present.values()),
    })
    return targets
