"""Opt-outs through the SMS channel with the real store: STOP confirmed once then silence (also after a
restart and while the database is down) until START, and carrier-level unsubscribes recorded."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.rasa_server.sms.keywords import keyword_text
from bot.settings import program
from bot.store import Store
from tests.support.sms_channel import PHONE, FakeAgent, Harness, make_channel, serve, sms_texts

pytestmark = pytest.mark.usefixtures("sanic_test_mode")


def is_sms_opted_out(phone: str, url: str) -> bool:
    with Store(url) as store:
        return store.opt_outs.is_opted_out(phone)


@pytest.mark.asyncio
async def test_stop_confirms_once_then_silence_even_after_restart_until_start(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    prog = program()
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        assert await h.text("hi") == sms_texts("utter_greet", first=True)
        assert await h.text("STOP") == [keyword_text("stop", prog)]
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
        assert await h.text("Start") == [keyword_text("start", prog)]
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
        assert await h.text(word) == [keyword_text("stop", program())]
    assert [m.text for m in agent.received] == ["/request_callback"]
    assert is_sms_opted_out(PHONE, database) is True


@pytest.mark.asyncio
async def test_unstop_resubscribes(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text("STOP")
        assert await h.text("UNSTOP") == [keyword_text("start", program())]
    assert is_sms_opted_out(PHONE, database) is False


@pytest.mark.asyncio
async def test_stop_is_honoured_while_the_database_is_down(
    database: str, fake_twilio: Any, tracker_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/iop")  # nothing listens there
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        assert await h.text("STOP") == [keyword_text("stop", program())]
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
