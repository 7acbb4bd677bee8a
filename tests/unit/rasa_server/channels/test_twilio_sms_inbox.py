"""The SMS channel's inbox (bot/rasa_server/sms/inbox.py) with real servers and a real database:
a text is written before Twilio gets its 200, a repeated webhook is answered once across servers,
a text left by a stopped server is answered after a restart (from Rasa's record if Rasa had
already handled it), and a database that is down costs no reply."""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any, List

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.rasa_server.channels.twilio_sms import sender_id_for
from bot.rasa_server.sms.inbox import LEASE
from bot.store import Store, StorageUnavailable
from bot.store.models import SmsInboxMessage
from tests.support.sms_channel import (
    DAY, ID_SECRET, PHONE, PUBLIC_BASE_URL, WEBHOOK_PATH, Clock, FakeAgent, Harness, form, make_channel, serve, sms_texts,
)

pytestmark = [pytest.mark.usefixtures("sanic_test_mode"), pytest.mark.asyncio]


class StalledAgent(FakeAgent):
    """Receives the message and never finishes the turn, like a server that is about to die."""

    def __init__(self, tracker_db: Path) -> None:
        super().__init__(tracker_db)
        self.started = asyncio.Event()

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        self.started.set()
        await asyncio.Event().wait()


def _rows(url: str) -> List[SmsInboxMessage]:
    with Store(url) as store, store.session(write=False) as session:
        rows = list(session.execute(select(SmsInboxMessage).order_by(SmsInboxMessage.id)).scalars())
        for row in rows:
            session.expunge(row)
        return rows


async def _post(base: str, data: dict) -> int:
    signature = RequestValidator("test-auth-token-0123456789").compute_signature(PUBLIC_BASE_URL + WEBHOOK_PATH, data)
    async with aiohttp.ClientSession() as session:
        async with session.post(base + WEBHOOK_PATH, data=data, headers={"X-Twilio-Signature": signature}) as resp:
            return resp.status


async def _until_sent(fake: Any, channel: Any) -> None:
    """Wait (up to 5 s) for the first text the channel sends, then for its turns to end."""
    for _ in range(100):
        if fake.messages:
            break
        await asyncio.sleep(0.05)
    await channel.wait_idle()


async def _crash(channel: Any) -> None:
    """What a killed server leaves: its turns stop where they are, nothing is marked answered."""
    for task in list(channel.queue._tasks):
        task.cancel()
    await asyncio.gather(*channel.queue._tasks, return_exceptions=True)


