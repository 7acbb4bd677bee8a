"""bot/website/pager.py with the local fake of Twilio's API, a real database and a simulated clock:
a page goes out once and carries nothing personal, the backup is paged when nobody acknowledges,
failures are retried or given up as they deserve, and a restart before sending loses nothing."""
from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any, Callable, List

import pytest

from bot.clients.twilio_api import TwilioClient
from bot.links import request_path
from bot.paging import first_page
from bot.settings import Program
from bot.store import Store
from bot.store.callbacks import CallbackData, CallbackRecord
from bot.store.pages import TOPIC_PAGE
from bot.website.pager import page_round, page_text
from tests.support.fake_twilio import FakeTwilio
from tests.support.on_call import BACKUP, NIGHT_NURSE, WEDNESDAY_2AM
from tests.support.sms_channel import FROM_NUMBER

pytestmark = pytest.mark.asyncio
MIN = dt.timedelta(minutes=1)
BASE = "https://harborlight.example.org"


def twilio(fake: FakeTwilio) -> TwilioClient:
    return TwilioClient(fake.account_sid, fake.auth_token, FROM_NUMBER, fake.base_url, retry_delay=0.01)


def store_request(store: Store, data: CallbackData, prog: Program, now: dt.datetime = WEDNESDAY_2AM,
                  conversation: str = "conv-1", urgent: bool = True) -> CallbackRecord:
    """What the callback action does: ask bot.paging whom to page, store request and page together."""
    page_to = first_page(now, prog, urgent=urgent, can_send=True)
    return store.callbacks.create(conversation, replace(data, urgent=urgent), "tomorrow after 8am",
                                  console_path=request_path, prefix="HL", page_to=page_to, now=now)


@pytest.fixture
def prog(deploy_program: Callable[..., Program]) -> Program:
    return deploy_program()


def sent_to(fake: FakeTwilio, number: str) -> List[str]:
    return [m["Body"] for m in fake.messages if m["To"] == number]


async def round_at(store: Store, fake: FakeTwilio, prog: Program, now: dt.datetime) -> int:
    return await page_round(store, twilio(fake), now, prog=prog, console_base_url=BASE)


async def test_an_urgent_request_at_2am_pages_the_on_call_number_once(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    record = store_request(store, sample_data, prog)
    assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM) == 1
    for minutes in (1, 2, 5, 14):
        assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + minutes * MIN) == 0
    [page] = fake_twilio.messages
    assert page["To"] == NIGHT_NURSE and page["From"] == FROM_NUMBER
    assert page["Body"] == (
        f"Harbor Light: URGENT callback request {record.ref} at 2am. Reply ACK {record.ref} when you take it. "
        f"{BASE}/staff/r/{record.ref}"
    )
    assert len(page["Body"]) <= 160
    for personal in (sample_data.first_name, sample_data.phone_e164, "4105550142", "555-0142", "evenings", "iop_fit"):
        assert personal not in page["Body"]
    [sent] = store.pages.for_request(record.ref)
    assert sent.sent_at == WEDNESDAY_2AM and sent.recipient_name == "Night nurse"


async def test_no_ack_in_15_minutes_pages_the_backup_once(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    record = store_request(store, sample_data, prog)
    for minutes in (0, 5, 14):
        await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + minutes * MIN)
    assert sent_to(fake_twilio, BACKUP) == []
    for minutes in (15, 16, 30, 120):
        await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + minutes * MIN)
    [backup] = sent_to(fake_twilio, BACKUP)
    assert backup.startswith(f"Harbor Light BACKUP: URGENT request {record.ref} at 2am, no ACK in 15 min.")
    assert sample_data.first_name not in backup and len(backup) <= 160
    assert len(sent_to(fake_twilio, NIGHT_NURSE)) == 1


async def test_an_ack_before_the_time_is_up_stops_the_backup_page(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    record = store_request(store, sample_data, prog)
    await round_at(store, fake_twilio, prog, WEDNESDAY_2AM)
    store.pages.acknowledge(record.ref, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM + 6 * MIN)
    for minutes in (15, 30, 60):
        await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + minutes * MIN)
    assert sent_to(fake_twilio, BACKUP) == [] and len(fake_twilio.messages) == 1


async def test_a_claim_in_the_console_also_stops_it(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    record = store_request(store, sample_data, prog)
    await round_at(store, fake_twilio, prog, WEDNESDAY_2AM)
    store.callbacks.claim(record.ref, "dana")
    await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + 20 * MIN)
    assert sent_to(fake_twilio, BACKUP) == []


async def test_a_page_settled_before_it_went_out_is_not_sent(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    record = store_request(store, sample_data, prog)
    store.callbacks.claim(record.ref, "dana")  # someone happened to be at the console
    assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + MIN) == 0
    assert fake_twilio.messages == []
    assert store.pages.for_request(record.ref)[0].not_sent == "acknowledged first"


async def test_routine_requests_and_office_hours_page_nobody_unless_configured(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, deploy_program: Callable[..., Program]
) -> None:
    noon = WEDNESDAY_2AM.replace(hour=12)
    prog = deploy_program()
    store_request(store, sample_data, prog, conversation="routine-night", urgent=False)
    store_request(store, sample_data, prog, noon, conversation="urgent-noon")
    await round_at(store, fake_twilio, prog, noon)
    assert fake_twilio.messages == []

    prog = deploy_program(page_when="always", page_for="all")
    day = store_request(store, sample_data, prog, noon, conversation="routine-noon", urgent=False)
    await round_at(store, fake_twilio, prog, noon)
    [page] = fake_twilio.messages
    assert page["To"] == BACKUP  # nobody on the rota at noon on a weekday: the backup
    assert page["Body"].startswith(f"Harbor Light: new callback request {day.ref} at 12pm.")


