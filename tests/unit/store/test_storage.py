"""Storage: callback requests, the staff workflow, SMS opt-outs, migrations, failure handling."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from bot.store import storage
from bot.store.db import current_revision, dispose_engine, downgrade, get_engine, session_scope, upgrade
from bot.store.models import Base, CallbackRequest, OutboxMessage
from bot.store.storage import (
    CallbackData,
    InvalidTransition,
    RequestNotFound,
    StorageUnavailable,
    claim,
    complete,
    create_callback_request,
    export_csv,
    get_request,
    is_sms_opted_out,
    list_requests,
    normalize_phone,
    normalize_ref,
    set_sms_opt_out,
)

REF_PATTERN = re.compile(rf"^[A-Z]{{2,3}}-[{storage.REF_ALPHABET}]{{4}}$")


def count(url: str, model: Any) -> int:
    with session_scope(url, write=False) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def outbox_rows(url: str) -> List[OutboxMessage]:
    with session_scope(url, write=False) as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


# --- migrations ----------------------------------------------------------------------------


def test_migrations_match_models(any_db_url: str) -> None:
    assert current_revision(any_db_url) == "0001_initial"
    with get_engine(any_db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if "iop_alembic_version" not in str(d)]
    assert diffs == []


def test_migrations_go_down_and_up_again(any_db_url: str) -> None:
    downgrade(any_db_url, "base")
    assert current_revision(any_db_url) is None
    upgrade(any_db_url)
    upgrade(any_db_url)  # already at head: nothing to do
    assert current_revision(any_db_url) == "0001_initial"


def test_sqlite_uses_wal_and_busy_timeout(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_engine_is_cached_per_url(db_url: str, tmp_path: Path) -> None:
    assert get_engine(db_url) is get_engine(db_url)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert get_engine(other) is not get_engine(db_url)
    dispose_engine(other)


def test_module_command_upgrades(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from bot.store.db import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["upgrade", "--url", url]) == 0
    assert "0001_initial" in capsys.readouterr().out
    dispose_engine(url)


# --- creating requests ---------------------------------------------------------------------


def test_create_stores_request_and_notification(any_db_url: str, sample_data: CallbackData) -> None:
    record = create_callback_request("conv-1", sample_data, "within about 2 hours", url=any_db_url)
    assert record.created is True
    assert REF_PATTERN.match(record.ref), record.ref
    assert record.status == "new"
    assert record.first_name == "Ann" and record.phone_e164 == "+14105550142"
    assert record.expected_window_text == "within about 2 hours"
    assert record.created_at.tzinfo is not None and record.created_at.utcoffset() == dt.timedelta(0)
    assert abs(record.created_at - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)

    rows = outbox_rows(any_db_url)
    assert len(rows) == 1
    assert rows[0].topic == "callback.created"
    assert rows[0].delivered_at is None and rows[0].attempts == 0
    payload = json.loads(rows[0].payload)
    assert set(payload) == {"ref", "urgent", "screening_outcome", "created_at", "console_path"}
    assert payload["ref"] == record.ref
    assert payload["console_path"] == f"/staff/r/{record.ref}"
    assert "Ann" not in rows[0].payload and "4105550142" not in rows[0].payload

    assert get_request(record.ref, url=any_db_url) == replace(record, created=False)


def test_second_submission_returns_the_open_request(any_db_url: str, sample_data: CallbackData) -> None:
    first = create_callback_request("conv-1", sample_data, "soon", url=any_db_url)
    again = create_callback_request("conv-1", replace(sample_data, best_time="mornings"), "soon", url=any_db_url)
    assert again.created is False
    assert again.ref == first.ref and again.best_time == "evenings"
    other = create_callback_request("conv-2", sample_data, "soon", url=any_db_url)
    assert other.created is True and other.ref != first.ref
    assert count(any_db_url, CallbackRequest) == 2
    assert count(any_db_url, OutboxMessage) == 2


def test_new_request_allowed_once_the_previous_one_is_done(any_db_url: str, sample_data: CallbackData) -> None:
    first = create_callback_request("conv-1", sample_data, "soon", url=any_db_url)
    claim(first.ref, "maria", url=any_db_url)
    assert create_callback_request("conv-1", sample_data, "soon", url=any_db_url).created is False
    complete(first.ref, "maria", "left a voicemail", url=any_db_url)
    second = create_callback_request("conv-1", sample_data, "soon", url=any_db_url)
    assert second.created is True and second.ref != first.ref


def test_concurrent_double_submission_stores_one_request(any_db_url: str, sample_data: CallbackData) -> None:
    rounds, threads_per_round = 8, 2
    for round_no in range(rounds):
        barrier = threading.Barrier(threads_per_round)
        results: List[Any] = []
        lock = threading.Lock()

        def submit() -> None:
            barrier.wait()
            try:
                result: Any = create_callback_request(f"race-{round_no}", sample_data, "soon", url=any_db_url)
            except Exception as exc:  # collected and asserted below
                result = exc
            with lock:
                results.append(result)

        workers = [threading.Thread(target=submit) for _ in range(threads_per_round)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert all(isinstance(r, storage.CallbackRecord) for r in results), results
        assert sorted(r.created for r in results) == [False, True]
        assert len({r.ref for r in results}) == 1
    assert count(any_db_url, CallbackRequest) == rounds
    assert count(any_db_url, OutboxMessage) == rounds


def test_reference_collision_draws_a_new_code(
    db_url: str, sample_data: CallbackData, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["HL-AAAA", "HL-AAAA", "HL-BBBB"])
    monkeypatch.setattr(storage, "new_ref", lambda prefix: next(codes))
    first = create_callback_request("conv-1", sample_data, "soon", url=db_url)
    second = create_callback_request("conv-2", sample_data, "soon", url=db_url)
    assert (first.ref, second.ref) == ("HL-AAAA", "HL-BBBB")
    assert count(db_url, OutboxMessage) == 2


# field overrides, expected error
INVALID_DATA = [
    ({"for_whom": "neighbour"}, ValueError),
    ({"phone_e164": "410-555-0142"}, ValueError),
    ({"phone_e164": ""}, ValueError),
    ({"first_name": "   "}, ValueError),
]


@pytest.mark.parametrize("overrides, error", INVALID_DATA)
def test_invalid_data_is_refused(db_url: str, sample_data: CallbackData, overrides: dict, error: type) -> None:
    with pytest.raises(error):
        create_callback_request("conv-1", replace(sample_data, **overrides), "soon", url=db_url)
    assert count(db_url, CallbackRequest) == 0


def test_values_are_cleaned(db_url: str, sample_data: CallbackData) -> None:
    data = replace(sample_data, first_name="  Ann  ", voicemail_ok=False, voicemail_name_ok=True, screening_outcome="")
    record = create_callback_request("conv-1", data, "soon", url=db_url)
    assert record.first_name == "Ann"
    assert record.voicemail_name_ok is False  # naming us on a voicemail needs voicemail at all
    assert record.screening_outcome is None


# --- queue ---------------------------------------------------------------------------------


def _seed(url: str, sample_data: CallbackData) -> dict:
    refs = {}
    for key, urgent in [("a", False), ("b", True), ("c", False), ("d", True)]:
        refs[key] = create_callback_request(f"conv-{key}", replace(sample_data, urgent=urgent), "soon", url=url).ref
    claim(refs["c"], "maria", url=url)
    complete(refs["d"], "maria", "talked", url=url)
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
def test_list_requests_order_and_filter(
    any_db_url: str, sample_data: CallbackData, status: Optional[str], expected: str
) -> None:
    refs = _seed(any_db_url, sample_data)
    by_ref = {ref: key for key, ref in refs.items()}
    assert "".join(by_ref[r.ref] for r in list_requests(status, url=any_db_url)) == expected


def test_list_requests_rejects_unknown_status(db_url: str) -> None:
    with pytest.raises(ValueError):
        list_requests("pending", url=db_url)


# --- staff workflow ------------------------------------------------------------------------


def _claim(ref: str, url: str) -> Any:
    return claim(ref, "maria", url=url)


def _claim_other(ref: str, url: str) -> Any:
    return claim(ref, "joe", url=url)


def _done(ref: str, url: str) -> Any:
    return complete(ref, "maria", "booked an intake", url=url)


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
def test_workflow(db_url: str, sample_data: CallbackData, before: List[Callable], step: Callable, expected: Any) -> None:
    ref = create_callback_request("conv-1", sample_data, "soon", url=db_url).ref
    for action in before:
        action(ref, db_url)
    if isinstance(expected, type):
        with pytest.raises(expected):
            step(ref, db_url)
    else:
        assert step(ref, db_url).status == expected


def test_claim_and_complete_record_who_and_when(any_db_url: str, sample_data: CallbackData) -> None:
    ref = create_callback_request("conv-1", sample_data, "soon", url=any_db_url).ref
    claimed = claim(ref.lower(), "maria", url=any_db_url)  # refs are typed in any case
    assert claimed.claimed_by == "maria" and claimed.claimed_at is not None
    done = complete(ref, "joe", "  booked an intake for Tuesday  ", url=any_db_url)
    assert done.status == "done" and done.claimed_by == "maria"
    assert done.outcome_note == "booked an intake for Tuesday"
    assert done.done_at is not None and done.done_at >= claimed.claimed_at


def test_unknown_reference(db_url: str) -> None:
    assert get_request("HL-ZZZZ", url=db_url) is None
    with pytest.raises(RequestNotFound):
        claim("HL-ZZZZ", "maria", url=db_url)
    with pytest.raises(RequestNotFound):
        complete("HL-ZZZZ", "maria", "", url=db_url)


def test_concurrent_claims_have_one_winner(any_db_url: str, sample_data: CallbackData) -> None:
    ref = create_callback_request("conv-1", sample_data, "soon", url=any_db_url).ref
    barrier = threading.Barrier(2)
    outcomes: List[Any] = []

    def try_claim(staff: str) -> None:
        barrier.wait()
        try:
            outcomes.append(claim(ref, staff, url=any_db_url).claimed_by)
        except InvalidTransition as exc:
            outcomes.append(exc)

    workers = [threading.Thread(target=try_claim, args=(name,)) for name in ("maria", "joe")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    winners = [o for o in outcomes if isinstance(o, str)]
    assert len(winners) == 1 and len(outcomes) == 2
    record = get_request(ref, url=any_db_url)
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
    assert storage.ref_prefix(short_name) == expected


# --- CSV -----------------------------------------------------------------------------------


def test_export_csv(db_url: str, sample_data: CallbackData) -> None:
    tricky = replace(sample_data, first_name="=HYPERLINK(\"http://x\")", best_time="+1 after lunch, \"not\" early")
    first = create_callback_request("conv-1", tricky, "tomorrow after 8am", url=db_url)
    second = create_callback_request("conv-2", replace(sample_data, urgent=True), "soon", url=db_url)
    complete(second.ref, "maria", "talked; booked", url=db_url)

    rows = list(csv.DictReader(io.StringIO(export_csv(url=db_url, tz=ZoneInfo("America/New_York")))))
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

    only_done = list(csv.DictReader(io.StringIO(export_csv("done", url=db_url))))
    assert [r["ref"] for r in only_done] == [second.ref]
    assert list(csv.reader(io.StringIO(export_csv("claimed", url=db_url)))) == [storage.CSV_COLUMNS]


# --- SMS opt-outs --------------------------------------------------------------------------


def test_sms_opt_out(any_db_url: str) -> None:
    phone = "+14105550142"
    assert is_sms_opted_out(phone, url=any_db_url) is False
    set_sms_opt_out(phone, True, url=any_db_url)
    assert is_sms_opted_out(phone, url=any_db_url) is True
    assert is_sms_opted_out("+14105550143", url=any_db_url) is False
    set_sms_opt_out(phone, True, url=any_db_url)
    set_sms_opt_out(phone, False, url=any_db_url)
    assert is_sms_opted_out(phone, url=any_db_url) is False


def test_sms_opt_out_needs_e164(db_url: str) -> None:
    with pytest.raises(ValueError):
        set_sms_opt_out("410 555 0142", True, url=db_url)


# --- phone numbers -------------------------------------------------------------------------

# typed, region, expected
PHONE_CASES = [
    ("(410) 555-0142", "US", "+14105550142"),
    ("410.555.0142", "US", "+14105550142"),
    ("410 555 0142", "US", "+14105550142"),
    ("+1 410 555 0142", "US", "+14105550142"),
    ("1-410-555-0142", "US", "+14105550142"),
    ("my number is 410-555-0142, thanks", "US", "+14105550142"),
    ("+44 20 7946 0958", "US", "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("12345", "US", None),
    ("555-0142", "US", None),  # no area code
    ("(123) 456-7890", "US", None),  # no such area code
    ("call 410 555 0142 or 443 555 0100", "US", None),  # two numbers: ask again
    ("", "US", None),
    ("not a number", "US", None),
    ("4" * 200, "US", None),
]


@pytest.mark.parametrize("typed, region, expected", PHONE_CASES)
def test_normalize_phone(typed: str, region: str, expected: Optional[str]) -> None:
    assert normalize_phone(typed, region) == expected


# --- a database that is not there ----------------------------------------------------------

# an unreachable database URL
DEAD_URLS = [
    "sqlite:////nonexistent-dir/never/db.sqlite",
    "postgresql://nobody:secret@127.0.0.1:1/none",
]


@pytest.mark.parametrize("url", DEAD_URLS)
def test_dead_database_raises_storage_unavailable(url: str, sample_data: CallbackData) -> None:
    try:
        with pytest.raises(StorageUnavailable) as info:
            create_callback_request("conv-1", sample_data, "soon", url=url)
        assert "secret" not in str(info.value) and "4105550142" not in str(info.value)
        with pytest.raises(StorageUnavailable):
            list_requests(url=url)
        with pytest.raises(StorageUnavailable):
            is_sms_opted_out("+14105550142", url=url)
    finally:
        dispose_engine(url)


def test_unmigrated_database_raises_storage_unavailable(tmp_path: Path, sample_data: CallbackData) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    try:
        with pytest.raises(StorageUnavailable) as info:
            create_callback_request("conv-1", sample_data, "soon", url=url)
        assert "4105550142" not in repr(info.value.__cause__)
    finally:
        dispose_engine(url)


def test_sql_errors_do_not_carry_personal_data(db_url: str) -> None:
    with pytest.raises(Exception) as info:
        with session_scope(db_url) as session:
            session.execute(text("INSERT INTO nowhere VALUES (:p)"), {"p": "+14105550142"})
    assert "4105550142" not in str(info.value)
