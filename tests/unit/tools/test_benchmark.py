"""The pure parts of bot.tools.benchmark: statistics, ratio pairing, targets and the markdown report."""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, Dict

import pytest
import yaml

from bot.tools import benchmark as bench


# --- percentile / median ---------------------------------------------------------------------------


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
    assert bench.percentile(values, q) == pytest.approx(expected)


def test_percentile_matches_numpy() -> None:
    numpy = pytest.importorskip("numpy")
    values = [0.013, 0.2, 0.051, 0.07, 0.9, 0.033, 0.04, 0.041, 0.5, 0.0071, 0.08]
    for q in (0, 1, 25, 50, 90, 95, 99, 100):
        assert bench.percentile(values, q) == pytest.approx(float(numpy.percentile(values, q)))


def test_percentile_rejects_empty_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        bench.percentile([], 50)
    with pytest.raises(ValueError):
        bench.percentile([1.0], 101)


def test_median_ignores_missing_values() -> None:
    assert bench.median([3.0, None, 1.0, 2.0]) == 2.0
    assert bench.median([None, None]) is None
    assert bench.median([]) is None


def test_latency_summary_in_milliseconds() -> None:
    summary = bench.latency_summary([0.01, 0.02, 0.03, 0.04], wall_s=2.0, messages=4, errors=1)
    assert summary["p50_ms"] == pytest.approx(25.0)
    assert summary["max_ms"] == pytest.approx(40.0)
    assert summary["msgs_per_s"] == pytest.approx(2.0)
    assert summary["errors"] == 1
    empty = bench.latency_summary([], wall_s=0.0, messages=0, errors=0)
    assert empty["p95_ms"] is None and empty["msgs_per_s"] is None


# --- ratio pairing ---------------------------------------------------------------------------------


def test_ratios_are_taken_pair_by_pair() -> None:
    # repetition 2 was slow for both: pairing cancels it, pooling would not
    ours = [10.0, 40.0, 12.0]
    default = [20.0, 80.0, 20.0]
    assert bench.paired_ratios(ours, default) == pytest.approx([0.5, 0.5, 0.6])
    assert bench.median_ratio(ours, default) == pytest.approx(0.5)
    assert bench.median(ours) / bench.median(default) == pytest.approx(0.6)  # what pooling would say


def test_incomplete_pairs_are_skipped() -> None:
    assert bench.paired_ratios([1.0, None, 3.0, 4.0], [2.0, 2.0, None, 0.0]) == [0.5]
    assert bench.median_ratio([None], [1.0]) is None


def test_unequal_repetitions_are_an_error() -> None:
    with pytest.raises(ValueError):
        bench.paired_ratios([1.0, 2.0], [1.0])


# --- markdown --------------------------------------------------------------------------------------


def test_markdown_table_shape_and_escaping() -> None:
    table = bench.markdown_table(["a", "b"], [["1", "x|y"], ["2", "two\nlines"]])
    lines = table.splitlines()
    assert lines[0] == "| a | b |"
    assert lines[1] == "| --- | --- |"
    assert lines[2] == "| 1 | x\\|y |"
    assert lines[3] == "| 2 | two lines |"


def test_markdown_table_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError):
        bench.markdown_table(["a", "b"], [["only one"]])


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


def _row(markdown: str, starts: str) -> list:
    for line in markdown.splitlines():
        if line.startswith(f"| {starts}"):
            return [c.strip() for c in line.strip("|").split(" | ")]
    raise AssertionError(f"no row starting with {starts!r} in\n{markdown}")


def test_report_has_machine_line_and_all_measures() -> None:
    markdown = bench.render_markdown(sample_result())
    assert "2 cores (Test CPU)" in markdown and "Rasa 3.6.21" in markdown and "Python 3.10.13" in markdown
    for measure in ("Held-out accuracy, all intents", "Crisis recall", "Near-miss false alarms", "NLU parse alone",
                    "1 user (5 conversations)", "10 users (20 conversations)", "50 users (50 conversations)",
                    "Training time", "Cold start", "Peak RSS (VmHWM), Rasa server", "Peak RSS (VmHWM), website"):
        assert measure in markdown, measure
    header = markdown.splitlines()[4]
    assert header == "| measure | ours | Rasa default | ours/default | target | met? |"


def test_report_says_plainly_when_targets_are_met_or_missed() -> None:
    good = bench.render_markdown(sample_result())
    assert _row(good, "10 users (20")[-1] == "yes"
    assert _row(good, "10 users: messages/s")[-1] == "yes"
    assert _row(good, "Training time")[-1] == "yes"
    assert _row(good, "Held-out accuracy, all intents")[1:3] == ["90.0%", "80.0%"]
    # at 50 users ours is slower than the default (ratio 1.2): that is a miss
    assert _row(good, "50 users (50")[-1] == "**no**"

    bad = bench.render_markdown(sample_result(p95_at_10=250.0, rate_at_10=20.0, train_s=300.0))
    assert _row(bad, "10 users (20")[-1] == "**no**"
    assert _row(bad, "10 users: messages/s")[-1] == "**no**"
    assert _row(bad, "Training time")[-1] == "**no**"
    assert _row(bad, "p95 <= 100 ms per message")[1:] == ["250 ms", "**no**"]


