"""The website process: demo provider page with the chat widget, and the staff console (/staff)."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import AsyncIterator, Awaitable, Callable, List, Optional

from aiohttp import web

from bot.settings import env
from bot.store import Store

# The application's Store: created by the factory, disposed of when the application shuts down.
log = logging.getLogger(__name__)

STORE = web.AppKey("iop_store", Store)
WORKER_STOP_TIMEOUT = 10.0


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


Job = Callable[[asyncio.Event], Awaitable[None]]


def _background(job: Job, cleanup: Callable[[], None] = lambda: None) -> Callable[[web.Application], AsyncIterator[None]]:
    """A job that runs for as long as the application does, asked to stop (then cancelled) at shutdown."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(job(stop))
        yield
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=WORKER_STOP_TIMEOUT)
        except asyncio.TimeoutError:
            task.cancel()
        cleanup()

    return context


def _outbox_worker(store: Store, webhook_url: str) -> Callable[[web.Application], AsyncIterator[None]]:
    """Staff notifications are delivered for as long as the application runs."""
    from bot.website.notify import run_outbox_worker

    return _background(lambda stop: run_outbox_worker(store.outbox, stop, webhook_url=webhook_url))


def _retention_worker(store: Store) -> Callable[[web.Application], AsyncIterator[None]]:
    """Conversations and closed requests are deleted on schedule for as long as the website runs."""
    from bot.store.retention import Policy, interval_hours, run_on_schedule, tracker_engine

    policy, hours = Policy.from_settings(), interval_hours()  # bad settings stop the start, not a run
    engine = tracker_engine()
    return _background(
        lambda stop: run_on_schedule(store, stop, policy=policy, engine=engine, interval_hours=hours), engine.dispose
    )


def _pager(store: Store) -> Optional[Callable[[web.Application], AsyncIterator[None]]]:
    """The on-call pager, when program.yml has an on_call section and texts can be sent."""
    from bot import paging
    from bot.settings import program
    from bot.website.pager import run_pager

    if program().on_call is None:
        return None
    if not paging.sending_configured():
        log.warning("on_call is set in program.yml but the Twilio settings are missing: nobody will be paged")
        return None
    return _background(lambda stop: run_pager(store, stop))


def create_app(rasa_url: str, db_url: Optional[str] = None, *, retention: bool = False) -> web.Application:
    """Both parts on one app; each module mounts its own routes.

    The app owns one Store (`db_url`, else the configured database), with `retention` the deletion
    schedule on the configured databases (bot.store.retention; the website process runs it), the
    on-call pager when program.yml sets one up (bot.website.pager), and, when STAFF_WEBHOOK_URL is
    set, the worker that delivers staff notifications from its outbox.
    """
    from bot.website.console import setup_console
    from bot.website.widget import setup_widget

    store = Store(db_url) if db_url else Store.from_settings()
    app = web.Application(client_max_size=64 * 1024)
    app[STORE] = store
    app.router.add_get("/healthz", healthz)
    setup_widget(app, rasa_url=rasa_url)
    setup_console(app, store=store)
    if retention:
        app.cleanup_ctx.append(_retention_worker(store))
    pager = _pager(store)
    if pager is not None:
        app.cleanup_ctx.append(pager)
    webhook_url = env("STAFF_WEBHOOK_URL")
    if webhook_url:
        app.cleanup_ctx.append(_outbox_worker(store, webhook_url))

    async def dispose(app: web.Application) -> None:
        store.dispose()  # after the worker's cleanup: aiohttp runs cleanup contexts first

    app.on_cleanup.append(dispose)
    return app


def main(argv: Optional[List[str]] = None) -> int:
    from bot.logs import configure_logging

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://localhost:5005")
    args = parser.parse_args(argv)
    configure_logging(logging.INFO)
    web.run_app(create_app(args.rasa_url, retention=True), host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
