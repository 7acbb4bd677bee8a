"""The arithmetic of the benchmark: percentiles, medians over repetitions and ours/default pairs.

Pure functions, so that what the report claims can be checked by unit tests without a stack.
"""
from __future__ import annotations

import math
import statistics
from typing import Any, Dict, Iterable, List, Optional, Sequence

# The two sides of every comparison: our configuration and Rasa's default pipeline.
LABELS = ("ours", "default")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(ordered[low])
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def median(values: Iterable[Optional[float]]) -> Optional[float]:
    """Median of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def paired_ratios(ours: Sequence[Optional[float]], default: Sequence[Optional[float]]) -> List[float]:
    """ours[i] / default[i] for each repetition i; pairs with a missing or zero value are skipped.

    Both lists come from the same repetitions in the same order, so unequal lengths are a bug.
    """
    if len(ours) != len(default):
        raise ValueError(f"unpaired runs: {len(ours)} ours vs {len(default)} default")
    ratios: List[float] = []
    for mine, theirs in zip(ours, default):
        if mine is None or theirs is None or theirs == 0:
            continue
        ratios.append(mine / theirs)
    return ratios


def measured_ratios(ours: Sequence[Optional[float]], default: Sequence[Optional[float]]) -> List[float]:
    """paired_ratios, or no ratios when one side was not measured at all (`--only`, a reused model)."""
    if not ours or not default:
        return []
    return paired_ratios(ours, default)


def ratio_entry(ours: Sequence[Optional[float]], default: Sequence[Optional[float]]) -> Dict[str, Any]:
    """The per-pair ratios ours/default and their median (None if no pair is complete)."""
    ratios = measured_ratios(ours, default)
    return {"ratios": ratios, "ratio_median": median(ratios)}


def median_ratio(ours: Sequence[Optional[float]], default: Sequence[Optional[float]]) -> Optional[float]:
    """Median of the per-pair ratios ours/default (None if no pair is complete)."""
    return ratio_entry(ours, default)["ratio_median"]


def latency_summary(latencies_s: Sequence[float], wall_s: float, messages: int, errors: int) -> Dict[str, Any]:
    """Per-message latency percentiles (ms) and throughput for one load run."""
    ms = [1000.0 * v for v in latencies_s]
    return {
        "messages": messages,
        "errors": errors,
        "wall_s": wall_s,
        "msgs_per_s": messages / wall_s if wall_s > 0 else None,
        "p50_ms": percentile(ms, 50) if ms else None,
        "p95_ms": percentile(ms, 95) if ms else None,
        "p99_ms": percentile(ms, 99) if ms else None,
        "max_ms": max(ms) if ms else None,
    }


def summarise_runs(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Medians over the repetitions of one load level for one model, CPU per message by process."""
    keys = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "msgs_per_s", "wall_s")
    summary: Dict[str, Any] = {k: median(r.get(k) for r in runs) for k in keys}
    roles = sorted({role for r in runs for role in (r.get("cpu_ms_per_msg") or {})})
    summary["cpu_ms_per_msg"] = {role: median(dig(r, "cpu_ms_per_msg", role) for r in runs) for role in roles}
    return summary


def dig(data: Any, *keys: Any) -> Any:
    """data[k1][k2]... or None when any level is missing: results may lack parts (quick runs, failures)."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data