async def test_the_outbox_survives_a_restart_between_storing_and_sending(
    db_url: str, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    with Store(db_url) as before:
        record = store_request(before, sample_data, prog)
    # The process that stored it is gone; a new one opens the database and sends.
    with Store(db_url) as after:
        assert await round_at(after, fake_twilio, prog, WEDNESDAY_2AM + 3 * MIN) == 1
        assert await round_at(after, fake_twilio, prog, WEDNESDAY_2AM + 4 * MIN) == 0
    assert [m["To"] for m in fake_twilio.messages] == [NIGHT_NURSE] and record.ref in fake_twilio.messages[0]["Body"]


async def test_a_failed_send_is_retried_with_backoff(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    store_request(store, sample_data, prog)
    fake_twilio.fail_next(3)  # the client's three attempts in this round
    assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM) == 0
    assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + dt.timedelta(seconds=5)) == 0  # backing off
    assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + dt.timedelta(seconds=11)) == 1
    assert len(fake_twilio.messages) == 1


async def test_a_refused_number_is_not_retried_and_the_backup_is_paged_at_once(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    record = store_request(store, sample_data, prog)
    fake_twilio.unsubscribe(NIGHT_NURSE)
    await round_at(store, fake_twilio, prog, WEDNESDAY_2AM)
    assert store.pages.for_request(record.ref)[0].not_sent == "unsubscribed"
    await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + dt.timedelta(seconds=5))
    assert len(sent_to(fake_twilio, BACKUP)) == 1  # nobody was told: no 15-minute wait
    before = fake_twilio.attempts
    await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + 10 * MIN)
    assert fake_twilio.attempts == before  # given up, not hammered


async def test_a_late_first_page_gets_its_full_wait(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program
) -> None:
    store_request(store, sample_data, prog)  # the website was down until 2:20
    for minutes in (20, 21, 34):
        await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + minutes * MIN)
    assert len(sent_to(fake_twilio, NIGHT_NURSE)) == 1 and sent_to(fake_twilio, BACKUP) == []
    for minutes in (35, 36):
        await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + minutes * MIN)
    assert len(sent_to(fake_twilio, BACKUP)) == 1


async def test_one_failing_page_does_not_hold_up_the_others(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, prog: Program, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = store_request(store, sample_data, prog, conversation="a")
    second = store_request(store, sample_data, prog, conversation="b")
    real = store.pages.message
    broken = {1}

    def message(pid: int) -> Any:
        if pid in broken:
            broken.discard(pid)
            raise RuntimeError("a fault in one row")
        return real(pid)

    monkeypatch.setattr(store.pages, "message", message)
    assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM) == 1
    assert [first.ref in b for b in fake_twilio.bodies()] == [False] and second.ref in fake_twilio.bodies()[0]
    assert await round_at(store, fake_twilio, prog, WEDNESDAY_2AM + 11 * dt.timedelta(seconds=1)) == 1
    assert first.ref in fake_twilio.bodies()[1]


async def test_without_on_call_settings_the_pager_leaves_the_outbox_alone(
    store: Store, sample_data: CallbackData, fake_twilio: FakeTwilio, sms_program: Program
) -> None:
    store.callbacks.create("c", sample_data, "soon", console_path=request_path, now=WEDNESDAY_2AM)
    assert await page_round(store, twilio(fake_twilio), WEDNESDAY_2AM, prog=sms_program) == 0
    assert store.outbox.claim_due(WEDNESDAY_2AM, 10, MIN, (TOPIC_PAGE,)) == []
    assert [r.topic for r in store.outbox.claim_due(WEDNESDAY_2AM, 10, MIN)] == ["callback.created"]


async def test_the_website_runs_the_pager_when_on_call_is_set(
    aiohttp_client: Any, db_url: str, staff_env: None, sample_data: CallbackData, paging_env: FakeTwilio, prog: Program
) -> None:
    from bot.website.app import create_app

    now = dt.datetime.now(dt.timezone.utc)
    with Store(db_url) as writer:  # as the action server would, in its own process
        record = writer.callbacks.create("live", replace(sample_data, urgent=True), "soon", console_path=request_path,
                                         page_to=prog.on_call.rota[1].contact if prog.on_call else None, now=now)
    await aiohttp_client(create_app("http://127.0.0.1:9", db_url=db_url))
    for _ in range(100):
        if paging_env.messages:
            break
        await asyncio.sleep(0.05)
    [page] = paging_env.messages
    assert page["To"] == NIGHT_NURSE and record.ref in page["Body"] and f"{BASE}/staff/r/{record.ref}" in page["Body"]


async def test_without_twilio_settings_the_website_warns_and_pages_nobody(
    aiohttp_client: Any, db_url: str, staff_env: None, prog: Program, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.website.app import create_app

    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    app = create_app("http://127.0.0.1:9", db_url=db_url)
    await aiohttp_client(app)
    assert "nobody will be paged" in caplog.text


@pytest.mark.parametrize("level, urgent", [(0, True), (0, False), (1, True), (1, False)])
async def test_every_page_fits_one_text_and_names_nobody(prog: Program, level: int, urgent: bool) -> None:
    from bot.store.pages import PageMessage
    from bot.texts import catalogue

    message = PageMessage(1, level, NIGHT_NURSE, "HLR-WXYZ", urgent, WEDNESDAY_2AM.replace(hour=12, minute=59), False)
    text = page_text(message, prog, catalogue(prog), "https://harborlight.example.org")  # a 48-character link
    assert len(text) <= 160 and text.isascii(), text
    assert "HLR-WXYZ" in text and "/staff/r/HLR-WXYZ" in text and "12:59pm" in text
    assert ("URGENT" in text) is urgent and ("BACKUP" in text) is (level == 1)
