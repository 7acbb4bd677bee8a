"""Helpers for the website widget tests: background servers, a fake Rasa, the widget page object."""
from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from bot.texts import Catalogue
from bot.website.widget import PROMPTS_MARKER, TEXTS_MARKER, setup_widget

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
# Playwright starts Chromium with third-party storage partitioning turned off (for its own reasons,
# microsoft/playwright#32230), and Chromium then denies a frame from another site any storage at all.
# Chrome ships with partitioning on: a chat frame embedded by another site gets a sessionStorage of its
# own, keyed to that site. These switches give the widget tests that browser: Chromium keeps only the
# last --disable-features, so this one repeats Playwright's list without ThirdPartyStoragePartitioning.
CHROME_STORAGE_ARGS = [
    "--disable-features=" + ",".join(
        [
            "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
            "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
            "AvoidCorsURLLoaderRestartOnRedirect", "OptimizationHints", "NetworkTimeServiceQuerying",
            "AimEnabled", "PreconnectToSearch",
        ]
    ),
]
RESULTS_DIR = PROJECT_ROOT / "results"
WIDGET_TITLE = "Questions about our program?"
SENDER_ID = re.compile(r"^web-[0-9a-f]{32}$")
ERROR_START = "Sorry, I couldn't reach the assistant. Please try again"
CRISIS_SENTENCE = "If you are in danger, call or text 988 or call 911."

XSS_TEXT = "<img src=x onerror=window.__xss=1>"
XSS_BUTTON = "<b>bold</b><img src=x onerror=window.__xss=2>"

# What any script on the provider's page could try, to read the conversation: its own storage and cookies,
# its text and markup, every open shadow root, every frame's document, storage and text, and every
# message the page received. Returns one text with everything it could read (and the errors it met).
HOST_SNOOP_JS = """
() => {
  const found = [];
  const put = (label, read) => {
    try { found.push(label + ': ' + read()); } catch (e) { found.push(label + ' failed: ' + e.name); }
  };
  const storages = {sessionStorage: () => window.sessionStorage, localStorage: () => window.localStorage};
  for (const [name, get] of Object.entries(storages)) {
    put(name, () => { const s = get(); return JSON.stringify(Object.fromEntries(
      Array.from({length: s.length}, (_, i) => [s.key(i), s.getItem(s.key(i))]))); });
  }
  put('cookie', () => document.cookie);
  put('body text', () => document.body.innerText);
  put('markup', () => document.documentElement.outerHTML);
  const frames = Array.from(document.querySelectorAll('iframe'));
  for (const el of document.querySelectorAll('*')) {
    if (el.shadowRoot) {
      put('shadow root', () => el.shadowRoot.innerHTML + ' ' + el.shadowRoot.textContent);
      frames.push(...el.shadowRoot.querySelectorAll('iframe'));
    }
  }
  frames.forEach((frame, i) => {
    put('frame ' + i + ' contentDocument', () => frame.contentDocument ? frame.contentDocument.documentElement.outerHTML : 'null');
    put('frame ' + i + ' document', () => frame.contentWindow.document.body.innerText);
    put('frame ' + i + ' sessionStorage', () => JSON.stringify(frame.contentWindow.sessionStorage));
    put('frame ' + i + ' localStorage', () => JSON.stringify(frame.contentWindow.localStorage));
  });
  for (let i = 0; i < window.frames.length; i++) {
    put('window.frames[' + i + ']', () => window.frames[i].document.documentElement.outerHTML);
  }
  put('messages', () => JSON.stringify(window.__hostMessages || []));
  return found.join('\\n');
}
"""

_TEXTS_LINE = re.compile(rb"^(  var TEXTS = )(.*)(;)$", re.M)
_PROMPTS_LINE = re.compile(rb"^(  var PRIVATE_PROMPTS = )(.*)(;)$", re.M)


def split_script(body: bytes) -> Tuple[bytes, Dict[str, str]]:
    """A served widget.js or frame.js as (the file it was rendered from, the texts written into it)."""
    source, texts, _ = split_frame_script(body)
    return source, texts


