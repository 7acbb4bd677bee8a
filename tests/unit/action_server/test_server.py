"""The action server entry point: a token on every call, one guard around every action, capped bodies.

The server runs as a real process (as `make run` starts it) against a temporary SQLite database.
"""
from __future__ import annotations

import http.client
import json
import subprocess
import sys
import urllib.error
import urllib.request
import zlib
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest

from bot.action_server.server import authorized, configured_token, ConfigurationError, trouble_result
from bot.settings import PROJECT_ROOT
from bot.store import Store
from bot.tools.run import Stack, child_env
from tests.support.actions import DOMAIN
from tests.support.stack import temporary_stack

TEXT = "my name is Quintessa and my son uses heroin"


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Bearer " + "t" * 32, True),
        ("Bearer  " + "t" * 32 + " ", True),
        ("bearer " + "t" * 32, False),
        ("Bearer " + "t" * 31, False),
        ("Bearer " + "t" * 33, False),
        ("t" * 32, False),
        ("Basic " + "t" * 32, False),
        ("", False),
        (None, False),
    ],
)
def test_authorized(header: Optional[str], expected: bool) -> None:
    assert authorized(header, "t" * 32) is expected


@pytest.mark.parametrize("value, ok", [(None, False), ("", False), ("short", False), ("x" * 24, True)])
def test_a_token_is_required_to_start(monkeypatch: pytest.MonkeyPatch, value: Optional[str], ok: bool) -> None:
    if value is None:
        monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    else:
        monkeypatch.setenv("ACTION_SERVER_TOKEN", value)
    if ok:
        assert configured_token() == value
    else:
        with pytest.raises(ConfigurationError):
            configured_token()


def test_the_trouble_result_is_the_technical_trouble_reply() -> None:
    result = trouble_result()
    assert result["events"] == [] and len(result["responses"]) == 1
    assert result["responses"][0]["response"] == "utter_technical_trouble"


def test_the_server_will_not_start_without_a_token() -> None:
    env = child_env()
    env.pop("ACTION_SERVER_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.action_server.server", "--port", "9"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2 and "ACTION_SERVER_TOKEN" in done.stderr


# ---------------------------------------------------------------- against the running server


def _call(stack: Stack, name: str, slots: Dict[str, Any], token: Optional[str], path: str = "/webhook",
          body: Optional[bytes] = None, encoding: Optional[str] = None) -> Tuple[int, Any]:
    tracker = {
        "sender_id": "conv-forged", "slots": slots, "latest_message": {"text": TEXT, "intent": {}, "entities": []},
        "events": [{"event": "user", "text": TEXT, "input_channel": "rest"}], "paused": False,
        "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
    }
    data = body if body is not None else json.dumps(
        {"next_action": name, "sender_id": "conv-forged", "tracker": tracker, "domain": DOMAIN, "version": "3.6.2"}
    ).encode()
    request = urllib.request.Request(stack.action_url + path, data=data if path == "/webhook" else None)
    request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if encoding:
        request.add_header("Content-Encoding", encoding)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


URGENT_REQUEST = {
    "callback_consent": "yes", "first_name": "Quintessa", "phone": "+14105550199", "best_time": "any time",
    "voicemail_ok": "no", "voicemail_name_ok": None, "text_ok": "no", "callback_for": "self",
    "screening_outcome": "crisis", "urgent": True,
}


def _rows(stack: Stack) -> int:
    with Store(stack.env["DATABASE_URL"]) as store:
        return len(store.callbacks.list())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = temporary_stack(tmp_path_factory.mktemp("actions-var"))
    stack.start(names=["actions"], timeout=120)
    yield stack
    stack.stop()


@pytest.mark.parametrize("token", [None, "", "wrong-token-of-enough-length-000"], ids=["none", "empty", "wrong"])
def test_a_forged_call_is_refused_and_changes_nothing(server: Stack, token: Optional[str]) -> None:
    status, _ = _call(server, "action_submit_callback", URGENT_REQUEST, token)
    assert status == 401
    assert _call(server, "", {}, token, path="/actions")[0] == 401
    assert _rows(server) == 0


def test_the_health_check_needs_no_token(server: Stack) -> None:
    with urllib.request.urlopen(server.action_url + "/health", timeout=10) as resp:
        assert resp.status == 200


def test_with_the_token_the_same_call_is_served(server: Stack) -> None:
    status, names = _call(server, "", {}, server.action_token, path="/actions")
    assert status == 200 and {"name": "action_submit_callback"} in names
    status, result = _call(server, "action_submit_callback", URGENT_REQUEST, server.action_token)
    assert status == 200, result
    assert [r["response"] for r in result["responses"]] == ["utter_callback_confirmed"]
    assert _rows(server) == 1


def _announce_big_body(stack: Stack) -> int:
    """Announce a 9 MB body: the server answers 413 before any of it is sent."""
    conn = http.client.HTTPConnection(stack.host, stack.action_port, timeout=10)
    try:
        conn.putrequest("POST", "/webhook")
        conn.putheader("Authorization", f"Bearer {stack.action_token}")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(9 * 1024 * 1024))
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_bad_bodies_get_clear_answers(server: Stack) -> None:
    assert _call(server, "", {}, server.action_token, body=b"not json")[0] == 400
    assert _call(server, "", {}, server.action_token, body=b"[1, 2]")[0] == 400
    assert _call(server, "", {}, server.action_token, body=b'{"tracker": {}}')[0] == 400  # no next_action
    bomb = zlib.compress(b" " * (64 * 1024 * 1024))  # 64 MB once inflated, 64 KB on the wire
    assert _call(server, "", {}, server.action_token, body=bomb, encoding="deflate")[0] == 400
    assert _announce_big_body(server) == 413
    assert _call(server, "no_such_action", {}, server.action_token)[0] == 404


def test_every_failing_action_answers_kindly_and_logs_no_words(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each action the server offers, made to fail with the person's words and slots in its exception."""
    stack = temporary_stack(tmp_path_factory.mktemp("faulty-var"), actions_package="tests.support.faulty_actions")
    stack.start(names=["actions"], timeout=120)
    try:
        status, listed = _call(stack, "", {}, stack.action_token, path="/actions")
        names = sorted(item["name"] for item in listed)
        results = {name: _call(stack, name, URGENT_REQUEST, stack.action_token) for name in names}
    finally:
        stack.stop()
    assert status == 200 and len(names) >= 6, names
    assert {name: result for name, result in results.items() if result != (200, trouble_result())} == {}
    log = (stack.log_dir / "actions.log").read_text()
    for name in names:
        assert f"action {name} failed: RuntimeError" in log
    # The number's own digits (a bare "555" could be part of a port number in the log).
    for words in ("Quintessa", "heroin", "5550199", "555-0199", "0199"):
        assert words not in log, words
