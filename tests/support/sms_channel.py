"""The Twilio SMS channel in-process, for its tests: a real Sanic server built like `rasa run` builds
it, requests signed with Twilio's own RequestValidator, replies captured by the local fake of
Twilio's REST API, conversations in a SQL tracker store.

`FakeAgent` stands in for Rasa's Agent (not our code): it logs each turn in a real tracker store and
sends scripted responses through the channel's output channel the way Rasa's processor does, with
the response name (`utter_action`) in the message metadata.
"""
from __future__ import annotations

import datetime as dt
import socket
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, List, Optional, Tuple, Union
from zoneinfo import ZoneInfo

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from twilio.request_validator import RequestValidator

from bot.rasa_server.channels.twilio_sms import TwilioSmsInput
from bot.rasa_server.sms import format as sms
from bot.texts import catalogue

FROM_NUMBER = "+14105550100"
PUBLIC_BASE_URL = "https://bot.example.org"
ID_SECRET = "test-id-secret-not-for-production"
WEBHOOK_PATH = "/webhooks/twilio_sms/webhook"

PHONE = "+14155552671"
PHONE_DIGITS = ("4155552671", "415-555-2671", "555-2671", "5552671")
NY = ZoneInfo("America/New_York")
DAY = dt.datetime(2026, 3, 3, 10, 0, tzinfo=NY)  # Tuesday, office open 8am-8pm
NIGHT = dt.datetime(2026, 3, 3, 23, 30, tzinfo=NY)  # Tuesday night, opens 8am Wednesday
AFTER_HOURS = "Our team is away until 8am tomorrow. I can still answer questions and set up a callback for when we open."
_UNSET = object()

Reply = Union[str, Dict[str, Any]]


class Clock:
    """An adjustable 'now' for the channel."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += dt.timedelta(**kwargs)


def response_message(name: str, channel: str) -> Dict[str, Any]:
    """A content response as Rasa renders it: the variation for this output channel if there is
    one, else the first variation without a condition."""
    variations = catalogue().responses[name]
    chosen = next((v for v in variations if v.get("channel") == channel), None)
    if chosen is None:
        chosen = next(v for v in variations if not v.get("condition") and not v.get("channel"))
    return {"text": chosen["text"], "buttons": list(chosen.get("buttons") or []), "utter_action": name}


class FakeAgent:
    """Stands in for rasa.core.agent.Agent: logs the turn in a real (SQL) tracker store and sends
    scripted responses through the output channel, as Rasa's processor does."""

    def __init__(self, tracker_db: Path, clock: Optional[Callable[[], dt.datetime]] = None) -> None:
        self.tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker_db))
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.received: List[UserMessage] = []
        self.script: Dict[str, List[Reply]] = {}
        self.default: List[Reply] = ["utter_greet"]
        self.error: Optional[BaseException] = None
        self.error_after_replies = False  # fail like a dead action server after the first responses

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.error is not None and not self.error_after_replies:
            raise self.error
        tracker = await self.tracker_store.retrieve(message.sender_id)
        if tracker is None:
            tracker = DialogueStateTracker(message.sender_id, slots=[])
        stamp = self.clock().timestamp()
        tracker.update(
            UserUttered(message.text, input_channel=message.input_channel, metadata=message.metadata, timestamp=stamp,
                        message_id=message.message_id)
        )
        channel = message.output_channel.name()
        for reply in self.script.get(message.text or "", self.default):
            msg = response_message(reply, channel) if isinstance(reply, str) else dict(reply)
            event = BotUttered(
                msg.get("text"),
                data={"buttons": msg.get("buttons") or None},
                metadata={"utter_action": msg.get("utter_action")},
                timestamp=stamp,
            )
            tracker.update(event)
            await message.output_channel.send_response(message.sender_id, event.message())
        if self.error is not None:
            raise self.error
        await self.tracker_store.save(tracker)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serve(channel: InputChannel, agent: Any) -> AsyncIterator[str]:
    """Run a real Sanic server with the channel registered as `rasa run` does; yields its base URL."""
    from rasa.core.run import configure_app

    app = configure_app(input_channels=[channel], enable_api=False, route="/webhooks/")
    app.ctx.agent = agent
    sock = free_socket()
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        closing = server.close()
        if closing is not None:
            await closing
        await server.after_stop()
        sock.close()


def sms_texts(*names: str, first: bool = False, after_hours: str = "") -> List[str]:
    """What the channel should send for these responses (SMS variations, numbered, GSM-7, split).

    first: the first reply of a conversation, which carries the privacy note (before the reply, or
    after a crisis reply) and, while the office is closed, the `after_hours` note.
    """
    from bot.rasa_server.channels.common import CRISIS_RESPONSES
    from bot.texts import catalogue

    messages = [response_message(name, "twilio_sms") for name in names]
    if not first:
        return sms.compose_sms(messages)
    note = catalogue().sms_text("privacy_note")
    if any(name in CRISIS_RESPONSES for name in names):
        return sms.compose_sms(messages + [{"text": note}])
    return sms.compose_sms(messages, "\n\n".join(p for p in (after_hours, note) if p))


def form(body: str, phone: str = PHONE, **extra: str) -> Dict[str, str]:
    data = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    data.update(extra)
    return data


class Harness:
    """One running server: channel + fake agent + fake Twilio."""

    def __init__(self, channel: TwilioSmsInput, agent: FakeAgent, fake: Any, base: str) -> None:
        self.channel, self.agent, self.fake, self.base = channel, agent, fake, base

    async def post(self, data: Dict[str, str], signature: Any = _UNSET, token: Optional[str] = None) -> Tuple[int, str, str]:
        """POST a webhook as Twilio would (signed over the public URL) and wait for the turn to end."""
        headers = {}
        if signature is _UNSET:
            signature = RequestValidator(token or self.fake.auth_token).compute_signature(PUBLIC_BASE_URL + WEBHOOK_PATH, data)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        async with aiohttp.ClientSession() as session:
            async with session.post(self.base + WEBHOOK_PATH, data=data, headers=headers) as resp:
                status, text, ctype = resp.status, await resp.text(), resp.headers.get("Content-Type", "")
        await self.channel.wait_idle()
        return status, text, ctype

    async def text(self, body: str, **extra: str) -> List[str]:
        """Send a text; return the SMS bodies sent in reply."""
        before = len(self.fake.messages)
        status, twiml, _ = await self.post(form(body, **extra))
        assert status == 200 and "<Response/>" in twiml
        return self.fake.bodies()[before:]


def make_channel(fake: Any, clock: Optional[Clock] = None, **overrides: Any) -> TwilioSmsInput:
    settings: Dict[str, Any] = dict(
        account_sid=fake.account_sid,
        auth_token=fake.auth_token,
        from_number=FROM_NUMBER,
        public_base_url=PUBLIC_BASE_URL,
        api_base=fake.base_url,
        id_secret=ID_SECRET,
        now=clock or Clock(DAY),
        retry_delay=0.01,
    )
    settings.update(overrides)
    return TwilioSmsInput(**settings)
