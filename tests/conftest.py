"""Shared fixtures. `live_stack` starts the real assistant (Rasa server, action server, website)
on free ports against a temporary SQLite database, with Twilio's REST API replaced by a local fake."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, List

import pytest

from bot.run import DEFAULT_MODEL, Stack, free_port

if TYPE_CHECKING:
    from bot.storage import CallbackData

STAFF_USER = "staff-test"
STAFF_PASSWORD = "correct horse battery staple"
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


def new_postgres() -> TempPostgres:
    """A started TempPostgres; skipped where PostgreSQL is missing, except in CI where that fails."""
    try:
        return TempPostgres().start()
    except FileNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (make test installs it via .ci/system-deps)")
        pytest.skip("PostgreSQL is not installed")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server: TEST_POSTGRES_URL if set, else a throwaway cluster."""
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    server = new_postgres()
    try:
        yield server.url
    finally:
        server.remove()


def stack_env(var_dir: Path, db_url: str, tracker_url: str, rasa_port: int, twilio_url: str = "") -> Dict[str, str]:
    """Environment for a test stack: temporary storage, known staff login, fake Twilio."""
    from bot.console.passwords import hash_password

    return {
        "IOP_VAR_DIR": str(var_dir),
        "DATABASE_URL": db_url,
        "TRACKER_DATABASE_URL": tracker_url,
        "STAFF_USERNAME": STAFF_USER,
        "STAFF_PASSWORD_HASH": hash_password(STAFF_PASSWORD),
        "STAFF_SESSION_SECRET": "s" * 64,
        "IOP_ID_SECRET": "i" * 64,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE": twilio_url or "http://127.0.0.1:9",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{rasa_port}",
        "TF_INTRA_OP_PARALLELISM_THREADS": "1",
        "TF_INTER_OP_PARALLELISM_THREADS": "1",
    }


@pytest.fixture(scope="session")
def twilio_fake() -> Iterator[object]:
    """A local fake of Twilio's Messages API (nothing leaves the machine)."""
    from tests.fakes.twilio_api import FakeTwilio

    fake = FakeTwilio(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN)
    fake.url = fake.start()  # type: ignore[attr-defined]
    yield fake
    fake.stop()


@pytest.fixture
def sample_data() -> "CallbackData":
    """A complete callback request as the form collects it."""
    from bot.storage import CallbackData

    return CallbackData(
        first_name="Ann",
        phone_e164="+14105550142",
        best_time="evenings",
        voicemail_ok=True,
        voicemail_name_ok=False,
        text_ok=True,
        for_whom="self",
        screening_outcome="iop_fit",
        urgent=False,
        channel="web",
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download), one per test module
    (Playwright's sync API must not outlive a module whose tests run their own event loops).
    Missing Chromium skips locally but fails in CI, where make test installs it."""
    from tests.web.widget_helpers import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (make test installs it via .ci/system-deps)")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright import sync_api

    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


def require_model() -> None:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` (make test does it)")


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory, twilio_fake: object) -> Iterator[Stack]:
    """The whole assistant, as `make run` starts it, on free ports."""
    require_model()
    from bot.db import upgrade

    var_dir = tmp_path_factory.mktemp("stack-var")
    db_url = f"sqlite:///{var_dir / 'iop.sqlite'}"
    upgrade(db_url)
    rasa_port = free_port()
    env = stack_env(var_dir, db_url, f"sqlite:///{var_dir / 'tracker.sqlite'}", rasa_port,
                    twilio_fake.url)  # type: ignore[attr-defined]
    stack = Stack(
        rasa_port=rasa_port,
        action_port=free_port(),
        web_port=free_port(),
        env=env,
        log_dir=var_dir / "log",
    )
    stack.start(timeout=300)
    yield stack
    stack.stop()
