"""Staff accounts and the audit log in the store (SQLite and PostgreSQL), and their migration."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from bot.store import StorageUnavailable, Store
from bot.store.db import current_revision, downgrade, upgrade
from bot.store.models import AuditEvent, Base, StaffAccount
from bot.store.staff import UNKNOWN_USER, AccountExists, AccountNotFound, valid_username

HASH_A = "scrypt$1024$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5"
HASH_B = "scrypt$1024$8$1$b3RoZXJzYWx0c2FsdA==$b3RoZXJrZXlvdGhlcmtleQ=="
STAFF_TABLES = {"staff_accounts", "audit_events"}

# --- migration -----------------------------------------------------------------------------


def test_head_has_the_staff_tables_and_matches_the_models(any_db_url: str, any_store: Store) -> None:
    assert current_revision(any_db_url) == "0005_sms_inbox"
    with any_store.engine.connect() as connection:
        assert STAFF_TABLES <= set(inspect(connection).get_table_names())
        indexes = {i["name"] for i in inspect(connection).get_indexes("audit_events")}
        assert "ix_audit_events_at" in indexes
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if "iop_alembic_version" not in str(d)]
    assert diffs == []


def test_staff_migration_goes_down_to_0001_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    upgrade(url)
    with Store(url) as store:
        store.staff.add("maria", HASH_A)
    downgrade(url, "0001_initial")
    assert current_revision(url) == "0001_initial"
    with Store(url) as store:
        with store.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert not STAFF_TABLES & tables and "callback_requests" in tables
        with pytest.raises(StorageUnavailable):
            store.staff.get("maria")
    upgrade(url)
    with Store(url) as store:
        assert store.staff.list() == []


# --- accounts ------------------------------------------------------------------------------


def test_add_get_list_and_credentials(any_store: Store) -> None:
    before = dt.datetime.now(dt.timezone.utc)
    maria = any_store.staff.add(" maria ", HASH_A, is_admin=True)
    joe = any_store.staff.add("joe.b@front-desk", HASH_B)
    assert maria.username == "maria" and maria.is_admin and not maria.disabled
    assert not joe.is_admin
    assert maria.created_at >= before - dt.timedelta(seconds=1) and maria.created_at.tzinfo is not None
    assert maria.password_changed_at == maria.created_at
    assert any_store.staff.get("maria") == maria
    assert any_store.staff.get("Maria") is None  # matched exactly
    assert any_store.staff.get("nobody") is None
    assert [a.username for a in any_store.staff.list()] == ["joe.b@front-desk", "maria"]
    assert not any(hasattr(a, "password_hash") for a in any_store.staff.list())
    credentials = any_store.staff.credentials("maria")
    assert credentials is not None and credentials.password_hash == HASH_A and credentials.account == maria
    assert any_store.staff.credentials("nobody") is None


# existing name, name added again
DUPLICATES = [("maria", "maria"), ("maria", "Maria"), ("Maria", "MARIA"), ("maria", " maria")]


@pytest.mark.parametrize("first, second", DUPLICATES)
def test_names_differing_only_in_case_are_one(store: Store, first: str, second: str) -> None:
    store.staff.add(first, HASH_A)
    with pytest.raises(AccountExists):
        store.staff.add(second, HASH_B)
    assert len(store.staff.list()) == 1


# username, allowed
NAMES = [
    ("maria", True),
    ("joe.b@front-desk", True),
    ("J_Smith-2", True),
    ("a" * 64, True),
    ("a" * 65, False),
    ("", False),
    ("   ", False),
    (".maria", False),
    ("ma ria", False),
    ("cli:root", False),  # the command's name in the audit log
    ("unknown", False),  # the audit log's name for a failed sign-in with no such account
    ("Unknown", False),
    ("<b>", False),
    ("maría", False),
]


@pytest.mark.parametrize("name, allowed", NAMES)
def test_usernames(name: str, allowed: bool) -> None:
    if allowed:
        assert valid_username(name) == name
    else:
        with pytest.raises(ValueError):
            valid_username(name)


# what is offered as the hash
NOT_HASHES = ["correct horse battery staple", "", "scrypt$1$2", "$".join(["scrypt"] * 6) + "x" * 300]


@pytest.mark.parametrize("value", NOT_HASHES)
def test_a_plain_password_is_never_stored(store: Store, value: str) -> None:
    with pytest.raises(ValueError):
        store.staff.add("maria", value)
    store.staff.add("joe", HASH_A)
    with pytest.raises(ValueError):
        store.staff.set_password("joe", value)
    with pytest.raises(ValueError):
        store.staff.ensure_admin("maria", value)
    with store.session(write=False) as session:
        assert [row.password_hash for row in session.execute(select(StaffAccount)).scalars()] == [HASH_A]


def test_disable_enable_and_active(any_store: Store) -> None:
    assert any_store.staff.has_active() is False
    any_store.staff.add("maria", HASH_A)
    assert any_store.staff.has_active() is True
    assert any_store.staff.disable("maria").disabled is True
    assert any_store.staff.get("maria").disabled is True  # type: ignore[union-attr]
    assert any_store.staff.has_active() is False
    assert any_store.staff.enable("maria").disabled is False
    assert any_store.staff.has_active() is True
    for change in (any_store.staff.disable, any_store.staff.enable):
        with pytest.raises(AccountNotFound):
            change("nobody")


def test_new_password(any_store: Store) -> None:
    added = any_store.staff.add("maria", HASH_A)
    changed = any_store.staff.set_password("maria", HASH_B)
    assert changed.password_changed_at > added.password_changed_at
    assert changed.created_at == added.created_at
    assert any_store.staff.credentials("maria").password_hash == HASH_B  # type: ignore[union-attr]
    with pytest.raises(AccountNotFound):
        any_store.staff.set_password("nobody", HASH_B)


# the account before (None: missing), hash configured, outcome, admin after, disabled after
FIRST_ADMIN_CASES = [
    (None, HASH_A, "created", True, False),
    ({"password_hash": HASH_A, "is_admin": True}, HASH_A, "unchanged", True, False),
    ({"password_hash": HASH_A, "is_admin": True}, HASH_B, "updated", True, False),
    ({"password_hash": HASH_A, "is_admin": False}, HASH_A, "updated", True, False),
    ({"password_hash": HASH_A, "is_admin": True, "disabled": True}, HASH_B, "updated", True, True),
]


@pytest.mark.parametrize("before, configured, outcome, admin, disabled", FIRST_ADMIN_CASES)
def test_ensure_admin(
    store: Store, before: Optional[dict], configured: str, outcome: str, admin: bool, disabled: bool
) -> None:
    if before is not None:
        store.staff.add("maria", before["password_hash"], is_admin=before["is_admin"])
        if before.get("disabled"):
            store.staff.disable("maria")
    old = store.staff.get("maria")
    assert store.staff.ensure_admin("maria", configured) == outcome
    account = store.staff.credentials("maria")
    assert account is not None and account.password_hash == configured
    assert account.account.is_admin is admin and account.account.disabled is disabled
    password_changed = old is not None and account.account.password_changed_at != old.password_changed_at
    assert password_changed is (old is not None and before is not None and before["password_hash"] != configured)


# --- the audit log -------------------------------------------------------------------------


def test_audit_records_newest_first(any_store: Store) -> None:
    any_store.audit.record("maria", "sign_in")
    any_store.audit.record("maria", "view", "HL-7K3Q")
    any_store.audit.record("joe", "export", detail="done")
    events = any_store.audit.recent()
    assert [(e.username, e.action, e.request_ref, e.detail) for e in events] == [
        ("joe", "export", None, "done"),
        ("maria", "view", "HL-7K3Q", None),
        ("maria", "sign_in", None, None),
    ]
    assert all(e.at.tzinfo is not None for e in events)
    assert events[0].at >= events[-1].at
    assert [e.action for e in any_store.audit.recent(2)] == ["export", "view"]


def test_audit_keeps_values_short(store: Store) -> None:
    store.audit.record("", "x" * 100, "R" * 40, "d" * 500)
    (event,) = store.audit.recent()
    assert event.username == UNKNOWN_USER
    assert len(event.action) == 40 and len(event.request_ref or "") == 16 and len(event.detail or "") == 200


def test_the_newest_come_first_even_within_a_second(store: Store) -> None:
    for i in range(600):
        store.audit.record("maria", "view", f"HL-{i:04d}")
    events = store.audit.recent(500)
    assert len(events) == 500
    assert events[0].request_ref == "HL-0599" and events[-1].request_ref == "HL-0100"
    with store.session(write=False) as session:
        assert len(list(session.execute(select(AuditEvent.id)).scalars())) == 600


def test_a_dead_database_raises_storage_unavailable() -> None:
    with Store("sqlite:////nonexistent-dir/never/db.sqlite") as dead:
        for call in (
            lambda: dead.staff.add("maria", HASH_A),
            lambda: dead.staff.get("maria"),
            lambda: dead.staff.credentials("maria"),
            lambda: dead.staff.has_active(),
            lambda: dead.staff.ensure_admin("maria", HASH_A),
            lambda: dead.audit.record("maria", "sign_in"),
            lambda: dead.audit.recent(),
        ):
            with pytest.raises(StorageUnavailable):
                call()
