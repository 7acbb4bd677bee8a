"""What a run tells the person: progress lines while it runs, then results/bench.json and bench.md.

render_markdown works from the JSON result alone (and tolerates missing parts), so a saved
bench.json can be re-rendered and a quick or failed run still yields a readable table.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.tools.bench.fmt import fmt_met, fmt_num, fmt_pct, fmt_ratio, markdown_table
from bot.tools.bench.stats import LABELS, dig
from bot.tools.bench.targets import (
    MAX_P95_RATIO, MIN_RATE_RATIO, TARGET_LEVEL, TARGET_MSGS_PER_S, TARGET_P95_MS, TARGET_TRAIN_S,
    default_trained_briefly, evaluate_targets,
)


def log(message: str) -> None:
    """A timestamped progress line: a full run takes half an hour."""
    print(f"[{dt.datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def _all_met(absolute: bool, ratio: Optional[bool]) -> str:
    """Met only when both the absolute bar and the ratio bar are (the ratio unmeasured: the absolute alone)."""
    return fmt_met(absolute and (ratio is None or ratio))


def _level_rows(result: Dict[str, Any]) -> List[List[str]]:
    paced = bool(dig(result, "settings", "think_time_s"))
    rows: List[List[str]] = []
    for level, data in sorted((result.get("load") or {}).items(), key=lambda kv: int(kv[0])):
        ours = dig(data, "ours", "median") or {}
        default = dig(data, "default", "median") or {}
        ratio = data.get("ratio_median") or {}
        n_conv = data.get("conversations")
        is_target = int(level) == TARGET_LEVEL and not paced
        p95, p95_ratio = ours.get("p95_ms"), ratio.get("p95_ms")
        rate, rate_ratio = ours.get("msgs_per_s"), ratio.get("msgs_per_s")
        rows.append([
            f"{level} user{'s' if int(level) > 1 else ''} ({n_conv} conversations): latency p50 / p95 / p99",
            " / ".join(fmt_num(ours.get(k), 0) for k in ("p50_ms", "p95_ms", "p99_ms")) + " ms",
            " / ".join(fmt_num(default.get(k), 0) for k in ("p50_ms", "p95_ms", "p99_ms")) + " ms",
            " / ".join(fmt_ratio(ratio.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms")),
            f"p95 <= {TARGET_P95_MS:.0f} ms and <= {MAX_P95_RATIO:.2f}x" if is_target else "",
            _all_met(p95 is not None and p95 <= TARGET_P95_MS,
                     None if p95_ratio is None else p95_ratio <= MAX_P95_RATIO) if is_target else "",
        ])
        rows.append([
            f"{level} user{'s' if int(level) > 1 else ''}: messages/s",
            fmt_num(rate, 1),
            fmt_num(default.get("msgs_per_s"), 1),
            fmt_ratio(rate_ratio),
            f">= {TARGET_MSGS_PER_S:.0f} and >= {MIN_RATE_RATIO:.1f}x" if is_target else "",
            _all_met(rate is not None and rate >= TARGET_MSGS_PER_S,
                     None if rate_ratio is None else rate_ratio >= MIN_RATE_RATIO) if is_target else "",
        ])
    return rows


def render_markdown(result: Dict[str, Any]) -> str:
    """The human summary of a result dict (as written to results/bench.json)."""
    machine = result.get("machine") or {}
    settings = result.get("settings") or {}
    nlu = result.get("nlu") or {}
    ours_nlu = nlu.get("ours") or {}
    default_nlu = nlu.get("default") or {}
    out: List[str] = []
    out.append(
        f"Machine: {machine.get('nproc', '?')} cores ({machine.get('cpu_model', '?')}), "
        f"{fmt_num(machine.get('ram_gb'), 0)} GB RAM, Python {machine.get('python', '?')}, "
        f"Rasa {machine.get('rasa', '?')}, rasa-sdk {machine.get('rasa_sdk', '?')}, "
        f"TensorFlow {machine.get('tensorflow', '?')}. "
        f"Load average before/after: {machine.get('loadavg_start', '?')} / {machine.get('loadavg_end', '?')}."
    )
    out.append("")
    pacing = (
        f"think time {settings['think_time_s']:g} s (mean) before each message"
        if settings.get("think_time_s") else "no think time (closed loop)"
    )
    measured = [label for label in LABELS if label in (settings.get("labels") or LABELS)]
    scope = "" if len(measured) == len(LABELS) else f", {' and '.join(measured)} only (no ratios)"
    out.append(
        f"Run: {'quick' if settings.get('quick') else 'full'}{scope}, {settings.get('started', '?')}, "
        f"{settings.get('repetitions', '?')} repetition(s) of each load level and cold start, training "
        f"{settings.get('training_repetitions', '?')}x each; Rasa server with "
        f"TF_INTRA_OP_PARALLELISM_THREADS={settings.get('tf_intra', '?')}, "
        f"TF_INTER_OP_PARALLELISM_THREADS={settings.get('tf_inter', '?')}; "
        f"{settings.get('messages_per_conversation', '?')} messages per conversation, {pacing}; "
        f"took {fmt_num((result.get('elapsed_s') or 0) / 60, 1)} min. "
        "Values are medians over repetitions; ours/default is the median of per-repetition ratios."
    )
    out.append("")

    rows: List[List[str]] = []
    if default_trained_briefly(result):  # its accuracy means nothing: keep only its parse time
        epochs = dig(result, "training", "default_epochs")
        default_nlu = {key: value for key, value in default_nlu.items() if key.startswith("parse_")}
        out.append(f"The default's networks were trained for {epochs} epoch(s), not 100: the same work per "
                   "message, so its speed is measured, but its accuracy is not reported.")
        out.append("")
    acc_met = None
    if ours_nlu.get("heldout_accuracy") is not None and default_nlu.get("heldout_accuracy") is not None:
        acc_met = ours_nlu["heldout_accuracy"] > default_nlu["heldout_accuracy"]
    rows.append([
        f"Held-out accuracy, all intents ({ours_nlu.get('heldout_total', '?')} examples)",
        fmt_pct(ours_nlu.get("heldout_accuracy")), fmt_pct(default_nlu.get("heldout_accuracy")), "",
        "above default", fmt_met(acc_met),
    ])
    rows.append([
        "Held-out accuracy, FAQ topics", fmt_pct(ours_nlu.get("faq_topic_accuracy")),
        fmt_pct(default_nlu.get("faq_topic_accuracy")), "", "", "",
    ])
    rows.append([
        f"Crisis recall ({ours_nlu.get('crisis_total', '?')} phrasings)", fmt_pct(ours_nlu.get("crisis_recall")),
        fmt_pct(default_nlu.get("crisis_recall")), "", "", "",
    ])
    rows.append([
        f"Near-misses given the crisis reply or the check-in ({ours_nlu.get('near_miss_total', '?')} phrasings)",
        fmt_pct(ours_nlu.get("near_miss_false_alarms")), fmt_pct(default_nlu.get("near_miss_false_alarms")),
        "", "", "",
    ])
    rows.append([
        "NLU parse alone, in process, p50 / p95",
        f"{fmt_num(ours_nlu.get('parse_p50_ms'), 1)} / {fmt_num(ours_nlu.get('parse_p95_ms'), 1)} ms",
        f"{fmt_num(default_nlu.get('parse_p50_ms'), 1)} / {fmt_num(default_nlu.get('parse_p95_ms'), 1)} ms",
        fmt_ratio(None if not default_nlu.get("parse_p50_ms") or ours_nlu.get("parse_p50_ms") is None
                  else ours_nlu["parse_p50_ms"] / default_nlu["parse_p50_ms"]),
        "", "",
    ])
    rows.extend(_level_rows(result))

    errors = result.get("errors") or {}
    rows.append([
        "Errors (non-200, empty or technical-trouble reply), all levels",
        f"{dig(errors, 'ours', 'errors') or 0} of {dig(errors, 'ours', 'messages') or 0}",
        f"{dig(errors, 'default', 'errors') or 0} of {dig(errors, 'default', 'messages') or 0}",
        "", "0 (ours)",
        fmt_met(None if not errors else not (dig(errors, "ours", "errors") or 0)),
    ])
    rows.append([
        "Conversations that reached the callback reference",
        f"{dig(errors, 'ours', 'completed') or 0} of {dig(errors, 'ours', 'conversations') or 0}",
        f"{dig(errors, 'default', 'completed') or 0} of {dig(errors, 'default', 'conversations') or 0}",
        "", "", "",
    ])
    training = result.get("training") or {}
    train_ours = dig(training, "ours", "median_s")
    rows.append([
        "Training time (`rasa train --force`)",
        fmt_num(train_ours, 0, " s"), fmt_num(dig(training, "default", "median_s"), 0, " s"),
        fmt_ratio(training.get("ratio_median")), f"<= {TARGET_TRAIN_S:.0f} s",
        fmt_met(None if train_ours is None else train_ours <= TARGET_TRAIN_S),
    ])
    cold = result.get("cold_start") or {}
    rows.append([
        "Cold start to first REST answer (all 3 processes)",
        fmt_num(dig(cold, "ours", "median_s"), 1, " s"), fmt_num(dig(cold, "default", "median_s"), 1, " s"),
        fmt_ratio(cold.get("ratio_median")), "", "",
    ])
    memory = result.get("memory_mb") or {}
    for role, title in (("rasa", "Rasa server"), ("actions", "action server"), ("web", "website")):
        rows.append([
            f"Peak RSS (VmHWM), {title}",
            fmt_num(dig(memory, "ours", role, "median"), 0, " MB"),
            fmt_num(dig(memory, "default", role, "median"), 0, " MB"),
            fmt_ratio(dig(memory, "ratio_median", role)), "", "",
        ])
    out.append(markdown_table(["measure", "ours", "Rasa default", "ours/default", "target", "met?"], rows))

    profile = result.get("profile") or {}
    if profile:
        out.append("")
        out.append(
            "Where a turn's time goes (one user, in process via `Agent.handle_text` with the SQLite tracker "
            "store and the real action server; mean ms per message over the scripted conversations):"
        )
        out.append("")
        parts = [
            ("full turn (handle_text)", "turn_ms"),
            ("NLU parse (graph)", "nlu_ms"),
            ("next-action prediction (policies)", "policies_ms"),
            ("action server calls (all of RemoteAction.run)", "actions_ms"),
            ("- of which building the request (tracker + domain)", "actions_payload_ms"),
            ("- of which HTTP round trip (incl. the action server)", "actions_http_ms"),
            ("- of which checking the answer (jsonschema)", "actions_validate_ms"),
            ("tracker store (SQLite read + write)", "tracker_ms"),
            ("other (events, responses, locks)", "other_ms"),
        ]
        prow: List[List[str]] = []
        for title, key in parts:
            prow.append([title, fmt_num(dig(profile, "ours", key), 1), fmt_num(dig(profile, "default", key), 1)])
        rest1 = result.get("load", {}).get("1", {})
        prow.append([
            "REST round trip at 1 user, p50 (for comparison)",
            fmt_num(dig(rest1, "ours", "median", "p50_ms"), 1),
            fmt_num(dig(rest1, "default", "median", "p50_ms"), 1),
        ])
        for level in sorted(result.get("load") or {}, key=int):
            for role, title in (("rasa", "Rasa server"), ("actions", "action server"), ("client", "load generator")):
                ours_cpu = dig(result, "load", level, "ours", "median", "cpu_ms_per_msg", role)
                default_cpu = dig(result, "load", level, "default", "median", "cpu_ms_per_msg", role)
                if ours_cpu is None and default_cpu is None:
                    continue
                prow.append([f"CPU time per message at {level} user{'s' if int(level) > 1 else ''}, {title}",
                             fmt_num(ours_cpu, 1), fmt_num(default_cpu, 1)])
        out.append(markdown_table(["per message", "ours (ms)", "Rasa default (ms)"], prow))

    targets = result.get("targets") or evaluate_targets(result)
    out.append("")
    out.append(markdown_table(["target", "measured", "met?"], [[t["target"], t["measured"], fmt_met(t["met"])] for t in targets]))
    out.append("")
    return "\n".join(out)


def write_results(result: Dict[str, Any], out: Path) -> str:
    """Write bench.json and bench.md under `out`; returns the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, indent=2))
    markdown = render_markdown(result)
    (out / "bench.md").write_text(markdown)
    return markdown
