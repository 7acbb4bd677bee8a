"""`make soak`: the scaled profile under a steady, human-paced load for a long stretch, with one Rasa
server killed and brought back by the supervisor halfway through.

What it checks, and prints as met or not:
- no error seen by a user (a non-200, an empty reply, a timeout or the technical-trouble text);
- every completed conversation's callback request stored exactly once, none twice;
- memory flat: no process that was not killed grows by more than FLAT_GROWTH between the end of the
  warm-up and the end (memory sampled every few seconds, shared pages counted once: procfs.memory_now_mb),
  leaving out the shared-memory pool, PostgreSQL's buffer cache, which is a cache that fills up to its
  configured size (shared_buffers) as the tables grow: it is reported beside, and must stay within
  that size and SHARED_POOL_EXTRA_MB;
- the killed server answering again, and how long that took.

    python -m bot.tools.bench.soak                 # 50 users, 10 minutes, 2 Rasa servers
    python -m bot.tools.bench.soak --minutes 3     # a shorter run

Writes results/soak.json. Everything runs on loopback in a temporary folder (bench.stack.BenchStack);
nothing leaves the machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.settings import PROJECT_ROOT
from bot.tools.bench.load import run_load
from bot.tools.bench.procfs import machine_info, memory_split_mb
from bot.tools.bench.project import technical_trouble
from bot.tools.bench.report import log
from bot.tools.bench.stack import BenchStack
from bot.tools.bench.train import BENCH_MODELS
from bot.tools.scaled import PG_SHARED_BUFFERS_MB
from bot.tools.run import signal_group
from bot.tools.supervise import Supervisor

MODEL = PROJECT_ROOT / "models" / "iop.tar.gz"
RESULTS = PROJECT_ROOT / "results" / "soak.json"
FLAT_GROWTH = 0.10  # at most 10% more memory at the end than after the warm-up
FLAT_SLACK_MB = 25.0  # ... or this much, for small processes whose few MB move in steps
# PostgreSQL's shared memory beyond its buffer cache (lock tables, WAL buffers, one slot per
# connection): the shared pool must stay within shared_buffers and this.
SHARED_POOL_EXTRA_MB = 64.0
VICTIM = "rasa-1"


@dataclass(frozen=True)
class SoakPlan:
    users: int = 50
    minutes: float = 10.0
    think_time: float = 5.0  # mean pause before each message, as a person reading and typing
    rasa_servers: int = 2
    kill_at: float = 0.5  # fraction of the run
    sample_seconds: float = 10.0
    warm_up: float = 0.2  # fraction of the run before memory is compared


def _ends(samples: List[float], warm_up: int) -> Optional[Tuple[float, float]]:
    """Memory just after the warm-up and at the end: the median of three samples at each end, so that
    one garbage collection does not decide. None if there are too few samples or nothing at the start."""
    if len(samples) < warm_up + 6:
        return None
    start = statistics.median(samples[warm_up:warm_up + 3])
    return (start, statistics.median(samples[-3:])) if start > 0 else None


def memory_growth(samples: List[float], warm_up: int) -> Optional[float]:
    """Growth from just after the warm-up to the end, as a fraction; None if too few samples."""
    ends = _ends(samples, warm_up)
    return None if ends is None else (ends[1] - ends[0]) / ends[0]


def is_flat(samples: List[float], warm_up: int) -> Optional[bool]:
    ends = _ends(samples, warm_up)
    if ends is None:
        return None
    start, end = ends
    return (end - start) / start <= FLAT_GROWTH or end - start <= FLAT_SLACK_MB


def callback_counts(database_url: str, prefix: str) -> Dict[str, int]:
    """Stored callback requests per conversation of this run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT conversation_id, COUNT(*) FROM callback_requests WHERE conversation_id LIKE :p "
                     "GROUP BY conversation_id"),
                {"p": f"{prefix}-%"},
            )
            return {str(conversation): int(count) for conversation, count in rows}
    finally:
        engine.dispose()


