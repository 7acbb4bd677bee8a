"""bot.tools.bench.report: the markdown summary says plainly what was measured and what was met."""
from __future__ import annotations

from bot.tools.bench.report import render_markdown
from bot.tools.bench.targets import evaluate_targets
from tests.support.bench_sample import row, sample_result


def test_report_has_machine_line_and_all_measures() -> None:
    markdown = render_markdown(sample_result())
    assert "2 cores (Test CPU)" in markdown and "Rasa 3.6.21" in markdown and "Python 3.10.13" in markdown
    for measure in ("Held-out accuracy, all intents", "Crisis recall", "Near-misses given the crisis reply or the check-in", "NLU parse alone",
                    "1 user (5 conversations)", "10 users (20 conversations)", "50 users (50 conversations)",
                    "Training time", "Cold start", "Peak RSS (VmHWM), Rasa server", "Peak RSS (VmHWM), website"):
        assert measure in markdown, measure
    header = markdown.splitlines()[4]
    assert header == "| measure | ours | Rasa default | ours/default | target | met? |"


def test_report_says_plainly_when_targets_are_met_or_missed() -> None:
    result = sample_result()
    for level in ("10",):  # ratios that meet the bars: p95 0.30x, messages/s 3.2x
        result["load"][level]["ratio_median"].update(p95_ms=0.30, msgs_per_s=3.2)
    good = render_markdown(result)
    assert row(good, "10 users (20")[-2:] == ["p95 <= 150 ms and <= 0.35x", "yes"]
    assert row(good, "10 users: messages/s")[-2:] == [">= 50 and >= 3.0x", "yes"]
    assert row(good, "Training time")[-1] == "yes"
    assert row(good, "Held-out accuracy, all intents")[1:3] == ["90.0%", "80.0%"]
    assert row(good, "50 users (50")[-2:] == ["", ""]  # no bar at 50 users, closed loop

    slow_ratio = render_markdown(sample_result())  # absolute bars met, ratios 0.8x and 1.3x are not
    assert row(slow_ratio, "10 users (20")[-1] == "**no**"
    assert row(slow_ratio, "10 users: messages/s")[-1] == "**no**"

    bad = render_markdown(sample_result(p95_at_10=250.0, rate_at_10=20.0, train_s=300.0))
    assert row(bad, "10 users (20")[-1] == "**no**"
    assert row(bad, "10 users: messages/s")[-1] == "**no**"
    assert row(bad, "Training time")[-1] == "**no**"
    assert row(bad, "p95 <= 150 ms (10 users")[1:] == ["250 ms", "**no**"]


def test_a_briefly_trained_default_shows_its_speed_not_its_accuracy() -> None:
    result = sample_result()
    result["training"]["default_epochs"] = 1
    markdown = render_markdown(result)
    assert "trained for 1 epoch(s), not 100" in markdown
    assert row(markdown, "Held-out accuracy, all intents")[1:3] == ["90.0%", "n/a"]
    assert row(markdown, "NLU parse alone")[2] == "10.0 / 14.0 ms"


def test_report_survives_missing_parts() -> None:
    markdown = render_markdown({"machine": {}, "settings": {"quick": True}})
    assert "n/a" in markdown
    assert all(t["met"] is None for t in evaluate_targets({}))


def test_report_shows_cpu_per_message_when_measured() -> None:
    result = sample_result()
    result["load"]["10"]["ours"]["median"]["cpu_ms_per_msg"] = {"rasa": 41.5, "actions": 9.0, "client": 1.2}
    markdown = render_markdown(result)
    assert row(markdown, "CPU time per message at 10 users, Rasa server")[1:] == ["41.5", "n/a"]


def test_report_states_the_pacing() -> None:
    result = sample_result()
    assert "no think time (closed loop)" in render_markdown(result)
    result["settings"]["think_time_s"] = 3.0
    assert "think time 3 s (mean) before each message" in render_markdown(result)



def test_report_says_when_one_configuration_was_measured() -> None:
    result = sample_result()
    assert "only (no ratios)" not in render_markdown(result)
    result["settings"]["labels"] = ["ours"]
    assert "Run: full, ours only (no ratios), " in render_markdown(result)


def test_errors_are_judged_on_ours_the_default_s_are_shown() -> None:
    result = sample_result()  # the default had 2 errors, ours none
    assert row(render_markdown(result), "Errors")[1:] == ["0 of 1000", "2 of 1000", "", "0 (ours)", "yes"]
    result["errors"]["ours"]["errors"] = 1
    assert row(render_markdown(result), "Errors")[-1] == "**no**"
