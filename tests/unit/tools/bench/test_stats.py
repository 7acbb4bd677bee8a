"""bot.tools.bench.stats: percentiles, medians over repetitions, ratios taken pair by pair."""
from __future__ import annotations

import pytest

from bot.tools.bench.stats import latency_summary, measured_ratios, median, median_ratio, paired_ratios, percentile


@pytest.mark.parametrize(
    "values, q, expected",
    [
        ([5.0], 50, 5.0),
        ([5.0], 99, 5.0),
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4], 0, 1.0),
        ([1, 2, 3, 4], 100, 4.0),
        ([4, 1, 3, 2], 50, 2.5),  # order does not matter
        (list(range(1, 101)), 95, 95.05),
        (list(range(1, 101)), 99, 99.01),
        ([10, 20], 95, 19.5),
    ],
)
def test_percentile_linear_interpolation(values, q, expected) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_matches_numpy() -> None:
    numpy = pytest.importorskip("numpy")
    values = [0.013, 0.2, 0.051, 0.07, 0.9, 0.033, 0.04, 0.041, 0.5, 0.0071, 0.08]
    for q in (0, 1, 25, 50, 90, 95, 99, 100):
        assert percentile(values, q) == pytest.approx(float(numpy.percentile(values, q)))


def test_percentile_rejects_empty_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_median_ignores_missing_values() -> None:
    assert median([3.0, None, 1.0, 2.0]) == 2.0
    assert median([None, None]) is None
    assert median([]) is None


def test_latency_summary_in_milliseconds() -> None:
    summary = latency_summary([0.01, 0.02, 0.03, 0.04], wall_s=2.0, messages=4, errors=1)
    assert summary["p50_ms"] == pytest.approx(25.0)
    assert summary["max_ms"] == pytest.approx(40.0)
    assert summary["msgs_per_s"] == pytest.approx(2.0)
    assert summary["errors"] == 1
    empty = latency_summary([], wall_s=0.0, messages=0, errors=0)
    assert empty["p95_ms"] is None and empty["msgs_per_s"] is None


def test_ratios_are_taken_pair_by_pair() -> None:
    # repetition 2 was slow for both: pairing cancels it, pooling would not
    ours = [10.0, 40.0, 12.0]
    default = [20.0, 80.0, 20.0]
    assert paired_ratios(ours, default) == pytest.approx([0.5, 0.5, 0.6])
    assert median_ratio(ours, default) == pytest.approx(0.5)
    assert median(ours) / median(default) == pytest.approx(0.6)  # what pooling would say


def test_incomplete_pairs_are_skipped() -> None:
    assert paired_ratios([1.0, None, 3.0, 4.0], [2.0, 2.0, None, 0.0]) == [0.5]
    assert median_ratio([None], [1.0]) is None


def test_unequal_repetitions_are_an_error() -> None:
    with pytest.raises(ValueError):
        paired_ratios([1.0, 2.0], [1.0])



def test_a_side_not_measured_gives_no_ratios() -> None:
    # `--only ours`, or a reused model whose training was not timed: nothing to pair with
    assert measured_ratios([1.0, 2.0], []) == []
    assert measured_ratios([], [3.0]) == []
    assert measured_ratios([1.0], [2.0]) == [0.5]
    with pytest.raises(ValueError):
        measured_ratios([1.0, 2.0], [1.0])
