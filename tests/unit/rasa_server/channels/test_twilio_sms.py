"""The Twilio SMS channel, in-process: a real Sanic server built like `rasa run` builds it, requests
signed with Twilio's own RequestValidator, replies captured by a local fake of Twilio's REST API,
opt-outs stored in a temp SQLite database and conversations in a SQL tracker store."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import socket
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, List, Optional, Tuple, Union
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from twilio.request_validator import RequestValidator

from bot.rasa_server.sms import format as sms
from bot.replies import technical_trouble_text
from bot.rasa_server.channels.twilio_sms import (
    TwilioSmsInput,
    is_crisis_turn,
    offered_buttons,
    sender_id_for,
    signed_url,
)
from bot.content import message_responses
from bot.settings import program
from bot.store.storage import is_sms_opted_out

pytestmark = pytest.mark.usefixtures("sanic_test_mode")

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
    variations = message_responses(program().placeholders())[name]
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
            UserUttered(message.text, input_channel=message.input_channel, metadata=message.metadata, timestamp=stamp)
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


def sms_texts(*names: str) -> List[str]:
    """What the channel should send for these responses (SMS variations, numbered, GSM-7, split)."""
    return sms.compose_sms([response_message(name, "twilio_sms") for name in names])


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


# --- signature --------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_signed_message_is_answered_through_twilio_api(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        status, twiml, ctype = await h.post(form("hi"))
    assert status == 200
    assert ctype.startswith("text/xml") and twiml.endswith("<Response/>")
    assert fake_twilio.messages == [{"To": PHONE, "From": FROM_NUMBER, "Body": body} for body in sms_texts("utter_greet")]
    assert fake_twilio.bodies()[0].endswith("\n1) What is IOP? 2) Check if IOP fits 3) Request a callback")
    [message] = agent.received
    assert message.sender_id == sender_id_for(PHONE, ID_SECRET.encode()) and re.fullmatch(r"sms-[0-9a-f]{32}", message.sender_id)
    assert message.input_channel == "twilio_sms" and message.metadata == {"channel": "sms"}
    assert message.output_channel.name() == "twilio_sms"  # so Rasa picks the SMS variations


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",  # empty
        "bm90IGEgc2lnbmF0dXJl",  # forged
        RequestValidator("some-other-token").compute_signature(PUBLIC_BASE_URL + WEBHOOK_PATH, {"Body": "hi"}),
    ],
)
async def test_unsigned_or_forged_requests_are_rejected(
    database: str, fake_twilio: Any, tracker_db: Path, signature: Optional[str]
) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        status, _, _ = await Harness(channel, agent, fake_twilio, base).post(form("hi"), signature=signature)
    assert status == 403
    assert agent.received == [] and fake_twilio.messages == []


@pytest.mark.asyncio
async def test_signature_over_other_params_or_token_is_rejected(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        signed = form("hi")
        signature = RequestValidator(fake_twilio.auth_token).compute_signature(PUBLIC_BASE_URL + WEBHOOK_PATH, signed)
        tampered = dict(signed, Body="something else")
        assert (await h.post(tampered, signature=signature))[0] == 403
        assert (await h.post(form("hi"), token="wrong-token"))[0] == 403
        wrong_url = RequestValidator(fake_twilio.auth_token).compute_signature("https://evil.example.com" + WEBHOOK_PATH, signed)
        assert (await h.post(signed, signature=wrong_url))[0] == 403
    assert agent.received == [] and fake_twilio.messages == []


@pytest.mark.asyncio
async def test_without_auth_token_everything_is_rejected_and_warned_once(
    database: str, fake_twilio: Any, tracker_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.rasa_server.channels.twilio_sms")
    channel, agent = make_channel(fake_twilio, auth_token=None), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        assert (await h.post(form("hi")))[0] == 403
        assert (await h.post(form("hello")))[0] == 403
    assert agent.received == [] and fake_twilio.messages == []
    assert sum("TWILIO_AUTH_TOKEN is not set" in r.getMessage() for r in caplog.records) == 1


def test_from_credentials_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    sid, token = "AC" + "1" * 32, "env-token"
    for name, value in {
        "TWILIO_ACCOUNT_SID": sid,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_API_BASE": "",
        "IOP_ID_SECRET": ID_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    channel = TwilioSmsInput.from_credentials(None)
    assert (channel.account_sid, channel.auth_token, channel.from_number) == (sid, token, FROM_NUMBER)
    assert channel.public_base_url == PUBLIC_BASE_URL and channel.api_base == "https://api.twilio.com"
    assert TwilioSmsInput.name() == "twilio_sms" and channel.url_prefix() == "twilio_sms"


@pytest.mark.parametrize(
    "base, request_url, path, query, expected",
    [
        ("https://bot.example.org", "http://10.0.0.5:5005/webhooks/twilio_sms/webhook", "/webhooks/twilio_sms/webhook", "", "https://bot.example.org/webhooks/twilio_sms/webhook"),
        ("https://bot.example.org/", "http://x/w", "/w", "", "https://bot.example.org/w"),
        ("https://bot.example.org", "http://x/w?a=1", "/w", "a=1&b=2", "https://bot.example.org/w?a=1&b=2"),
        (None, "http://localhost:5005/w", "/w", "", "http://localhost:5005/w"),
    ],
)
def test_signed_url(base: Optional[str], request_url: str, path: str, query: str, expected: str) -> None:
    assert signed_url(base, request_url, path, query) == expected


@pytest.mark.parametrize(
    "phone, secret",
    [("+14155552671", b"a"), ("+14155552671", b"b"), ("+442071838750", b"a")],
)
def test_sender_id_is_a_keyed_hash(phone: str, secret: bytes) -> None:
    sender = sender_id_for(phone, secret)
    assert re.fullmatch(r"sms-[0-9a-f]{32}", sender)
    assert sender == sender_id_for(phone, secret)
    assert sender != sender_id_for(phone, secret + b"x")
    assert phone.lstrip("+") not in sender


# --- media, empty, long --------------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body, extra, expected_start",
    [
        ("", {"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/media/ME1", "MediaContentType0": "image/jpeg"}, "I can only read text messages. Please type your question"),
        ("   ", {"NumMedia": "2"}, "I can only read text messages."),
        ("", {}, "I didn't get any text there."),
        ("", {"NumMedia": "not-a-number"}, "I didn't get any text there."),
    ],
)
async def test_media_only_or_empty_message_gets_a_polite_reply(
    database: str, fake_twilio: Any, tracker_db: Path, body: str, extra: Dict[str, str], expected_start: str
) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text(body, **extra)
    assert len(replies) == 1 and replies[0].startswith(expected_start)
    assert "988" in replies[0] and agent.received == []


@pytest.mark.asyncio
async def test_picture_with_text_is_answered_normally(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("hi", NumMedia="1")
    assert replies == sms_texts("utter_greet") and agent.received[0].text == "hi"


@pytest.mark.asyncio
async def test_very_long_message_is_truncated_before_rasa(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("x" * 1599 + "yz" + "z" * 500)
    assert agent.received[0].text == "x" * 1599 + "y"
    assert replies == sms_texts("utter_greet")  # nothing said about the truncation


# --- keywords ------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_stop_confirms_once_then_silence_even_after_restart_until_start(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    prog = program()
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        assert await h.text("hi") == sms_texts("utter_greet")
        assert await h.text("STOP") == [sms.stop_confirmation(prog)]
        assert await h.text("hello?") == []
        assert await h.text("I want to kill myself") == []  # by carrier rules we may not text them
        assert await h.text("stop") == []  # no second confirmation
        assert await h.text("HELP") == []
        assert len(agent.received) == 1
    assert is_sms_opted_out(PHONE, database) is True

    # A restart: new channel, new server, same database.
    channel2, agent2 = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel2, agent2) as base:
        h = Harness(channel2, agent2, fake_twilio, base)
        assert await h.text("are you there") == []
        assert await h.text("Start") == [sms.start_confirmation(prog)]
        assert await h.text("hi") == sms_texts("utter_greet")
    assert is_sms_opted_out(PHONE, database) is False
    assert [m.text for m in agent2.received] == ["hi"]
    assert "You're unsubscribed from Harbor Light messages. No more texts will be sent. Reply START to resubscribe. If you're in crisis, call or text 988, or call 911." in fake_twilio.bodies()


@pytest.mark.asyncio
@pytest.mark.parametrize("word", ["cancel", " Unsubscribe ", "STOPALL", "end", "Quit", "revoke", "optout"])
async def test_every_stop_word_opts_out_even_inside_a_form(
    database: str, fake_twilio: Any, tracker_db: Path, word: str
) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    agent.script["/request_callback"] = ["utter_ask_callback_consent"]
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text("/request_callback")
        assert await h.text(word) == [sms.stop_confirmation(program())]
    assert [m.text for m in agent.received] == ["/request_callback"]
    assert is_sms_opted_out(PHONE, database) is True


@pytest.mark.asyncio
async def test_unstop_resubscribes(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text("STOP")
        assert await h.text("UNSTOP") == [sms.start_confirmation(program())]
    assert is_sms_opted_out(PHONE, database) is False


@pytest.mark.asyncio
async def test_help_keyword(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    prog = program()
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        [reply] = await Harness(channel, agent, fake_twilio, base).text(" help ")
    for needle in (prog.name, prog.phone, "Reply STOP to opt out.", "Msg & data rates may apply.", prog.crisis_line, prog.emergency):
        assert needle in reply
    assert agent.received == []


@pytest.mark.asyncio
async def test_stop_is_honoured_while_the_database_is_down(
    database: str, fake_twilio: Any, tracker_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store import storage

    def down(*args: Any, **kwargs: Any) -> Any:
        raise storage.StorageUnavailable("database down")

    monkeypatch.setattr(storage, "set_sms_opt_out", down)
    monkeypatch.setattr(storage, "is_sms_opted_out", down)
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        assert await h.text("STOP") == [sms.stop_confirmation(program())]
        assert await h.text("hi") == []  # remembered in memory
    assert agent.received == []


@pytest.mark.asyncio
async def test_carrier_level_unsubscribe_is_recorded(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    fake_twilio.unsubscribe(PHONE)
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        assert await h.text("hi") == []
        assert is_sms_opted_out(PHONE, database) is True
        await h.text("hello")
    assert len(agent.received) == 1


# --- buttons -------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_numbered_reply_maps_to_the_button_payload_even_after_restart(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    agent.script["/start_screening"] = ["utter_screening_intro", "utter_ask_screen_for"]
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text("hi")
        assert await h.text("2") == sms_texts("utter_screening_intro", "utter_ask_screen_for")
        assert fake_twilio.bodies()[-1].endswith("\n1) Myself 2) Someone I care about")
    assert [m.text for m in agent.received] == ["hi", "/start_screening"]

    # Restart: the offered buttons come from the tracker store, not from memory.
    channel2, agent2 = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel2, agent2) as base:
        h = Harness(channel2, agent2, fake_twilio, base)
        await h.text("option 2")
        await h.text("7")  # the last reply had no buttons ("Someone I care about" got the greeting)
    assert [m.text for m in agent2.received] == ["Someone I care about", "7"]


@pytest.mark.asyncio
@pytest.mark.parametrize("reply, expected", [("1", "What is an intensive outpatient program?"), ("#3", "/request_callback"), ("4", "4"), ("0", "0"), ("1 or 2", "1 or 2")])
async def test_numeric_reply_table(
    database: str, fake_twilio: Any, tracker_db: Path, reply: str, expected: str
) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text("hi")
        await h.text(reply)
    assert agent.received[-1].text == expected


def test_offered_buttons_come_from_the_last_bot_turn() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    a = [{"title": "A", "payload": "/a"}]
    b = [{"title": "B", "payload": "/b"}]
    table = [
        ([], []),
        ([UserUttered("hi"), BotUttered("x", {"buttons": a})], a),
        ([BotUttered("x", {"buttons": a}), BotUttered("y", {"buttons": b}), ActionExecuted("action_listen")], b),
        ([BotUttered("x", {"buttons": a}), BotUttered("y", {})], a),
        ([BotUttered("x", {"buttons": a}), UserUttered("1"), BotUttered("y", {})], []),
        ([BotUttered("x", {"quick_replies": b})], b),
    ]
    for events, expected in table:
        assert offered_buttons(events) == expected


# --- long answers, GSM-7 -------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_long_answer_is_split_into_gsm7_parts(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    long_text = " ".join(
        f"Point {i}: IOP\u2019s groups meet 3\u20135 days a week \u2014 you keep living at home \U0001F3E0."
        for i in range(1, 16)
    )
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    agent.script["What is an intensive outpatient program?"] = [
        {"text": long_text, "buttons": [{"title": "Costs \U0001F4B5", "payload": "/cost"}], "utter_action": "utter_faq/what_is_iop"}
    ]
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text("hi")
        parts = await h.text("1")
    assert len(parts) > 2
    assert all(sms.septets(p) <= 320 for p in parts)
    assert all(ch in sms.GSM7_BASIC or ch in sms.GSM7_EXTENDED for p in parts for ch in p)
    assert "Point 1: IOP's groups meet 3-5 days a week - you keep living at home." in parts[0]
    assert parts[-1].endswith("at home.\n1) Costs")
    assert " ".join(parts).split() == sms.to_gsm7(long_text + "\n1) Costs").split()


@pytest.mark.asyncio
async def test_emoji_and_smart_punctuation_are_removed(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    agent.default = [{"text": "We\u2019re here \U0001F49A \u2014 text us anytime\u2026 \U0001F64F", "utter_action": "utter_x"}]
    async with serve(channel, agent) as base:
        assert await Harness(channel, agent, fake_twilio, base).text("hi") == ["We're here - text us anytime..."]


# --- after hours, crisis -------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_after_hours_prefix_on_first_reply_of_a_conversation(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    clock = Clock(NIGHT)
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        first = await h.text("hi")
        assert first == sms.compose_sms([response_message("utter_greet", "twilio_sms")], AFTER_HOURS)
        assert first[0].startswith(AFTER_HOURS + "\n\nHi, this is the Harbor Light assistant.")
        clock.advance(minutes=10)
        assert await h.text("hello") == sms_texts("utter_greet")  # same conversation: no prefix
        clock.advance(hours=6)  # 5:40am, still closed, after 6 hours of silence: a new conversation
        [again] = (await h.text("hi"))[:1]
        assert again.startswith("Our team is away until 8am today.")


@pytest.mark.asyncio
async def test_no_prefix_while_open(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    clock = Clock(DAY)
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    async with serve(channel, agent) as base:
        assert await Harness(channel, agent, fake_twilio, base).text("hi") == sms_texts("utter_greet")


@pytest.mark.asyncio
async def test_crisis_at_night_gets_the_crisis_reply_without_prefix(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    clock = Clock(NIGHT)
    text = "I want to kill myself"
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    agent.script[text] = ["utter_crisis", "utter_crisis_next"]
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text(text)
    assert replies == sms_texts("utter_crisis", "utter_crisis_next")
    assert not any("away until" in r for r in replies)
    assert replies[0].startswith(sms.to_gsm7(response_message("utter_crisis", "twilio_sms")["text"])[:60])


@pytest.mark.asyncio
async def test_crisis_detected_in_the_text_suppresses_the_prefix(
    database: str, fake_twilio: Any, tracker_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if Rasa answered with something else, the safety rules on the text decide."""
    import sys
    import types

    module = types.ModuleType("bot.safety")
    module.detect_crisis = lambda text: object() if "overdose" in text else None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.safety", module)
    clock = Clock(NIGHT)
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("my son took an overdose")
    assert replies == sms_texts("utter_greet")


