"""A local fake of Twilio's Messages REST API (POST /2010-04-01/Accounts/{sid}/Messages.json).

It runs a real HTTP server on 127.0.0.1 in a background thread with its own event loop, so the
code under test talks HTTP exactly as it would to Twilio, and its event loop is never shared.
It checks basic auth, requires To/From/Body, and can be told to fail (HTTP 500), to answer late,
or to refuse a number as unsubscribed (Twilio error 21610).
"""
from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Dict, List, Optional, Set

from aiohttp import BasicAuth, web


class FakeTwilio:
    """Records the messages an app sends through the Twilio Messages API."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: List[Dict[str, str]] = []
        self.attempts = 0
        self._fail = 0
        self._slow = 0
        self._slow_seconds = 0.0
        self._unsubscribed: Set[str] = set()
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._runner: Optional[web.AppRunner] = None
        self.base_url = ""
        self.url = ""  # same as base_url

    # --- control -------------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving; returns the base URL (http://127.0.0.1:<free port>)."""
        ready = threading.Event()
        errors: List[BaseException] = []
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                app = web.Application()
                app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create_message)
                self._runner = web.AppRunner(app, access_log=None)
                self._loop.run_until_complete(self._runner.setup())
                site = web.TCPSite(self._runner, "127.0.0.1", 0)
                self._loop.run_until_complete(site.start())
                port = self._runner.addresses[0][1]
                self.base_url = self.url = f"http://127.0.0.1:{port}"
            except BaseException as exc:  # report start-up failures to the caller
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fake-twilio", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Twilio did not start")
        if errors:
            raise errors[0]
        return self.base_url

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = None
        self._thread = None

    def clear(self) -> None:
        """Forget recorded messages and attempts."""
        with self._lock:
            self.messages.clear()
            self.attempts = 0

    def fail_next(self, n: int) -> None:
        """Answer the next `n` send attempts with HTTP 500."""
        with self._lock:
            self._fail = n

    def slow_next(self, n: int, seconds: float) -> None:
        """Answer the next `n` send attempts only after `seconds` (to test the client's timeout)."""
        with self._lock:
            self._slow, self._slow_seconds = n, seconds

    def unsubscribe(self, number: str) -> None:
        """Refuse messages to `number` as Twilio does after a carrier-level STOP (error 21610)."""
        with self._lock:
            self._unsubscribed.add(number)

    def bodies(self) -> List[str]:
        """Just the message texts, in order."""
        with self._lock:
            return [m["Body"] for m in self.messages]

    # --- API -----------------------------------------------------------------------------------
    async def _create_message(self, request: web.Request) -> web.Response:
        with self._lock:
            self.attempts += 1
            failing = self._fail > 0
            if failing:
                self._fail -= 1
            delay = self._slow_seconds if self._slow > 0 else 0.0
            if delay:
                self._slow -= 1
        if delay:
            await asyncio.sleep(delay)
        if request.match_info["sid"] != self.account_sid or not self._authorized(request):
            return web.json_response(
                {"code": 20003, "message": "Authenticate", "status": 401}, status=401
            )
        if failing:
            return web.json_response({"code": 20500, "message": "Internal Server Error", "status": 500}, status=500)
        form = await request.post()
        missing = [k for k in ("To", "From", "Body") if not form.get(k)]
        if missing:
            return web.json_response(
                {"code": 21602, "message": f"Missing {', '.join(missing)}", "status": 400}, status=400
            )
        to = str(form["To"])
        with self._lock:
            if to in self._unsubscribed:
                return web.json_response(
                    {"code": 21610, "message": f"Attempt to send to unsubscribed recipient {to}", "status": 400},
                    status=400,
                )
            sid = "SM" + uuid.uuid4().hex
            self.messages.append({"To": to, "From": str(form["From"]), "Body": str(form["Body"])})
        return web.json_response(
            {"sid": sid, "to": to, "from": str(form["From"]), "body": str(form["Body"]), "status": "queued"},
            status=201,
        )

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        try:
            auth = BasicAuth.decode(header)
        except ValueError:
            return False
        return auth.login == self.account_sid and auth.password == self.auth_token
