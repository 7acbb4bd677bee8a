"""Staff webhook delivery from the outbox, against a real local HTTP server that fails and recovers."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import replace
from typing import Any, Dict, List, Optional

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.store import Store
from bot.store.callbacks import CallbackData
from bot.store.models import OutboxMessage
from bot.texts import catalogue
from bot.tools.run import free_port
from bot.website import notify
from bot.website.console.pages import request_path
from bot.website.notify import backoff_delay, build_body, deliver_pending, run_outbox_worker, sign, verify_signature

pytestmark = pytest.mark.asyncio



def soon() -> dt.datetime:
    """A moment just after every row created so far became due."""
    return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)


class Receiver:
    """A webhook receiver on 127.0.0.1 whose behaviour the test switches: ok, error or slow."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mode = "ok"
        self.received: List[Dict[str, Any]] = []  # accepted deliveries
        self.hits = 0
        self.server: Optional[TestServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        raw = await request.read()
        if self.mode == "error":
            return web.Response(status=500, text="down for maintenance")
        if self.mode == "slow":
            await asyncio.sleep(2)
        self.received.append({"body": json.loads(raw), "raw": raw, "headers": dict(request.headers)})
        return web.json_response({"ok": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.server = TestServer(app, host="127.0.0.1", port=self.port)
        await self.server.start_server()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.close()
            self.server = None


@pytest_asyncio.fixture
async def receiver() -> Any:
    rec = Receiver(free_port())
    yield rec
    await rec.stop()


def outbox(store: Store) -> List[OutboxMessage]:
    with store.session(write=False) as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def make_request(store: Store, data: CallbackData, conversation: str, urgent: bool = False) -> str:
    return store.callbacks.create(conversation, replace(data, urgent=urgent), "soon", console_path=request_path).ref


# attempts so far, expected wait in seconds
BACKOFF_CASES = [(0, 0), (1, 10), (2, 20), (3, 40), (6, 320), (9, 2560), (10, 3600), (50, 3600)]


@pytest.mark.parametrize("attempts, seconds", BACKOFF_CASES)
async def test_backoff_delay(attempts: int, seconds: int) -> None:
    assert backoff_delay(attempts) == dt.timedelta(seconds=seconds)


async def test_outage_then_recovery_delivers_each_request_once(
    any_db_url: str, sample_data: CallbackData, receiver: Receiver
) -> None:
    # Outage 1: nothing listens (connection refused).
    store = Store(any_db_url)
    refs = [make_request(store, sample_data, "c1"), make_request(store, sample_data, "c2", urgent=True)]
    t0 = soon()
    assert await deliver_pending(store.outbox, receiver.url, now=t0, timeout=1) == 0
    rows = outbox(store)
    assert rows[0].attempts == 1 and rows[0].last_error and rows[0].delivered_at is None
    assert rows[0].next_attempt_at == t0 + dt.timedelta(seconds=10)
    assert rows[1].attempts == 0 and rows[1].next_attempt_at == rows[0].next_attempt_at  # not tried

    # Before the backoff runs out nothing is tried.
    assert await deliver_pending(store.outbox, receiver.url, now=t0 + dt.timedelta(seconds=5), timeout=1) == 0
    assert outbox(store)[0].attempts == 1

    # Outage 2: the receiver answers 500. A process restart in between loses nothing.
    store.dispose()
    with Store(any_db_url) as store:
        receiver.mode = "error"
        await receiver.start()
        refs.append(make_request(store, sample_data, "c3"))
        t1 = t0 + dt.timedelta(seconds=11)
        assert await deliver_pending(store.outbox, receiver.url, now=t1, timeout=1) == 0
        assert receiver.hits == 1
        rows = outbox(store)
        assert rows[0].attempts == 2 and rows[0].last_error == "HTTP 500"
        assert rows[0].next_attempt_at == t1 + dt.timedelta(seconds=20)

        # Recovery: everything goes, exactly once.
        receiver.mode = "ok"
        t2 = t1 + dt.timedelta(seconds=21)
        assert await deliver_pending(store.outbox, receiver.url, now=t2, timeout=1) == 3
        assert await deliver_pending(store.outbox, receiver.url, now=t2 + dt.timedelta(hours=2), timeout=1) == 0
        assert sorted(r["body"]["ref"] for r in receiver.received) == sorted(refs)
        assert all(row.delivered_at == t2 and row.next_attempt_at is None for row in outbox(store))

        # New requests after recovery go straight through.
        late = make_request(store, sample_data, "c4")
        assert await deliver_pending(store.outbox, receiver.url, now=t2 + dt.timedelta(hours=3), timeout=1) == 1
        assert [r["body"]["ref"] for r in receiver.received].count(late) == 1
        assert len(receiver.received) == 4


async def test_slow_receiver_times_out(store: Store, sample_data: CallbackData, receiver: Receiver) -> None:
    receiver.mode = "slow"
    await receiver.start()
    make_request(store, sample_data, "c1")
    assert await deliver_pending(store.outbox, receiver.url, now=soon(), timeout=0.3) == 0
    assert outbox(store)[0].last_error == "timeout"


async def test_body_and_signature(store: Store, sample_data: CallbackData, receiver: Receiver) -> None:
    await receiver.start()
    ref = make_request(store, sample_data, "c1", urgent=True)
    delivered = await deliver_pending(
        store.outbox, receiver.url, secret="s3cret", console_base_url="https://admissions.example.org/"
    )
    assert delivered == 1
    got = receiver.received[0]
    body = got["body"]
    assert body["ref"] == ref and body["urgent"] is True and body["topic"] == "callback.created"
    assert body["console_url"] == f"https://admissions.example.org/staff/r/{ref}"
    assert "URGENT" in body["text"] and ref in body["text"]
    raw = got["raw"].decode()
    assert "Ann" not in raw and "4105550142" not in raw and "evenings" not in raw
    assert got["headers"]["X-IOP-Delivery"] == str(outbox(store)[0].id)
    assert verify_signature("s3cret", got["headers"]["X-IOP-Signature"], got["raw"])
    assert not verify_signature("other", got["headers"]["X-IOP-Signature"], got["raw"])
    assert not verify_signature("s3cret", got["headers"]["X-IOP-Signature"], got["raw"] + b" ")


async def test_no_signature_without_secret(
    store: Store, sample_data: CallbackData, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STAFF_WEBHOOK_SECRET", raising=False)
    await receiver.start()
    make_request(store, sample_data, "c1")
    assert await deliver_pending(store.outbox, receiver.url) == 1
    assert "X-IOP-Signature" not in receiver.received[0]["headers"]


# header, body, now, valid
SIGNATURE_CASES = [
    (sign("k", 1000, b"{}"), b"{}", 1000.0, True),
    (sign("k", 1000, b"{}"), b"{}", 1299.0, True),
    (sign("k", 1000, b"{}"), b"{}", 1301.0, False),  # stale: a replay
    ("t=1000", b"{}", 1000.0, False),
    ("garbage", b"{}", 1000.0, False),
]


@pytest.mark.parametrize("header, body, now, valid", SIGNATURE_CASES)
async def test_verify_signature(header: str, body: bytes, now: float, valid: bool) -> None:
    assert verify_signature("k", header, body, now=now) is valid


async def test_without_webhook_rows_stay_pending(store: Store, sample_data: CallbackData) -> None:
    make_request(store, sample_data, "c1")
    assert await deliver_pending(store.outbox, None) == 0
    assert await deliver_pending(store.outbox, "") == 0
    row = outbox(store)[0]
    assert row.attempts == 0 and row.delivered_at is None and row.next_attempt_at is not None


async def test_old_rows_are_given_up_not_sent(store: Store, sample_data: CallbackData, receiver: Receiver) -> None:
    await receiver.start()
    make_request(store, sample_data, "c1")
    later = dt.datetime.now(dt.timezone.utc) + notify.MAX_AGE + dt.timedelta(hours=1)
    assert await deliver_pending(store.outbox, receiver.url, now=later) == 0
    row = outbox(store)[0]
    assert receiver.hits == 0 and row.next_attempt_at is None and row.last_error == "expired before delivery"


async def test_concurrent_workers_send_each_row_once(
    any_store: Store, sample_data: CallbackData, receiver: Receiver
) -> None:
    await receiver.start()
    refs = [make_request(any_store, sample_data, f"c{i}") for i in range(6)]
    counts = await asyncio.gather(*(deliver_pending(any_store.outbox, receiver.url) for _ in range(3)))
    assert sum(counts) == 6
    assert sorted(r["body"]["ref"] for r in receiver.received) == sorted(refs)


async def test_worker_delivers_and_stops(store: Store, sample_data: CallbackData, receiver: Receiver) -> None:
    await receiver.start()
    stop = asyncio.Event()
    task = asyncio.create_task(run_outbox_worker(store.outbox, stop, interval=0.05, webhook_url=receiver.url))
    ref = make_request(store, sample_data, "c1")
    for _ in range(100):
        if receiver.received:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert [r["body"]["ref"] for r in receiver.received] == [ref]


async def test_worker_survives_a_dead_database(receiver: Receiver) -> None:
    with Store("sqlite:////nonexistent-dir/never/db.sqlite") as dead:
        stop = asyncio.Event()
        task = asyncio.create_task(run_outbox_worker(dead.outbox, stop, interval=0.05, webhook_url=receiver.url))
        await asyncio.sleep(0.2)
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def test_worker_without_webhook_returns(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STAFF_WEBHOOK_URL", raising=False)
    await asyncio.wait_for(run_outbox_worker(store.outbox, asyncio.Event()), timeout=1)


async def test_build_body_without_base_url() -> None:
    payload = json.dumps({"ref": "HL-7K3Q", "urgent": False, "console_path": "/staff/r/HL-7K3Q"})
    body = json.loads(build_body(7, "callback.created", payload))
    assert body["id"] == 7 and "console_url" not in body
    assert body["text"] == "New callback request HL-7K3Q. Open the staff console: /staff/r/HL-7K3Q"


async def test_build_body_words_from_the_catalogue() -> None:
    texts = catalogue()
    own = replace(texts, console={**texts.console, "webhook_new_urgent": "Urgent: {ref}, see {link}"})
    payload = json.dumps({"ref": "HL-7K3Q", "urgent": True, "console_path": "/staff/r/HL-7K3Q"})
    body = json.loads(build_body(7, "callback.created", payload, "https://a.example", texts=own))
    assert body["text"] == "Urgent: HL-7K3Q, see https://a.example/staff/r/HL-7K3Q"
    other = json.loads(build_body(8, "other.topic", json.dumps({"ref": "HL-7K3Q"}), texts=own))
    assert other["text"] == "other.topic: HL-7K3Q"
