"""Helpers to start real servers for tests: a throwaway PostgreSQL cluster, a throwaway Redis server,
and the environment of a test stack (temporary storage, a known staff login, the local fake of Twilio's API)."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, List, Mapping, Optional

import pytest
from twilio.request_validator import RequestValidator

from bot.tools.run import DEFAULT_MODEL, Stack, free_port
from tests.support.console import STAFF_PASSWORD, STAFF_USER

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-auth-token-not-secret"
TWILIO_FROM = "+14105550100"


def _as_postgres_user(cmd: List[str]) -> List[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class TempPostgres:
    """A throwaway PostgreSQL cluster on a free loopback port (Debian's server binaries)."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise FileNotFoundError("PostgreSQL server binaries not found")
        self.bindir = Path(bins[-1])
        self.datadir = Path(tempfile.mkdtemp(prefix="iop-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        subprocess.run(_as_postgres_user([str(self.bindir / "initdb"), "-D", str(self.datadir), "-A", "trust",
                                          "-U", "postgres", "--no-sync"]), check=True, capture_output=True)

    def start(self) -> "TempPostgres":
        subprocess.run(_as_postgres_user([
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-l", str(self.datadir / "log"),
            "-o", f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -F", "start",
        ]), check=True, capture_output=True)
        return self

    def stop(self) -> None:
        subprocess.run(_as_postgres_user([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate",
                                          "stop"]), capture_output=True)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.datadir, ignore_errors=True)


class TempRedis:
    """A throwaway Redis server (Debian's redis-server) on a free loopback port, with a password."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise FileNotFoundError("redis-server is not installed")
        self.port = free_port()
        self.password = uuid.uuid4().hex
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass", self.password,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, password=self.password).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def new_redis() -> TempRedis:
    """A started TempRedis; skipped where Redis is missing, except in CI where that fails."""
    try:
        return TempRedis()
    except FileNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (make test installs it via .ci/system-deps)")
        pytest.skip("redis-server is not installed")


def new_postgres() -> TempPostgres:
    """A started TempPostgres; skipped where PostgreSQL is missing, except in CI where that fails."""
    try:
        return TempPostgres().start()
    except FileNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (make test installs it via .ci/system-deps)")
        pytest.skip("PostgreSQL is not installed")


def temporary_stack(var_dir: Path, twilio_url: str = "", env: Optional[Mapping[str, str]] = None, **options: Any) -> Stack:
    """A stack for tests (Stack.temporary): the known staff login, one TensorFlow thread, and the
    local fake of Twilio's API (or a closed port) instead of Twilio; `env` adds settings."""
    from bot.website.console.passwords import hash_password

    twilio = {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE": twilio_url or "http://127.0.0.1:9",
        # plain-http console cookies on this loopback-only stack: Python's cookie jar keeps Secure ones for https
        "STAFF_COOKIE_INSECURE_LOCALHOST": "1",
        **(env or {}),
    }
    return Stack.temporary(
        var_dir, (STAFF_USER, hash_password(STAFF_PASSWORD)), env=twilio, tf_threads=(1, 1), **options
    )


def require_model() -> None:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` (make test does it)")


SMS_WEBHOOK_PATH = "/webhooks/twilio_sms/webhook"


def send_sms(stack: Stack, fake: Any, phone: str, body: str, timeout: float = 60) -> List[str]:
    """Send a signed SMS webhook to the stack's Rasa server as Twilio would; return the texts sent back to `phone`."""
    before = len(fake.messages)
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": phone, "To": TWILIO_FROM, "Body": body, "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(stack.rasa_url + SMS_WEBHOOK_PATH, form)
    request = urllib.request.Request(
        stack.rasa_url + SMS_WEBHOOK_PATH, data=urllib.parse.urlencode(form).encode(), headers={"X-Twilio-Signature": signature}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - loopback only
        assert resp.status == 200
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [m["Body"] for m in fake.messages[before:] if m["To"] == phone]
        if sent:
            time.sleep(0.5)  # the other parts of the same reply
            return [m["Body"] for m in fake.messages[before:] if m["To"] == phone]
        time.sleep(0.1)
    raise AssertionError("no SMS reply")
