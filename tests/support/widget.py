"""Helpers for the website widget tests: background servers, a fake Rasa, the widget page object."""
from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from bot.texts import Catalogue
from bot.website.widget import TEXTS_MARKER, setup_widget

from bot.settings import PROJECT_ROOT
CHROMIUM = os.environ.get("IOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS_DIR = PROJECT_ROOT / "results"
WIDGET_TITLE = "Questions about our program?"
SENDER_ID = re.compile(r"^web-[0-9a-f]{32}$")
ERROR_START = "Sorry, I couldn't reach the assistant. Please try again"
CRISIS_SENTENCE = "If you are in danger, call or text 988 or call 911."

XSS_TEXT = "<img src=x onerror=window.__xss=1>"
XSS_BUTTON = "<b>bold</b><img src=x onerror=window.__xss=2>"

_TEXTS_LINE = re.compile(rb"^(  var TEXTS = )(.*)(;)$", re.M)


def split_script(body: bytes) -> Tuple[bytes, Dict[str, str]]:
    """A served widget.js as (the file it was rendered from, the texts written into it)."""
    [match] = list(_TEXTS_LINE.finditer(body))
    source = body[: match.start(2)] + TEXTS_MARKER.encode() + body[match.end(2) :]
    return source, json.loads(match.group(2))


# ---------------------------------------------------------------- servers


class BackgroundServers:
    """Serves aiohttp applications on free 127.0.0.1 ports from a private event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="web-test-servers", daemon=True)
        self.thread.start()
        self.runners: List[web.AppRunner] = []

    def call(self, coro: Any, timeout: float = 15) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def serve(self, app_factory) -> str:
        """Start the app made by app_factory() (built inside the server loop); return its base URL."""

        async def start() -> str:
            runner = web.AppRunner(app_factory(), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.runners.append(runner)
            return f"http://127.0.0.1:{runner.addresses[0][1]}"

        return self.call(start())

    def close(self) -> None:
        for runner in self.runners:
            self.call(runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class FakeRasa:
    """Rasa's REST channel as the widget sees it: POST /webhooks/rest/webhook, CORS enabled."""

    GREETING = (
        "Hi, I'm the test assistant for our intensive outpatient program.\n"
        "I'm not an emergency service. What would you like to know?"
    )

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.mode = "ok"  # ok | xss | error
        self.delay = 0.0
        self.received: List[Dict[str, Any]] = []

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._cors])
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_route("OPTIONS", "/webhooks/rest/webhook", self._preflight)
        return app

    @web.middleware
    async def _cors(self, request: web.Request, handler) -> web.StreamResponse:
        response = await handler(request)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    async def _preflight(self, request: web.Request) -> web.Response:
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "600",
            },
        )

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        sender, message = body.get("sender"), body.get("message", "")
        return web.json_response([{"recipient_id": sender, **reply} for reply in self.replies(message)])

    def replies(self, message: str) -> List[Dict[str, Any]]:
        if self.mode == "xss":
            return [
                {
                    "text": XSS_TEXT,
                    "buttons": [{"title": XSS_BUTTON, "payload": "/xss"}],
                    "image": "javascript:window.__xss=3",
                },
                {"text": "Plain <b>markup</b> & \"quotes\"\nsecond line <script>window.__xss=4</script>"},
            ]
        if message == "/greet":
            return [
                {
                    "text": self.GREETING,
                    "buttons": [
                        {"title": "What is IOP?", "payload": "What is an intensive outpatient program?"},
                        {"title": "Request a callback", "payload": "/request_callback"},
                    ],
                }
            ]
        lowered = message.lower()
        if "iop" in lowered or "intensive outpatient" in lowered:
            return [
                {
                    "text": "IOP is an intensive outpatient program: treatment several days a week while "
                    "you live at home.\n\nCall (410) 555-0142 with any question.",
                    "buttons": [
                        {"title": "Who IOP is for", "payload": "Who is IOP a good fit for?"},
                        {"title": "Request a callback", "payload": "/request_callback"},
                    ],
                }
            ]
        if "good fit" in lowered:
            return [{"text": "IOP can fit adults who need more than weekly counseling."}]
        return [{"text": f"You asked: {message}"}]

    def senders(self) -> List[str]:
        return [item.get("sender") for item in self.received]

    def messages(self) -> List[str]:
        return [item.get("message") for item in self.received]


def demo_app_factory(rasa_url: str, texts: Optional[Catalogue] = None, pages: Optional[Dict[str, str]] = None):
    """The demo app (widget texts from `texts`, else the deployed content), plus host `pages` by path."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=(pages or {})[request.path], content_type="text/html")

    def factory() -> web.Application:
        app = web.Application()
        setup_widget(app, rasa_url=rasa_url, texts=texts)
        for path in pages or {}:
            app.router.add_get(path, page)
        return app

    return factory


def unused_url() -> str:
    """A local URL where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Widget:
    """A page with the widget, and the widget's parts found the way assistive technology finds them."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.url = url
        self.requests: List[str] = []
        self.console_errors: List[str] = []
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.add_init_script(
            "window.__cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        self.launcher = page.locator(".iopw-launcher")
        self.panel = page.get_by_role("dialog", name=WIDGET_TITLE)
        self.log = page.get_by_role("log")
        self.status = page.locator(".iopw-typing")
        self.notice = page.locator("#iopw-notice")
        self.input = page.get_by_label("Your message")
        self.send_button = page.get_by_role("button", name="Send message")
        self.start_over = page.get_by_role("button", name="Start over")
        self.close_button = page.get_by_role("button", name="Close chat")
        self.bot = page.locator(".iopw-msg--bot")
        self.user = page.locator(".iopw-msg--user")
        self.errors = page.locator(".iopw-msg--error")
        self.messages = page.locator(".iopw-msg")

    def goto(self) -> "Widget":
        self.page.goto(self.url)
        self.launcher.wait_for(state="visible")
        return self

    def open(self) -> "Widget":
        from playwright.sync_api import expect

        if self.launcher.get_attribute("aria-expanded") != "true":
            self.launcher.click()
        expect(self.panel).to_be_visible()
        return self

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def sender_id(self) -> Optional[str]:
        return self.page.evaluate(
            """() => {
                for (let i = 0; i < sessionStorage.length; i++) {
                    const key = sessionStorage.key(i);
                    if (key.startsWith('iop-chat:')) return JSON.parse(sessionStorage.getItem(key)).id;
                }
                return null;
            }"""
        )

    def active(self) -> str:
        """A short description of the focused element inside the widget ('' when focus is elsewhere)."""
        return self.page.evaluate(
            """() => {
                const host = document.getElementById('iop-chat-widget');
                if (document.activeElement !== host) return '';
                const el = host.shadowRoot.activeElement;
                if (!el) return '';
                return el.getAttribute('aria-label') || el.id || el.textContent.trim() || el.className;
            }"""
        )

    def csp_violations(self) -> List[str]:
        return self.page.evaluate("window.__cspViolations")
