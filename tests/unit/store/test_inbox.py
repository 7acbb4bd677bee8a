"""The SMS inbox (bot/store/inbox.py) on SQLite and PostgreSQL: one row per MessageSid, leases that
keep a running turn to one server, take-over once a lease runs out, and nothing personal kept once
the reply is out."""
from __future__ import annotations

import datetime as dt
import threading
from typing import List

import pytest

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
    assert first is not None and isinstance(first[0], int) and len(first[1]) == 32
    assert inbox.accept("SM1", PHONE, "hello", 0, T0 + dt.timedelta(seconds=1), LEASE) is None
    second = inbox.accept("SM2", PHONE, "again", 1, T0, LEASE)
    assert second is not None and second[0] != first[0] and second[1] != first[1]
    row = _row(any_store, first[0])
    assert (row.phone_e164, row.body, row.num_media, row.attempts, row.done_at) == (PHONE, "hello", 0, 1, None)
    assert row.received_at == T0 and row.claimed_until == T0 + LEASE and row.claim_token == first[1]


def test_a_duplicate_is_skipped_without_a_failed_statement(any_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """A failed INSERT would reach the database server's log with the number and the text."""
    from sqlalchemy import event

    statements: List[str] = []
    event.listen(any_store.engine, "handle_error", lambda context: statements.append(str(context.statement)))
    any_store.sms_inbox.accept("SM-dup", PHONE, "private words", 0, T0, LEASE)
    assert any_store.sms_inbox.accept("SM-dup", PHONE, "private words", 0, T0, LEASE) is None
    assert statements == []


def test_a_leased_message_is_taken_over_only_after_its_lease(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    message_id, token = inbox.accept("SM1", PHONE, "i took all my pills", 0, T0, LEASE)
    assert inbox.claim_unfinished(T0 + dt.timedelta(seconds=29), LEASE) == []  # its server is still on it
    assert inbox.renew(message_id, token, T0 + dt.timedelta(seconds=60))  # and keeps it while the turn runs
    assert inbox.claim_unfinished(T0 + dt.timedelta(seconds=45), LEASE) == []
    later = T0 + dt.timedelta(seconds=61)
    [taken] = inbox.claim_unfinished(later, LEASE)
    assert (taken.id, taken.message_sid, taken.phone, taken.body, taken.attempts) == (message_id, "SM1", PHONE, "i took all my pills", 2)
    assert "pills" not in repr(taken) and PHONE not in repr(taken) and taken.token not in repr(taken)
    assert inbox.claim_unfinished(later, LEASE) == []  # now leased to whoever took it
    # the old holder lost it: it can neither keep it nor close it
    assert not inbox.renew(message_id, token, later + dt.timedelta(minutes=5))
    assert not inbox.finish(message_id, token, later)
    assert _row(any_store, message_id).done_at is None
    [again] = inbox.claim_unfinished(later + LEASE + dt.timedelta(seconds=1), LEASE)
    assert again.attempts == 3 and not inbox.finish(message_id, taken.token, later) and inbox.finish(message_id, again.token, later)


def test_oldest_first_and_finished_ones_never(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    claims = [inbox.accept(f"SM{i}", PHONE, f"text {i}", 0, T0 + dt.timedelta(seconds=i), LEASE) for i in range(3)]
    assert inbox.finish(*claims[1], T0 + dt.timedelta(seconds=5))
    taken = inbox.claim_unfinished(T0 + dt.timedelta(minutes=5), LEASE)
    assert [m.id for m in taken] == [claims[0][0], claims[2][0]]


def test_finishing_forgets_the_number_and_the_text(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    message_id, token = inbox.accept("SM1", PHONE, "my name is Ana", 0, T0, LEASE)
    assert inbox.finish(message_id, token, T0 + dt.timedelta(seconds=3))
    row = _row(any_store, message_id)
    assert (row.phone_e164, row.body, row.claimed_until, row.claim_token) == (None, None, None, None)
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


def test_retention_deletes_every_old_row(any_store: Store) -> None:
    inbox = any_store.sms_inbox
    inbox.finish(*inbox.accept("SM-old", PHONE, "a", 0, T0, LEASE), T0)
    inbox.accept("SM-old-open", PHONE, "b", 0, T0, LEASE)  # given up long ago; its text goes too
    inbox.finish(*inbox.accept("SM-new", PHONE, "c", 0, T0 + dt.timedelta(days=20), LEASE), T0 + dt.timedelta(days=20))
    inbox.accept("SM-new-open", PHONE, "d", 0, T0 + dt.timedelta(days=20), LEASE)
    assert inbox.purge(T0 + dt.timedelta(days=10)) == 2
    with any_store.session(write=False) as session:
        left = set(session.execute(select(SmsInboxMessage.message_sid)).scalars())
    assert left == {"SM-new", "SM-new-open"}
