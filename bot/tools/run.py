"""Start everything `make run` promises: Rasa server, action server, website + staff console.

One supervisor so that Ctrl-C stops every process it started, readiness is checked before the user
is told where to chat, and the test suite can start the very same stack on free ports.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from bot.settings import PROJECT_ROOT, VAR_DIR

VENV_BIN = Path(sys.executable).parent
DEFAULT_MODEL = PROJECT_ROOT / "models" / "iop.tar.gz"
# What each kind of server answers 200 on once it is ready.
HEALTH_PATHS = {"actions": "/health", "rasa": "/webhooks/rest/", "web": "/healthz"}

# The environment of every process the tools start (the stack, the benchmark's training and profiling).
# The Makefile exports the first three as well, for the commands make runs itself (`rasa train`, pytest).
CHILD_ENV: Dict[str, str] = {
    "RASA_TELEMETRY_ENABLED": "false",  # no usage data leaves the machine
    "TF_CPP_MIN_LOG_LEVEL": "2",  # TensorFlow's start-up notices would drown the logs
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",  # Rasa 3.6 is written against SQLAlchemy 1.4
    "PYTHONPATH": str(PROJECT_ROOT),  # custom components and actions import bot.*
}


def child_env(extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """This process's environment with CHILD_ENV on top, then `extra`."""
    env = dict(os.environ)
    env.update(CHILD_ENV)
    env.update(extra or {})
    return env


def tf_threads_env(intra: int, inter: int) -> Dict[str, str]:
    """TensorFlow's thread pools (read by Rasa at start-up): intra-op and inter-op threads."""
    return {"TF_INTRA_OP_PARALLELISM_THREADS": str(intra), "TF_INTER_OP_PARALLELISM_THREADS": str(inter)}


# Ports are chosen below the kernel's range for outgoing connections: a port taken from that range
# may be given to some process's outgoing connection (a Rasa server reaching PostgreSQL) between
# being chosen and being bound, and the server that was to listen on it fails to start.
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_PORT = 20000


def ephemeral_low(path: Path = EPHEMERAL_RANGE_FILE) -> int:
    """The lowest port the kernel hands out for outgoing connections (Linux: 32768 by default)."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(attempts: int = 200) -> int:
    """A TCP port that is free right now on the loopback interface, outside the range outgoing
    connections take theirs from; any free port if none is found there."""
    high = ephemeral_low()
    if high - LOWEST_PORT > 100:
        rng = secrets.SystemRandom()
        for _ in range(attempts):
            port = rng.randrange(LOWEST_PORT, high)
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_file(path: Path, text: str) -> None:
    """Write a file only its owner can read, from the first byte (never readable, then locked down)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def persistent_secret(name: str, var_dir: Path = VAR_DIR) -> str:
    """A random secret kept under var/secrets (git-ignored, owner only), so ids stay stable across restarts."""
    path = var_dir / "secrets" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    value = secrets.token_hex(32)
    private_file(path, value)
    return value


