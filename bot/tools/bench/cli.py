"""Arguments and orchestration of `python -m bot.tools.bench` (what it measures: see the package docstring)."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.settings import PROJECT_ROOT
from bot.tools import bench
from bot.tools.bench.fmt import fmt_num, fmt_pct
from bot.tools.bench.load import messages_per_conversation, run_load
from bot.tools.bench.procfs import machine_info
from bot.tools.bench.profile import run_worker, worker_main
from bot.tools.bench.project import technical_trouble
from bot.tools.bench.report import log, write_results
from bot.tools.bench.stack import BenchStack
from bot.tools.bench.stats import LABELS, median, median_ratio, ratio_entry, summarise_runs
from bot.tools.bench.targets import FULL_EPOCHS, evaluate_targets
from bot.tools.bench.train import BENCH_MODELS, prepare_models

RESULTS_DIR = PROJECT_ROOT / "results"


@dataclass
class Plan:
    """What one run measures, from the command line."""

    quick: bool
    repetitions: int
    training_repetitions: int
    levels: Dict[int, int]  # users -> conversations
    tf_intra: int
    tf_inter: int
    profile_conversations: int
    retrain: bool
    think_time: float = 0.0
    labels: Tuple[str, ...] = LABELS  # the configurations measured
    rasa_servers: int = 1  # more than one: the scaled profile (nginx, PostgreSQL, Redis)
    default_epochs: int = FULL_EPOCHS  # fewer: the default is a yardstick for speed only

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
            retrain=(not args.quick or args.retrain) and not args.reuse_models,
            think_time=max(0.0, args.think_time),
            labels=(args.only,) if args.only else LABELS,
            rasa_servers=max(1, args.rasa_servers),
            default_epochs=max(1, args.default_epochs),
        )


def run_benchmark(plan: Plan) -> Dict[str, Any]:
    """Train, then start each model's stack per repetition and measure it; the result as bench.json has it."""
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
    models, result["training"] = prepare_models(
        plan.labels, plan.retrain, plan.training_repetitions, work, default_epochs=plan.default_epochs
    )
    result["models"] = {label: str(path.relative_to(PROJECT_ROOT)) for label, path in models.items()}
    trouble = technical_trouble()  # a reply with it counts as an error

    load_runs: Dict[int, Dict[str, List[Dict[str, Any]]]] = {u: {l: [] for l in LABELS} for u in plan.levels}
    cold: Dict[str, List[Optional[float]]] = {l: [] for l in LABELS}
    memory: Dict[str, Dict[str, List[Optional[float]]]] = {
        l: {role: [] for role in ("rasa", "actions", "web")} for l in LABELS
    }
    workers: Dict[str, Dict[str, Any]] = {}

    for rep in range(plan.repetitions):
        order = plan.labels if rep % 2 == 0 else tuple(reversed(plan.labels))
        for label in order:
            stock = label == "default"  # Rasa's default configuration on Rasa's own tracker store
            stack = BenchStack(models[label], plan.tf_intra, plan.tf_inter, work, plan.rasa_servers, stock_rasa=stock)
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
                    memory[label].setdefault(role, []).append(mb)
                if label not in workers:
                    log(f"  {label}: NLU accuracy and per-turn profile (in process)...")
                    workers[label] = run_worker(
                        stack, models[label], plan.profile_conversations, work / f"worker-{label}.log", stock=stock
                    )
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
        **ratio_entry(cold["ours"], cold["default"]),
    }
    result["load"] = {}
    totals: Dict[str, Dict[str, int]] = {l: {"messages": 0, "errors": 0, "completed": 0, "conversations": 0} for l in LABELS}
    for users, conversations in plan.levels.items():
        entry: Dict[str, Any] = {"users": users, "conversations": conversations}
        for label in LABELS:
            runs = load_runs[users][label]
            entry[label] = {"runs": runs, "median": summarise_runs(runs)}
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
            pair = ratio_entry(mine, theirs)
            entry["ratios"][key], entry["ratio_median"][key] = pair["ratios"], pair["ratio_median"]
        result["load"][str(users)] = entry
    result["errors"] = totals
    result["memory_mb"] = {
        **{l: {role: {"runs": memory[l][role], "median": median(memory[l][role])} for role in memory[l]} for l in LABELS},
        "ratio_median": {
            role: median_ratio(memory["ours"][role], memory["default"][role])
            for role in ("rasa", "actions", "web")
        },
    }
    result["nlu"] = {l: workers[l]["nlu"] for l in LABELS if l in workers}
    result["profile"] = {l: workers[l]["profile"] for l in LABELS if l in workers}
    result["machine"]["loadavg_end"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    result["elapsed_s"] = time.perf_counter() - started
    result["targets"] = evaluate_targets(result)
    shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: Optional[List[str]] = None) -> int:
    """Arguments, checks that `make bench` did its set-up, the run, the files."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_worker"]:
        return worker_main(argv[1:])
    ap = argparse.ArgumentParser(
        prog="python -m bot.tools.bench", description=bench.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 repetition, fewer conversations, reuse trained models if present")
    ap.add_argument("--retrain", action="store_true", help="with --quick: train (and time) anyway")
    ap.add_argument("--only", choices=LABELS, default=None,
                    help="measure one configuration only (no ratios); with --quick and ours: no training at all")
    ap.add_argument("--repeat", type=int, default=0, help="repetitions of each load level and cold start (default 3)")
    ap.add_argument("--repeat-training", type=int, default=1, metavar="N", help="train each configuration N times (default 1)")
    ap.add_argument("--levels", default="", help="comma-separated concurrent users, e.g. 10 (default 1,10,50)")
    ap.add_argument("--conversations", type=int, default=0, help="conversations per level (default: by level)")
    ap.add_argument("--tf-threads", default="1/1", metavar="INTRA/INTER",
                    help="TensorFlow intra/inter op threads of the Rasa server (default 1/1)")
    ap.add_argument("--think-time", type=float, default=0.0, metavar="SECONDS",
                    help="mean pause before each message (default 0: closed loop, as fast as replies come)")
    ap.add_argument("--rasa-servers", type=int, default=1, metavar="N",
                    help="Rasa servers per stack; 2 or more runs the scaled profile behind nginx (default 1)")
    ap.add_argument("--default-epochs", type=int, default=FULL_EPOCHS, metavar="N",
                    help="train the default pipeline's networks for N epochs instead of 100: the same work per "
                         "message, so a fair yardstick for speed, but not for accuracy (default 100)")
    ap.add_argument("--reuse-models", action="store_true",
                    help="measure the models already in models/bench instead of training them again")
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
    markdown = write_results(result, args.out)
    print()
    print(markdown)
    print(f"Written to {args.out / 'bench.json'} and {args.out / 'bench.md'}")
    return 0
