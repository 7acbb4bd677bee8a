"""After-hours paging from end to end on a simulated clock: the callback action stores an urgent
request at 2 a.m. and tells the person someone on call was told; the website's pager texts the
on-call number (local fake of Twilio's API); the on-call person's "ACK <ref>" reaches the real SMS
channel signed as Twilio signs it; the backup is paged only without it; the console shows it all."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from aiohttp.test_utils import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionSubmitCallback
from bot.links import request_path
from bot.settings import Program
from bot.store import Store
from bot.clients.twilio_api import TwilioClient
from bot.website.pager import page_round
from tests.support.actions import DOMAIN, responses, tracker
from tests.support.fake_twilio import FakeTwilio
from tests.support.on_call import BACKUP, NIGHT_NURSE, STRANGER, WEDNESDAY_2AM
from tests.support.sms_channel import Clock, FakeAgent, Harness, form, make_channel, serve

pytestmark = pytest.mark.asyncio
MIN = dt.timedelta(minutes=1)
ASKED = {
    "callback_consent": "yes", "first_name": "Rosalind", "phone": "+14155550199", "best_time": "as soon as possible",
    "voicemail_ok": "no", "text_ok": "yes", "callback_for": "self", "urgent": True, "screening_outcome": "crisis",
}


async def ask_for_a_callback(at: dt.datetime, sender: str = "conv-night") -> CollectingDispatcher:
    action = ActionSubmitCallback()
    action.now = lambda: at  # type: ignore[method-assign]
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(ASKED, sender=sender), DOMAIN)
    return dispatcher


def texts_to(fake: FakeTwilio, number: str) -> List[str]:
    return [m["Body"] for m in fake.messages if m["To"] == number]


@pytest.fixture(autouse=True)
def local_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console on the test server's plain-http loopback address keeps its cookies."""
    monkeypatch.setenv("STAFF_COOKIE_INSECURE_LOCALHOST", "1")


@pytest.fixture
def on_call(deploy_program: Callable[..., Program], database: str, paging_env: FakeTwilio) -> Program:
    return deploy_program()


async def reply_from(phone: str, body: str, prog: Program, fake: FakeTwilio, at: dt.datetime, tracker_db: Path) -> List[str]:
    """A text to the assistant's number, through the real channel; the texts sent back to `phone`."""
    channel, agent = make_channel(fake, Clock(at), program_settings=lambda: prog), FakeAgent(tracker_db)
    before = len(texts_to(fake, phone))
    async with serve(channel, agent) as base:
        harness = Harness(channel, agent, fake, base)
        status, _, _ = await harness.post(form(body, phone=phone))
    assert status == 200
    return texts_to(fake, phone)[before:]


async def test_an_urgent_request_at_2am_pages_once_and_an_ack_stops_the_backup(
    on_call: Program, paging_env: FakeTwilio, store: Store, staff: TestClient, tracker_db: Path, sanic_test_mode: None
) -> None:
    told = await ask_for_a_callback(WEDNESDAY_2AM)
    assert responses(told) == ["utter_callback_confirmed_on_call"]
    ref = told.messages[0]["ref"]

    twilio = TwilioClient.from_env()
    for minutes in (0, 1, 2):
        await page_round(store, twilio, WEDNESDAY_2AM + minutes * MIN)
    [page] = paging_env.messages
    assert page["To"] == NIGHT_NURSE and ref in page["Body"] and "URGENT" in page["Body"]
    assert not any(word in page["Body"] for word in ("Rosalind", "4155550199", "555-0199", "crisis", "as soon as"))

    # Someone not on the rota cannot acknowledge: the words go to the assistant like any text.
    stranger = await reply_from(STRANGER, f"ACK {ref}", on_call, paging_env, WEDNESDAY_2AM + 3 * MIN, tracker_db)
    assert not any(ref in text for text in stranger)
    record = store.callbacks.get(ref)
    assert record is not None and record.acknowledged_at is None

    # A forged acknowledgement (not signed by Twilio) is refused before anything is read.
    channel, agent = make_channel(paging_env, Clock(WEDNESDAY_2AM + 4 * MIN), program_settings=lambda: on_call), FakeAgent(tracker_db)
    async with serve(channel, agent) as base:
        status, _, _ = await Harness(channel, agent, paging_env, base).post(form(f"ACK {ref}", phone=NIGHT_NURSE), signature="forged")
    assert status == 403

    [thanks] = await reply_from(NIGHT_NURSE, f"ack {ref.lower()}", on_call, paging_env, WEDNESDAY_2AM + 6 * MIN, tracker_db)
    assert thanks.startswith(f"Thanks. {ref} is yours: nobody else will be paged.")
    for minutes in (15, 20, 60):
        await page_round(store, twilio, WEDNESDAY_2AM + minutes * MIN)
    assert texts_to(paging_env, BACKUP) == []

    page_html = await (await staff.get(request_path(ref))).text()
    assert 'data-testid="acknowledged">Wed Mar 4, 2:06am EST by Night nurse, by text</span>' in page_html
    assert 'data-testid="page-level-0">Night nurse: text sent Wed Mar 4, 2:00am EST</span>' in page_html
    assert "page-level-1" not in page_html
    events = [(e.username, e.action, e.request_ref) for e in store.audit.recent()]
    assert ("Night nurse", "acknowledge", ref) in events