def signal_group(pid: int, signum: int) -> None:
    """Signal a process's whole group (each process starts its own), if any of it is still there."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _get_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback only
            return 200 <= resp.status < 300
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@dataclass
class Stack:
    """The three processes of the assistant, on configurable ports.

    tf_threads: (intra, inter) TensorFlow threads of the Rasa server; None leaves TensorFlow's default.
    """

    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    model: Path = DEFAULT_MODEL
    env: Dict[str, str] = field(default_factory=dict)
    log_dir: Path = VAR_DIR / "log"
    host: str = "127.0.0.1"
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    tf_threads: Optional[Tuple[int, int]] = None
    # The secret Rasa sends with every action call: ACTION_SERVER_TOKEN, else one for this stack only
    # (handed to both processes in their environment, never written to disk).
    actions_package: str = "actions"
    # Replaces the body of endpoints.yml's tracker_store section when set: the benchmark runs Rasa's
    # default configuration on Rasa's own SQLTrackerStore.
    tracker_store_yaml: str = ""
    action_token: str = field(default_factory=lambda: os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32))

    @classmethod
    def temporary(
        cls,
        var_dir: Path,
        staff: Tuple[str, str],
        database_url: Optional[str] = None,
        tracker_url: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        **options: Any,
    ) -> "Stack":
        """A stack on free loopback ports that keeps everything under `var_dir`: fresh migrated SQLite
        databases unless URLs are given, a throwaway id secret, the staff login `(username,
        password hash)`, and `env` on top. For tests and benchmarks; nothing touches var/."""
        from bot.store.db import upgrade

        var_dir.mkdir(parents=True, exist_ok=True)
        database_url = database_url or f"sqlite:///{var_dir / 'iop.sqlite'}"
        upgrade(database_url)
        rasa_port = free_port()
        host = options.get("host", cls.host)
        settings = {
            "IOP_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "TRACKER_DATABASE_URL": tracker_url or f"sqlite:///{var_dir / 'tracker.sqlite'}",
            "STAFF_USERNAME": staff[0],
            "STAFF_PASSWORD_HASH": staff[1],
            "IOP_ID_SECRET": secrets.token_hex(32),
            "PUBLIC_BASE_URL": f"http://{host}:{rasa_port}",
            **(env or {}),
        }
        return cls(
            rasa_port=rasa_port, action_port=free_port(), web_port=free_port(), env=settings,
            log_dir=var_dir / "log", **options,
        )

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    def endpoints_text(self) -> str:
        """endpoints.yml with this stack's action server address."""
        text = (PROJECT_ROOT / "endpoints.yml").read_text()
        if self.tracker_store_yaml:
            ours = "  type: bot.rasa_server.tracker_store.UrlSQLTrackerStore\n"
            assert ours in text, "endpoints.yml's tracker_store section changed"
            text = text.replace(ours, self.tracker_store_yaml)
        return text.replace("http://127.0.0.1:5055/webhook", f"{self.action_url}/webhook")

    def _endpoints_file(self) -> Path:
        """endpoints_text() written where this stack's Rasa server reads it."""
        path = self.log_dir.parent / "run" / f"endpoints-{self.rasa_port}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.endpoints_text())
        return path

    def process_env(self) -> Dict[str, str]:
        extra = {"PYTHONUNBUFFERED": "1", "ACTION_SERVER_TOKEN": self.action_token}
        if self.tf_threads is not None:
            extra.update(tf_threads_env(*self.tf_threads))
        extra.update(self.env)
        return child_env(extra)

    def widget_origins(self) -> List[str]:
        """Where browsers may call the REST channel from: the widget's frame, nowhere else.

        WIDGET_ALLOWED_ORIGINS (space or comma separated), else WIDGET_PUBLIC_URL, else this
        stack's website under both loopback names (the demo page loads the frame from the other one).
        """
        configured = self.env.get("WIDGET_ALLOWED_ORIGINS") or os.environ.get("WIDGET_ALLOWED_ORIGINS")
        public = self.env.get("WIDGET_PUBLIC_URL") or os.environ.get("WIDGET_PUBLIC_URL")
        if configured:
            return configured.replace(",", " ").split()
        if public:
            from bot.website.widget import normalise_public_url

            return [str(normalise_public_url(public))]
        return [f"http://localhost:{self.web_port}", f"http://127.0.0.1:{self.web_port}"]

    def commands(self) -> Dict[str, List[str]]:
        rasa = str(VENV_BIN / "rasa")
        logging_config = str(PROJECT_ROOT / "bot" / "logging.yml")
        cors = self.widget_origins()
        return {
            "actions": [
                sys.executable, "-m", "bot.action_server.server", "--host", self.host,
                "--port", str(self.action_port), "--actions", self.actions_package,
            ],
            "rasa": [
                rasa, "run", "--model", str(self.model), "--port", str(self.rasa_port),
                "--interface", self.host, "--endpoints", str(self._endpoints_file()),
                "--credentials", str(PROJECT_ROOT / "credentials.yml"), "--cors", *cors,
                "--logging-config-file", logging_config,
            ],
            "web": [
                sys.executable, "-m", "bot.website.app", "--host", self.host, "--port", str(self.web_port),
                "--rasa-url", self.env.get("PUBLIC_RASA_URL") or self.rasa_url,
            ],
        }

    def start_process(self, name: str) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            self.commands()[name],
            cwd=PROJECT_ROOT,
            env=self.process_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def start(
        self,
        timeout: float = 240.0,
        names: Optional[List[str]] = None,
        ready: Optional[Mapping[str, Callable[[], bool]]] = None,
        poll: float = 0.5,
    ) -> Dict[str, float]:
        """Start the processes and wait until each answers; raise with the log tail if one dies.

        ready: readiness checks that replace the health URLs for some processes (the benchmark waits
        for a real answer); returns the seconds from the first spawn until each process was ready.
        """
        names = names or ["actions", "web", "rasa"]
        started = time.perf_counter()
        for name in names:
            self.start_process(name)
        checks = self.ready_checks()
        checks.update(ready or {})
        deadline = time.monotonic() + timeout
        pending = set(names)
        ready_after: Dict[str, float] = {}
        while pending:
            for name in list(pending):
                proc = self.processes[name]
                if proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{name} exited early (code {proc.returncode}):\n{self.log_tail(name)}")
                if checks[name]():
                    ready_after[name] = time.perf_counter() - started
                    pending.discard(name)
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"not ready after {timeout:.0f}s: {sorted(pending)}")
            time.sleep(poll)
        return ready_after

    def ready_checks(self) -> Dict[str, Callable[[], bool]]:
        """Per process, whether it answers: the health URL of each server."""
        return {
            "actions": partial(_get_ok, self.action_url + HEALTH_PATHS["actions"]),
            "rasa": partial(_get_ok, self.rasa_url + HEALTH_PATHS["rasa"]),
            "web": partial(_get_ok, self.web_url + HEALTH_PATHS["web"]),
        }

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop_phases(self) -> List[List[str]]:
        """Which processes stop together, in order (the scaled profile stops its databases last)."""
        return [list(self.processes)]

    def stop(self, name: Optional[str] = None) -> None:
        """Stop one process (or all, phase by phase), politely then firmly; the whole process group,
        even if its first process has already gone, so no child is left behind."""
        for phase in ([[name]] if name else self.stop_phases()):
            for key in phase:
                proc = self.processes.get(key)
                if proc:
                    signal_group(proc.pid, signal.SIGTERM)
            for key in phase:
                proc = self.processes.pop(key, None)
                if proc is None:
                    continue
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    signal_group(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)

