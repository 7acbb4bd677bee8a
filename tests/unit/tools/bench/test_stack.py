"""bot.tools.bench.stack: the stack the benchmark measures, private and kept on the loopback interface."""
from __future__ import annotations

from pathlib import Path

from bot.tools.bench.stack import BenchStack


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