async def test_a_text_is_written_before_twilio_gets_its_200_and_forgotten_once_answered(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    channel, agent = make_channel(fake_twilio), StalledAgent(tracker_db)
    async with serve(channel, agent) as base:
        data = form("i need help tonight")
        assert await _post(base, data) == 200
        [row] = _rows(database)  # already there when Twilio had its answer
        assert (row.message_sid, row.phone_e164, row.body, row.done_at) == (data["MessageSid"], PHONE, "i need help tonight", None)
        await asyncio.wait_for(agent.started.wait(), 5)
        await _crash(channel)
    answered = FakeAgent(tracker_db)
    channel = make_channel(fake_twilio)
    async with serve(channel, answered) as base:
        await Harness(channel, answered, fake_twilio, base).text("hi")
    rows = _rows(database)
    assert rows[1].done_at is not None and rows[1].phone_e164 is None and rows[1].body is None
    assert rows[0].done_at is None  # the first one's lease has not run out yet at this clock


async def test_the_same_webhook_to_two_servers_is_answered_once(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    one, two = make_channel(fake_twilio), make_channel(fake_twilio)
    agent_one, agent_two = FakeAgent(tracker_db), FakeAgent(tracker_db)
    async with serve(one, agent_one) as base_one, serve(two, agent_two) as base_two:
        data = form("hi")
        statuses = await asyncio.gather(_post(base_one, data), _post(base_two, data), _post(base_one, data))
        await one.wait_idle()
        await two.wait_idle()
    assert statuses == [200, 200, 200]
    assert len(agent_one.received) + len(agent_two.received) == 1
    assert fake_twilio.bodies() == sms_texts("utter_greet", first=True)
    [row] = _rows(database)
    assert row.done_at is not None


async def test_a_text_left_by_a_stopped_server_is_answered_after_the_restart(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    stalled = StalledAgent(tracker_db)
    before = make_channel(fake_twilio, Clock(DAY))
    async with serve(before, stalled) as base:
        data = form("i took all my pills")
        assert await _post(base, data) == 200
        await asyncio.wait_for(stalled.started.wait(), 5)
        await _crash(before)
    assert fake_twilio.messages == []
    agent = FakeAgent(tracker_db)
    agent.script["i took all my pills"] = ["utter_crisis"]
    after = make_channel(fake_twilio, Clock(DAY + LEASE + dt.timedelta(seconds=1)), sweep_seconds=0.05)
    async with serve(after, agent):
        await _until_sent(fake_twilio, after)
    [message] = agent.received
    assert message.text == "i took all my pills" and message.message_id == data["MessageSid"]
    assert message.sender_id == sender_id_for(PHONE, ID_SECRET.encode())
    assert fake_twilio.bodies() == sms_texts("utter_crisis", first=True)
    [row] = _rows(database)
    assert row.done_at is not None and row.body is None and row.attempts == 2


async def test_a_text_rasa_had_handled_is_answered_from_the_record(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    """Stopped between Rasa's turn and the text going out: the reply is sent, the turn not run twice."""
    with Store(database) as store:
        assert store.sms_inbox.accept("SM-handled", PHONE, "what is iop", 0, DAY, LEASE)
    agent = FakeAgent(tracker_db)
    sender = sender_id_for(PHONE, ID_SECRET.encode())
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("what is iop", message_id="SM-handled", timestamp=DAY.timestamp()))
    tracker.update(BotUttered("IOP is a structured program.", metadata={"utter_action": "utter_faq"}, timestamp=DAY.timestamp()))
    await agent.tracker_store.save(tracker)
    channel = make_channel(fake_twilio, Clock(DAY + dt.timedelta(minutes=2)), sweep_seconds=0.05)
    async with serve(channel, agent):
        await _until_sent(fake_twilio, channel)
    assert agent.received == []
    assert fake_twilio.bodies() == ["IOP is a structured program."]
    assert _rows(database)[0].done_at is not None


async def test_a_text_that_keeps_stopping_its_server_is_given_up(
    database: str, fake_twilio: Any, tracker_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Store(database) as store:
        message_id, _ = store.sms_inbox.accept("SM-poison", PHONE, "i want to die tonight", 0, DAY, LEASE)
        for attempt in range(4):
            store.sms_inbox.claim_unfinished(DAY + (attempt + 1) * 2 * LEASE, LEASE)
    agent = FakeAgent(tracker_db)
    channel = make_channel(fake_twilio, Clock(DAY + dt.timedelta(hours=1)), sweep_seconds=0.05)
    async with serve(channel, agent):
        await _until_sent(fake_twilio, channel)
    assert agent.received == []  # not handed to Rasa a sixth time
    sent = " ".join(fake_twilio.bodies())
    assert "988" in sent and "911" in sent  # answered without Rasa: the crisis lines for a crisis text
    [row] = _rows(database)
    assert row.id == message_id and row.done_at is not None and row.body is None
    assert "failed 5 times" in caplog.text and "die tonight" not in caplog.text


async def test_a_reply_twilio_did_not_take_is_tried_again(database: str, fake_twilio: Any, tracker_db: Path) -> None:
    agent = FakeAgent(tracker_db)
    channel = make_channel(fake_twilio, Clock(DAY))
    async with serve(channel, agent) as base:
        fake_twilio.fail_next(100)  # every attempt of every part fails
        assert await _post(base, form("are you there")) == 200
        await channel.wait_idle()
        [row] = _rows(database)
        assert row.done_at is None and row.body == "are you there"  # not closed: nothing went out
        fake_twilio.fail_next(0)
    later = make_channel(fake_twilio, Clock(DAY + LEASE + dt.timedelta(seconds=1)), sweep_seconds=0.05)
    async with serve(later, agent):
        await _until_sent(fake_twilio, later)
    assert fake_twilio.bodies() == sms_texts("utter_greet")  # what Rasa said, from its record
    assert len(agent.received) == 1  # not handled twice
    assert _rows(database)[0].done_at is not None


async def test_with_the_database_down_the_text_is_still_answered(
    fake_twilio: Any, tracker_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def down() -> Store:
        raise StorageUnavailable("database down")

    agent = FakeAgent(tracker_db)
    channel = make_channel(fake_twilio, store=down)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        data = form("hi")
        status, _, _ = await h.post(data)
        assert status == 200
        assert (await h.post(data))[0] == 200  # a repeat is still recognised, in memory
    assert len(agent.received) == 1
    assert fake_twilio.bodies() == sms_texts("utter_greet", first=True)
    assert "SMS inbox unavailable (StorageUnavailable); answering this text from memory only" in caplog.text




async def test_a_text_waiting_behind_a_slow_turn_keeps_its_lease(
    database: str, fake_twilio: Any, tracker_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No other server may take over a text that only waits for the same person's earlier one."""
    monkeypatch.setattr("bot.rasa_server.sms.inbox.RENEW_SECONDS", 0.05)
    clock = Clock(DAY)
    stalled = StalledAgent(tracker_db)
    channel = make_channel(fake_twilio, clock)
    async with serve(channel, stalled) as base:
        assert await _post(base, form("first")) == 200
        await asyncio.wait_for(stalled.started.wait(), 5)
        assert await _post(base, form("second")) == 200  # same sender: queued behind the first
        for _ in range(3):
            clock.advance(seconds=25)  # far past the 30 s lease written at accept
            await asyncio.sleep(0.3)  # renewals happen meanwhile
            with Store(database) as store:
                assert store.sms_inbox.claim_unfinished(clock(), LEASE) == []
        await _crash(channel)
