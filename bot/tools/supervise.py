"""Keeping the stack up: a process that stops is started again after a growing pause while the
others keep serving, and one that keeps stopping is reported and left down instead of being
retried for ever.

`RestartPolicy` is the decision alone (plain data in, a delay or "give up" out), so it is tested
with a table; `Supervisor` applies it to a `bot.tools.run.Stack` and writes what runs where to
`<var>/run/stack.json`, which operators and tests read to find a process.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, TextIO

from bot.tools.run import Stack, signal_group


@dataclass(frozen=True)
class RestartPolicy:
    """When to start a stopped process again.

    The n-th stop within `window` seconds waits first_delay * 2**(n-1), at most max_delay (1, 2, 4,
    8 s...: a crash loop does not burn the CPU the other processes need); the `give_up_after`-th
    stop within the window is not retried: the process is broken, not unlucky.
    """

    first_delay: float = 1.0
    max_delay: float = 8.0
    give_up_after: int = 5
    window: float = 300.0

    def delay(self, stops: List[float], now: float) -> Optional[float]:
        """Seconds to wait before the next start, or None to give up; `stops` are the stop times so far."""
        recent = [t for t in stops if now - t <= self.window]
        if not recent:
            return 0.0
        if len(recent) >= self.give_up_after:
            return None
        return min(self.max_delay, self.first_delay * 2 ** (len(recent) - 1))


@dataclass
class _Watch:
    stops: List[float] = field(default_factory=list)
    restart_at: Optional[float] = None  # monotonic time of the next start, while it is down
    waiting_since: Optional[float] = None  # started again, not answering yet
    given_up: bool = False


class Supervisor:
    """Runs the stack's processes until told to stop, restarting any that stops (see RestartPolicy)."""

    def __init__(
        self,
        stack: Stack,
        policy: RestartPolicy = RestartPolicy(),
        out: TextIO = sys.stderr,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stack = stack
        self.policy = policy
        self.out = out
        self.clock = clock
        self.watches: Dict[str, _Watch] = {name: _Watch() for name in stack.processes}
        self.stopping = False

    @property
    def state_file(self) -> Path:
        return self.stack.log_dir.parent / "run" / "stack.json"

    def _say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def write_state(self) -> None:
        """What runs where, for operators and tests: process ids, ports, and what is down."""
        state = {
            "supervisor": os.getpid(),
            "ports": {"rasa": self.stack.rasa_port, "actions": self.stack.action_port, "web": self.stack.web_port},
            "processes": {
                name: {
                    "pid": proc.pid if proc.poll() is None else None,
                    "restarts": len(self.watches[name].stops),
                    "given_up": self.watches[name].given_up,
                }
                for name, proc in self.stack.processes.items()
            },
        }
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)

    def check_once(self) -> None:
        """One look at every process: note stops, start what is due, report what came back."""
        now = self.clock()
        changed = False
        checks = self.stack.ready_checks()
        for name, proc in list(self.stack.processes.items()):
            watch = self.watches.setdefault(name, _Watch())
            if watch.given_up:
                continue
            if watch.restart_at is None and proc.poll() is not None:
                # it may leave children in its group (PostgreSQL's backends under runuser, say)
                # holding its port or files: they go before it is started again
                signal_group(proc.pid, signal.SIGKILL)
                watch.stops.append(now)
                delay = self.policy.delay(watch.stops, now)
                log = self.stack.log_dir / f"{name}.log"
                if delay is None:
                    watch.given_up = True
                    self._say(
                        f"{name} stopped (code {proc.returncode}) {len(watch.stops)} times in "
                        f"{self.policy.window / 60:.0f} minutes; not starting it again. The other processes "
                        f"keep running. See {log}"
                    )
                else:
                    watch.restart_at = now + delay
                    self._say(f"{name} stopped (code {proc.returncode}); starting it again in {delay:g} s. See {log}")
                watch.waiting_since = None
                changed = True
            if watch.restart_at is not None and now >= watch.restart_at:
                watch.restart_at = None
                watch.waiting_since = now
                self.stack.start_process(name)
                changed = True
            if watch.waiting_since is not None and self.stack.processes[name].poll() is None and checks[name]():
                self._say(f"{name} is answering again ({now - watch.waiting_since:.1f} s after its start)")
                watch.waiting_since = None
        if changed:
            self.write_state()

    def run(self, poll: float = 0.5) -> None:
        """Supervise until `stopping` is set (a signal handler sets it)."""
        self.write_state()
        while not self.stopping:
            self.check_once()
            time.sleep(poll)

    def shutdown(self) -> None:
        """Stop every process; nothing runs where the state file said."""
        self.stack.stop()
        self.state_file.unlink(missing_ok=True)
