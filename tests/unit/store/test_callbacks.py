"""Callback requests: storing, one open request per conversation, the staff workflow, CSV export."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import threading
from dataclasses import replace
from typing import Any, Callable, List, Optional, Tuple
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.store import InvalidTransition, RequestNotFound, Store
from bot.store import callbacks
from bot.store.callbacks import CallbackData, CallbackRecord, normalize_ref, ref_prefix
from bot.store.models import CallbackRequest, OutboxMessage
from bot.website.console.pages import request_path

REF_PATTERN = re.compile(rf"^[A-Z]{{2,3}}-[{callbacks.REF_ALPHABET}]{{4}}$")
UTC = dt.timezone.utc


def create(store: Store, conversation_id: str, data: CallbackData, window_text: str = "soon") -> CallbackRecord:
    """Store a request the way the action server does (the console's link in its notification)."""
    return store.callbacks.create(conversation_id, data, window_text, console_path=request_path)


def count(store: Store, model: Any) -> int:
    with store.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def outbox_rows(store: Store) -> List[OutboxMessage]:
    with store.session(write=False) as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


# --- creating requests ---------------------------------------------------------------------


def test_create_stores_request_and_notification(any_store: Store, sample_data: CallbackData) -> None:
    record = create(any_store, "conv-1", sample_data, "within about 2 hours")
    assert record.created is True
    assert REF_PATTERN.match(record.ref), record.ref
    assert record.status == "new"
    assert record.first_name == "Ann" and record.phone_e164 == "+14105550142"
    assert record.expected_window_text == "within about 2 hours"
    assert record.created_at.tzinfo is not None and record.created_at.utcoffset() == dt.timedelta(0)
    assert abs(record.created_at - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)

    rows = outbox_rows(any_store)
    assert len(rows) == 1
    assert rows[0].topic == "callback.created"
    assert rows[0].delivered_at is None and rows[0].attempts == 0
    payload = json.loads(rows[0].payload)
    assert set(payload) == {"ref", "urgent", "screening_outcome", "created_at", "console_path"}
    assert payload["ref"] == record.ref
    assert payload["console_path"] == f"/staff/r/{record.ref}"
    assert "Ann" not in rows[0].payload and "4105550142" not in rows[0].payload

    assert any_store.callbacks.get(record.ref) == replace(record, created=False)


def test_reference_starts_with_the_given_prefix(store: Store, sample_data: CallbackData) -> None:
    record = store.callbacks.create("conv-1", sample_data, "soon", console_path=request_path, prefix="HL")
    assert record.ref.startswith("HL-") and REF_PATTERN.match(record.ref)


def test_second_submission_returns_the_open_request(any_store: Store, sample_data: CallbackData) -> None:
    first = create(any_store, "conv-1", sample_data)
    again = create(any_store, "conv-1", replace(sample_data, best_time="mornings"))
    assert again.created is False
    assert again.ref == first.ref and again.best_time == "evenings"
    other = create(any_store, "conv-2", sample_data)
    assert other.created is True and other.ref != first.ref
    assert count(any_store, CallbackRequest) == 2
    assert count(any_store, OutboxMessage) == 2


def test_new_request_allowed_once_the_previous_one_is_done(any_store: Store, sample_data: CallbackData) -> None:
    first = create(any_store, "conv-1", sample_data)
    any_store.callbacks.claim(first.ref, "maria")
    assert create(any_store, "conv-1", sample_data).created is False
    any_store.callbacks.complete(first.ref, "maria", "left a voicemail")
    second = create(any_store, "conv-1", sample_data)
    assert second.created is True and second.ref != first.ref


def test_concurrent_double_submission_stores_one_request(any_store: Store, sample_data: CallbackData) -> None:
    rounds, threads_per_round = 8, 2
    for round_no in range(rounds):
        barrier = threading.Barrier(threads_per_round)
        results: List[Any] = []
        lock = threading.Lock()

        def submit() -> None:
            barrier.wait()
            try:
                result: Any = create(any_store, f"race-{round_no}", sample_data)
            except Exception as exc:  # collected and asserted below
                result = exc
            with lock:
                results.append(result)

        workers = [threading.Thread(target=submit) for _ in range(threads_per_round)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert all(isinstance(r, CallbackRecord) for r in results), results
        assert sorted(r.created for r in results) == [False, True]
        assert len({r.ref for r in results}) == 1
    assert count(any_store, CallbackRequest) == rounds
    assert count(any_store, OutboxMessage) == rounds


def test_reference_collision_draws_a_new_code(
    store: Store, sample_data: CallbackData, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["HL-AAAA", "HL-AAAA", "HL-BBBB"])
    monkeypatch.setattr(callbacks, "new_ref", lambda prefix: next(codes))
    first = create(store, "conv-1", sample_data)
    second = create(store, "conv-2", sample_data)
    assert (first.ref, second.ref) == ("HL-AAAA", "HL-BBBB")
    assert count(store, OutboxMessage) == 2


# field overrides, expected error
INVALID_DATA = [
    ({"for_whom": "neighbour"}, ValueError),
    ({"phone_e164": "410-555-0142"}, ValueError),
    ({"phone_e164": ""}, ValueError),
    ({"first_name": "   "}, ValueError),
]


@pytest.mark.parametrize("overrides, error", INVALID_DATA)
def test_invalid_data_is_refused(store: Store, sample_data: CallbackData, overrides: dict, error: type) -> None:
    with pytest.raises(error):
        create(store, "conv-1", replace(sample_data, **overrides))
    assert count(store, CallbackRequest) == 0


def test_values_are_cleaned(store: Store, sample_data: CallbackData) -> None:
    data = replace(sample_data, first_name="  Ann  ", voicemail_ok=False, voicemail_name_ok=True, screening_outcome="")
    record = create(store, "conv-1", data)
    assert record.first_name == "Ann"
    assert record.voicemail_name_ok is False  # naming us on a voicemail needs voicemail at all
    assert record.screening_outcome is None


# --- queue ---------------------------------------------------------------------------------


def _seed(store: Store, sample_data: CallbackData) -> dict:
    refs = {}
    for key, urgent in [("a", False), ("b", True), ("c", False), ("d", True)]:
        refs[key] = create(store, f"conv-{key}", replace(sample_data, urgent=urgent)).ref
    store.callbacks.claim(refs["c"], "maria")
    store.callbacks.complete(refs["d"], "maria", "talked")
    return refs


# status filter, expected keys in order
LIST_CASES: List[Tuple[Optional[str], str]] = [
    (None, "bdac"),  # urgent first, then oldest
    ("all", "bdac"),
    ("open", "bac"),
    ("new", "ba"),
    ("claimed", "c"),
    ("done", "d"),
]


@pytest.mark.parametrize("status, expected", LIST_CASES)
def test_list_order_and_filter(
    any_store: Store, sample_data: CallbackData, status: Optional[str], expected: str
) -> None:
    refs = _seed(any_store, sample_data)
    by_ref = {ref: key for key, ref in refs.items()}
    assert "".join(by_ref[r.ref] for r in any_store.callbacks.list(status)) == expected


def test_list_rejects_unknown_status(store: Store) -> None:
    with pytest.raises(ValueError):
        store.callbacks.list("pending")


# --- staff workflow ------------------------------------------------------------------------


def _claim(ref: str, store: Store) -> Any:
    return store.callbacks.claim(ref, "maria")


def _claim_other(ref: str, store: Store) -> Any:
    return store.callbacks.claim(ref, "joe")


def _done(ref: str, store: Store) -> Any:
    return store.callbacks.complete(ref, "maria", "booked an intake")


# steps before, step under test, expected status afterwards or expected error
WORKFLOW_CASES: List[Tuple[List[Callable], Callable, Any]] = [
    ([], _claim, "claimed"),
    ([_claim], _claim, "claimed"),  # claiming again is harmless
    ([_claim], _claim_other, InvalidTransition),
    ([_claim], _done, "done"),
    ([], _done, "done"),  # straight to done
    ([_done], _done, InvalidTransition),
    ([_done], _claim, InvalidTransition),
]


@pytest.mark.parametrize("before, step, expected", WORKFLOW_CASES)
def test_workflow(store: Store, sample_data: CallbackData, before: List[Callable], step: Callable, expected: Any) -> None:
    ref = create(store, "conv-1", sample_data).ref
    for action in before:
        action(ref, store)
    if isinstance(expected, type):
        with pytest.raises(expected):
            step(ref, store)
    else:
        assert step(ref, store).status == expected


# steps before, refused step, reason, data besides the reference
REFUSAL_CASES: List[Tuple[List[Callable], Callable, str, dict]] = [
    ([_claim], _claim_other, InvalidTransition.ALREADY_CLAIMED, {"name": "maria"}),
    ([_done], _claim, InvalidTransition.ALREADY_DONE, {}),
    ([_done], _done, InvalidTransition.ALREADY_DONE, {}),
]


@pytest.mark.parametrize("before, step, reason, data", REFUSAL_CASES)
def test_refusals_carry_a_reason_and_data(
    store: Store, sample_data: CallbackData, before: List[Callable], step: Callable, reason: str, data: dict
) -> None:
    """The store says why, not how: the console words it."""
    ref = create(store, "conv-1", sample_data).ref
    for action in before:
        action(ref, store)
    with pytest.raises(InvalidTransition) as refused:
        step(ref, store)
    assert refused.value.reason == reason and refused.value.data == {"ref": ref, **data}


# step, what someone else changed in the meantime, reason
MEANWHILE_CASES = [
    (_claim, {"status": "claimed", "claimed_by": "joe"}, InvalidTransition.CLAIMED_MEANWHILE),
    (_done, {"status": "done"}, InvalidTransition.CLOSED_MEANWHILE),
]


@pytest.mark.parametrize("step, change, reason", MEANWHILE_CASES)
def test_a_step_overtaken_in_the_meantime_says_so(
    store: Store, sample_data: CallbackData, monkeypatch: pytest.MonkeyPatch, step: Callable, change: dict, reason: str
) -> None:
    ref = create(store, "conv-1", sample_data).ref
    read = callbacks._by_ref

    def read_then_overtaken(session: Any, wanted: str) -> Any:
        row = read(session, wanted)
        statement = update(CallbackRequest).where(CallbackRequest.id == row.id).values(**change)
        session.execute(statement.execution_options(synchronize_session=False))
        return row

    monkeypatch.setattr(callbacks, "_by_ref", read_then_overtaken)
    with pytest.raises(InvalidTransition) as refused:
        step(ref, store)
    assert refused.value.reason == reason and refused.value.data == {"ref": ref}


def test_claim_and_complete_record_who_and_when(any_store: Store, sample_data: CallbackData) -> None:
    ref = create(any_store, "conv-1", sample_data).ref
    claimed = any_store.callbacks.claim(ref.lower(), "maria")  # refs are typed in any case
    assert claimed.claimed_by == "maria" and claimed.claimed_at is not None
    done = any_store.callbacks.complete(ref, "joe", "  booked an intake for Tuesday  ")
    assert done.status == "done" and done.claimed_by == "maria"
    assert done.outcome_note == "booked an intake for Tuesday"
    assert done.done_at is not None and done.done_at >= claimed.claimed_at


def test_unknown_reference(store: Store) -> None:
    assert store.callbacks.get("HL-ZZZZ") is None
    with pytest.raises(RequestNotFound):
        store.callbacks.claim("HL-ZZZZ", "maria")
    with pytest.raises(RequestNotFound):
        store.callbacks.complete("HL-ZZZZ", "maria", "")


def test_concurrent_claims_have_one_winner(any_store: Store, sample_data: CallbackData) -> None:
    ref = create(any_store, "conv-1", sample_data).ref
    barrier = threading.Barrier(2)
    outcomes: List[Any] = []

    def try_claim(staff: str) -> None:
        barrier.wait()
        try:
            outcomes.append(any_store.callbacks.claim(ref, staff).claimed_by)
        except InvalidTransition as exc:
            outcomes.append(exc)

    workers = [threading.Thread(target=try_claim, args=(name,)) for name in ("maria", "joe")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    winners = [o for o in outcomes if isinstance(o, str)]
    assert len(winners) == 1 and len(outcomes) == 2
    record = any_store.callbacks.get(ref)
    assert record is not None and record.claimed_by == winners[0]


# typed, expected
REF_CASES = [
    ("HL-7K3Q", "HL-7K3Q"),
    ("hl-7k3q", "HL-7K3Q"),
    (" HL 7K3Q ", "HL-7K3Q"),
    ("HL7K3Q", "HL-7K3Q"),
    ("", ""),
]


@pytest.mark.parametrize("typed, expected", REF_CASES)
def test_normalize_ref(typed: str, expected: str) -> None:
    assert normalize_ref(typed) == expected


# short name, expected prefix
PREFIX_CASES = [("Harbor Light", "HL"), ("harbor light recovery iop", "HLR"), ("X", "CB"), ("", "CB")]


@pytest.mark.parametrize("short_name, expected", PREFIX_CASES)
def test_ref_prefix(short_name: str, expected: str) -> None:
    assert ref_prefix(short_name) == expected


# --- CSV -----------------------------------------------------------------------------------


def test_export_csv(store: Store, sample_data: CallbackData) -> None:
    tricky = replace(sample_data, first_name="=HYPERLINK(\"http://x\")", best_time="+1 after lunch, \"not\" early")
    first = create(store, "conv-1", tricky, "tomorrow after 8am")
    second = create(store, "conv-2", replace(sample_data, urgent=True))
    store.callbacks.complete(second.ref, "maria", "talked; booked")

    rows = list(csv.DictReader(io.StringIO(store.callbacks.export_csv(tz=ZoneInfo("America/New_York")))))
    assert [r["ref"] for r in rows] == [second.ref, first.ref]
    assert rows[1]["first_name"] == "'=HYPERLINK(\"http://x\")"
    assert rows[1]["best_time"] == "'+1 after lunch, \"not\" early"
    assert rows[1]["phone_e164"] == "+14105550142"
    assert rows[1]["voicemail_ok"] == "yes" and rows[1]["voicemail_name_ok"] == "no"
    assert rows[1]["expected_window_text"] == "tomorrow after 8am"
    assert rows[0]["outcome_note"] == "talked; booked" and rows[0]["status"] == "done"
    created = dt.datetime.fromisoformat(rows[1]["created_at"])
    assert created.utcoffset() in (dt.timedelta(hours=-4), dt.timedelta(hours=-5))
    assert created == first.created_at.replace(microsecond=0)

    only_done = list(csv.DictReader(io.StringIO(store.callbacks.export_csv("done", tz=UTC))))
    assert [r["ref"] for r in only_done] == [second.ref]
    assert list(csv.reader(io.StringIO(store.callbacks.export_csv("claimed", tz=UTC)))) == [callbacks.CSV_COLUMNS]


def test_claim_and_close_are_audited_with_the_change_itself(any_store: Store, sample_data: CallbackData) -> None:
    ref = create(any_store, "conv-audit", sample_data).ref
    any_store.callbacks.claim(ref, "sam", "claim")
    with pytest.raises(InvalidTransition):
        any_store.callbacks.claim(ref, "alex", "claim")  # refused: nothing recorded
    any_store.callbacks.complete(ref, "sam", "reached", "done")
    any_store.callbacks.claim(create(any_store, "conv-quiet", sample_data).ref, "sam")  # no audit action given
    recorded = [(e.username, e.action, e.request_ref) for e in reversed(any_store.audit.recent())]
    assert recorded == [("sam", "claim", ref), ("sam", "done", ref)]