async def test_without_an_ack_the_backup_is_paged_once_and_can_acknowledge(
    on_call: Program, paging_env: FakeTwilio, store: Store, staff: TestClient, tracker_db: Path, sanic_test_mode: None
) -> None:
    ref = (await ask_for_a_callback(WEDNESDAY_2AM)).messages[0]["ref"]
    twilio = TwilioClient.from_env()
    for minutes in (0, 7, 14, 15, 16, 45):
        await page_round(store, twilio, WEDNESDAY_2AM + minutes * MIN)
    assert len(texts_to(paging_env, NIGHT_NURSE)) == 1
    [backup] = texts_to(paging_env, BACKUP)
    assert ref in backup and "no ACK in 15 min" in backup and "Rosalind" not in backup

    [thanks] = await reply_from(BACKUP, "ACK", on_call, paging_env, WEDNESDAY_2AM + 50 * MIN, tracker_db)
    assert thanks.startswith(f"Thanks. {ref} is yours")
    [late] = await reply_from(NIGHT_NURSE, f"ACK {ref}", on_call, paging_env, WEDNESDAY_2AM + 51 * MIN, tracker_db)
    assert late == f"{ref} was already acknowledged by Clinical director. Nobody else will be paged."
    page_html = await (await staff.get(request_path(ref))).text()
    assert "Backup Clinical director: text sent" in page_html and "by Clinical director, by text" in page_html


async def test_unknown_references_and_other_texts_from_the_rota(
    on_call: Program, paging_env: FakeTwilio, tracker_db: Path, sanic_test_mode: None
) -> None:
    at = WEDNESDAY_2AM + MIN
    [unknown] = await reply_from(NIGHT_NURSE, "ACK HL-ZZZZ", on_call, paging_env, at, tracker_db)
    assert unknown == "No page was sent for HL-ZZZZ. Reply ACK and the reference in the page, e.g. ACK HL-7K3Q."
    [nothing] = await reply_from(NIGHT_NURSE, "ack", on_call, paging_env, at, tracker_db)
    assert nothing.startswith("No recent page to acknowledge.")
    # Anything else from an on-call phone is an ordinary conversation with the assistant.
    other = await reply_from(NIGHT_NURSE, "what is IOP?", on_call, paging_env, at, tracker_db)
    assert other and not any("acknowledge" in text for text in other)


async def test_an_ack_after_a_claim_in_the_console_says_who_has_it(
    on_call: Program, paging_env: FakeTwilio, store: Store, tracker_db: Path, sanic_test_mode: None
) -> None:
    ref = (await ask_for_a_callback(WEDNESDAY_2AM)).messages[0]["ref"]
    store.callbacks.claim(ref, "maria")
    [reply] = await reply_from(NIGHT_NURSE, f"ACK {ref}", on_call, paging_env, WEDNESDAY_2AM + MIN, tracker_db)
    assert reply == f"{ref} is already being handled by maria (claimed in the console). Nobody else will be paged."


@pytest.mark.parametrize(
    "settings, env, at, expected",
    [
        ({}, {}, WEDNESDAY_2AM, "utter_callback_confirmed_on_call"),
        ({}, {"TWILIO_AUTH_TOKEN": ""}, WEDNESDAY_2AM, "utter_callback_confirmed"),  # cannot send: told the opening time
        ({}, {}, WEDNESDAY_2AM.replace(hour=12), "utter_callback_confirmed"),  # office open
        ({"page_when": "always"}, {}, WEDNESDAY_2AM.replace(hour=12), "utter_callback_confirmed_on_call"),
    ],
)
async def test_the_person_is_told_honestly_what_happens(
    deploy_program: Callable[..., Program], database: str, paging_env: FakeTwilio, monkeypatch: pytest.MonkeyPatch,
    settings: Dict[str, Any], env: Dict[str, str], at: dt.datetime, expected: str,
) -> None:
    deploy_program(**settings)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    told = await ask_for_a_callback(at)
    assert responses(told) == [expected]
    with Store(database) as store:
        paged = store.pages.for_request(told.messages[0]["ref"])
    assert bool(paged) is (expected == "utter_callback_confirmed_on_call")
    # A second submission of the same conversation says the same.
    assert responses(await ask_for_a_callback(at)) == [expected]


async def test_the_on_call_confirmation_keeps_the_crisis_lines() -> None:
    from tests.support.sms_channel import response_message

    text = response_message("utter_callback_confirmed_on_call", "rest")["text"]
    assert "988" in text and "911" in text and "on call" in text
