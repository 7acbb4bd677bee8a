"""What the SMS channel reads from a conversation: offered buttons, new conversations, the
after-hours note, and which response Rasa answered with (bot/rasa_server/sms/conversation.py);
last, the same through the channel (tests/support/sms_channel.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.rasa_server.sms import conversation
from bot.rasa_server.sms.format import compose_sms
from tests.support.sms_channel import AFTER_HOURS, DAY, NIGHT, Clock, FakeAgent, Harness, make_channel, response_message, serve, sms_texts

pytestmark = pytest.mark.usefixtures("sanic_test_mode")

NY = ZoneInfo("America/New_York")


# --- after hours ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "now, when, expected",
    [
        (dt.datetime(2026, 3, 3, 23, 30, tzinfo=NY), dt.datetime(2026, 3, 4, 8, 0, tzinfo=NY), "8am tomorrow"),
        (dt.datetime(2026, 3, 4, 2, 0, tzinfo=NY), dt.datetime(2026, 3, 4, 8, 0, tzinfo=NY), "8am today"),
        (dt.datetime(2026, 3, 6, 19, 0, tzinfo=NY), dt.datetime(2026, 3, 7, 9, 0, tzinfo=NY), "9am tomorrow"),
        (dt.datetime(2026, 3, 7, 14, 0, tzinfo=NY), dt.datetime(2026, 3, 9, 8, 0, tzinfo=NY), "8am Monday"),
        (dt.datetime(2026, 12, 24, 21, 0, tzinfo=NY), dt.datetime(2027, 1, 4, 8, 30, tzinfo=NY), "8:30am Monday, Jan 4"),
        # instants given in UTC are shown in the program's time zone
        (dt.datetime(2026, 3, 4, 4, 30, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 4, 13, 0, tzinfo=dt.timezone.utc), "8am tomorrow"),
    ],
)
def test_describe_opening(sms_program: Any, now: dt.datetime, when: dt.datetime, expected: str) -> None:
    assert conversation.describe_opening(when, now, sms_program) == expected


def test_after_hours_prefix(sms_program: Any) -> None:
    now = dt.datetime(2026, 3, 3, 23, 30, tzinfo=NY)
    assert conversation.after_hours_prefix(dt.datetime(2026, 3, 4, 8, 0, tzinfo=NY), now, sms_program) == (
        "Our team is away until 8am tomorrow. I can still answer questions and set up a callback for "
        "when we open."
    )


@pytest.mark.parametrize(
    "now, expected",
    [
        (dt.datetime(2026, 3, 3, 10, 0, tzinfo=NY), ""),  # open
        (dt.datetime(2026, 3, 3, 23, 30, tzinfo=NY), "Our team is away until 8am tomorrow."),
        (dt.datetime(2026, 3, 7, 14, 0, tzinfo=NY), "Our team is away until 8am Monday."),
        (dt.datetime(2026, 3, 8, 5, 0, tzinfo=dt.timezone.utc), "Our team is away until 8am tomorrow."),  # Sat night
    ],
)
def test_after_hours_note(sms_program: Any, now: dt.datetime, expected: str) -> None:
    note = conversation.after_hours_note(now, sms_program)
    assert note.startswith(expected) and (note == "") == (expected == "")


def test_after_hours_note_never_costs_the_reply(sms_program: Any) -> None:
    never_open = replace(sms_program, opening_hours=(None,) * 7)
    assert conversation.after_hours_note(dt.datetime(2026, 3, 3, 23, 30, tzinfo=NY), never_open) == ""


T0 = dt.datetime(2026, 3, 3, 22, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "last, now, expected",
    [
        (None, T0, True),
        (T0, T0 + dt.timedelta(minutes=5), False),
        (T0, T0 + dt.timedelta(hours=5, minutes=59), False),
        (T0, T0 + dt.timedelta(hours=6), True),
        (T0, T0 + dt.timedelta(days=3), True),
        (T0 + dt.timedelta(hours=1), T0, False),  # clock skew: not a new conversation
    ],
)
def test_starts_conversation(last: Optional[dt.datetime], now: dt.datetime, expected: bool) -> None:
    assert conversation.starts_conversation(last, now) is expected


# --- the conversation's events ------------------------------------------------------------------------
def test_offered_buttons_come_from_the_last_bot_turn() -> None:
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
        assert conversation.offered_buttons(events) == expected


def test_last_user_message_at() -> None:
    stamp = T0.timestamp()
    assert conversation.last_user_message_at([]) is None
    assert conversation.last_user_message_at([BotUttered("hi", timestamp=stamp)]) is None
    events = [UserUttered("a", timestamp=stamp - 60), BotUttered("b", timestamp=stamp), UserUttered("c", timestamp=stamp)]
    assert conversation.last_user_message_at(events) == T0


@pytest.mark.asyncio
async def test_collector_keeps_the_response_rasa_chose() -> None:
    """Rasa hands each rendered response to the output channel as BotUttered.message(), whose
    metadata carries `utter_action`; the collector keeps it so the channel can read Rasa's verdict."""
    collector = conversation.SmsCollector()
    event = BotUttered("Call 988.", data={"buttons": [{"title": "Yes", "payload": "/affirm"}]}, metadata={"utter_action": "utter_crisis"})
    await collector.send_response("sms-1", event.message())
    await collector.send_response("sms-1", BotUttered("", data={}).message())  # nothing to send
    await collector.send_response("sms-1", BotUttered("See", data={"image": "https://x/i.png"}).message())
    assert collector.messages == [
        {"recipient_id": "sms-1", "text": "Call 988.", "buttons": [{"title": "Yes", "payload": "/affirm"}], "utter_action": "utter_crisis"},
        {"recipient_id": "sms-1", "text": "See\nhttps://x/i.png", "buttons": [], "utter_action": None},
    ]
    assert collector.name() == "twilio_sms"


# --- through the channel -------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_after_hours_prefix_on_first_reply_of_a_conversation(
    database: str, fake_twilio: Any, tracker_db: Path
) -> None:
    clock = Clock(NIGHT)
    channel, agent = make_channel(fake_twilio, clock), FakeAgent(tracker_db, clock)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        first = await h.text("hi")
        assert first == sms_texts("utter_greet", first=True, after_hours=AFTER_HOURS)
        assert first[0].startswith(AFTER_HOURS + "\n\nPrivacy: Harbor Light keeps this conversation 30 days")
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
        assert await Harness(channel, agent, fake_twilio, base).text("hi") == sms_texts("utter_greet", first=True)


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
@pytest.mark.parametrize("reply, expected", [("1", "What is an intensive outpatient program?"), ("#3", "/request_callback"), ("4", "/start_family_plan"), ("5", "5"), ("0", "0"), ("1 or 2", "1 or 2")])
async def test_numeric_reply_table(
    database: str, fake_twilio: Any, tracker_db: Path, reply: str, expected: str
) -> None:
    channel, agent = make_channel(fake_twilio), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        h = Harness(channel, agent, fake_twilio, base)
        await h.text("hi")
        await h.text(reply)
    assert agent.received[-1].text == expected