class Sampler(threading.Thread):
    """Resident memory of every process every few seconds, and the supervisor's checks in between."""

    def __init__(self, stack: BenchStack, supervisor: Supervisor, every: float) -> None:
        super().__init__(daemon=True)
        self.stack, self.supervisor, self.every = stack, supervisor, every
        self.samples: Dict[str, List[float]] = {name: [] for name in stack.stack.processes}  # without the pool
        self.shared: Dict[str, List[float]] = {name: [] for name in stack.stack.processes}
        self.done = threading.Event()

    def run(self) -> None:
        next_sample = 0.0
        while not self.done.is_set():
            self.supervisor.check_once()
            if time.monotonic() >= next_sample:
                next_sample = time.monotonic() + self.every
                for name, proc in list(self.stack.stack.processes.items()):
                    own, pool = memory_split_mb(proc.pid) if proc.poll() is None else (0.0, 0.0)
                    self.samples.setdefault(name, []).append(own)
                    self.shared.setdefault(name, []).append(pool)
            self.done.wait(0.5)


def run_soak(plan: SoakPlan, model: Path = MODEL) -> Dict[str, Any]:
    BENCH_MODELS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="soak-", dir=BENCH_MODELS))
    stack = BenchStack(model, 1, 1, work, plan.rasa_servers)
    events: List[str] = []
    sampler: Optional[Sampler] = None
    timer: Optional[threading.Timer] = None
    try:
        log(f"starting the scaled profile with {plan.rasa_servers} Rasa servers...")
        started_after = stack.cold_start()
        log(f"  first answer after {started_after:.1f} s")
        supervisor = Supervisor(stack.stack, out=_Lines(events))
        sampler = Sampler(stack, supervisor, plan.sample_seconds)
        sampler.start()
        duration = plan.minutes * 60
        prefix = f"soak-{int(time.time())}"
        killed: Dict[str, Any] = {}

        def kill() -> None:
            proc = stack.stack.processes[VICTIM]
            killed.update(pid=proc.pid, at_s=round(time.monotonic() - begun, 1))
            log(f"  killing {VICTIM} (SIGKILL to its process group) at {killed['at_s']:.0f} s")
            signal_group(proc.pid, signal.SIGKILL)

        begun = time.monotonic()
        timer = threading.Timer(duration * plan.kill_at, kill)
        timer.start()
        log(f"{plan.users} users at a person's pace (about {plan.think_time:g} s between messages) for {plan.minutes:g} minutes...")
        run = asyncio.run(run_load(
            stack.stack.rasa_url, plan.users, 100_000, prefix, technical_trouble(),
            level_timeout=duration + 600, think_time=plan.think_time, duration_s=duration,
        ))
        _stop_watching(timer, sampler)
        summary = run.summary()
        counts = callback_counts(stack.stack.process_env()["DATABASE_URL"], prefix)  # what the processes use
        completed = set(run.completed_senders)
        back = next((line for line in events if line.startswith(f"{VICTIM} is answering again")), None)
        warm = max(1, int(len(next(iter(sampler.samples.values()), [])) * plan.warm_up))
        memory = {
            name: {
                "samples_mb": [round(v, 1) for v in values],
                "shared_pool_mb": [round(v, 1) for v in sampler.shared.get(name, [])],
                "growth": memory_growth(values, warm),
                "flat": None if name == VICTIM else is_flat(values, warm),
            }
            for name, values in sampler.samples.items()
        }
        result = {
            "machine": machine_info(),
            "plan": asdict(plan),
            "cold_start_s": started_after,
            "load": summary,
            "killed": {**killed, "back": back, "supervisor": events},
            "callbacks": {
                "completed_conversations": len(completed),
                "stored": sum(counts.values()),
                "missing": len(completed - set(counts)),
                "stored_twice": sum(1 for n in counts.values() if n > 1),
            },
            "memory": memory,
        }
        result["met"] = {
            "no_user_errors": summary["errors"] == 0,
            "callbacks_once": result["callbacks"]["missing"] == 0 and result["callbacks"]["stored_twice"] == 0
            and len(completed) > 0,
            "memory_flat": all(m["flat"] is not False for m in memory.values()),
            "shared_pool_bounded": all(max(m["shared_pool_mb"] or [0.0]) <= PG_SHARED_BUFFERS_MB + SHARED_POOL_EXTRA_MB
                                       for m in memory.values()),
            "killed_server_back": back is not None,
        }
    except BaseException:
        _stop_watching(timer, sampler)  # the supervisor must not start again what the stop ends
        log(f"  stopped early; logs kept in {stack.var_dir / 'log'}")
        stack.stop(keep=True)
        raise
    stack.stop()
    shutil.rmtree(work, ignore_errors=True)
    return result


