"""`make bench`: accuracy, latency, throughput, training time, cold start and memory, measured in one
run for our pipeline and for Rasa's default pipeline (what `rasa init` writes) trained on the same data.

What it does, in order:

1. trains both configurations into models/bench/ours and models/bench/default (`rasa train --force`,
   a private training cache), alternating ours/default when `--repeat-training N` > 1;
2. for each repetition, for each model (the order flips every repetition), starts the real stack
   (Rasa server + action server + website, `bot.tools.run.Stack`) on free loopback ports against a fresh
   SQLite database, times the cold start to the first REST answer, then drives scripted conversations
   (FAQ questions, the full fit check by button payloads, a callback request) through the REST channel
   from 1, 10 and 50 concurrent users, reads the peak RSS of each process tree, and stops the stack;
3. once per model (with that model's action server up): held-out NLU accuracy, crisis recall and
   near-miss false alarms (`bot.tools.evaluate.score`), and a per-turn time profile in process
   (NLU parse, policies, action server calls, tracker store) - in a child process so that TensorFlow
   never runs inside the load generator;
4. writes results/bench.json and results/bench.md.

Load model: by default each simulated user sends its next message as soon as the previous reply
arrives (no think time), so N users keep up to N requests in flight: a stress test, not a typing
simulation. `--think-time S` adds a pause before each message, as a person reading and typing.
Ratios ours/default are computed per repetition (a pair) and the median of the pairs is reported.

    python -m bot.tools.benchmark            # full run (about 27 minutes on 2 cores, 16 of them training
                                       # the default pipeline)
    python -m bot.tools.benchmark --quick    # smoke run: 1 repetition, fewer conversations, reuses models
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from bot.replies import technical_trouble_text
from bot.settings import PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "results"
BENCH_MODELS = PROJECT_ROOT / "models" / "bench"
PROJECT_MODEL = PROJECT_ROOT / "models" / "iop.tar.gz"
OUR_CONFIG = PROJECT_ROOT / "config.yml"
LOOPBACK = "127.0.0.1"
LABELS = ("ours", "default")

# Rasa 3.6's default configuration, as `rasa init` writes it (the commented-out defaults made explicit).
# The ResponseSelector has no retrieval_intent: it serves every retrieval intent (here: faq).
DEFAULT_CONFIG_YAML = """\
recipe: default.v1
language: en
assistant_id: iop-bench-default

pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1

policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
"""

# Targets from the issue. They are reported, not asserted.
TARGET_P95_MS = 100.0
TARGET_MSGS_PER_S = 50.0
TARGET_TRAIN_S = 120.0
TARGET_LEVEL = 10  # concurrent conversations the latency and throughput targets refer to


# --------------------------------------------------------------------------------------------------
# Pure helpers (unit-tested in tests/bot/test_benchmark.py)
# --------------------------------------------------------------------------------------------------


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


def median_ratio(ours: Sequence[Optional[float]], default: Sequence[Optional[float]]) -> Optional[float]:
    """Median of the per-pair ratios ours/default (None if no pair is complete)."""
    return median(paired_ratios(ours, default))


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


def fmt_num(value: Optional[float], digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def fmt_pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def fmt_ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def fmt_met(flag: Optional[bool]) -> str:
    if flag is None:
        return "n/a"
    return "yes" if flag else "**no**"


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub markdown table; '|' inside cells is escaped."""
    lines = ["| " + " | ".join(_escape(h) for h in header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row has {len(row)} cells, header has {len(header)}: {row}")
        lines.append("| " + " | ".join(_escape(str(c)) for c in row) + " |")
    return "\n".join(lines)


def _get(data: Dict[str, Any], *keys: Any) -> Any:
    """data[k1][k2]... or None when any level is missing."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def evaluate_targets(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The issue's targets, each with what was measured and whether it was met (None: not measured)."""
    targets: List[Dict[str, Any]] = []
    level = str(TARGET_LEVEL)
    p95 = _get(result, "load", level, "ours", "median", "p95_ms")
    targets.append({
        "target": f"p95 <= {TARGET_P95_MS:.0f} ms per message at {TARGET_LEVEL} concurrent conversations (ours)",
        "measured": fmt_num(p95, 0, " ms"),
        "met": None if p95 is None else p95 <= TARGET_P95_MS,
    })
    rate = _get(result, "load", level, "ours", "median", "msgs_per_s")
    targets.append({
        "target": f">= {TARGET_MSGS_PER_S:.0f} messages/s at {TARGET_LEVEL} concurrent conversations (ours)",
        "measured": fmt_num(rate, 1, " msg/s"),
        "met": None if rate is None else rate >= TARGET_MSGS_PER_S,
    })
    train = _get(result, "training", "ours", "median_s")
    targets.append({
        "target": f"training <= {TARGET_TRAIN_S / 60:.0f} min (ours)",
        "measured": fmt_num(train, 0, " s"),
        "met": None if train is None else train <= TARGET_TRAIN_S,
    })
    ours_acc = _get(result, "nlu", "ours", "heldout_accuracy")
    default_acc = _get(result, "nlu", "default", "heldout_accuracy")
    targets.append({
        "target": "held-out accuracy above the default pipeline's",
        "measured": f"{fmt_pct(ours_acc)} vs {fmt_pct(default_acc)}",
        "met": None if ours_acc is None or default_acc is None else ours_acc > default_acc,
    })
    ratios = {lvl: _get(data, "ratio_median", "p95_ms") for lvl, data in (result.get("load") or {}).items()}
    present = {lvl: r for lvl, r in ratios.items() if r is not None}
    targets.append({
        "target": "latency at or below the default's (median paired p95 ratio <= 1.00 at every level)",
        "measured": ", ".join(f"{lvl} user{'s' if int(lvl) > 1 else ''} {r:.2f}" for lvl, r in sorted(present.items(), key=lambda kv: int(kv[0])))
        or "n/a",
        "met": None if not present else all(r <= 1.0 for r in present.values()),
    })
    return targets


def _level_rows(result: Dict[str, Any]) -> List[List[str]]:
    rows: List[List[str]] = []
    for level, data in sorted((result.get("load") or {}).items(), key=lambda kv: int(kv[0])):
        ours = _get(data, "ours", "median") or {}
        default = _get(data, "default", "median") or {}
        ratio = data.get("ratio_median") or {}
        n_conv = data.get("conversations")
        is_target = int(level) == TARGET_LEVEL
        p95 = ours.get("p95_ms")
        lat_met: Optional[bool] = None
        if p95 is not None:
            lat_met = p95 <= TARGET_P95_MS if is_target else None
        below_default = ratio.get("p95_ms")
        if below_default is not None:
            lat_met = (lat_met if lat_met is not None else True) and below_default <= 1.0
        rows.append([
            f"{level} user{'s' if int(level) > 1 else ''} ({n_conv} conversations): latency p50 / p95 / p99",
            " / ".join(fmt_num(ours.get(k), 0) for k in ("p50_ms", "p95_ms", "p99_ms")) + " ms",
            " / ".join(fmt_num(default.get(k), 0) for k in ("p50_ms", "p95_ms", "p99_ms")) + " ms",
            " / ".join(fmt_ratio(ratio.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms")),
            (f"p95 <= {TARGET_P95_MS:.0f} ms, " if is_target else "") + "p95 <= default",
            fmt_met(lat_met),
        ])
        rate = ours.get("msgs_per_s")
        rows.append([
            f"{level} user{'s' if int(level) > 1 else ''}: messages/s",
            fmt_num(rate, 1),
            fmt_num(default.get("msgs_per_s"), 1),
            fmt_ratio(ratio.get("msgs_per_s")),
            f">= {TARGET_MSGS_PER_S:.0f}" if is_target else "",
            fmt_met(rate >= TARGET_MSGS_PER_S) if is_target and rate is not None else "",
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
    out.append(
        f"Run: {'quick' if settings.get('quick') else 'full'}, {settings.get('started', '?')}, "
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
        f"Near-miss false alarms ({ours_nlu.get('near_miss_total', '?')} phrasings)",
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
        f"{_get(errors, 'ours', 'errors') or 0} of {_get(errors, 'ours', 'messages') or 0}",
        f"{_get(errors, 'default', 'errors') or 0} of {_get(errors, 'default', 'messages') or 0}",
        "", "0",
        fmt_met(None if not errors else not any((_get(errors, k, "errors") or 0) for k in LABELS)),
    ])
    rows.append([
        "Conversations that reached the callback reference",
        f"{_get(errors, 'ours', 'completed') or 0} of {_get(errors, 'ours', 'conversations') or 0}",
        f"{_get(errors, 'default', 'completed') or 0} of {_get(errors, 'default', 'conversations') or 0}",
        "", "", "",
    ])
    training = result.get("training") or {}
    train_ours = _get(training, "ours", "median_s")
    rows.append([
        "Training time (`rasa train --force`)",
        fmt_num(train_ours, 0, " s"), fmt_num(_get(training, "default", "median_s"), 0, " s"),
        fmt_ratio(training.get("ratio_median")), f"<= {TARGET_TRAIN_S:.0f} s",
        fmt_met(None if train_ours is None else train_ours <= TARGET_TRAIN_S),
    ])
    cold = result.get("cold_start") or {}
    rows.append([
        "Cold start to first REST answer (all 3 processes)",
        fmt_num(_get(cold, "ours", "median_s"), 1, " s"), fmt_num(_get(cold, "default", "median_s"), 1, " s"),
        fmt_ratio(cold.get("ratio_median")), "", "",
    ])
    memory = result.get("memory_mb") or {}
    for role, title in (("rasa", "Rasa server"), ("actions", "action server"), ("web", "website")):
        rows.append([
            f"Peak RSS (VmHWM), {title}",
            fmt_num(_get(memory, "ours", role, "median"), 0, " MB"),
            fmt_num(_get(memory, "default", role, "median"), 0, " MB"),
            fmt_ratio(_get(memory, "ratio_median", role)), "", "",
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
            prow.append([title, fmt_num(_get(profile, "ours", key), 1), fmt_num(_get(profile, "default", key), 1)])
        rest1 = result.get("load", {}).get("1", {})
        prow.append([
            "REST round trip at 1 user, p50 (for comparison)",
            fmt_num(_get(rest1, "ours", "median", "p50_ms"), 1),
            fmt_num(_get(rest1, "default", "median", "p50_ms"), 1),
        ])
        for level in sorted(result.get("load") or {}, key=int):
            for role, title in (("rasa", "Rasa server"), ("actions", "action server"), ("client", "load generator")):
                ours_cpu = _get(result, "load", level, "ours", "median", "cpu_ms_per_msg", role)
                default_cpu = _get(result, "load", level, "default", "median", "cpu_ms_per_msg", role)
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


# --------------------------------------------------------------------------------------------------
# Scripted conversations
# --------------------------------------------------------------------------------------------------

FAQ_QUESTIONS = [
    "what is iop",
    "how much does it cost",
    "do you take my insurance",
    "what are the hours",
    "how long does the program last",
    "can my family be involved",
    "can i keep working while i do this",
    "do i need detox first",
    "is there drug testing",
    "can i attend online",
]

# (kind, value): "say" sends the text; "click" sends the payload of the first button whose title
# contains the value (as the widget does), or the value itself when no such button was offered.
Step = Tuple[str, str]


def conversation_script(index: int) -> List[Step]:
    """A conversation: greeting, three FAQ questions, the full fit check, a callback request."""
    faqs = [FAQ_QUESTIONS[(index + k) % len(FAQ_QUESTIONS)] for k in range(3)]
    steps: List[Step] = [("say", "hi")]
    steps += [("say", q) for q in faqs]
    steps += [("say", "/start_screening"), ("click", "Myself")]
    # concern, safety, withdrawal, needs_24h, safe_home, tried_outpatient, can_attend -> IOP fits
    steps += [("click", a) for a in ("Alcohol", "No", "No", "No", "Yes", "Yes", "Yes")]
    steps += [("click", "callback"), ("click", "Yes"), ("say", "Robin"), ("say", "(410) 555-0177")]
    steps += [("click", "Evening"), ("click", "Yes"), ("click", "No"), ("click", "Yes")]
    return steps


def pick_payload(replies: List[Dict[str, Any]], title_part: str) -> Tuple[str, bool]:
    """(payload, found) for a button whose title contains title_part (exact title preferred)."""
    buttons = [b for m in replies for b in (m.get("buttons") or [])]
    wanted = title_part.lower()
    for button in buttons:
        if str(button.get("title", "")).lower() == wanted:
            return str(button.get("payload", "")), True
    for button in buttons:
        if wanted in str(button.get("title", "")).lower():
            return str(button.get("payload", "")), True
    return title_part, False


@dataclass
class LoadResult:
    """Raw outcome of one load level for one model."""

    users: int
    conversations: int
    latencies_s: List[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Dict[str, int] = field(default_factory=dict)
    off_script: int = 0
    completed: int = 0
    wall_s: float = 0.0

    def add_error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def summary(self) -> Dict[str, Any]:
        data = latency_summary(self.latencies_s, self.wall_s, len(self.latencies_s), self.errors)
        data.update({
            "users": self.users, "conversations": self.conversations, "completed": self.completed,
            "off_script": self.off_script, "error_kinds": dict(self.error_kinds),
        })
        return data


async def run_load(
    rasa_url: str,
    users: int,
    conversations: int,
    sender_prefix: str,
    trouble_text: str = "",
    request_timeout: float = 60.0,
    level_timeout: float = 900.0,
    think_time: float = 0.0,
) -> LoadResult:
    """`conversations` scripted conversations through the REST channel, `users` at a time.

    Every message counts once in the latency list (failed ones too, with their time until failure)
    and is an error when the status is not 200, the reply is empty or is the technical-trouble text.
    think_time > 0: a pause before each message, uniform in [0.5, 1.5] x think_time (seeded per
    conversation), as a person reading and typing; the pauses are not part of any latency.
    """
    import aiohttp

    if not rasa_url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"benchmark traffic goes to {LOOPBACK} only, not {rasa_url}")
    url = f"{rasa_url}/webhooks/rest/webhook"
    result = LoadResult(users=users, conversations=conversations)
    queue: "asyncio.Queue[int]" = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(i)

    async def send(session: "aiohttp.ClientSession", sender: str, text: str) -> List[Dict[str, Any]]:
        start = time.perf_counter()
        replies: List[Dict[str, Any]] = []
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as resp:
                body = await resp.read()
                status = resp.status
            if status != 200:
                result.add_error(f"http_{status}")
            else:
                parsed = json.loads(body)
                replies = parsed if isinstance(parsed, list) else []
                if not replies:
                    result.add_error("empty_reply")
                elif trouble_text and any(trouble_text in (m.get("text") or "") for m in replies):
                    result.add_error("technical_trouble")
        except asyncio.TimeoutError:
            result.add_error("timeout")
        except (aiohttp.ClientError, ValueError) as exc:
            result.add_error(type(exc).__name__)
        finally:
            result.latencies_s.append(time.perf_counter() - start)
        return replies

    async def converse(session: "aiohttp.ClientSession", index: int) -> None:
        sender = f"{sender_prefix}-{index}"
        pacing = random.Random(index)
        replies: List[Dict[str, Any]] = []
        for kind, value in conversation_script(index):
            if think_time > 0:
                await asyncio.sleep(think_time * pacing.uniform(0.5, 1.5))
            text = value
            if kind == "click":
                text, found = pick_payload(replies, value)
                result.off_script += not found
            replies = await send(session, sender, text)
        if any("reference" in (m.get("text") or "").lower() for m in replies):
            result.completed += 1

    async def user(session: "aiohttp.ClientSession") -> None:
        while True:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await converse(session, index)

    timeout = aiohttp.ClientTimeout(total=request_timeout)
    connector = aiohttp.TCPConnector(limit=users, force_close=False)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.perf_counter()
        tasks = [asyncio.create_task(user(session)) for _ in range(users)]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=level_timeout)
        except asyncio.TimeoutError:
            unsent = queue.qsize()
            result.add_error("level_timeout")
            result.error_kinds["conversations_not_started"] = unsent
        result.wall_s = time.perf_counter() - start
    return result


def messages_per_conversation() -> int:
    return len(conversation_script(0))


# --------------------------------------------------------------------------------------------------
# Processes: memory, stacks, training
# --------------------------------------------------------------------------------------------------


def _children_map() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: the ppid follows the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(pid: int) -> List[int]:
    """pid and all its descendants that exist right now."""
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def vm_hwm_kb(pid: int) -> int:
    """Peak resident set size (VmHWM) of one process, in kB (0 if gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def peak_rss_mb(pid: int) -> float:
    """Sum of the peak RSS of a process and its descendants, in MB."""
    return sum(vm_hwm_kb(p) for p in process_tree(pid)) / 1024.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def machine_info() -> Dict[str, Any]:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "rasa": version("rasa"),
        "rasa_sdk": version("rasa-sdk"),
        "tensorflow": version("tensorflow") if version("tensorflow") != "?" else version("tensorflow-cpu"),
        "kernel": platform.release(),
        "loadavg_start": ", ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def _rasa_bin() -> str:
    return str(Path(sys.executable).parent / "rasa")


def _bench_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
    })
    env.update(extra or {})
    return env


def train_model(config: Path, out_dir: Path, name: str, log: Path) -> float:
    """`rasa train --force` of one configuration on the project data; returns wall seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        cmd = [
            _rasa_bin(), "train", "--data", "data", "--config", str(config), "--domain", "domain.yml",
            "--out", str(out_dir), "--fixed-model-name", name, "--force",
        ]
        start = time.perf_counter()
        with open(log, "ab") as handle:
            proc = subprocess.run(
                cmd, cwd=PROJECT_ROOT, env=_bench_env({"RASA_CACHE_DIRECTORY": cache}),
                stdout=handle, stderr=subprocess.STDOUT,
            )
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"training {config.name} failed (exit {proc.returncode}); see {log}")
    return elapsed


class BenchStack:
    """bot.tools.run.Stack for one model on free loopback ports, with its own temporary SQLite databases."""

    def __init__(self, model: Path, tf_intra: int, tf_inter: int, root: Path) -> None:
        from bot.website.console.passwords import hash_password
        from bot.store.db import upgrade
        from bot.tools.run import Stack, free_port

        self.var_dir = Path(tempfile.mkdtemp(prefix="stack-", dir=root))
        db_url = f"sqlite:///{self.var_dir / 'iop.sqlite'}"
        upgrade(db_url)
        rasa_port = free_port()
        env = {
            "IOP_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": db_url,
            "TRACKER_DATABASE_URL": f"sqlite:///{self.var_dir / 'tracker.sqlite'}",
            "STAFF_USERNAME": "bench",
            "STAFF_PASSWORD_HASH": hash_password(secrets.token_urlsafe(16)),
            "IOP_ID_SECRET": secrets.token_hex(32),
            "PUBLIC_BASE_URL": f"http://{LOOPBACK}:{rasa_port}",
            # nothing may leave the machine: no SMS, no staff webhook
            "TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": "", "TWILIO_FROM_NUMBER": "",
            "STAFF_WEBHOOK_URL": "", "STAFF_WEBHOOK_SECRET": "",
            "TF_INTRA_OP_PARALLELISM_THREADS": str(tf_intra),
            "TF_INTER_OP_PARALLELISM_THREADS": str(tf_inter),
        }
        self.stack = Stack(
            rasa_port=rasa_port, action_port=free_port(), web_port=free_port(), model=model, env=env,
            log_dir=self.var_dir / "log", host=LOOPBACK,
        )

    def cold_start(self, timeout: float = 300.0) -> float:
        """Start all three processes; seconds until the first REST answer, then wait for the others."""
        import urllib.error
        import urllib.request

        from bot.tools.run import _get_ok

        url = f"{self.stack.rasa_url}/webhooks/rest/webhook"
        body = json.dumps({"sender": "bench-cold-start", "message": "what is iop"}).encode()
        start = time.perf_counter()
        for name in ("actions", "web", "rasa"):
            self.stack.start_process(name)
        deadline = time.monotonic() + timeout
        elapsed: Optional[float] = None
        while elapsed is None:
            for name, proc in self.stack.processes.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited early (code {proc.returncode}):\n{self.stack.log_tail(name)}")
            try:
                request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=120) as resp:  # noqa: S310 - loopback only
                    if resp.status == 200 and json.loads(resp.read()):
                        elapsed = time.perf_counter() - start
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"no REST answer after {timeout:.0f}s:\n{self.stack.log_tail('rasa')}")
            time.sleep(0.05)
        checks = {"actions": f"{self.stack.action_url}/health", "web": f"{self.stack.web_url}/healthz"}
        while checks:
            for name, check in list(checks.items()):
                if _get_ok(check):
                    checks.pop(name)
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f}s: {sorted(checks)}")
            time.sleep(0.1)
        return elapsed

    def cpu_snapshot(self) -> Dict[str, float]:
        snapshot = {name: cpu_seconds(proc.pid) for name, proc in self.stack.processes.items()}
        snapshot["client"] = own_cpu_seconds()
        return snapshot

    def peak_memory_mb(self) -> Dict[str, float]:
        return {name: peak_rss_mb(proc.pid) for name, proc in self.stack.processes.items()}

    def stop(self, keep: bool = False) -> None:
        try:
            self.stack.stop()
        finally:
            if not keep:
                shutil.rmtree(self.var_dir, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# NLU accuracy and per-turn profile (child process: TensorFlow stays out of the load generator)
# --------------------------------------------------------------------------------------------------


def default_selector_as_faq(parse: Dict[str, Any]) -> Dict[str, Any]:
    """A ResponseSelector without retrieval_intent reports under 'default': file it under 'faq' too,
    which is where bot.tools.evaluate.full_intent (and Rasa's utter_faq) looks first."""
    selector = parse.get("response_selector") or {}
    if "faq" not in selector and "default" in selector:
        parse = dict(parse)
        parse["response_selector"] = dict(selector, faq=selector["default"])
    return parse


async def _worker_async(model: Path, action_url: str, profile_conversations: int) -> Dict[str, Any]:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import EndpointConfig

    from bot.tools.evaluate import score
    from bot.rasa_server.tracker_store import UrlSQLTrackerStore

    from rasa.utils.endpoints import EndpointConfig as _Endpoint

    timers: Dict[str, float] = {
        "nlu": 0.0, "policies": 0.0, "actions": 0.0, "tracker": 0.0,
        # parts of "actions": request body (tracker + domain as dicts), HTTP round trip (incl. the
        # action server's own work and JSON), and the jsonschema check of the answer
        "actions_payload": 0.0, "actions_http": 0.0, "actions_validate": 0.0,
    }

    def timed_async(key: str, func: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await func(*args, **kwargs)
            finally:
                timers[key] += time.perf_counter() - start
        return wrapper

    def timed_sync(key: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                timers[key] += time.perf_counter() - start
        return wrapper

    agent = Agent.load(
        str(model),
        tracker_store=UrlSQLTrackerStore(),
        action_endpoint=EndpointConfig(f"{action_url}/webhook"),
    )

    parse_times: List[float] = []

    class TimedParser:
        async def parse(self, text: str) -> Dict[str, Any]:
            start = time.perf_counter()
            result = await agent.parse_message(text)
            parse_times.append(time.perf_counter() - start)
            return default_selector_as_faq(result)

    await agent.parse_message("warm up")
    scores = await score(TimedParser())  # type: ignore[arg-type]
    nlu = {
        "heldout_accuracy": scores.heldout_accuracy,
        "faq_topic_accuracy": scores.faq_topic_accuracy,
        "heldout_total": scores.heldout_total,
        "crisis_recall": scores.crisis_recall,
        "crisis_total": scores.crisis_total,
        "near_miss_false_alarms": scores.near_miss_false_alarms,
        "near_miss_total": scores.near_miss_total,
        "parse_p50_ms": percentile([1000 * t for t in parse_times], 50),
        "parse_p95_ms": percentile([1000 * t for t in parse_times], 95),
        "missed_crises": scores.missed_crises,
        "false_alarms": scores.false_alarms,
        "confusions": [{"text": t, "expected": g, "predicted": p} for t, g, p in scores.confusions],
    }

    # Instrument the processor, then replay the scripted conversations one message at a time.
    MessageProcessor.parse_message = timed_async("nlu", MessageProcessor.parse_message)  # type: ignore[method-assign]
    MessageProcessor._predict_next_with_tracker = timed_sync(  # type: ignore[method-assign]
        "policies", MessageProcessor._predict_next_with_tracker
    )
    RemoteAction.run = timed_async("actions", RemoteAction.run)  # type: ignore[method-assign]
    RemoteAction._action_call_format = timed_sync(  # type: ignore[method-assign]
        "actions_payload", RemoteAction._action_call_format
    )
    RemoteAction._validate_action_result = timed_sync(  # type: ignore[method-assign]
        "actions_validate", RemoteAction._validate_action_result
    )
    _Endpoint.request = timed_async("actions_http", _Endpoint.request)  # type: ignore[method-assign]
    for name in ("retrieve", "retrieve_full_tracker", "save"):
        setattr(SQLTrackerStore, name, timed_async("tracker", getattr(SQLTrackerStore, name)))

    turn_times: List[float] = []
    for index in range(profile_conversations + 1):  # the first conversation warms up and is not counted
        sender = f"bench-profile-{index}-{secrets.token_hex(4)}"
        replies: List[Dict[str, Any]] = []
        if index == 1:
            turn_times.clear()
            for key in timers:
                timers[key] = 0.0
        for kind, value in conversation_script(index):
            text = value
            if kind == "click":
                text, _ = pick_payload(replies, value)
            start = time.perf_counter()
            replies = await agent.handle_text(text, sender_id=sender) or []
            turn_times.append(time.perf_counter() - start)
    n = max(1, len(turn_times))
    turn_ms = 1000 * sum(turn_times) / n
    profile = {
        "messages": len(turn_times),
        "turn_ms": turn_ms,
        "turn_p50_ms": percentile([1000 * t for t in turn_times], 50) if turn_times else None,
        "nlu_ms": 1000 * timers["nlu"] / n,
        "policies_ms": 1000 * timers["policies"] / n,
        "actions_ms": 1000 * timers["actions"] / n,
        "tracker_ms": 1000 * timers["tracker"] / n,
        "actions_payload_ms": 1000 * timers["actions_payload"] / n,
        "actions_http_ms": 1000 * timers["actions_http"] / n,
        "actions_validate_ms": 1000 * timers["actions_validate"] / n,
    }
    profile["other_ms"] = turn_ms - sum(profile[k] for k in ("nlu_ms", "policies_ms", "actions_ms", "tracker_ms"))
    return {"nlu": nlu, "profile": profile}


def _worker_main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(prog="bot.tools.benchmark _worker")
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--action-url", required=True)
    ap.add_argument("--conversations", type=int, default=3)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    import logging

    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.tensorflow.environment import setup_tf_environment

    setup_tf_environment()
    # as in the server (`rasa run` logs at INFO): no per-message debug events in the timings
    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)
    result = asyncio.run(_worker_async(args.model, args.action_url, args.conversations))
    args.out.write_text(json.dumps(result, indent=2))
    return 0


def run_worker(stack: BenchStack, model: Path, conversations: int, log: Path) -> Dict[str, Any]:
    """NLU scores and a per-turn profile for one model, in a child process, with the stack's action server."""
    out = stack.var_dir / "worker.json"
    env = dict(stack.stack.env)
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{stack.var_dir / 'profile-tracker.sqlite'}"
    cmd = [
        sys.executable, "-m", "bot.tools.benchmark", "_worker", "--model", str(model),
        "--action-url", stack.stack.action_url, "--conversations", str(conversations), "--out", str(out),
    ]
    with open(log, "ab") as handle:
        proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=_bench_env(env), stdout=handle, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise RuntimeError(f"NLU/profile worker failed for {model} (exit {proc.returncode}); see {log}")
    return json.loads(out.read_text())


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    quick: bool
    repetitions: int
    training_repetitions: int
    levels: Dict[int, int]  # users -> conversations
    tf_intra: int
    tf_inter: int
    profile_conversations: int
    retrain: bool
    think_time: float = 0.0

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Plan":
        if args.quick:
            levels = {1: 2, 10: 10, 50: 50}
            reps, profile = 1, 1
        else:
            levels = {1: 5, 10: 20, 50: 50}
            reps, profile = 3, 3
        if args.levels:
            chosen = [int(v) for v in args.levels.split(",") if v.strip()]
            levels = {u: levels.get(u, 2 * u) for u in chosen}
        if args.conversations:
            levels = {u: max(args.conversations, 1) for u in levels}
        intra, inter = (int(v) for v in args.tf_threads.split("/"))
        return cls(
            quick=args.quick,
            repetitions=args.repeat or reps,
            training_repetitions=args.repeat_training,
            levels=levels,
            tf_intra=intra,
            tf_inter=inter,
            profile_conversations=profile,
            retrain=not args.quick or args.retrain,
            think_time=max(0.0, args.think_time),
        )


def log(message: str) -> None:
    print(f"[{dt.datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def _summarise_runs(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    keys = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "msgs_per_s", "wall_s")
    summary: Dict[str, Any] = {k: median(r.get(k) for r in runs) for k in keys}
    roles = sorted({role for r in runs for role in (r.get("cpu_ms_per_msg") or {})})
    summary["cpu_ms_per_msg"] = {role: median(_get(r, "cpu_ms_per_msg", role) for r in runs) for role in roles}
    return summary


def prepare_models(plan: Plan, work: Path, result: Dict[str, Any]) -> Dict[str, Path]:
    """Train both configurations (or reuse them for --quick); fills result['training']."""
    default_config = BENCH_MODELS / "default" / "config.yml"
    default_config.parent.mkdir(parents=True, exist_ok=True)
    default_config.write_text(DEFAULT_CONFIG_YAML)
    configs = {"ours": OUR_CONFIG, "default": default_config}
    models = {label: BENCH_MODELS / label / f"{label}.tar.gz" for label in LABELS}
    to_train = list(LABELS)
    if not plan.retrain:
        if not models["ours"].exists() and PROJECT_MODEL.exists():
            models["ours"] = PROJECT_MODEL
        to_train = [label for label in LABELS if not models[label].exists()]
        for label in LABELS:
            if label not in to_train:
                log(f"--quick: reusing {models[label].relative_to(PROJECT_ROOT)} (training not timed)")
    times: Dict[str, List[Optional[float]]] = {label: [] for label in LABELS}
    for rep in range(plan.training_repetitions if to_train else 0):
        order = LABELS if rep % 2 == 0 else tuple(reversed(LABELS))
        for label in (name for name in order if name in to_train):
            log(f"training {label} ({rep + 1}/{plan.training_repetitions})...")
            seconds = train_model(configs[label], models[label].parent, label, work / f"train-{label}.log")
            times[label].append(seconds)
            log(f"  {label}: {seconds:.0f} s")
    result["training"] = {
        "reused": [label for label in LABELS if label not in to_train],
        **{label: {"runs_s": times[label], "median_s": median(times[label])} for label in LABELS},
        "ratios": paired_ratios(times["ours"], times["default"]),
        "ratio_median": median_ratio(times["ours"], times["default"]),
    }
    return models


def run_benchmark(plan: Plan) -> Dict[str, Any]:
    started = time.perf_counter()
    result: Dict[str, Any] = {
        "machine": machine_info(),
        "settings": {
            **{k: v for k, v in asdict(plan).items() if k != "levels"},
            "levels": {str(u): c for u, c in plan.levels.items()},
            "messages_per_conversation": messages_per_conversation(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "think_time_s": plan.think_time,
        },
    }
    BENCH_MODELS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=BENCH_MODELS))
    log(f"logs and temporary databases under {work}")
    models = prepare_models(plan, work, result)
    result["models"] = {label: str(path.relative_to(PROJECT_ROOT)) for label, path in models.items()}
    trouble = technical_trouble_text()  # a reply with it counts as an error

    load_runs: Dict[int, Dict[str, List[Dict[str, Any]]]] = {u: {l: [] for l in LABELS} for u in plan.levels}
    cold: Dict[str, List[Optional[float]]] = {l: [] for l in LABELS}
    memory: Dict[str, Dict[str, List[Optional[float]]]] = {
        l: {role: [] for role in ("rasa", "actions", "web")} for l in LABELS
    }
    workers: Dict[str, Dict[str, Any]] = {}

    for rep in range(plan.repetitions):
        order = LABELS if rep % 2 == 0 else tuple(reversed(LABELS))
        for label in order:
            stack = BenchStack(models[label], plan.tf_intra, plan.tf_inter, work)
            try:
                log(f"[rep {rep + 1}/{plan.repetitions}] {label}: cold start...")
                seconds = stack.cold_start()
                cold[label].append(seconds)
                log(f"  first answer after {seconds:.1f} s")
                # one conversation to warm up every code path (not counted)
                asyncio.run(run_load(stack.stack.rasa_url, 1, 1, f"bench-warmup-{label}-{rep}", trouble))
                for users, conversations in plan.levels.items():
                    prefix = f"bench-{label}-r{rep}-u{users}-{secrets.token_hex(3)}"
                    before = stack.cpu_snapshot()
                    run = asyncio.run(run_load(
                        stack.stack.rasa_url, users, conversations, prefix, trouble, think_time=plan.think_time
                    ))
                    after = stack.cpu_snapshot()
                    summary = run.summary()
                    summary["cpu_ms_per_msg"] = {
                        role: 1000 * (after[role] - before[role]) / max(1, summary["messages"]) for role in after
                    }
                    load_runs[users][label].append(summary)
                    log(
                        f"  {users:>2} users: p50 {fmt_num(summary['p50_ms'])} ms, p95 {fmt_num(summary['p95_ms'])} ms, "
                        f"p99 {fmt_num(summary['p99_ms'])} ms, {fmt_num(summary['msgs_per_s'], 1)} msg/s, "
                        f"{summary['errors']} errors, {summary['completed']}/{conversations} completed"
                    )
                for role, mb in stack.peak_memory_mb().items():
                    memory[label][role].append(mb)
                if label not in workers:
                    log(f"  {label}: NLU accuracy and per-turn profile (in process)...")
                    workers[label] = run_worker(stack, models[label], plan.profile_conversations, work / f"worker-{label}.log")
                    nlu = workers[label]["nlu"]
                    log(f"  held-out {fmt_pct(nlu['heldout_accuracy'])}, crisis recall {fmt_pct(nlu['crisis_recall'])}, "
                        f"near-miss false alarms {fmt_pct(nlu['near_miss_false_alarms'])}")
            except BaseException:
                log(f"  stopped early; logs kept in {stack.var_dir / 'log'}")
                stack.stop(keep=True)
                raise
            stack.stop()

    result["cold_start"] = {
        **{l: {"runs_s": cold[l], "median_s": median(cold[l])} for l in LABELS},
        "ratios": paired_ratios(cold["ours"], cold["default"]),
        "ratio_median": median_ratio(cold["ours"], cold["default"]),
    }
    result["load"] = {}
    totals: Dict[str, Dict[str, int]] = {l: {"messages": 0, "errors": 0, "completed": 0, "conversations": 0} for l in LABELS}
    for users, conversations in plan.levels.items():
        entry: Dict[str, Any] = {"users": users, "conversations": conversations}
        for label in LABELS:
            runs = load_runs[users][label]
            entry[label] = {"runs": runs, "median": _summarise_runs(runs)}
            for run in runs:
                totals[label]["messages"] += run["messages"]
                totals[label]["errors"] += run["errors"]
                totals[label]["completed"] += run["completed"]
                totals[label]["conversations"] += run["conversations"]
        entry["ratios"] = {}
        entry["ratio_median"] = {}
        for key in ("p50_ms", "p95_ms", "p99_ms", "msgs_per_s"):
            mine = [r.get(key) for r in load_runs[users]["ours"]]
            theirs = [r.get(key) for r in load_runs[users]["default"]]
            entry["ratios"][key] = paired_ratios(mine, theirs)
            entry["ratio_median"][key] = median_ratio(mine, theirs)
        result["load"][str(users)] = entry
    result["errors"] = totals
    result["memory_mb"] = {
        **{l: {role: {"runs": memory[l][role], "median": median(memory[l][role])} for role in memory[l]} for l in LABELS},
        "ratio_median": {role: median_ratio(memory["ours"][role], memory["default"][role]) for role in ("rasa", "actions", "web")},
    }
    result["nlu"] = {l: workers[l]["nlu"] for l in LABELS if l in workers}
    result["profile"] = {l: workers[l]["profile"] for l in LABELS if l in workers}
    result["machine"]["loadavg_end"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    result["elapsed_s"] = time.perf_counter() - started
    result["targets"] = evaluate_targets(result)
    shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_worker"]:
        return _worker_main(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 repetition, fewer conversations, reuse trained models if present")
    ap.add_argument("--retrain", action="store_true", help="with --quick: train (and time) anyway")
    ap.add_argument("--repeat", type=int, default=0, help="repetitions of each load level and cold start (default 3)")
    ap.add_argument("--repeat-training", type=int, default=1, metavar="N", help="train each configuration N times (default 1)")
    ap.add_argument("--levels", default="", help="comma-separated concurrent users, e.g. 10 (default 1,10,50)")
    ap.add_argument("--conversations", type=int, default=0, help="conversations per level (default: by level)")
    ap.add_argument("--tf-threads", default="1/1", metavar="INTRA/INTER",
                    help="TensorFlow intra/inter op threads of the Rasa server (default 1/1)")
    ap.add_argument("--think-time", type=float, default=0.0, metavar="SECONDS",
                    help="mean pause before each message (default 0: closed loop, as fast as replies come)")
    ap.add_argument("--out", type=Path, default=RESULTS_DIR, help="where bench.json and bench.md go")
    args = ap.parse_args(argv)
    plan = Plan.from_args(args)
    if plan.repetitions < 1 or plan.training_repetitions < 1:
        ap.error("repetitions must be at least 1")

    missing = [p for p in (PROJECT_ROOT / "var/spacy/en_iop_lookup", PROJECT_ROOT / "data/generated/responses.yml") if not p.exists()]
    if missing:
        print(f"Missing {', '.join(str(p) for p in missing)}: run `make bench` (it installs and renders first).",
              file=sys.stderr)
        return 1
    def _terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the stacks

    signal.signal(signal.SIGTERM, _terminate)
    load = os.getloadavg()[0]
    if load >= 1.0:
        log(f"note: load average is {load:.2f}; other work on this machine will skew the numbers")
    result = run_benchmark(plan)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(result, indent=2))
    markdown = render_markdown(result)
    (args.out / "bench.md").write_text(markdown)
    print()
    print(markdown)
    print(f"Written to {args.out / 'bench.json'} and {args.out / 'bench.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
