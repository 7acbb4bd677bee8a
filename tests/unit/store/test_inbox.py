"""The SMS inbox (bot/store/inbox.py) on SQLite and PostgreSQL: one row per MessageSid, leases that
keep a running turn to one server, take-over once a lease runs out, and nothing personal kept once
the reply is out."""
from __future__ import annotations

import datetime as dt
import threading
from typing import List

from sqlalchemy import select

from bot.store import Store
from bot.store.inbox import InboxMessage
from bot.store.models import SmsInboxMessage

T0 = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.timezone.utc)
LEASE = dt.timedelta(seconds=30)
PHONE = "+14155552671"


def _row(store: Store, message_id: int) -> SmsInboxMessage:
    with store.session(write=False) as session:
        row = session.execute(select(SmsInboxMessage).where(SmsInboxMessage.id == message_id)).scalar_one()
        session.expunge(row)
        return row


def test_a_message_sid_is_written_once(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    first = inbox.accept("SM1", PHONE, "hello", 0, T0, LEASE)
    assert isinstance(first, int)
    assert inbox.accept("SM1", PHONE, "hello", 0, T0 + dt.timedelta(seconds=1), LEASE) is None
    assert isinstance(inbox.accept("SM2", PHONE, "again", 1, T0, LEASE), int)
    row = _row(any_store, first)
    assert (row.phone_e164, row.body, row.num_media, row.attempts, row.done_at) == (PHONE, "hello", 0, 1, None)
    assert row.received_at == T0 and row.claimed_until == T0 + LEASE


def test_a_leased_message_is_taken_over_only_after_its_lease(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    message_id = inbox.accept("SM1", PHONE, "i took all my pills", 0, T0, LEASE)
    assert inbox.claim_unfinished(T0 + dt.timedelta(seconds=29), LEASE) == []  # its server is still on it
    inbox.renew(message_id, T0 + dt.timedelta(seconds=60))  # and keeps it while the turn runs
    assert inbox.claim_unfinished(T0 + dt.timedelta(seconds=45), LEASE) == []
    later = T0 + dt.timedelta(seconds=61)
    [taken] = inbox.claim_unfinished(later, LEASE)
    assert (taken.id, taken.message_sid, taken.phone, taken.body, taken.attempts) == (message_id, "SM1", PHONE, "i took all my pills", 2)
    assert "pills" not in repr(taken) and PHONE not in repr(taken)
    assert inbox.claim_unfinished(later, LEASE) == []  # now leased to whoever took it
    assert [m.attempts for m in inbox.claim_unfinished(later + LEASE + dt.timedelta(seconds=1), LEASE)] == [3]


def test_oldest_first_and_finished_ones_never(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    ids = [inbox.accept(f"SM{i}", PHONE, f"text {i}", 0, T0 + dt.timedelta(seconds=i), LEASE) for i in range(3)]
    inbox.finish(ids[1], T0 + dt.timedelta(seconds=5))
    taken = inbox.claim_unfinished(T0 + dt.timedelta(minutes=5), LEASE)
    assert [m.id for m in taken] == [ids[0], ids[2]]


def test_finishing_forgets_the_number_and_the_text(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    message_id = inbox.accept("SM1", PHONE, "my name is Ana", 0, T0, LEASE)
    inbox.finish(message_id, T0 + dt.timedelta(seconds=3))
    row = _row(any_store, message_id)
    assert (row.phone_e164, row.body, row.claimed_until) == (None, None, None)
    assert row.done_at == T0 + dt.timedelta(seconds=3) and row.message_sid == "SM1"
    assert inbox.accept("SM1", PHONE, "my name is Ana", 0, T0 + dt.timedelta(minutes=1), LEASE) is None


def test_two_servers_taking_over_at_once_get_each_message_once(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    for i in range(10):
        inbox.accept(f"SM{i}", PHONE, f"text {i}", 0, T0, LEASE)
    later = T0 + dt.timedelta(minutes=1)
    results: List[List[InboxMessage]] = [[], [], []]
    barrier = threading.Barrier(3)

    def take(slot: int) -> None:
        barrier.wait()
        for _ in range(5):
            results[slot].extend(inbox.claim_unfinished(later, LEASE, limit=3))

    threads = [threading.Thread(target=take, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = sorted(m.message_sid for r in results for m in r)
    assert taken == sorted(f"SM{i}" for i in range(10))


def test_retention_deletes_answered_messages_only(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    old_done = inbox.accept("SM-old", PHONE, "a", 0, T0, LEASE)
    inbox.finish(old_done, T0)
    old_open = inbox.accept("SM-open", PHONE, "b", 0, T0, LEASE)
    new_done = inbox.accept("SM-new", PHONE, "c", 0, T0 + dt.timedelta(days=20), LEASE)
    inbox.finish(new_done, T0 + dt.timedelta(days=20))
    assert inbox.purge(T0 + dt.timedelta(days=10)) == 1
    with any_store.session(write=False) as session:
        left = set(session.execute(select(SmsInboxMessage.message_sid)).scalars())
    assert left == {"SM-open", "SM-new"}
    assert old_open is not None
