"""The website's app factory: one Store for the application, and the staff notification worker
running with it when a webhook is set."""
from __future__ import annotations

import asyncio
from typing import Any, Callable, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

pytestmark = pytest.mark.asyncio


async def test_outbox_worker_runs_with_the_app_when_a_webhook_is_set(
    aiohttp_client: Any, db_url: str, staff_env: None, add_request: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.website.app import create_app

    received: List[dict] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"ok": True})

    receiver_app = web.Application()
    receiver_app.router.add_post("/hook", hook)
    receiver = TestServer(receiver_app, host="127.0.0.1")
    await receiver.start_server()
    try:
        monkeypatch.setenv("STAFF_WEBHOOK_URL", str(receiver.make_url("/hook")))
        app = create_app("http://127.0.0.1:9", db_url=db_url)
        ref = add_request(urgent=True)
        client = await aiohttp_client(app)
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
        assert [r["ref"] for r in received] == [ref]
        assert received[0]["urgent"] is True and "Ann" not in str(received[0])
        await client.close()  # runs the cleanup: the worker stops
    finally:
        await receiver.close()


async def test_no_worker_without_webhook(aiohttp_client: Any, db_url: str, staff_env: None) -> None:
    from bot.website.app import STORE, create_app

    client = await aiohttp_client(create_app("http://127.0.0.1:9", db_url=db_url))
    assert len(client.app.cleanup_ctx) == 0
    assert client.app[STORE].url == db_url


async def test_the_website_deletes_old_conversations_when_it_starts(
    aiohttp_client: Any, db_url: str, staff_env: None, tmp_path: Any, monkeypatch: Any
) -> None:
    """The retention schedule runs in the website process: an event older than the period goes at start."""
    import time

    from sqlalchemy import create_engine, text

    from bot.website.app import create_app

    tracker_url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    monkeypatch.setenv("TRACKER_DATABASE_URL", tracker_url)
    engine = create_engine(tracker_url, future=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)"))
        connection.execute(text("INSERT INTO events (sender_id, timestamp) VALUES ('old', :a), ('new', :b)"),
                           {"a": time.time() - 31 * 86400, "b": time.time() - 60})
    client = await aiohttp_client(create_app("http://127.0.0.1:9", db_url=db_url, retention=True))

    def senders() -> list:
        with engine.connect() as connection:
            return [row[0] for row in connection.execute(text("SELECT sender_id FROM events"))]

    for _ in range(100):
        if senders() == ["new"]:
            break
        await asyncio.sleep(0.05)
    assert senders() == ["new"]
    await client.close()
    engine.dispose()
