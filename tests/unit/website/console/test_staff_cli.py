"""`python -m bot.website.console.staff`: managing accounts on the configured database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.website.console import staff as cli
from bot.website.console.passwords import MIN_PASSWORD_LENGTH, verify_password

GOOD = "a long enough password"


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """What the person types at each password prompt (in order); the prompts are collected."""
    typed: List[str] = []
    prompts: List[str] = []

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        if not typed:
            raise EOFError
        return typed.pop(0)

    monkeypatch.setattr(cli.getpass, "getpass", ask)
    monkeypatch.setattr(cli.getpass, "getuser", lambda: "ops")
    return typed


@pytest.fixture
def db(database: str) -> Iterator[Store]:
    """The configured database (DATABASE_URL), for looking at what the command did."""
    with Store(database) as store:
        yield store


def run(argv: List[str], capsys: pytest.CaptureFixture) -> tuple:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_asks_twice_and_stores_only_a_hash(
    db: Store, answers: List[str], capsys: pytest.CaptureFixture
) -> None:
    answers.extend([GOOD, GOOD])
    code, out, err = run(["add", "alice"], capsys)
    assert (code, err) == (0, "")
    assert out == "Added alice.\n" and GOOD not in out
    credentials = db.staff.credentials("alice")
    assert credentials is not None and not credentials.account.is_admin
    assert GOOD not in credentials.password_hash and verify_password(GOOD, credentials.password_hash)
    assert [(e.username, e.action, e.detail) for e in db.audit.recent()] == [("cli:ops", "account_add", "alice")]


def test_add_an_administrator_with_a_generated_password(
    db: Store, answers: List[str], capsys: pytest.CaptureFixture
) -> None:
    code, out, _ = run(["add", "boss", "--admin", "--generate"], capsys)
    assert code == 0 and "Added boss (administrator)." in out
    password = out.strip().rsplit(": ", 1)[1]
    assert len(password) >= MIN_PASSWORD_LENGTH and out.count(password) == 1
    credentials = db.staff.credentials("boss")
    assert credentials is not None and credentials.account.is_admin
    assert verify_password(password, credentials.password_hash)
    assert db.audit.recent()[0].action == "account_add_admin"


def test_reset_disable_enable_and_list(db: Store, answers: List[str], capsys: pytest.CaptureFixture) -> None:
    answers.extend([GOOD, GOOD, "another long password", "another long password"])
    assert run(["add", "alice"], capsys)[0] == 0
    before = db.staff.get("alice")
    code, out, _ = run(["reset", "alice"], capsys)
    assert code == 0 and "New password set for alice" in out
    after = db.staff.credentials("alice")
    assert after is not None and verify_password("another long password", after.password_hash)
    assert before is not None and after.account.password_changed_at > before.password_changed_at
    assert run(["disable", "alice"], capsys)[:2] == (0, "Disabled alice.\n")
    assert db.staff.get("alice").disabled  # type: ignore[union-attr]
    code, out, _ = run(["list"], capsys)
    assert code == 0 and out.startswith("alice\tstaff\tdisabled\tcreated ") and "scrypt" not in out
    assert run(["enable", "alice"], capsys)[:2] == (0, "Enabled alice.\n")
    assert not db.staff.get("alice").disabled  # type: ignore[union-attr]
    assert [e.action for e in reversed(db.audit.recent())] == [
        "account_add", "account_reset", "account_disable", "account_enable"
    ]


# command, typed passwords, exit status, the one line on stderr
REFUSALS = [
    (["add", "alice"], ["short", "short"], 1, f"too short: use at least {MIN_PASSWORD_LENGTH} characters"),
    (["add", "alice"], [GOOD, GOOD + "!"], 1, "the two passwords differ"),
    (["add", "alice"], [], 1, "cancelled"),
    (["add", "maria"], [GOOD, GOOD], 1, "an account named maria exists already"),
    (["add", "MARIA"], [GOOD, GOOD], 1, "exists already"),
    (["add", "bad name"], [GOOD, GOOD], 1, "'bad name' cannot be a username"),
    (["add", "unknown"], [GOOD, GOOD], 1, "cannot be a username"),
    (["reset", "nobody"], [GOOD, GOOD], 1, "there is no account named nobody"),
    (["reset", "maria"], ["short", "short"], 1, "too short"),
    (["disable", "nobody"], [], 1, "there is no account named nobody"),
    (["enable", "nobody"], [], 1, "there is no account named nobody"),
]


@pytest.mark.parametrize("argv, typed, code, message", REFUSALS)
def test_refusals(
    db: Store, answers: List[str], capsys: pytest.CaptureFixture, argv: List[str], typed: List[str], code: int,
    message: str,
) -> None:
    db.staff.add("maria", "scrypt$1024$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5")
    answers.extend(typed)
    status, out, err = run(argv, capsys)
    assert status == code and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert len(db.staff.list()) == 1
    assert db.audit.recent() == []
    assert db.staff.credentials("maria").password_hash.startswith("scrypt$1024$")  # type: ignore[union-attr]


# command lines the command does not understand
WRONG_USAGE = [
    [], ["add"], ["remove", "alice"], ["add", "a", "b"], ["disable", "alice", "--admin"], ["list", "--generate"],
]


@pytest.mark.parametrize("argv", WRONG_USAGE)
def test_wrong_usage_exits_with_2(argv: List[str], database: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2


@pytest.mark.parametrize("url", [None, "sqlite:////nonexistent-dir/never/db.sqlite"])
def test_unavailable_database_exits_with_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, url: Optional[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url or f"sqlite:///{tmp_path / 'not-migrated.sqlite'}")
    code, out, err = run(["list"], capsys)
    assert code == 2 and out == ""
    assert err == "error: the database is unavailable or not migrated (python -m bot.store.db upgrade)\n"


def test_runs_as_a_module(database: str) -> None:
    env = {**os.environ, "DATABASE_URL": database, "PYTHONPATH": str(PROJECT_ROOT)}
    made = subprocess.run(
        [sys.executable, "-m", "bot.website.console.staff", "add", "alice", "--generate"],
        env=env, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
    )
    assert made.returncode == 0, made.stderr
    password = made.stdout.strip().rsplit(": ", 1)[1]
    with Store(database) as store:
        credentials = store.staff.credentials("alice")
        assert credentials is not None and verify_password(password, credentials.password_hash)
        assert store.audit.recent()[0].username.startswith("cli:")
    listed = subprocess.run(
        [sys.executable, "-m", "bot.website.console.staff", "list"],
        env=env, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
    )
    assert listed.returncode == 0 and listed.stdout.startswith("alice\tstaff\tactive")