def split_frame_script(body: bytes) -> Tuple[bytes, Dict[str, str], Optional[List[str]]]:
    """A served script as (its source, its texts, its private prompts: None for widget.js)."""
    from bot.website.widget import DOM_MARKER, STATIC_DIR

    shared = (STATIC_DIR / "dom.js").read_bytes().strip(b"\n")
    assert body.count(shared) == 1, "the shared DOM helpers are written in once"
    body = body.replace(shared, DOM_MARKER.encode())
    [match] = list(_TEXTS_LINE.finditer(body))
    source = body[: match.start(2)] + TEXTS_MARKER.encode() + body[match.end(2) :]
    prompts = None
    found = list(_PROMPTS_LINE.finditer(source))
    if found:
        [line] = found
        prompts = json.loads(line.group(2))
        source = source[: line.start(2)] + PROMPTS_MARKER.encode() + source[line.end(2) :]
    return source, json.loads(match.group(2)), prompts


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

    # The callback questions as the fake asks them: the first by the program's own text only (the frame
    # must recognise it), the others marked the ways the REST channel may mark them.
    CONSENT = "To set up a call I'll ask for a first name and a phone number. OK to continue?"
    PHONE_QUESTION = "Which number should we call? (fake)"
    TIME_QUESTION = "When should we call? (fake)"
    CONFIRMED = "Thank you. Your callback request is in (fake)."

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.mode = "ok"  # ok | xss | error
        self.delay = 0.0
        self.received: List[Dict[str, Any]] = []
        self.callback_step: Dict[str, str] = {}  # sender -> the callback question it was asked last

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
        return web.json_response([{"recipient_id": sender, **reply} for reply in self.replies(message, sender)])

    def callback(self, message: str, sender: str) -> Optional[List[Dict[str, Any]]]:
        """The callback form, one question at a time; None when no callback question is open."""
        from bot.texts import catalogue

        step = self.callback_step.pop(sender, None)
        if message == "/request_callback":
            self.callback_step[sender] = "consent"
            return [{"text": self.CONSENT, "buttons": [{"title": "Yes, continue", "payload": "Yes"}]}]
        if step == "consent":
            self.callback_step[sender] = "first_name"
            return [{"text": catalogue().text("utter_ask_first_name")}]
        if step == "first_name":
            self.callback_step[sender] = "phone"
            return [{"text": "Thanks."}, {"text": self.PHONE_QUESTION, "sensitive": True}]
        if step == "phone":
            self.callback_step[sender] = "best_time"
            buttons = [{"title": "Morning", "payload": "Morning"}, {"title": "Evening", "payload": "Evening"}]
            return [{"text": self.TIME_QUESTION, "buttons": buttons, "custom": {"sensitive": True}}]
        if step == "best_time":
            return [{"text": self.CONFIRMED}]
        return None

    def replies(self, message: str, sender: str = "") -> List[Dict[str, Any]]:
        if self.mode == "xss":
            return [
                {
                    "text": XSS_TEXT,
                    "buttons": [{"title": XSS_BUTTON, "payload": "/xss"}],
                    "image": "javascript:window.__xss=3",
                },
                {"text": "Plain <b>markup</b> & \"quotes\"\nsecond line <script>window.__xss=4</script>"},
            ]
        form = self.callback(message, sender)
        if form is not None:
            return form
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


