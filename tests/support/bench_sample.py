"""A complete benchmark result (as bench.json holds it) for the tests of bot.tools.bench.report and targets."""
from __future__ import annotations

from typing import Any, Dict


def _level(ours: Dict[str, float], default: Dict[str, float], ratio: Dict[str, float], conversations: int) -> Dict[str, Any]:
    return {
        "conversations": conversations,
        "ours": {"median": ours},
        "default": {"median": default},
        "ratio_median": ratio,
    }


def sample_result(p95_at_10: float = 80.0, rate_at_10: float = 60.0, train_s: float = 90.0) -> Dict[str, Any]:
    lat = {"p50_ms": 30.0, "p95_ms": p95_at_10, "p99_ms": 150.0, "msgs_per_s": rate_at_10}
    slower = {"p50_ms": 40.0, "p95_ms": 100.0, "p99_ms": 200.0, "msgs_per_s": 45.0}
    return {
        "machine": {"nproc": 2, "cpu_model": "Test CPU", "ram_gb": 23.4, "python": "3.10.13", "rasa": "3.6.21",
                    "rasa_sdk": "3.6.2", "tensorflow": "2.12.0", "loadavg_start": "0.10", "loadavg_end": "0.20"},
        "settings": {"quick": False, "repetitions": 3, "training_repetitions": 1, "tf_intra": 1, "tf_inter": 1,
                     "messages_per_conversation": 21, "started": "2024-01-01T00:00:00+00:00"},
        "elapsed_s": 1200.0,
        "nlu": {
            "ours": {"heldout_accuracy": 0.9, "faq_topic_accuracy": 0.92, "heldout_total": 200, "crisis_recall": 1.0,
                     "crisis_total": 60, "near_miss_false_alarms": 0.02, "near_miss_total": 50,
                     "parse_p50_ms": 8.0, "parse_p95_ms": 12.0},
            "default": {"heldout_accuracy": 0.8, "faq_topic_accuracy": 0.81, "heldout_total": 200, "crisis_recall": 0.7,
                        "crisis_total": 60, "near_miss_false_alarms": 0.0, "near_miss_total": 50,
                        "parse_p50_ms": 10.0, "parse_p95_ms": 14.0},
        },
        "load": {
            "1": _level(lat, slower, {"p50_ms": 0.75, "p95_ms": 0.8, "p99_ms": 0.75, "msgs_per_s": 1.3}, 5),
            "10": _level(lat, slower, {"p50_ms": 0.75, "p95_ms": 0.8, "p99_ms": 0.75, "msgs_per_s": 1.3}, 20),
            "50": _level(lat, slower, {"p50_ms": 0.75, "p95_ms": 1.2, "p99_ms": 0.75, "msgs_per_s": 1.3}, 50),
        },
        "errors": {"ours": {"messages": 1000, "errors": 0, "completed": 75, "conversations": 75},
                   "default": {"messages": 1000, "errors": 2, "completed": 70, "conversations": 75}},
        "training": {"ours": {"median_s": train_s}, "default": {"median_s": 300.0}, "ratio_median": 0.3},
        "cold_start": {"ours": {"median_s": 20.0}, "default": {"median_s": 25.0}, "ratio_median": 0.8},
        "memory_mb": {"ours": {"rasa": {"median": 900.0}, "actions": {"median": 120.0}, "web": {"median": 60.0}},
                      "default": {"rasa": {"median": 1000.0}, "actions": {"median": 120.0}, "web": {"median": 60.0}},
                      "ratio_median": {"rasa": 0.9, "actions": 1.0, "web": 1.0}},
        "profile": {"ours": {"turn_ms": 30.0, "nlu_ms": 8.0, "policies_ms": 5.0, "actions_ms": 6.0,
                             "tracker_ms": 7.0, "other_ms": 4.0}},
    }


def row(markdown: str, starts: str) -> list:
    for line in markdown.splitlines():
        if line.startswith(f"| {starts}"):
            return [c.strip() for c in line.strip("|").split(" | ")]
    raise AssertionError(f"no row starting with {starts!r} in\n{markdown}")

