"""Shared fixtures. `live_stack` starts the real assistant (Rasa server, action server, website)
on free ports against a temporary SQLite database, with Twilio's REST API replaced by a local fake."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from bot.run import DEFAULT_MODEL, Stack, free_port

STAFF_USER = "staff-test"
STAFF_PASSWORD = "correct horse battery staple"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-auth-token-not-secret"
TWILIO_FROM = "+14105550100"


@pytest.fixture(scope="session")
def twilio_fake() -> Iterator[object]:
    """A local fake of Twilio's Messages API (nothing leaves the machine)."""
    from tests.fakes.twilio_api import FakeTwilio

    fake = FakeTwilio(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN)
    fake.url = fake.start()  # type: ignore[attr-defined]
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory, twilio_fake: object) -> Iterator[Stack]:
    """The whole assistant, as `make run` starts it, on free ports."""
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make train` (make test does it)")
    from bot.console.passwords import hash_password
    from bot.db import upgrade

    var_dir = tmp_path_factory.mktemp("stack-var")
    db_url = f"sqlite:///{var_dir / 'iop.sqlite'}"
    upgrade(db_url)
    rasa_port = free_port()
    env = {
        "IOP_VAR_DIR": str(var_dir),
        "DATABASE_URL": db_url,
        "TRACKER_DATABASE_URL": f"sqlite:///{var_dir / 'tracker.sqlite'}",
        "STAFF_USERNAME": STAFF_USER,
        "STAFF_PASSWORD_HASH": hash_password(STAFF_PASSWORD),
        "STAFF_SESSION_SECRET": "s" * 64,
        "IOP_ID_SECRET": "i" * 64,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE": twilio_fake.url,  # type: ignore[attr-defined]
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{rasa_port}",
        "TF_INTRA_OP_PARALLELISM_THREADS": "1",
        "TF_INTER_OP_PARALLELISM_THREADS": "1",
    }
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
