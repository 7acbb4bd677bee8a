"""The speed targets and whether a result meets them. They are reported, not asserted.

Machines of the same kind differ up to about 3.5 times in absolute speed, so the main bars are ratios to
Rasa's default configuration measured in the same run; the absolute bars hold on the machine whose
figures the README reports.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.tools.bench.fmt import fmt_num, fmt_pct
from bot.tools.bench.stats import dig, median_ratio

TARGET_LEVEL = 10  # concurrent conversations the closed-loop bars refer to
PACED_LEVEL = 50  # ... and the bar at a person's pace
MAX_CPU_RATIO = 0.30  # Rasa server CPU per message, ours / default
MIN_RATE_RATIO = 3.0  # messages/s, ours / default
MAX_P95_RATIO = 0.35  # p95 latency, ours / default
TARGET_MSGS_PER_S = 50.0
TARGET_P95_MS = 150.0
TARGET_PACED_P95_MS = 100.0
TARGET_TRAIN_S = 120.0
FULL_EPOCHS = 100  # what Rasa's default configuration trains its networks for


def _target(target: str, measured: str, met: Optional[bool]) -> Dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


def cpu_ratio(result: Dict[str, Any], level: str) -> Optional[float]:
    """Rasa server CPU per message (all Rasa servers), ours / default, at one load level: the median of
    the per-repetition ratios, as for the other ratios (the medians' ratio when runs are not kept)."""
    def per_run(label: str) -> List[Optional[float]]:
        return [dig(run, "cpu_ms_per_msg", "rasa") for run in dig(result, "load", level, label, "runs") or []]

    paired = median_ratio(per_run("ours"), per_run("default"))
    if paired is not None:
        return paired
    ours = dig(result, "load", level, "ours", "median", "cpu_ms_per_msg", "rasa")
    default = dig(result, "load", level, "default", "median", "cpu_ms_per_msg", "rasa")
    return None if not ours or not default else ours / default


def evaluate_targets(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Each target with what was measured and whether it was met (None: not measured in this run)."""
    level = str(TARGET_LEVEL)
    paced = bool(dig(result, "settings", "think_time_s"))
    targets: List[Dict[str, Any]] = []
    if not paced:
        ratio = cpu_ratio(result, level)
        targets.append(_target(
            f"Rasa server CPU per message <= {MAX_CPU_RATIO:.2f}x the default's ({TARGET_LEVEL} users)",
            fmt_num(ratio, 2, "x"), None if ratio is None else ratio <= MAX_CPU_RATIO,
        ))
        rate = dig(result, "load", level, "ratio_median", "msgs_per_s")
        targets.append(_target(
            f"messages/s >= {MIN_RATE_RATIO:.1f}x the default's ({TARGET_LEVEL} users, closed loop)",
            fmt_num(rate, 2, "x"), None if rate is None else rate >= MIN_RATE_RATIO,
        ))
        p95 = dig(result, "load", level, "ratio_median", "p95_ms")
        targets.append(_target(
            f"p95 <= {MAX_P95_RATIO:.2f}x the default's ({TARGET_LEVEL} users, closed loop)",
            fmt_num(p95, 2, "x"), None if p95 is None else p95 <= MAX_P95_RATIO,
        ))
        rate_abs = dig(result, "load", level, "ours", "median", "msgs_per_s")
        targets.append(_target(
            f">= {TARGET_MSGS_PER_S:.0f} messages/s ({TARGET_LEVEL} users, closed loop, ours)",
            fmt_num(rate_abs, 1, " msg/s"), None if rate_abs is None else rate_abs >= TARGET_MSGS_PER_S,
        ))
        p95_abs = dig(result, "load", level, "ours", "median", "p95_ms")
        targets.append(_target(
            f"p95 <= {TARGET_P95_MS:.0f} ms ({TARGET_LEVEL} users, closed loop, ours)",
            fmt_num(p95_abs, 0, " ms"), None if p95_abs is None else p95_abs <= TARGET_P95_MS,
        ))
    else:
        p95_paced = dig(result, "load", str(PACED_LEVEL), "ours", "median", "p95_ms")
        targets.append(_target(
            f"p95 <= {TARGET_PACED_P95_MS:.0f} ms ({PACED_LEVEL} users at a person's pace, ours)",
            fmt_num(p95_paced, 0, " ms"), None if p95_paced is None else p95_paced <= TARGET_PACED_P95_MS,
        ))
    train = dig(result, "training", "ours", "median_s")
    targets.append(_target(
        f"training <= {TARGET_TRAIN_S / 60:.0f} min (ours)", fmt_num(train, 0, " s"),
        None if train is None else train <= TARGET_TRAIN_S,
    ))
    ours_acc = dig(result, "nlu", "ours", "heldout_accuracy")
    default_acc = dig(result, "nlu", "default", "heldout_accuracy")
    if default_trained_briefly(result):
        default_acc = None  # a default trained for fewer epochs says nothing about accuracy
    targets.append(_target(
        "held-out accuracy above the default pipeline's", f"{fmt_pct(ours_acc)} vs {fmt_pct(default_acc)}",
        None if ours_acc is None or default_acc is None else ours_acc > default_acc,
    ))
    return targets


def default_trained_briefly(result: Dict[str, Any]) -> bool:
    """Whether the default's networks were trained for fewer than Rasa's 100 epochs (speed yardstick only)."""
    epochs = dig(result, "training", "default_epochs")
    return epochs is not None and epochs < FULL_EPOCHS
