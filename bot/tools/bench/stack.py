"""The real stack (bot.tools.run.Stack) for one model, set up for measuring.

Free loopback ports, fresh SQLite databases in a temporary directory, throwaway secrets and no
outside services, so a run neither touches var/ nor sends anything off the machine. The cold start
is Stack.start with the Rasa server counted ready only once it has answered a real message.
"""
from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Tuple

from bot.tools.bench.load import LOOPBACK
from bot.tools.bench.procfs import cpu_seconds, own_cpu_seconds, peak_rss_mb
from bot.tools.bench.project import hash_staff_password
from bot.tools.run import Stack


def role_of(name: str) -> str:
    """rasa-1, rasa-2 -> rasa; actions-1 -> actions; web; postgres, redis and nginx -> services."""
    base = name.split("-")[0]
    return base if base in ("rasa", "actions", "web") else "services"


STOCK_PASSWORD_VAR = "BENCH_TRACKER_PASSWORD"


def stock_tracker_store(url: str) -> Tuple[str, Dict[str, str]]:
    """Rasa's own SQLTrackerStore on the database at `url`: the endpoints section and the environment
    it reads its password from (never written into the file)."""
    from bot.rasa_server.tracker_store import sql_store_fields
    from bot.settings import sqlalchemy_url

    store = sql_store_fields(sqlalchemy_url(url))
    if store["query"]:
        raise ValueError("Rasa's own tracker store section has no place for URL options such as sslmode")
    # Rasa passes the section's `url` to SQLTrackerStore as its host
    fields = {"dialect": store["dialect"], "url": store["host"], "port": store["port"],
              "db": store["db"] or None, "username": store["username"]}
    lines = ["  type: SQL"] + [f"  {key}: {value}" for key, value in fields.items() if value is not None]
    env = {}
    if store["password"] is not None:
        lines.append(f"  password: ${{{STOCK_PASSWORD_VAR}}}")
        env[STOCK_PASSWORD_VAR] = store["password"]
    return "\n".join(lines) + "\n", env


class BenchStack:
    """bot.tools.run.Stack for one model on free loopback ports, with its own temporary SQLite databases.

    stock_rasa: the model runs on Rasa's own tracker store instead of ours (same database), as Rasa's
    default configuration does; our patches to Rasa load only with our model's policies.
    """

    def __init__(
        self, model: Path, tf_intra: int, tf_inter: int, root: Path, rasa_servers: int = 1, stock_rasa: bool = False
    ) -> None:
        self.var_dir = Path(tempfile.mkdtemp(prefix="stack-", dir=root))
        staff = ("bench", hash_staff_password(secrets.token_urlsafe(16)))
        # nothing may leave the machine: no SMS, no staff webhook
        quiet = {name: "" for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
                                       "STAFF_WEBHOOK_URL", "STAFF_WEBHOOK_SECRET")}
        options = dict(env=quiet, model=model, host=LOOPBACK, tf_threads=(tf_intra, tf_inter))
        self.scaled = rasa_servers > 1
        if self.scaled:  # the scaled profile: nginx, PostgreSQL and Redis in this folder
            from bot.tools.scaled import ScaledStack

            # PostgreSQL runs as its own user: its folder sits where that user can reach it
            self.services = Path(tempfile.mkdtemp(prefix="iop-bench-services-"))
            self.services.chmod(0o755)
            self.stack: Stack = ScaledStack.temporary(
                self.var_dir, staff, rasa_servers=rasa_servers, service_dir=self.services,
                secrets_dir=self.var_dir, **options,
            )
        else:
            self.stack = Stack.temporary(self.var_dir, staff, **options)
        if stock_rasa:
            env = self.stack.process_env()
            section, secret = stock_tracker_store(env.get("TRACKER_DATABASE_URL") or env["DATABASE_URL"])
            self.stack.tracker_store_yaml = section
            self.stack.env.update(secret)

    def _answers(self) -> bool:
        """True once the Rasa server replies to a real message through the REST channel."""
        url = f"{self.stack.rasa_url}/webhooks/rest/webhook"
        body = json.dumps({"sender": "bench-cold-start", "message": "what is iop"}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as resp:  # noqa: S310 - loopback only
                return resp.status == 200 and bool(json.loads(resp.read()))
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def cold_start(self, timeout: float = 300.0) -> float:
        """Start all three processes; seconds until the first REST answer (and the others are ready)."""
        door = "nginx" if self.scaled else "rasa"
        ready_after = self.stack.start(timeout=timeout, ready={door: self._answers}, poll=0.05)
        return ready_after[door]

    def cpu_snapshot(self) -> Dict[str, float]:
        """CPU seconds used so far per role (all Rasa servers together, ...) and by this process (the client)."""
        snapshot: Dict[str, float] = {}
        for name, proc in self.stack.processes.items():
            snapshot[role_of(name)] = snapshot.get(role_of(name), 0.0) + cpu_seconds(proc.pid)
        snapshot["client"] = own_cpu_seconds()
        return snapshot

    def peak_memory_mb(self) -> Dict[str, float]:
        """Peak RSS of one process of each role so far (the largest), in MB."""
        peaks: Dict[str, float] = {}
        for name, proc in self.stack.processes.items():
            peaks[role_of(name)] = max(peaks.get(role_of(name), 0.0), peak_rss_mb(proc.pid))
        return peaks

    def stop(self, keep: bool = False) -> None:
        """Stop the stack; keep=True leaves its logs and databases for a look after a failure."""
        try:
            self.stack.stop()
        finally:
            if not keep:
                shutil.rmtree(self.var_dir, ignore_errors=True)
                if self.scaled:
                    shutil.rmtree(self.services, ignore_errors=True)