def demo_app_factory(
    rasa_url: str,
    texts: Optional[Catalogue] = None,
    pages: Optional[Dict[str, str]] = None,
    public_url: str = "",
    ancestors: str = "",
):
    """The demo app (widget texts from `texts`, else the deployed content), plus host `pages` by path.

    `public_url` and `ancestors` stand for WIDGET_PUBLIC_URL and WIDGET_FRAME_ANCESTORS (empty: unset,
    whatever the environment of the test run says)."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=(pages or {})[request.path], content_type="text/html")

    def factory() -> web.Application:
        app = web.Application()
        setup_widget(app, rasa_url=rasa_url, texts=texts, public_url=public_url, allowed_ancestors=ancestors)
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
    """A page with the widget, and the widget's parts found the way assistive technology finds them.

    The chat button is on the page; everything else is inside the chat frame (`chat`, a frame locator)."""

    FRAME = "iframe.iopw-frame"

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.url = url
        self.requests: List[str] = []
        self.console_errors: List[str] = []
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        # Runs in every frame of the page, the chat frame included; the page keeps every message it gets.
        page.add_init_script(
            "window.__cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
            "if (window.top === window) { window.__hostMessages = [];"
            " window.addEventListener('message', e => window.__hostMessages.push({origin: e.origin, data: e.data}), true); }"
        )
        self.launcher = page.locator(".iopw-launcher")
        self.iframe = page.locator(self.FRAME)
        self.chat = page.frame_locator(self.FRAME)
        chat = self.chat
        self.panel = chat.get_by_role("dialog", name=WIDGET_TITLE)
        self.log = chat.get_by_role("log")
        self.status = chat.locator(".iopw-typing")
        self.notice = chat.locator("#iopw-notice")
        self.input = chat.get_by_label("Your message")
        self.send_button = chat.get_by_role("button", name="Send message")
        self.start_over = chat.get_by_role("button", name="Start over")
        self.close_button = chat.get_by_role("button", name="Close chat")
        self.bot = chat.locator(".iopw-msg--bot")
        self.user = chat.locator(".iopw-msg--user")
        self.errors = chat.locator(".iopw-msg--error")
        self.messages = chat.locator(".iopw-msg")

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

    def frame(self):
        """The chat frame as a Playwright Frame (to run scripts in the frame's own origin)."""
        return self.iframe.element_handle().content_frame()

    def frame_storage(self) -> Dict[str, str]:
        """Everything in the chat frame's sessionStorage."""
        return self.frame().evaluate(
            "() => Object.fromEntries(Array.from({length: sessionStorage.length},"
            " (_, i) => [sessionStorage.key(i), sessionStorage.getItem(sessionStorage.key(i))]))"
        )

    def stored_state(self) -> Optional[Dict[str, Any]]:
        """The conversation the chat frame keeps (id, transcript), or None."""
        for key, value in self.frame_storage().items():
            if key.startswith("iop-chat:"):
                return json.loads(value)
        return None

    def sender_id(self) -> Optional[str]:
        state = self.stored_state()
        return state["id"] if state else None

    def active(self, settle: float = 2.0) -> str:
        """A short description of the focused element of the widget: the chat button's label, or the
        element inside the chat frame ('' when focus is elsewhere).

        Focus reaches the chat frame's document a moment after the page moved it onto the frame, so an
        empty answer is read again until `settle` seconds have passed; focus really outside stays ''."""
        deadline = time.monotonic() + settle
        while True:
            found = self._active_now()
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    def _active_now(self) -> str:
        on_page = self.page.evaluate(
            """() => {
                const host = document.getElementById('iop-chat-widget');
                if (!host || document.activeElement !== host) return '';
                const el = host.shadowRoot.activeElement;
                if (!el) return '';
                return el.tagName === 'IFRAME' ? '#frame' : el.textContent.trim();
            }"""
        )
        if on_page != "#frame":
            return on_page
        return self.frame().evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return '';
                return el.getAttribute('aria-label') || el.id || el.textContent.trim() || el.className;
            }"""
        )

    def snoop_from_host(self) -> str:
        """Everything a script on the embedding page can read (see HOST_SNOOP_JS)."""
        return self.page.evaluate(HOST_SNOOP_JS)

    def host_messages(self) -> List[Dict[str, Any]]:
        """Every message the embedding page received, with its origin."""
        return self.page.evaluate("window.__hostMessages")

    def csp_violations(self) -> List[str]:
        found = list(self.page.evaluate("window.__cspViolations"))
        if self.iframe.count():
            found += self.frame().evaluate("window.__cspViolations || []")
        return found
