"""Every HTTP entry point of the running stack refuses what it must: a forged action call (401, no
request created), oversized bodies (413) on the Rasa server, the action server and the website; and
each keeps serving afterwards."""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import urllib.parse
import urllib.error
import urllib.request
from typing import Dict, Tuple

import pytest

from bot.store import Store
from bot.tools.run import Stack
from tests.support.chat import Chat

pytestmark = pytest.mark.e2e

# The call from the report: made-up slots for an urgent request, no credentials.
FORGED = {
    "next_action": "action_submit_callback",
    "sender_id": "attacker",
    "version": "3.6.2",
    "tracker": {
        "sender_id": "attacker", "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen", "events": [], "latest_message": {"text": "x"},
        "slots": {"callback_consent": "yes", "first_name": "Mallory", "phone": "+14105550100", "urgent": True,
                  "screening_outcome": "crisis", "callback_for": "self", "best_time": "any time"},
    },
    "domain": {},
}


def _post(url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _announce(host: str, port: int, path: str, size: int, headers: Dict[str, str]) -> int:
    """Announce a body of `size` bytes and read the answer before sending any of it."""
    conn = http.client.HTTPConnection(host, port, timeout=15)
    try:
        conn.putrequest("POST", path)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(size), **headers}.items():
            conn.putheader(name, value)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-the-token-but-long-enough"}],
                         ids=["no token", "wrong token"])
def test_a_forged_action_call_is_refused_and_creates_nothing(live_stack: Stack, headers: Dict[str, str]) -> None:
    status, _ = _post(f"{live_stack.action_url}/webhook", json.dumps(FORGED).encode(), headers)
    assert status == 401
    with Store(live_stack.env["DATABASE_URL"]) as store:
        assert [r for r in store.callbacks.list() if r.conversation_id == "attacker"] == []


@pytest.mark.parametrize(
    "where, path, size",
    [("rasa_port", "/webhooks/rest/webhook", 40 * 1024 * 1024),
     ("rasa_port", "/webhooks/twilio_sms/webhook", 1024 * 1024),
     ("action_port", "/webhook", 40 * 1024 * 1024)],
)
def test_oversized_bodies_are_refused_before_they_are_read(live_stack: Stack, where: str, path: str, size: int) -> None:
    headers = {"Authorization": f"Bearer {live_stack.action_token}"} if where == "action_port" else {}
    assert _announce(live_stack.host, getattr(live_stack, where), path, size, headers) == 413


def test_a_long_message_is_answered_and_the_server_keeps_serving(live_stack: Stack) -> None:
    chat = Chat(live_stack.rasa_url)
    assert chat.say("how long does iop last " + "really " * 5000), "no reply to a long message"
    other = Chat(live_stack.rasa_url)
    assert other.say("how much does it cost?"), "no reply after the long message"


def test_the_website_refuses_an_oversized_form(live_stack: Stack) -> None:
    """The sign-in form with a valid login cookie and token, and 1 MB of padding: 413, nothing read past the cap."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{live_stack.web_url}/staff/login", timeout=30) as resp:
        token = re.search(r'name="csrf_token" value="([^"]+)"', resp.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": "x", "password": "y", "pad": "a" * 1024 * 1024})
    try:
        with opener.open(f"{live_stack.web_url}/staff/login", data=form.encode(), timeout=30) as resp:
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 413
    with opener.open(f"{live_stack.web_url}/healthz", timeout=30) as resp:
        assert resp.status == 200
