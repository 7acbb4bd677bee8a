"""The stack the benchmark measures: bot.tools.run.Stack with the benchmark's environment and readiness."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

from bot.tools.bench.stack import BenchStack
from bot.tools.run import CHILD_ENV, Stack


class SleepyStack(Stack):
    """A Stack whose processes are plain Python sleepers, so start-up can be tested without Rasa."""

    def commands(self) -> Dict[str, List[str]]:
        sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
        return {"actions": sleeper, "web": sleeper, "rasa": [sys.executable, "-c", "raise SystemExit(3)"]}


def test_start_uses_the_given_readiness_checks_and_reports_when_each_was_ready(tmp_path: Path) -> None:
    stack = SleepyStack(log_dir=tmp_path / "log")
    opened = time.perf_counter() + 0.3
    try:
        ready_after = stack.start(
            timeout=10, names=["actions", "web"], poll=0.05,
            ready={"actions": lambda: time.perf_counter() > opened, "web": lambda: True},
        )
        assert set(ready_after) == {"actions", "web"}
        assert ready_after["web"] < ready_after["actions"]
        assert 0.3 <= ready_after["actions"] < 5
        assert all(proc.poll() is None for proc in stack.processes.values())
    finally:
        stack.stop()
    assert stack.processes == {}


def test_start_stops_everything_when_a_process_dies(tmp_path: Path) -> None:
    stack = SleepyStack(log_dir=tmp_path / "log")
    with pytest.raises(RuntimeError, match="rasa exited early"):
        stack.start(timeout=10, names=["actions", "rasa"], poll=0.05, ready={"actions": lambda: False})
    assert stack.processes == {}


def test_environment_defaults_and_tf_threads_reach_the_children(tmp_path: Path) -> None:
    plain = Stack(log_dir=tmp_path)._child_env()
    for key, value in CHILD_ENV.items():
        assert plain[key] == value
    assert plain["PYTHONUNBUFFERED"] == "1"
    threaded = Stack(log_dir=tmp_path, tf_threads=(1, 2), env={"TF_CPP_MIN_LOG_LEVEL": "0"})._child_env()
    assert threaded["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert threaded["TF_INTER_OP_PARALLELISM_THREADS"] == "2"
    assert threaded["TF_CPP_MIN_LOG_LEVEL"] == "0"  # the stack's own env wins over the defaults


def test_bench_stack_is_private_and_keeps_traffic_local(tmp_path: Path) -> None:
    bench = BenchStack(tmp_path / "model.tar.gz", tf_intra=1, tf_inter=2, root=tmp_path)
    try:
        env = bench.stack._child_env()
        assert bench.var_dir.parent == tmp_path and (bench.var_dir / "iop.sqlite").exists()
        assert env["IOP_VAR_DIR"] == str(bench.var_dir)
        assert env["DATABASE_URL"] == f"sqlite:///{bench.var_dir / 'iop.sqlite'}"
        assert env["TWILIO_ACCOUNT_SID"] == "" and env["STAFF_WEBHOOK_URL"] == ""
        assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1" and env["TF_INTER_OP_PARALLELISM_THREADS"] == "2"
        assert env["RASA_TELEMETRY_ENABLED"] == "false"
        assert bench.stack.rasa_url.startswith("http://127.0.0.1:")
        assert len({bench.stack.rasa_port, bench.stack.action_port, bench.stack.web_port}) == 3
    finally:
        bench.stop()
    assert not bench.var_dir.exists()
