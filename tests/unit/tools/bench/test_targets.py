"""bot.tools.bench.targets: which of the issue's targets a result meets."""
from __future__ import annotations

from bot.tools.bench.targets import evaluate_targets
from tests.support.bench_sample import sample_result


def test_targets_summary() -> None:
    targets = {t["target"].split(" ")[0]: t for t in evaluate_targets(sample_result())}
    assert targets["p95"]["met"] is True
    assert targets["training"]["met"] is True
    assert targets["held-out"]["met"] is True
    latency = targets["latency"]
    assert latency["met"] is False and "50 users 1.20" in latency["measured"]

