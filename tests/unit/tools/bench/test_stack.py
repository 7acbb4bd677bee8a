"""bot.tools.bench.stack: the stack the benchmark measures, private and kept on the loopback interface."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.tools.bench.stack import BenchStack, stock_tracker_store


def test_bench_stack_is_private_and_keeps_traffic_local(tmp_path: Path) -> None:
    bench = BenchStack(tmp_path / "model.tar.gz", tf_intra=1, tf_inter=2, root=tmp_path)
    try:
        env = bench.stack.process_env()
        assert bench.var_dir.parent == tmp_path and (bench.var_dir / "iop.sqlite").exists()
        assert env["IOP_VAR_DIR"] == str(bench.var_dir)
        assert env["DATABASE_URL"] == f"sqlite:///{bench.var_dir / 'iop.sqlite'}"
        assert env["TWILIO_ACCOUNT_SID"] == "" and env["STAFF_WEBHOOK_URL"] == ""
        assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1" and env["TF_INTER_OP_PARALLELISM_THREADS"] == "2"
        assert env["RASA_TELEMETRY_ENABLED"] == "false"
        assert bench.stack.rasa_url.startswith("http://127.0.0.1:")
        assert len({bench.stack.rasa_port, bench.stack.action_port, bench.stack.web_port}) == 3
    finally:
        bench.stop()
    assert not bench.var_dir.exists()


def test_the_default_configuration_runs_on_rasa_s_own_tracker_store(tmp_path: Path) -> None:
    bench = BenchStack(tmp_path / "model.tar.gz", tf_intra=1, tf_inter=1, root=tmp_path, stock_rasa=True)
    try:
        text = bench.stack.endpoints_text()
        assert "UrlSQLTrackerStore" not in text
        assert f"  type: SQL\n  dialect: sqlite\n  db: {bench.var_dir / 'tracker.sqlite'}\n" in text
    finally:
        bench.stop()
    ours = BenchStack(tmp_path / "model.tar.gz", tf_intra=1, tf_inter=1, root=tmp_path)
    try:
        assert "type: bot.rasa_server.tracker_store.UrlSQLTrackerStore" in ours.stack.endpoints_text()
    finally:
        ours.stop()


def test_a_stock_store_reads_its_password_from_the_environment() -> None:
    section, env = stock_tracker_store("postgresql://iop:s3cret@127.0.0.1:5433/iop")
    assert section == ("  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5433\n  db: iop\n"
                       "  username: iop\n  password: ${BENCH_TRACKER_PASSWORD}\n")
    assert env == {"BENCH_TRACKER_PASSWORD": "s3cret"} and "s3cret" not in section
    assert "dialect: postgresql" in stock_tracker_store("postgres://iop@127.0.0.1/iop")[0]
    with pytest.raises(ValueError, match="sslmode"):
        stock_tracker_store("postgresql://iop@db.example/iop?sslmode=require")


def test_rasa_builds_its_own_store_from_the_section(tmp_path: Path, monkeypatch, request) -> None:
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    section, env = stock_tracker_store(request.getfixturevalue("postgres_url"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n" + section)
    store = TrackerStore.create(read_endpoint_config(str(tmp_path / "endpoints.yml"), "tracker_store"))
    inner = getattr(store, "_tracker_store", store)
    try:
        assert type(inner) is SQLTrackerStore and inner.engine.url.drivername == "postgresql"
    finally:
        # the shared test server is also used by the migration tests, which expect only our tables
        SQLTrackerStore.Base.metadata.drop_all(inner.engine)
        inner.engine.dispose()