def _env_for_run() -> Dict[str, str]:
    """Secrets for local use: taken from the environment, else generated and kept under var/."""
    env: Dict[str, str] = {}
    if not os.environ.get("IOP_ID_SECRET"):
        env["IOP_ID_SECRET"] = persistent_secret("id_secret")
    return env


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shell", action="store_true", help="talk to the assistant in this terminal")
    args = parser.parse_args(argv)
    env = _env_for_run()
    ports = dict(
        rasa_port=int(os.environ.get("RASA_PORT", 5005)),
        action_port=int(os.environ.get("ACTION_PORT", 5055)),
        web_port=int(os.environ.get("WEB_PORT", 8080)),
    )
    from bot.tools.scaled import scaled_from_env

    scaled = None if args.shell else scaled_from_env(env, **ports)
    stack = scaled or Stack(env=env, **ports)
    password_note = ""
    if not os.environ.get("STAFF_PASSWORD_HASH"):
        from bot.website.console.passwords import hash_password

        password = secrets.token_urlsafe(12)
        env["STAFF_USERNAME"] = os.environ.get("STAFF_USERNAME", "admissions")
        env["STAFF_PASSWORD_HASH"] = hash_password(password)
        password_note = (
            f"  Staff login (this run only): user '{env['STAFF_USERNAME']}', password '{password}'.\n"
            "  It is an admin account; add personal accounts with `make staff ARGS='add NAME'`.\n"
            "  Set STAFF_USERNAME and STAFF_PASSWORD_HASH (python -m bot.website.console.passwords) to keep one."
        )

    if args.shell:
        stack.start(names=["actions"])
        try:
            return subprocess.call(
                [str(VENV_BIN / "rasa"), "shell", "--model", str(stack.model), "--endpoints", str(stack._endpoints_file())],
                cwd=PROJECT_ROOT,
                env=stack.process_env(),
            )
        finally:
            stack.stop()

    what = f"{scaled.rasa_servers} Rasa servers behind nginx" if scaled else "the assistant"
    print(f"Starting {what} (loading the model takes about 30 seconds)...", flush=True)
    try:
        stack.start()
    except (RuntimeError, TimeoutError) as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    except BaseException:  # Ctrl-C while starting: nothing is left running
        stack.stop()
        raise
    print(
        "\nThe assistant is running.\n"
        f"  Website with the chat widget: http://localhost:{stack.web_port}/\n"
        f"  Staff console:                http://localhost:{stack.web_port}/staff/\n"
        f"  REST channel:                 POST http://localhost:{stack.rasa_port}/webhooks/rest/webhook "
        '{"sender": "some-id", "message": "what is IOP?"}\n'
        f"  SMS (Twilio) webhook:         POST http://localhost:{stack.rasa_port}/webhooks/twilio_sms/webhook\n"
        f"{scaled.describe() if scaled else ''}"
        f"{password_note}\n"
        f"  Logs: {stack.log_dir}/. Press Ctrl-C to stop everything.",
        flush=True,
    )
    from bot.tools.supervise import Supervisor

    supervisor = Supervisor(stack)

    def _stop(signum: int, frame: object) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        supervisor.run()
    finally:
        print("\nStopping...", flush=True)
        supervisor.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
