"""bot/store/pages.py on SQLite and PostgreSQL: a page is planned with its request, the backup is
paged once, an acknowledgement settles the request, and pages go when their request is deleted."""
from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Optional

from bot.links import request_path
from bot.settings import OnCallContact
from bot.store import Store
from bot.store.callbacks import CallbackData, CallbackRecord
from bot.store.pages import BACKUP, FIRST, TOPIC_PAGE, page_id
from bot.store.retention import Policy, purge_requests
from tests.support.on_call import BACKUP as BACKUP_PHONE
from tests.support.on_call import NIGHT_NURSE, WEDNESDAY_2AM

NURSE = OnCallContact("Night nurse", NIGHT_NURSE)
DIRECTOR = OnCallContact("Clinical director", BACKUP_PHONE)
MIN = dt.timedelta(minutes=1)
WAIT = dt.timedelta(minutes=15)


def request(store: Store, data: CallbackData, conversation: str = "conv-1", page_to: Optional[OnCallContact] = NURSE,
            now: dt.datetime = WEDNESDAY_2AM) -> CallbackRecord:
    return store.callbacks.create(
        conversation, replace(data, urgent=True), "tomorrow after 8am", console_path=request_path, page_to=page_to, now=now
    )


def page_rows(store: Store) -> list:
    return store.outbox.claim_due(WEDNESDAY_2AM + dt.timedelta(days=1), 100, MIN, (TOPIC_PAGE,))


