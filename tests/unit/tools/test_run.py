"""bot.tools.run: Stack start-up and shutdown, temporary stacks, and the environment its children get (CHILD_ENV,
child_env, tf_threads_env)."""
from __future__ import annotations

import socket
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

from bot.tools.run import CHILD_ENV, LOWEST_PORT, Stack, ephemeral_low, free_port


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
    plain = Stack(log_dir=tmp_path).process_env()
    for key, value in CHILD_ENV.items():
        assert plain[key] == value
    assert plain["PYTHONUNBUFFERED"] == "1"
    threaded = Stack(log_dir=tmp_path, tf_threads=(1, 2), env={"TF_CPP_MIN_LOG_LEVEL": "0"}).process_env()
    assert threaded["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert threaded["TF_INTER_OP_PARALLELISM_THREADS"] == "2"
    assert threaded["TF_CPP_MIN_LOG_LEVEL"] == "0"  # the stack's own env wins over the defaults


def test_temporary_stack_keeps_everything_under_its_folder(tmp_path: Path) -> None:
    """Stack.temporary: migrated SQLite files in its folder, the given login, free distinct ports,
    the caller's settings on top; and another run gets another id secret."""
    import sqlite3

    var_dir = tmp_path / "var"
    stack = Stack.temporary(var_dir, ("staff", "hash"), env={"TWILIO_API_BASE": "http://127.0.0.1:9"},
                            tf_threads=(1, 1))
    env = stack.env
    assert env["IOP_VAR_DIR"] == str(var_dir)
    assert env["DATABASE_URL"] == f"sqlite:///{var_dir / 'iop.sqlite'}"
    assert env["TRACKER_DATABASE_URL"] == f"sqlite:///{var_dir / 'tracker.sqlite'}"
    assert (env["STAFF_USERNAME"], env["STAFF_PASSWORD_HASH"]) == ("staff", "hash")
    assert env["PUBLIC_BASE_URL"] == stack.rasa_url and env["TWILIO_API_BASE"] == "http://127.0.0.1:9"
    assert len({stack.rasa_port, stack.action_port, stack.web_port}) == 3
    assert stack.log_dir == var_dir / "log" and stack.tf_threads == (1, 1)
    tables = {row[0] for row in sqlite3.connect(var_dir / "iop.sqlite").execute("select name from sqlite_master")}
    assert {"callback_requests", "outbox", "sms_opt_outs"} <= tables, tables
    other = Stack.temporary(tmp_path / "other", ("staff", "hash"))
    assert len(env["IOP_ID_SECRET"]) == 64 and other.env["IOP_ID_SECRET"] != env["IOP_ID_SECRET"]
    assert other.env["DATABASE_URL"] != env["DATABASE_URL"]


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, ["http://localhost:8080", "http://127.0.0.1:8080"]),
        ({"WIDGET_PUBLIC_URL": "https://chat.example.org/"}, ["https://chat.example.org"]),
        ({"WIDGET_ALLOWED_ORIGINS": "https://a.example.org, https://b.example.org",
          "WIDGET_PUBLIC_URL": "https://chat.example.org"}, ["https://a.example.org", "https://b.example.org"]),
    ],
)
def test_browsers_may_call_rasa_only_from_the_widget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     env: Dict[str, str], expected: List[str]) -> None:
    monkeypatch.delenv("WIDGET_PUBLIC_URL", raising=False)
    monkeypatch.delenv("WIDGET_ALLOWED_ORIGINS", raising=False)
    stack = Stack(log_dir=tmp_path, env=env)
    assert stack.widget_origins() == expected
    rasa = stack.commands()["rasa"]
    assert rasa[rasa.index("--cors") + 1:rasa.index("--cors") + 1 + len(expected)] == expected
    assert "*" not in rasa


def test_every_process_gets_the_action_token_and_none_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    stack, other = Stack(log_dir=tmp_path / "log"), Stack(log_dir=tmp_path / "log")
    assert len(stack.action_token) >= 32 and stack.action_token != other.action_token
    assert stack.process_env()["ACTION_SERVER_TOKEN"] == stack.action_token
    written = stack._endpoints_file().read_text()
    assert "${ACTION_SERVER_TOKEN}" in written and stack.action_token not in written
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "t" * 40)
    assert Stack(log_dir=tmp_path).action_token == "t" * 40


def test_free_ports_are_chosen_below_the_range_outgoing_connections_use() -> None:
    """A port from the outgoing range may be given to another process's connection before the server
    binds it (it happened to the scaled stack's website): chosen below that range, it cannot be."""
    for _ in range(20):
        port = free_port()
        assert LOWEST_PORT <= port < ephemeral_low()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # free indeed


@pytest.mark.parametrize("text, expected", [("32768\t60999\n", 32768), ("40000 50000", 40000), ("", 32768), ("x y", 32768)])
def test_the_outgoing_range_is_read_from_the_kernel(tmp_path: Path, text: str, expected: int) -> None:
    path = tmp_path / "ip_local_port_range"
    path.write_text(text)
    assert ephemeral_low(path) == expected
    assert ephemeral_low(tmp_path / "missing") == 32768