def _stop_watching(timer: Optional[threading.Timer], sampler: Optional[Sampler]) -> None:
    """No kill still to come, and no more supervisor checks or samples."""
    if timer is not None:
        timer.cancel()
    if sampler is not None:
        sampler.done.set()
        sampler.join()


class _Lines:
    """A text stream that keeps each line the supervisor writes."""

    def __init__(self, lines: List[str]) -> None:
        self.lines = lines

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self.lines.append(line)
                log(f"  supervisor: {line}")
        return len(text)

    def flush(self) -> None:
        pass


def report(result: Dict[str, Any]) -> str:
    load, calls = result["load"], result["callbacks"]
    lines = [
        f"{load['messages']} messages in {load['conversations']} conversations from {result['plan']['users']} users "
        f"over {result['plan']['minutes']:g} minutes: p50 {load['p50_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms, "
        f"{load['msgs_per_s']:.1f} msg/s, {load['errors']} errors {load['error_kinds'] or ''}",
        f"callbacks: {calls['completed_conversations']} conversations completed, {calls['stored']} stored, "
        f"{calls['missing']} missing, {calls['stored_twice']} stored twice",
        f"{VICTIM} killed at {result['killed'].get('at_s')} s; {result['killed']['back'] or 'not back'}",
    ]
    for name, mem in sorted(result["memory"].items()):
        growth = mem["growth"]
        pool = mem.get("shared_pool_mb") or [0.0]
        lines.append(f"memory {name}: {mem['samples_mb'][:1]} -> {mem['samples_mb'][-1:]} MB, "
                     f"growth {'n/a' if growth is None else f'{100 * growth:+.1f}%'}"
                     f"{'' if mem['flat'] is None else (' flat' if mem['flat'] else ' NOT FLAT')}"
                     + (f"; shared pool {pool[0]} -> {pool[-1]} MB (at most {max(pool)}; "
                        f"shared_buffers {PG_SHARED_BUFFERS_MB} MB)" if max(pool) >= 1 else ""))
    lines += [f"{key}: {'met' if ok else 'NOT MET'}" for key, ok in result["met"].items()]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.tools.bench.soak", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = SoakPlan()
    ap.add_argument("--users", type=int, default=defaults.users)
    ap.add_argument("--minutes", type=float, default=defaults.minutes)
    ap.add_argument("--think-time", type=float, default=defaults.think_time, metavar="SECONDS")
    ap.add_argument("--rasa-servers", type=int, default=defaults.rasa_servers)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.rasa_servers < 2:
        ap.error("the soak run kills one Rasa server while another serves: at least 2")
    if not MODEL.exists():
        print(f"Missing {MODEL}: run `make soak` (it trains first).", file=sys.stderr)
        return 1
    plan = SoakPlan(users=args.users, minutes=args.minutes, think_time=args.think_time, rasa_servers=args.rasa_servers)
    result = run_soak(plan)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(report(result))
    print(f"Written to {args.out}")
    return 0 if all(result["met"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
