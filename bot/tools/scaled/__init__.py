"""`IOP_RASA_SERVERS=2 make run`: the production layout on one machine, supervised like `make run`.

    nginx 127.0.0.1:5005 -> Rasa servers (free loopback ports)    sharing PostgreSQL (conversations and
    nginx 127.0.0.1:5055 -> action servers (free loopback ports)  our tables) and Redis (Rasa's lock
    website 127.0.0.1:8080                                         store: one turn at a time per
                                                                   conversation, whichever server)

PostgreSQL, Redis and nginx are Debian's packages (`make system-deps` installs them), run in the
foreground from configs written under the service folder (IOP_SCALED_DIR, default var/scaled), each
on loopback; PostgreSQL and Redis require a password, taken from IOP_POSTGRES_PASSWORD and
REDIS_PASSWORD or generated once into var/secrets/. Plain `make run` stays the single-process
default on SQLite.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from bot.settings import VAR_DIR
from bot.tools.run import HEALTH_PATHS, Stack, _get_ok, free_port, persistent_secret, private_file

NGINX_TEMPLATE = Path(__file__).with_name("nginx.conf")
PG_USER = "iop"
PG_DATABASE = "iop"
# PostgreSQL's buffer cache (its default, stated so the soak run and the sizing can name the bound):
# shared memory that fills as the tables are used, up to this size, and is not given back.
PG_SHARED_BUFFERS_MB = 128
# Rasa's lock store: a turn holds its conversation's lock at most this long, so a server that dies
# holding one delays that conversation by this much, not by Rasa's default minute.
LOCK_LIFETIME_SECONDS = 20
SERVICES = ("postgres", "redis")


def _as_user(user: str, cmd: List[str]) -> List[str]:
    """PostgreSQL refuses to run as root: run it as its own system user when we are root."""
    return ["runuser", "-u", user, "--", *cmd] if os.geteuid() == 0 else cmd


def _own(path: Path, user: str, group: Optional[str] = None) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user, group or user)


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise FileNotFoundError("PostgreSQL is not installed (make system-deps installs it)")
    return Path(found[-1]).parent


def program_path(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        raise FileNotFoundError(f"{name} is not installed (make system-deps installs it)")
    return found


@dataclass
class ScaledStack(Stack):
    """Several Rasa and action servers behind nginx, on PostgreSQL and Redis; see the module docstring."""

    rasa_servers: int = 2
    action_servers: int = 2
    service_dir: Path = VAR_DIR / "scaled"
    secrets_dir: Path = VAR_DIR
    internal: Dict[str, int] = field(default_factory=dict)  # process name -> its own port

    def __post_init__(self) -> None:
        names = [f"rasa-{i}" for i in range(1, self.rasa_servers + 1)]
        names += [f"actions-{i}" for i in range(1, self.action_servers + 1)] + list(SERVICES)
        for name in names:
            self.internal.setdefault(name, free_port())
        self.pg_password = os.environ.get("IOP_POSTGRES_PASSWORD") or persistent_secret("postgres_password", self.secrets_dir)
        self.redis_password = os.environ.get("REDIS_PASSWORD") or persistent_secret("redis_password", self.secrets_dir)

    # --- layout ----------------------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        return f"postgresql://{PG_USER}:{self.pg_password}@127.0.0.1:{self.internal['postgres']}/{PG_DATABASE}"

    @property
    def run_dir(self) -> Path:
        return self.service_dir / "run"

    def app_names(self) -> List[str]:
        """The assistant's own processes, in start order (the services come first, see start)."""
        return [n for n in self.internal if n.startswith("actions-")] + ["web"] + [
            n for n in self.internal if n.startswith("rasa-")
        ] + ["nginx"]

    def process_env(self) -> Dict[str, str]:
        env = super().process_env()
        env.update({
            "DATABASE_URL": self.database_url,
            "REDIS_PASSWORD": self.redis_password,
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_SECONDS),
            "SQL_POOL_SIZE": "5",  # Rasa's tracker store pool, per Rasa server
            "SQL_MAX_OVERFLOW": "10",
        })
        env.pop("TRACKER_DATABASE_URL", None)  # conversations live in the same PostgreSQL database
        return env

    def _endpoints_file(self) -> Path:
        """The stack's endpoints (the action servers' door) plus Redis as Rasa's lock store."""
        text = self.endpoints_text() + (
            "\n# Scaled profile: one turn at a time per conversation across Rasa servers.\n"
            "lock_store:\n  type: bot.rasa_server.lock_store.SafeRedisLockStore\n  url: 127.0.0.1\n"
            f"  port: {self.internal['redis']}\n  password: ${{REDIS_PASSWORD}}\n  db: 0\n  key_prefix: iop\n"
        )
        path = self.run_dir / "endpoints.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def commands(self) -> Dict[str, List[str]]:
        base = super().commands()
        endpoints = str(self._endpoints_file())
        commands: Dict[str, List[str]] = {"web": base["web"]}
        for name, port in self.internal.items():
            if name.startswith("rasa-"):
                cmd = list(base["rasa"])
                cmd[cmd.index("--port") + 1] = str(port)
                cmd[cmd.index("--endpoints") + 1] = endpoints
                commands[name] = cmd
            elif name.startswith("actions-"):
                cmd = list(base["actions"])
                cmd[cmd.index("--port") + 1] = str(port)
                commands[name] = cmd
        pg = self.service_dir / "postgres"
        commands["postgres"] = _as_user("postgres", [
            str(postgres_bin() / "postgres"), "-D", str(pg), "-p", str(self.internal["postgres"]), "-k", str(pg),
            "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
            "-c", f"shared_buffers={PG_SHARED_BUFFERS_MB}MB",
            # a failed statement is never written to the log: its values may be what a person typed
            "-c", "log_min_error_statement=panic",
        ])
        commands["redis"] = [program_path("redis-server"), str(self.run_dir / "redis.conf")]
        commands["nginx"] = [program_path("nginx"), "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
                             "-e", str(self.log_dir / "nginx-error.log")]
        return commands

    def stop_phases(self) -> List[List[str]]:
        """The door and the servers first, the databases once they are gone, so turns still
        finishing can write what they did."""
        services = [n for n in self.processes if n in SERVICES]
        return [[n for n in self.processes if n not in SERVICES], services]

    def ready_checks(self) -> Dict[str, Callable[[], bool]]:
        checks: Dict[str, Callable[[], bool]] = {"web": partial(_get_ok, self.web_url + HEALTH_PATHS["web"])}
        for name, port in self.internal.items():
            kind = name.split("-")[0]
            if kind in ("rasa", "actions"):
                checks[name] = partial(_get_ok, f"http://127.0.0.1:{port}{HEALTH_PATHS[kind]}")
        checks["postgres"] = self._postgres_answers
        checks["redis"] = self._redis_answers
        checks["nginx"] = partial(_get_ok, f"{self.rasa_url}/nginx-health")
        return checks

    def _connect_postgres(self, **options: object) -> Any:
        """A connection to the cluster's own `postgres` database, as the project's user."""
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.internal["postgres"], user=PG_USER,
                                password=self.pg_password, dbname="postgres", **options)

    def _postgres_answers(self) -> bool:
        import psycopg2

        try:
            self._connect_postgres(connect_timeout=2).close()
            return True
        except psycopg2.Error:
            return False

    def _redis_answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.internal["redis"], password=self.redis_password,
                                    socket_timeout=2).ping())
        except redis.RedisError:
            return False

    # --- first start -----------------------------------------------------------------------------
    def prepare(self) -> None:
        """Create what the services need once: the PostgreSQL cluster and the configs (mode 600)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        pg = self.service_dir / "postgres"
        if os.geteuid() == 0 and subprocess.run(_as_user("postgres", ["test", "-x", str(self.service_dir)])).returncode:
            raise RuntimeError(
                f"the postgres user cannot reach {self.service_dir}; set IOP_SCALED_DIR to a folder it can "
                "reach (every folder above it readable by others), e.g. /var/lib/iop"
            )
        if not (pg / "PG_VERSION").exists():
            pg.mkdir(parents=True, exist_ok=True)
            pg.chmod(0o700)
            _own(pg, "postgres")
            password_file = self.service_dir / "pg-password"
            private_file(password_file, self.pg_password + "\n")
            _own(password_file, "postgres")
            try:
                subprocess.run(_as_user("postgres", [
                    str(postgres_bin() / "initdb"), "-D", str(pg), "-U", PG_USER, f"--pwfile={password_file}",
                    "-A", "scram-sha-256", "--no-sync",
                ]), check=True, capture_output=True)
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(f"initdb failed:\n{exc.stderr.decode(errors='replace')[-2000:]}") from exc
            finally:
                password_file.unlink(missing_ok=True)
        private_file(
            self.run_dir / "redis.conf",
            f"bind 127.0.0.1\nport {self.internal['redis']}\nrequirepass {self.redis_password}\n"
            f"save \"\"\nappendonly no\ndir {self.run_dir}\nlogfile {self.log_dir / 'redis.log'}\n"
            "protected-mode yes\n",
        )
        self._write_nginx_conf()

    def _write_nginx_conf(self) -> None:
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
            _own(self.run_dir / sub, "nobody", "nogroup")

        def servers(prefix: str) -> str:
            return "\n".join(
                f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;"
                for name, port in self.internal.items() if name.startswith(prefix)
            )

        values = {
            "RUN": str(self.run_dir), "LOG": str(self.log_dir),
            "USER": "user nobody nogroup;" if os.geteuid() == 0 else "",
            "RASA_SERVERS": servers("rasa-"), "ACTION_SERVERS": servers("actions-"),
            "RASA_PORT": str(self.rasa_port), "ACTION_PORT": str(self.action_port),
        }
        text = NGINX_TEMPLATE.read_text()
        for key, value in values.items():
            text = text.replace(f"@@{key}@@", value)
        (self.run_dir / "nginx.conf").write_text(text)

    def _create_database(self) -> None:
        connection = self._connect_postgres()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {PG_DATABASE}")
        finally:
            connection.close()

    def start(self, timeout: float = 300.0, names: Optional[List[str]] = None, **options: object) -> Dict[str, float]:
        """The services, then the database schema, then the assistant's processes and nginx."""
        from bot.store.db import upgrade

        if names is not None:  # a restart of some processes (the supervisor uses start_process)
            return super().start(timeout=timeout, names=names, **options)  # type: ignore[arg-type]
        self.prepare()
        ready = super().start(timeout=timeout, names=list(SERVICES), **options)  # type: ignore[arg-type]
        try:
            self._create_database()
            upgrade(self.database_url)
        except Exception:
            self.stop()
            raise
        ready.update(super().start(timeout=timeout, names=self.app_names(), **options))  # type: ignore[arg-type]
        return ready

    def describe(self) -> str:
        """Where each part listens, for the start-up message."""
        rasa = ", ".join(str(p) for n, p in self.internal.items() if n.startswith("rasa-"))
        actions = ", ".join(str(p) for n, p in self.internal.items() if n.startswith("actions-"))
        return (
            f"  Scaled: nginx on {self.rasa_port} -> Rasa servers on {rasa}; nginx on {self.action_port} -> action "
            f"servers on {actions};\n  PostgreSQL on {self.internal['postgres']}, Redis on {self.internal['redis']} "
            f"(all 127.0.0.1), data under {self.service_dir}\n"
        )


def scaled_from_env(env: Dict[str, str], **options: object) -> Optional[ScaledStack]:
    """The scaled stack when IOP_RASA_SERVERS asks for more than one Rasa server, else None."""
    wanted = int(os.environ.get("IOP_RASA_SERVERS", "1") or 1)
    if wanted <= 1:
        return None
    actions = int(os.environ.get("IOP_ACTION_SERVERS", "2") or 2)
    service_dir = Path(os.environ.get("IOP_SCALED_DIR") or VAR_DIR / "scaled")
    return ScaledStack(rasa_servers=wanted, action_servers=max(1, actions), service_dir=service_dir, env=env, **options)  # type: ignore[arg-type]

