"""bot.tools.scaled without starting anything: which profile IOP_RASA_SERVERS picks, and what the
written configs say (every listener on loopback, Redis behind a password, the lock store shared)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.tools.scaled import ScaledStack, scaled_from_env


@pytest.mark.parametrize("value, servers", [("", None), ("1", None), ("0", None), ("2", 2), ("3", 3)])
def test_the_profile_follows_iop_rasa_servers(value: str, servers: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IOP_RASA_SERVERS", value)
    monkeypatch.setenv("IOP_SCALED_DIR", str(tmp_path))
    monkeypatch.setenv("IOP_POSTGRES_PASSWORD", "pg-secret")
    monkeypatch.setenv("REDIS_PASSWORD", "redis-secret")
    stack = scaled_from_env({})
    if servers is None:
        assert stack is None
    else:
        assert stack is not None and stack.rasa_servers == servers and stack.service_dir == tmp_path
        assert len({p for p in stack.internal.values()}) == len(stack.internal) == servers + 2 + 2


def _stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ScaledStack:
    monkeypatch.setenv("IOP_POSTGRES_PASSWORD", "pg-secret")
    monkeypatch.setenv("REDIS_PASSWORD", "redis-secret")
    return ScaledStack(rasa_port=15005, action_port=15055, web_port=18080, service_dir=tmp_path, log_dir=tmp_path / "log")


def test_nginx_listens_on_loopback_and_spreads_over_every_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _stack(tmp_path, monkeypatch)
    stack._write_nginx_conf()
    conf = (stack.run_dir / "nginx.conf").read_text()
    assert "@@" not in conf
    assert re.findall(r"listen ([^;]+);", conf) == ["127.0.0.1:15005", "127.0.0.1:15055"]
    upstreams = re.findall(r"server 127\.0\.0\.1:(\d+)", conf)
    assert sorted(int(p) for p in upstreams) == sorted(stack.internal[n] for n in stack.internal if n.startswith(("rasa-", "actions-")))
    assert "$remote_addr" not in conf and "$request " not in conf  # no address or request line in the log


def test_rasa_servers_share_the_redis_lock_store_and_postgres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _stack(tmp_path, monkeypatch)
    endpoints = yaml.safe_load(stack._endpoints_file().read_text())
    assert endpoints["lock_store"] == {
        "type": "bot.rasa_server.lock_store.SafeRedisLockStore", "url": "127.0.0.1", "port": stack.internal["redis"],
        "password": "${REDIS_PASSWORD}", "db": 0, "key_prefix": "iop",
    }
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:15055/webhook"  # nginx's door
    env = stack.process_env()
    assert env["DATABASE_URL"] == f"postgresql://iop:pg-secret@127.0.0.1:{stack.internal['postgres']}/iop"
    assert "TRACKER_DATABASE_URL" not in env and env["REDIS_PASSWORD"] == "redis-secret"
    commands = stack.commands()
    rasa_ports = {c[c.index("--port") + 1] for n, c in commands.items() if n.startswith("rasa-")}
    assert rasa_ports == {str(stack.internal["rasa-1"]), str(stack.internal["rasa-2"])}
    assert all(c[c.index("--interface") + 1] == "127.0.0.1" for n, c in commands.items() if n.startswith("rasa-"))
    assert "listen_addresses=127.0.0.1" in commands["postgres"]


def test_the_redis_config_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _stack(tmp_path, monkeypatch)
    stack.run_dir.mkdir(parents=True)
    stack.log_dir.mkdir(parents=True)
    (stack.service_dir / "postgres").mkdir()
    (stack.service_dir / "postgres" / "PG_VERSION").write_text("15")  # skip initdb here
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    stack.prepare()
    conf = stack.run_dir / "redis.conf"
    assert (conf.stat().st_mode & 0o777) == 0o600
    assert "bind 127.0.0.1\n" in conf.read_text() and "requirepass redis-secret\n" in conf.read_text()