def test_is_crisis_turn_without_safety_module(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "bot.safety", None)  # import fails
    table = [
        ("hello", [], False),
        ("hello", [{"utter_action": "utter_crisis"}], True),
        ("hello", [{"utter_action": "utter_crisis_next"}], True),
        ("hello", [{"utter_action": "utter_greet"}, {"utter_action": None}], False),
    ]
    for text, messages, expected in table:
        assert is_crisis_turn(text, messages) is expected


# --- failures ------------------------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize("error", [RuntimeError("tracker store down"), asyncio.TimeoutError()])
async def test_agent_failure_sends_technical_trouble(
    database: str, fake_twilio: Any, tracker_db: Path, error: BaseException
) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    agent.error = error
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("hi")
    expected = message_responses(program().placeholders())["utter_technical_trouble"][0]["text"]
    assert replies == sms.compose_sms([{"text": expected}])
    assert expected == technical_trouble_text()
    assert "988" in " ".join(replies) and program().phone in " ".join(replies)


@pytest.mark.asyncio
async def test_failure_after_a_crisis_reply_still_sends_the_crisis_reply(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    clock = Clock(NIGHT)
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    agent.script["I took too many pills"] = ["utter_crisis"]
    agent.error, agent.error_after_replies = ConnectionError("action server down"), True
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("I took too many pills")
    crisis = response_message("utter_crisis", "twilio_sms")
    assert replies == sms.compose_sms([crisis, {"text": technical_trouble_text()}])
    assert not any("away until" in r for r in replies)


@pytest.mark.asyncio
async def test_turn_without_bot_message_sends_technical_trouble(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    agent.default = []
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("hi")
    assert replies == sms.compose_sms([{"text": technical_trouble_text()}])


@pytest.mark.asyncio
async def test_twilio_errors_are_retried(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        fake_twilio.fail_next(2)
        assert await h.text("hi") == sms_texts("utter_greet")
        assert fake_twilio.attempts == 3
        fake_twilio.clear()
        fake_twilio.fail_next(5)  # more failures than attempts: given up, no crash
        assert await h.text("hi") == []
        assert fake_twilio.attempts == 3
        assert (await h.post(form("hi")))[0] == 200


@pytest.mark.asyncio
async def test_wrong_twilio_credentials_are_not_retried(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    channel.account_sid = "AC" + "f" * 32
    async with serve(channel, agent) as base:
        assert await Harness(channel, agent, fake_twilio, base).text("hi") == []
    assert fake_twilio.attempts == 1


@pytest.mark.asyncio
async def test_duplicate_message_sid_is_handled_once(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        data = form("hi")
        assert (await h.post(data))[0] == 200
        assert (await h.post(data))[0] == 200
    assert len(agent.received) == 1 and len(fake_twilio.messages) == len(sms_texts("utter_greet"))


@pytest.mark.asyncio
async def test_replies_to_one_sender_keep_their_order(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    for i in range(5):
        agent.script[f"q{i}"] = [{"text": f"answer {i}", "utter_action": "utter_x"}]
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        signed = [form(f"q{i}") for i in range(5)]
        async with aiohttp.ClientSession() as session:
            for data in signed:
                sig = RequestValidator(fake_twilio.auth_token).compute_signature(PUBLIC_BASE_URL + WEBHOOK_PATH, data)
                async with session.post(base + WEBHOOK_PATH, data=data, headers={"X-Twilio-Signature": sig}) as resp:
                    assert resp.status == 200
        await channel.wait_idle()
    assert fake_twilio.bodies() == [f"answer {i}" for i in range(5)]


@pytest.mark.asyncio
async def test_without_id_secret_ids_are_still_hashed(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio, id_secret=None), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        await Harness(channel, agent, fake_twilio, base).text("hi")
    assert re.fullmatch(r"sms-[0-9a-f]{32}", agent.received[0].sender_id)


# --- privacy -------------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_no_phone_number_or_message_text_in_logs(
    database: str, fake_twilio: Any, tracker_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock(NIGHT)
    secret_text = "my private question about benzos"
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text(secret_text)
        await h.text("1")
        fake_twilio.fail_next(3)
        await h.text(secret_text)
        agent.error = RuntimeError(f"database error for {PHONE}: {secret_text}")
        await h.text(secret_text)
        agent.error = None
        await h.text("HELP")
        await h.text("", NumMedia="1")
        await h.text("STOP")
        await h.text(secret_text)
        await h.text("START")
        fake_twilio.unsubscribe(PHONE)
        await h.text(secret_text)
        await h.post(form(secret_text), signature="forged")
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert logged  # the channel did log something
    for digits in PHONE_DIGITS + (PHONE,):
        assert digits not in logged
    assert secret_text not in logged and "benzos" not in logged
    # conversation ids in the tracker store carry no phone number either
    keys = list(await agent.tracker_store.keys())
    assert keys and all(k.startswith("sms-") and "4155552671" not in k for k in keys)
