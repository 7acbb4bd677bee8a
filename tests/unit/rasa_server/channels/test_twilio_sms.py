"""The Twilio SMS channel, in-process (tests/support/sms_channel.py): signature checks, media and long
texts, numbered replies, the after-hours note and crisis replies, failures, privacy."""
from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any, Dict, Optional

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from bot.rasa_server.channels.twilio_sms import TwilioSmsInput, sender_id_for, signed_url
from bot.rasa_server.sms import format as sms
from bot.settings import program
from bot.texts import catalogue
from tests.support.sms_channel import (
    AFTER_HOURS, FROM_NUMBER, ID_SECRET, NIGHT, PHONE, PHONE_DIGITS, PUBLIC_BASE_URL, WEBHOOK_PATH, Clock,
    FakeAgent, Harness, form, make_channel, response_message, serve, sms_texts,
)

pytestmark = pytest.mark.usefixtures("sanic_test_mode")


# --- signature --------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_signed_message_is_answered_through_twilio_api(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        status, twiml, ctype = await h.post(form("hi"))
    assert status == 200
    assert ctype.startswith("text/xml") and twiml.endswith("<Response/>")
    assert fake_twilio.messages == [
        {"To": PHONE, "From": FROM_NUMBER, "Body": body} for body in sms_texts("utter_greet", first=True)
    ]
    assert fake_twilio.bodies()[0].startswith("Privacy: Harbor Light keeps this conversation 30 days, then deletes it.")
    assert fake_twilio.bodies()[-1].endswith("\n1) What is IOP? 2) Check if IOP fits 3) Request a callback 4) Plan a talk with a loved one")
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
    assert (channel.twilio.account_sid, channel.twilio.auth_token, channel.twilio.from_number) == (sid, token, FROM_NUMBER)
    assert channel.auth_token == token
    assert channel.public_base_url == PUBLIC_BASE_URL and channel.twilio.api_base == "https://api.twilio.com"
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
    assert replies == sms_texts("utter_greet", first=True) and agent.received[0].text == "hi"


@pytest.mark.asyncio
async def test_very_long_message_is_truncated_before_rasa(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("x" * 1599 + "yz" + "z" * 500)
    assert agent.received[0].text == "x" * 1599 + "y"
    assert replies == sms_texts("utter_greet", first=True)  # nothing said about the truncation


@pytest.mark.asyncio
async def test_help_keyword(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    prog = program()
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        [reply] = await Harness(channel, agent, fake_twilio, base).text(" help ")
    for needle in (prog.name, prog.phone, "Reply STOP to opt out.", "Msg & data rates may apply.", prog.crisis_line, prog.emergency):
        assert needle in reply
    assert agent.received == []


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
        replies = await Harness(channel, agent, fake_twilio, base).text("hi")
    assert replies[-1].endswith("\n\nWe're here - text us anytime...")


# --- crisis: Rasa's verdict -------------------------------------------------------------------------------
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
    assert replies == sms_texts("utter_crisis", "utter_crisis_next", first=True)
    assert not any("away until" in r for r in replies)
    assert replies[0].startswith(sms.to_gsm7(response_message("utter_crisis", "twilio_sms")["text"])[:60])


@pytest.mark.asyncio
async def test_the_channel_reads_rasas_verdict_and_does_not_rerun_the_rules(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    """A text the safety rules would flag, answered by Rasa with something else: Rasa decided, so
    the reply is a normal one, after-hours note included (the rules run in Rasa, not again here)."""
    from bot.safety import detect_crisis

    text = "my son took an overdose"
    assert detect_crisis(text) is not None
    clock = Clock(NIGHT)
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text(text)
    assert replies == sms_texts("utter_greet", first=True, after_hours=AFTER_HOURS)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "text, kind",
    [("I want to kill myself", "suicide"), ("my son took an overdose", "medical"), ("how much does it cost", None)],
)
async def test_conversation_store_down_the_rules_choose_the_reply(
    database: str, fake_twilio: Any, tracker_db: Path, text: str, kind: Optional[str]
) -> None:
    """Without its conversation database Rasa cannot answer; the channel runs the safety rules
    itself: the crisis reply for a crisis, else the technical-trouble message."""
    from sqlalchemy import create_engine

    channel, agent = make_channel(fake_twilio, Clock(NIGHT)), FakeAgent(tracker_db)
    agent.tracker_store.engine = create_engine(f"sqlite:///{tracker_db.parent / 'missing' / 'tracker.sqlite'}")
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text(text)
    expected = catalogue().crisis(kind) if kind else catalogue().technical_trouble()
    assert replies == sms.compose_sms([{"text": expected}])
    assert agent.received == [] and not any("away until" in r for r in replies)


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
    expected = catalogue().responses["utter_technical_trouble"][0]["text"]
    assert replies == sms.compose_sms([{"text": expected}])
    assert expected == catalogue().technical_trouble()
    assert "988" in " ".join(replies) and program().phone in " ".join(replies)


@pytest.mark.asyncio
@pytest.mark.parametrize("silent", [False, True])
async def test_rasa_failure_on_a_crisis_text_sends_the_crisis_reply(
    database: str, fake_twilio: Any, tracker_db: Path, silent: bool
) -> None:
    """When Rasa fails or says nothing, the channel's own rules still answer a crisis with 988/911."""
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    if silent:
        agent.default = []
    else:
        agent.error = RuntimeError("tracker store down")
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("i want to kill myself")
    assert replies == sms.compose_sms([{"text": catalogue().crisis("suicide")}])
    assert "988" in " ".join(replies)


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
    assert replies == sms.compose_sms([crisis, {"text": catalogue().technical_trouble()}])
    assert not any("away until" in r for r in replies)


@pytest.mark.asyncio
async def test_turn_without_bot_message_sends_technical_trouble(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    agent.default = []
    async with serve(channel, agent) as base:
        replies = await Harness(channel, agent, fake_twilio, base).text("hi")
    assert replies == sms.compose_sms([{"text": catalogue().technical_trouble()}])


@pytest.mark.asyncio
async def test_twilio_errors_are_retried(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        fake_twilio.fail_next(2)
        assert await h.text("hi") == sms_texts("utter_greet", first=True)
        assert fake_twilio.attempts == 2 + len(sms_texts("utter_greet", first=True))
        fake_twilio.clear()
        fake_twilio.fail_next(5)  # more failures than attempts: given up, no crash
        assert await h.text("hi") == []
        assert fake_twilio.attempts == 3
        assert (await h.post(form("hi")))[0] == 200


@pytest.mark.asyncio
async def test_wrong_twilio_credentials_are_not_retried(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    channel.twilio.account_sid = "AC" + "f" * 32
    async with serve(channel, agent) as base:
        assert await Harness(channel, agent, fake_twilio, base).text("hi") == []
    assert fake_twilio.attempts == len(sms_texts("utter_greet", first=True))  # each part once, none retried


@pytest.mark.asyncio
async def test_duplicate_message_sid_is_handled_once(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        data = form("hi")
        assert (await h.post(data))[0] == 200
        assert (await h.post(data))[0] == 200
    assert len(agent.received) == 1 and len(fake_twilio.messages) == len(sms_texts("utter_greet", first=True))


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
    note = catalogue().sms_text("privacy_note")
    assert fake_twilio.bodies() == [f"{note}\n\nanswer 0"] + [f"answer {i}" for i in range(1, 5)]


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