def test_targets_summary() -> None:
    targets = {t["target"].split(" ")[0]: t for t in bench.evaluate_targets(sample_result())}
    assert targets["p95"]["met"] is True
    assert targets["training"]["met"] is True
    assert targets["held-out"]["met"] is True
    latency = targets["latency"]
    assert latency["met"] is False and "50 users 1.20" in latency["measured"]


def test_report_survives_missing_parts() -> None:
    markdown = bench.render_markdown({"machine": {}, "settings": {"quick": True}})
    assert "n/a" in markdown
    assert all(t["met"] is None for t in bench.evaluate_targets({}))


# --- conversation script and parse helpers ---------------------------------------------------------


def test_script_covers_faq_screening_and_callback() -> None:
    script = bench.conversation_script(0)
    texts = [value for _, value in script]
    assert texts[0] == "hi"
    assert sum(t in bench.FAQ_QUESTIONS for t in texts) == 3
    assert "/start_screening" in texts and ("click", "callback") in script
    assert bench.messages_per_conversation() == len(script)
    assert bench.conversation_script(1)[1] != script[1]  # questions rotate between conversations


def test_button_payloads_are_followed_by_title() -> None:
    replies = [{"text": "?", "buttons": [{"title": "Not sure", "payload": "Not sure"}, {"title": "No", "payload": "No"},
                                         {"title": "Yes", "payload": "/crisis"}]}]
    assert bench.pick_payload(replies, "No") == ("No", True)  # exact title beats "Not sure"
    assert bench.pick_payload(replies, "yes") == ("/crisis", True)
    assert bench.pick_payload([], "Evening") == ("Evening", False)


def test_default_response_selector_is_read_as_faq() -> None:
    parse = {"intent": {"name": "faq"}, "response_selector": {"default": {"response": {"intent_response_key": "faq/cost"}}}}
    mapped = bench.default_selector_as_faq(parse)
    assert mapped["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/cost"
    assert "faq" not in parse["response_selector"]  # input untouched
    ours = {"response_selector": {"faq": {"response": {"intent_response_key": "faq/hours"}}}}
    assert bench.default_selector_as_faq(ours) is ours


def test_default_config_is_rasa_init_config() -> None:
    config = yaml.safe_load(bench.DEFAULT_CONFIG_YAML)
    names = [c["name"] for c in config["pipeline"]]
    assert names == ["WhitespaceTokenizer", "RegexFeaturizer", "LexicalSyntacticFeaturizer", "CountVectorsFeaturizer",
                     "CountVectorsFeaturizer", "DIETClassifier", "EntitySynonymMapper", "ResponseSelector",
                     "FallbackClassifier"]
    selector = config["pipeline"][7]
    assert "retrieval_intent" not in selector and selector["epochs"] == 100
    assert config["pipeline"][4] == {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}
    assert config["pipeline"][8] == {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1}
    assert [p["name"] for p in config["policies"]] == ["MemoizationPolicy", "RulePolicy", "UnexpecTEDIntentPolicy", "TEDPolicy"]


# --- memory of process trees -----------------------------------------------------------------------


def test_peak_rss_includes_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(60 * 1024 * 1024); time.sleep(30)"])
    try:
        deadline = 100
        while deadline and bench.vm_hwm_kb(child.pid) < 50 * 1024:
            deadline -= 1
            subprocess.run(["sleep", "0.05"])
        assert child.pid in bench.process_tree(os.getpid())
        own = bench.vm_hwm_kb(os.getpid()) / 1024
        assert bench.peak_rss_mb(os.getpid()) >= own + 50
    finally:
        child.kill()
        child.wait()
    assert bench.vm_hwm_kb(child.pid) == 0  # gone


def test_cpu_time_of_a_busy_child_is_counted() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 0.6\nwhile time.time() < end: pass\ntime.sleep(30)"])
    try:
        subprocess.run(["sleep", "0.8"])
        assert bench.cpu_seconds(os.getpid()) - bench.cpu_seconds(child.pid) >= 0  # own tree includes the child
        assert bench.cpu_seconds(child.pid) >= 0.3
    finally:
        child.kill()
        child.wait()


def test_report_shows_cpu_per_message_when_measured() -> None:
    result = sample_result()
    result["load"]["10"]["ours"]["median"]["cpu_ms_per_msg"] = {"rasa": 41.5, "actions": 9.0, "client": 1.2}
    markdown = bench.render_markdown(result)
    assert _row(markdown, "CPU time per message at 10 users, Rasa server")[1:] == ["41.5", "n/a"]


def test_report_states_the_pacing() -> None:
    result = sample_result()
    assert "no think time (closed loop)" in bench.render_markdown(result)
    result["settings"]["think_time_s"] = 3.0
    assert "think time 3 s (mean) before each message" in bench.render_markdown(result)
