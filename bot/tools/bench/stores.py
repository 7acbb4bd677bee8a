"""`make bench-stores`: the tracker store's share of a turn, on each database a profile can use.

A turn reads the conversation back, adds what happened, and writes the new events. This replays the
events of real conversations (the benchmark's scripted one, recorded once through the real stack) turn
by turn against: our SQL tracker store and Rasa's own on SQLite (`make run`) and on PostgreSQL (the
scaled profile), and Rasa's RedisTrackerStore on Redis. PostgreSQL and Redis are Debian's, started by
the scaled profile's own code in a temporary folder, on loopback, with throwaway passwords.

It reports, per backend, the median wall time and CPU time of a turn's read plus write, with our
patches to Rasa in place (as the Rasa server runs our model) or removed (stock Rasa), and writes
results/stores.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from bot.settings import PROJECT_ROOT
from bot.tools.bench.load import run_load
from bot.tools.bench.project import hash_staff_password
from bot.tools.bench.report import log
from bot.tools.bench.stack import BenchStack
from bot.tools.bench.stats import median
from bot.tools.run import DEFAULT_MODEL

RESULTS = PROJECT_ROOT / "results" / "stores.json"


def record_conversation(work: Path) -> List[Dict[str, Any]]:
    """One scripted conversation through the real stack (our model, SQLite); its events as dicts."""
    import sqlite3

    stack = BenchStack(DEFAULT_MODEL, 1, 1, work)
    try:
        stack.cold_start()
        asyncio.run(run_load(stack.stack.rasa_url, 1, 1, "stores-recorded", "no such reply"))
        with sqlite3.connect(stack.var_dir / "tracker.sqlite") as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id LIKE 'stores-recorded%' ORDER BY id").fetchall()
    finally:
        stack.stop()
    return [json.loads(data) for (data,) in rows]


def turns_of(events: List[Dict[str, Any]]) -> List[List[Dict[str, Any]]]:
    """The events split where each user message begins a turn (the first turn holds the session start)."""
    turns: List[List[Dict[str, Any]]] = [[]]
    for event in events:
        if event.get("event") == "user" and turns[-1]:
            turns.append([])
        turns[-1].append(event)
    return turns


async def replay(store: Any, domain: Any, turns: List[List[Dict[str, Any]]], conversations: int) -> Dict[str, float]:
    """Each conversation turn by turn, as the Rasa server does it: read back (or start), add the turn's
    events (built beforehand: only the store is timed), write."""
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    wall: List[float] = []
    cpu: List[float] = []
    for index in range(conversations):
        sender = f"stores-{index}-{secrets.token_hex(4)}"
        for turn in [[Event.from_parameters(event) for event in turn] for turn in turns]:
            start, start_cpu = time.perf_counter(), time.process_time()
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
            for event in turn:
                tracker.update(event)
            await store.save(tracker)
            wall.append(1000 * (time.perf_counter() - start))
            cpu.append(1000 * (time.process_time() - start_cpu))
    return {"wall_ms_p50": median(wall) or 0.0, "cpu_ms_p50": median(cpu) or 0.0,
            "wall_ms_mean": sum(wall) / len(wall), "cpu_ms_mean": sum(cpu) / len(cpu)}


def backends(sqlite_dir: Path, pg_url: str, redis: Dict[str, Any], domain: Any) -> Dict[str, Callable[[], Any]]:
    """Each store to measure, built fresh on an empty database."""
    import os

    from rasa.core.tracker_store import RedisTrackerStore, SQLTrackerStore

    from bot.rasa_server.tracker_store import UrlSQLTrackerStore, sql_store_fields

    def ours(url: str) -> Callable[[], Any]:
        def build() -> Any:
            os.environ["TRACKER_DATABASE_URL"] = url
            return UrlSQLTrackerStore(domain)
        return build

    def rasa_sql(url: str) -> Callable[[], Any]:
        return lambda: SQLTrackerStore(domain, **sql_store_fields(url))

    return {
        "SQLite, ours": ours(f"sqlite:///{sqlite_dir / 'ours.sqlite'}"),
        "SQLite, Rasa's SQLTrackerStore": rasa_sql(f"sqlite:///{sqlite_dir / 'rasa.sqlite'}"),
        "PostgreSQL, ours": ours(pg_url),
        "PostgreSQL, Rasa's SQLTrackerStore": rasa_sql(pg_url),
        "Redis, Rasa's RedisTrackerStore": lambda: RedisTrackerStore(domain, **redis),
    }


def empty(store: Any) -> None:
    """Delete what a backend wrote, so the next one starts on an empty table as this one did (ours and
    Rasa's SQL stores share PostgreSQL's events table)."""
    if hasattr(store, "engine"):
        with store.engine.begin() as connection:
            connection.execute(store.SQLEvent.__table__.delete())
        store.engine.dispose()
    else:
        store.red.flushdb()


def measure(conversations: int) -> Dict[str, Any]:
    """Record a conversation, start PostgreSQL and Redis, replay it on every backend, patched and stock."""
    from rasa.shared.core.domain import Domain

    from bot.rasa_server import patches
    from bot.tools.scaled import SERVICES, ScaledStack
    from bot.tools.run import Stack

    work = Path(tempfile.mkdtemp(prefix="stores-"))
    services = Path(tempfile.mkdtemp(prefix="iop-stores-services-"))
    services.chmod(0o755)  # PostgreSQL runs as its own user
    try:
        turns = turns_of(record_conversation(work))
        log(f"recorded a conversation of {sum(map(len, turns))} events in {len(turns)} turns")
        domain = Domain.load([str(PROJECT_ROOT / "domain.yml"), str(PROJECT_ROOT / "data/generated/responses.yml")])
        stack = ScaledStack.temporary(work / "scaled", ("bench", hash_staff_password(secrets.token_urlsafe(16))),
                                      rasa_servers=1, service_dir=services, secrets_dir=work)
        stack.prepare()
        Stack.start(stack, names=list(SERVICES))
        try:
            stack._create_database()
            redis = {"host": "127.0.0.1", "port": stack.internal["redis"], "password": stack.redis_password}
            results: Dict[str, Any] = {}
            for patched in (True, False):
                patches.apply() if patched else patches.remove()
                for name, build in backends(work, stack.database_url, redis, domain).items():
                    store = build()
                    asyncio.run(replay(store, domain, turns, 1))  # warm up connections and caches
                    figures = asyncio.run(replay(store, domain, turns, conversations))
                    results.setdefault(name, {})["patched" if patched else "stock"] = figures
                    log(f"  {name}, {'patched' if patched else 'stock Rasa'}: read + write per turn "
                        f"p50 {figures['wall_ms_p50']:.1f} ms, CPU {figures['cpu_ms_p50']:.1f} ms")
                    empty(store)
        finally:
            stack.stop()
        return {"conversations": conversations, "events": sum(map(len, turns)), "turns": len(turns),
                "backends": results}
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(services, ignore_errors=True)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.tools.bench.stores", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=20, help="conversations replayed per backend (default 20)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    result = measure(max(1, args.conversations))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    log(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
