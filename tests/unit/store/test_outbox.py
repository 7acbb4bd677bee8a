"""The outbox: messages claimed with a lease, outcomes recorded, each row handed out once."""
from __future__ import annotations

import datetime as dt
import threading
from typing import List, Optional

import pytest
from sqlalchemy import select

from bot.store import StorageUnavailable, Store
from bot.store.models import OutboxMessage, utcnow
from bot.store.outbox import TOPIC_CALLBACK_CREATED, DueMessage, enqueue

LEASE = dt.timedelta(seconds=60)


def outbox_rows(store: Store) -> List[OutboxMessage]:
    with store.session(write=False) as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def add(store: Store, count: int = 1, at: Optional[dt.datetime] = None) -> dt.datetime:
    """Enqueue `count` messages due at `at` (default: now); returns that time."""
    at = at or utcnow()
    with store.session() as session:
        for number in range(count):
            enqueue(session, TOPIC_CALLBACK_CREATED, f'{{"ref": "HL-{number:04d}"}}', at)
    return at


def test_enqueued_messages_are_claimed_once_per_lease(any_store: Store) -> None:
    t0 = add(any_store, 2)
    claimed = any_store.outbox.claim_due(t0, 10, LEASE)
    assert [m.payload for m in claimed] == ['{"ref": "HL-0000"}', '{"ref": "HL-0001"}']
    assert all(m.topic == TOPIC_CALLBACK_CREATED and m.attempts == 0 for m in claimed)
    assert any_store.outbox.claim_due(t0 + LEASE - dt.timedelta(seconds=1), 10, LEASE) == []
    assert len(any_store.outbox.claim_due(t0 + LEASE, 10, LEASE)) == 2  # the lease ran out


def test_messages_not_yet_due_are_left_alone(store: Store) -> None:
    t0 = add(store)
    assert store.outbox.claim_due(t0 - dt.timedelta(seconds=1), 10, LEASE) == []
    assert len(store.outbox.claim_due(t0, 1, LEASE)) == 1


def test_claim_respects_the_limit(store: Store) -> None:
    t0 = add(store, 3)
    assert [m.payload for m in store.outbox.claim_due(t0, 2, LEASE)] == ['{"ref": "HL-0000"}', '{"ref": "HL-0001"}']
    assert [m.payload for m in store.outbox.claim_due(t0, 2, LEASE)] == ['{"ref": "HL-0002"}']


def test_delivered_messages_are_never_claimed_again(any_store: Store) -> None:
    t0 = add(any_store)
    (message,) = any_store.outbox.claim_due(t0, 10, LEASE)
    any_store.outbox.mark_delivered(message.id, t0)
    row = outbox_rows(any_store)[0]
    assert row.delivered_at == t0 and row.next_attempt_at is None and row.attempts == 1 and row.last_error is None
    assert any_store.outbox.claim_due(t0 + dt.timedelta(days=30), 10, LEASE) == []


def test_failure_records_the_attempt_and_the_retry_time(any_store: Store) -> None:
    t0 = add(any_store, 3)
    first, second, third = any_store.outbox.claim_due(t0, 10, LEASE)
    retry_at = t0 + dt.timedelta(seconds=10)
    any_store.outbox.mark_failed(first, "HTTP 500" + "!" * 600, retry_at)
    any_store.outbox.release([second.id, third.id], retry_at)
    rows = outbox_rows(any_store)
    assert rows[0].attempts == 1 and rows[0].next_attempt_at == retry_at
    assert rows[0].last_error is not None and rows[0].last_error.startswith("HTTP 500") and len(rows[0].last_error) == 500
    assert [r.attempts for r in rows[1:]] == [0, 0]  # released, not tried
    assert all(r.next_attempt_at == retry_at for r in rows)
    assert any_store.outbox.claim_due(retry_at - dt.timedelta(seconds=1), 10, LEASE) == []
    assert len(any_store.outbox.claim_due(retry_at, 10, LEASE)) == 3


def test_release_leaves_delivered_messages_alone(store: Store) -> None:
    t0 = add(store, 2)
    first, second = store.outbox.claim_due(t0, 10, LEASE)
    store.outbox.mark_delivered(first.id, t0)
    store.outbox.release([first.id, second.id], t0 + dt.timedelta(seconds=10))
    store.outbox.release([], t0)  # nothing to do
    rows = outbox_rows(store)
    assert rows[0].next_attempt_at is None and rows[1].next_attempt_at == t0 + dt.timedelta(seconds=10)


def test_given_up_messages_keep_the_reason(store: Store) -> None:
    t0 = add(store)
    (message,) = store.outbox.claim_due(t0, 10, LEASE)
    store.outbox.give_up(message.id, "expired before delivery")
    row = outbox_rows(store)[0]
    assert row.next_attempt_at is None and row.delivered_at is None and row.last_error == "expired before delivery"
    assert store.outbox.claim_due(t0 + dt.timedelta(days=30), 10, LEASE) == []


def test_concurrent_claims_hand_out_each_message_once(any_store: Store) -> None:
    t0 = add(any_store, 6)
    barrier = threading.Barrier(3)
    claimed: List[DueMessage] = []
    lock = threading.Lock()

    def claim() -> None:
        barrier.wait()
        got = any_store.outbox.claim_due(t0, 10, LEASE)
        with lock:
            claimed.extend(got)

    workers = [threading.Thread(target=claim) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(m.id for m in claimed) == sorted(r.id for r in outbox_rows(any_store))


def test_dead_database_raises_storage_unavailable() -> None:
    with Store("sqlite:////nonexistent-dir/never/db.sqlite") as store:
        with pytest.raises(StorageUnavailable):
            store.outbox.claim_due(utcnow(), 10, LEASE)
        with pytest.raises(StorageUnavailable):
            store.outbox.mark_delivered(1, utcnow())
