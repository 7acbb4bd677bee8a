"""bot.tools.supervise: when a stopped process is started again (a table), and the supervisor doing
it to real processes while the others keep running."""
from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest

from bot.tools.run import Stack
from bot.tools.supervise import RestartPolicy, Supervisor

POLICY = RestartPolicy(first_delay=1.0, max_delay=8.0, give_up_after=5, window=300.0)


@pytest.mark.parametrize(
    "stops, now, expected",
    [
        ([], 100.0, 0.0),  # never stopped: start now
        ([100.0], 100.0, 1.0),  # first stop: 1 s
        ([90.0, 100.0], 100.0, 2.0),
        ([80.0, 90.0, 100.0], 100.0, 4.0),
        ([70.0, 80.0, 90.0, 100.0], 100.0, 8.0),
        ([70.0, 80.0, 90.0, 95.0, 100.0], 100.0, None),  # fifth stop within 5 minutes: give up
        ([0.0, 10.0, 20.0, 30.0, 400.0], 400.0, 1.0),  # the old stops are outside the window
        ([0.0, 10.0, 20.0, 300.0, 400.0], 400.0, 2.0),  # only 300 and 400 count
    ],
)
def test_restart_delay(stops: List[float], now: float, expected: Optional[float]) -> None:
    assert POLICY.delay(stops, now) == expected


def test_the_pause_never_passes_the_cap() -> None:
    policy = RestartPolicy(first_delay=1.0, max_delay=3.0, give_up_after=100)
    assert policy.delay([float(t) for t in range(10)], 9.0) == 3.0


class SleeperStack(Stack):
    """Three plain Python sleepers standing in for the servers; each always 'answers'."""

    def commands(self) -> Dict[str, List[str]]:
        sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
        return {"actions": sleeper, "web": sleeper, "rasa": sleeper}

    def ready_checks(self) -> Dict[str, Callable[[], bool]]:
        return {name: (lambda: True) for name in ("actions", "web", "rasa")}


def _until(condition: Callable[[], bool], supervisor: Supervisor, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.check_once()
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def _kill(stack: Stack, name: str) -> None:
    os.killpg(stack.processes[name].pid, signal.SIGKILL)
    stack.processes[name].wait(timeout=5)


def test_a_stopped_process_comes_back_and_the_others_never_stop(tmp_path: Path) -> None:
    stack = SleeperStack(log_dir=tmp_path / "log")
    stack.start(timeout=10, poll=0.05)
    out = io.StringIO()
    supervisor = Supervisor(stack, RestartPolicy(first_delay=0.1, max_delay=0.2), out=out)
    try:
        supervisor.write_state()
        for name in ("rasa", "actions", "web"):
            pids = {n: p.pid for n, p in stack.processes.items()}
            _kill(stack, name)
            _until(lambda: stack.processes[name].pid != pids[name] and stack.processes[name].poll() is None, supervisor)
            _until(lambda: f"{name} is answering again" in out.getvalue(), supervisor)
            assert all(stack.processes[n].pid == pids[n] for n in pids if n != name)
            assert all(p.poll() is None for p in stack.processes.values())
            state = json.loads(supervisor.state_file.read_text())
            assert state["processes"][name] == {"pid": stack.processes[name].pid, "restarts": 1, "given_up": False}
        assert f"rasa stopped (code {-signal.SIGKILL}); starting it again in 0.1 s" in out.getvalue()
    finally:
        supervisor.shutdown()
    assert not supervisor.state_file.exists()
    assert stack.processes == {}


def test_a_process_that_keeps_stopping_is_reported_and_left_down(tmp_path: Path) -> None:
    stack = SleeperStack(log_dir=tmp_path / "log")
    stack.start(timeout=10, poll=0.05)
    out = io.StringIO()
    supervisor = Supervisor(stack, RestartPolicy(first_delay=0.05, max_delay=0.05, give_up_after=3), out=out)
    try:
        others = {n: stack.processes[n].pid for n in ("actions", "web")}
        for _ in range(2):
            before = stack.processes["rasa"].pid
            _kill(stack, "rasa")
            _until(lambda: stack.processes["rasa"].pid != before, supervisor)
        _kill(stack, "rasa")
        _until(lambda: "not starting it again" in out.getvalue(), supervisor)
        for _ in range(10):
            supervisor.check_once()
            time.sleep(0.02)
        assert stack.processes["rasa"].poll() is not None  # left down
        assert out.getvalue().count("not starting it again") == 1  # said once
        assert "rasa stopped (code -9) 3 times in 5 minutes" in out.getvalue()
        assert {n: stack.processes[n].pid for n in others} == others
        assert all(stack.processes[n].poll() is None for n in others)
        state = json.loads(supervisor.state_file.read_text())
        assert state["processes"]["rasa"] == {"pid": None, "restarts": 3, "given_up": True}
    finally:
        supervisor.shutdown()