def test_a_page_is_planned_with_its_request(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    [row] = page_rows(any_store)
    message = any_store.pages.message(page_id(row.payload))
    assert message is not None
    assert (message.ref, message.level, message.recipient_phone, message.urgent) == (record.ref, FIRST, NIGHT_NURSE, True)
    assert not message.settled and message.requested_at == WEDNESDAY_2AM
    assert json.loads(row.payload) == {"page_id": message.page_id}  # nothing about the person
    # The staff webhook's deliverer does not claim pages, nor the pager the webhook's rows.
    assert [r.topic for r in any_store.outbox.claim_due(WEDNESDAY_2AM + WAIT, 100, MIN)] == ["callback.created"]


def test_a_request_without_a_page_has_none(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data, page_to=None)
    assert page_rows(any_store) == [] and any_store.pages.for_request(record.ref) == []


def test_a_repeated_submission_plans_no_second_page(any_store: Store, sample_data: CallbackData) -> None:
    first = request(any_store, sample_data)
    again = request(any_store, sample_data)
    assert not again.created and again.ref == first.ref
    assert len(page_rows(any_store)) == 1


def sent(store: Store, record: CallbackRecord, at: dt.datetime) -> None:
    [page] = [p for p in page_rows(store) if store.pages.message(page_id(p.payload)).ref == record.ref]  # type: ignore[union-attr]
    store.pages.mark(page_id(page.payload), at)  # type: ignore[arg-type]


def test_the_backup_is_paged_once_when_nobody_acknowledges(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    sent(any_store, record, WEDNESDAY_2AM)
    assert any_store.pages.escalate(WEDNESDAY_2AM + WAIT - MIN, WAIT, DIRECTOR) == []
    assert any_store.pages.escalate(WEDNESDAY_2AM + WAIT, WAIT, DIRECTOR) == [record.ref]
    assert any_store.pages.escalate(WEDNESDAY_2AM + 2 * WAIT, WAIT, DIRECTOR) == []  # once only
    levels = [(p.level, p.recipient_name) for p in any_store.pages.for_request(record.ref)]
    assert levels == [(FIRST, "Night nurse"), (BACKUP, "Clinical director")]


def test_an_acknowledged_or_claimed_request_is_not_escalated(any_store: Store, sample_data: CallbackData) -> None:
    acked = request(any_store, sample_data, "conv-1")
    claimed = request(any_store, sample_data, "conv-2")
    result = any_store.pages.acknowledge(acked.ref, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM + 5 * MIN)
    assert result.ref == acked.ref and result.by == "Night nurse" and not result.already
    any_store.callbacks.claim(claimed.ref, "dana")
    assert any_store.pages.escalate(WEDNESDAY_2AM + WAIT, WAIT, DIRECTOR) == []
    record = any_store.callbacks.get(acked.ref)
    assert record is not None and record.acknowledged_by == "Night nurse"
    assert record.acknowledged_at == WEDNESDAY_2AM + 5 * MIN
    [event] = [e for e in any_store.audit.recent() if e.action == "acknowledge"]
    assert (event.username, event.request_ref) == ("Night nurse", acked.ref)


def test_the_wait_runs_from_when_the_page_went_out(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    sent(any_store, record, WEDNESDAY_2AM + 20 * MIN)  # the website was down for 20 minutes
    assert any_store.pages.escalate(WEDNESDAY_2AM + 34 * MIN, WAIT, DIRECTOR) == []
    assert any_store.pages.escalate(WEDNESDAY_2AM + 35 * MIN, WAIT, DIRECTOR) == [record.ref]


def test_a_page_still_not_out_after_the_wait_escalates(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)  # Twilio keeps failing: the page is never sent
    assert any_store.pages.escalate(WEDNESDAY_2AM + WAIT - MIN, WAIT, DIRECTOR) == []
    assert any_store.pages.escalate(WEDNESDAY_2AM + WAIT, WAIT, DIRECTOR) == [record.ref]


def test_a_refused_first_page_escalates_at_once(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    [row] = page_rows(any_store)
    any_store.pages.mark(page_id(row.payload), WEDNESDAY_2AM, not_sent="unsubscribed")  # type: ignore[arg-type]
    assert any_store.pages.escalate(WEDNESDAY_2AM + MIN, WAIT, DIRECTOR) == [record.ref]


def test_ack_after_a_console_claim_names_who_claimed(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    any_store.callbacks.claim(record.ref, "dana")
    for ref in (record.ref, None):
        result = any_store.pages.acknowledge(ref, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM + MIN)
        assert (result.ref, result.by, result.already, result.claimed) == (record.ref, "dana", True, True)
    stored = any_store.callbacks.get(record.ref)
    assert stored is not None and stored.acknowledged_at is None


def test_of_two_simultaneous_acks_one_wins(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    with Store(any_store.url) as other:
        stores = [any_store, other] * 4
        with ThreadPoolExecutor(len(stores)) as pool:
            results = list(pool.map(
                lambda s: s.pages.acknowledge(record.ref, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM + MIN), stores
            ))
    assert sum(not r.already for r in results) == 1
    assert all(r.by == "Night nurse" for r in results)
    assert [e.action for e in any_store.audit.recent()].count("acknowledge") == 1


def test_a_bare_ack_prefers_the_page_still_waiting(any_store: Store, sample_data: CallbackData) -> None:
    waiting = request(any_store, sample_data, "conv-1")
    claimed = request(any_store, sample_data, "conv-2", now=WEDNESDAY_2AM + MIN)
    any_store.callbacks.claim(claimed.ref, "dana")
    assert any_store.pages.acknowledge(None, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM + 2 * MIN).ref == waiting.ref


def test_a_first_page_to_the_backup_is_not_repeated_to_the_backup(any_store: Store, sample_data: CallbackData) -> None:
    request(any_store, sample_data, page_to=DIRECTOR)
    assert any_store.pages.escalate(WEDNESDAY_2AM + WAIT, WAIT, DIRECTOR) == []


def test_ack_without_a_reference_takes_the_latest_page_to_that_number(any_store: Store, sample_data: CallbackData) -> None:
    older = request(any_store, sample_data, "conv-1")
    newer = request(any_store, sample_data, "conv-2", now=WEDNESDAY_2AM + 3 * MIN)
    assert any_store.pages.acknowledge(None, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM + 4 * MIN).ref == newer.ref
    assert any_store.pages.acknowledge(None, BACKUP_PHONE, "Clinical director", WEDNESDAY_2AM + 4 * MIN).ref is None
    # Twelve hours on, a bare ACK no longer reaches last night's page.
    late = WEDNESDAY_2AM + dt.timedelta(hours=13)
    assert any_store.pages.acknowledge(None, NIGHT_NURSE, "Night nurse", late).ref is None
    assert any_store.pages.acknowledge(older.ref.lower(), NIGHT_NURSE, "Night nurse", late).ref == older.ref


def test_a_second_acknowledgement_names_the_first(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    any_store.pages.acknowledge(record.ref, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM + MIN)
    again = any_store.pages.acknowledge(record.ref, BACKUP_PHONE, "Clinical director", WEDNESDAY_2AM + 2 * MIN)
    assert again.already and again.by == "Night nurse" and not again.claimed
    assert any_store.pages.acknowledge("HL-ZZZZ", NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM).ref is None


def test_a_request_that_paged_nobody_cannot_be_acknowledged(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data, page_to=None)
    assert any_store.pages.acknowledge(record.ref, NIGHT_NURSE, "Night nurse", WEDNESDAY_2AM).ref is None


def test_pages_are_marked_sent_or_not_and_settle(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    [row] = page_rows(any_store)
    pid = page_id(row.payload)
    assert pid is not None
    any_store.pages.mark(pid, WEDNESDAY_2AM + MIN)
    [page] = any_store.pages.for_request(record.ref)
    assert page.sent_at == WEDNESDAY_2AM + MIN and page.not_sent is None
    any_store.pages.mark(pid, WEDNESDAY_2AM + MIN, not_sent="refused 21211")
    assert any_store.pages.for_request(record.ref)[0].not_sent == "refused 21211"
    any_store.callbacks.complete(record.ref, "dana", None)
    message = any_store.pages.message(pid)
    assert message is not None and message.settled


def test_pages_are_deleted_with_their_closed_request(any_store: Store, sample_data: CallbackData) -> None:
    record = request(any_store, sample_data)
    any_store.pages.escalate(WEDNESDAY_2AM + WAIT, WAIT, DIRECTOR)
    any_store.callbacks.complete(record.ref, "dana", None)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)
    assert purge_requests(any_store, Policy(tracker_days=30, closed_request_days=365), later)[0] == 1
    assert any_store.pages.for_request(record.ref) == []
    with any_store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM pages").scalar() == 0
