"""The on-call pager: text the on-call staff about requests that cannot wait for opening hours.

Pages are planned with their request (bot.store.callbacks, bot.paging) as outbox rows of
TOPIC_PAGE; this worker sends them through Twilio's Messages API, retrying with the staff
webhook's backoff, and pages the backup when nobody acknowledged in time (bot.store.pages). The
website's app factory runs `run_pager` when program.yml has an `on_call` section and the Twilio
settings are present.

Decisions:
- A page carries the reference, "urgent" or not, the time and the console link: never a name,
  phone number or screening answer, since an SMS is not a secure channel.
- A page whose request was acknowledged, claimed or closed before it went out is not sent.
- Delivery is at least once, like the webhook's: a crash between Twilio's acceptance and our
  commit can repeat one page, which an on-call person can tell from the same reference.
- A number that replied STOP to our Twilio number, or that Twilio refuses, is not retried; the
  backup is still paged when the time is up.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Callable, Optional

from bot import clock
from bot.clients.twilio_api import NOT_SENT, TwilioClient
from bot.links import console_link, request_path
from bot.settings import Program, env, program
from bot.store import StorageUnavailable, Store
from bot.store.models import utcnow
from bot.store.outbox import DueMessage
from bot.store.pages import BACKUP, TOPIC_PAGE, PageMessage, page_id
from bot.texts import Catalogue, catalogue
from bot.website.notify import BATCH_SIZE, LEASE, backoff_delay

log = logging.getLogger(__name__)

# A page still unsent after this long is given up: the morning shift sees the request anyway.
MAX_AGE = dt.timedelta(hours=12)
# The first attempt is retried sooner than a webhook's: minutes matter at night.
RETRYABLE = (NOT_SENT,)


def page_text(
    message: PageMessage, prog: Program, texts: Catalogue, console_base_url: Optional[str] = None
) -> str:
    """The words of one page (content/console.yml page_*), with the request's console link."""
    link = console_link(request_path(message.ref), console_base_url)
    time = clock.clock(message.requested_at.astimezone(prog.tz))
    if message.level == BACKUP and prog.on_call is not None:
        minutes = prog.on_call.acknowledge_within_minutes
        key = "page_backup_urgent" if message.urgent else "page_backup"
        return texts.console_text(key, ref=message.ref, time=time, link=link, minutes=minutes)
    key = "page_urgent" if message.urgent else "page_new"
    return texts.console_text(key, ref=message.ref, time=time, link=link)


async def _send(store: Store, twilio: TwilioClient, row: DueMessage, now: dt.datetime, prog: Program, texts: Catalogue, base: Optional[str]) -> bool:
    """Send one outbox row of TOPIC_PAGE; True when a text went out."""
    pid = page_id(row.payload)
    message = await asyncio.to_thread(store.pages.message, pid) if pid is not None else None
    if message is None:
        await asyncio.to_thread(store.outbox.give_up, row.id, "page not found")
        return False
    if message.settled:
        await asyncio.to_thread(store.pages.mark, message.page_id, now, not_sent="acknowledged first")
        await asyncio.to_thread(store.outbox.mark_delivered, row.id, now)
        return False
    if now - row.created_at > MAX_AGE:
        await asyncio.to_thread(store.pages.mark, message.page_id, now, not_sent="expired")
        await asyncio.to_thread(store.outbox.give_up, row.id, "expired before delivery")
        return False
    error = await twilio.send_one(message.recipient_phone, page_text(message, prog, texts, base))
    if error is None:
        await asyncio.to_thread(store.pages.mark, message.page_id, now)
        await asyncio.to_thread(store.outbox.mark_delivered, row.id, now)
        log.info("paged the on-call %s for request %s", "backup" if message.level == BACKUP else "staff", message.ref)
        return True
    if error in RETRYABLE:
        retry_at = now + backoff_delay(row.attempts + 1)
        await asyncio.to_thread(store.outbox.mark_failed, row, error, retry_at)
        log.warning("page for request %s not sent (%s); retrying at %s", message.ref, error, retry_at.isoformat(timespec="seconds"))
        return False
    await asyncio.to_thread(store.pages.mark, message.page_id, now, not_sent=error)
    await asyncio.to_thread(store.outbox.give_up, row.id, error)
    log.error("page for request %s refused (%s); not retried", message.ref, error)
    return False


async def page_round(
    store: Store,
    twilio: TwilioClient,
    now: Optional[dt.datetime] = None,
    *,
    prog: Optional[Program] = None,
    texts: Optional[Catalogue] = None,
    console_base_url: Optional[str] = None,
) -> int:
    """One round: send every due page, then page the backup where nobody answered. Returns pages sent.

    Sending comes first, so a first page that goes out late (the website was down) is answered from
    when it was sent. Rows are claimed one at a time, each with the clock read again (`now` fixes it
    for a simulated clock), so the lease covers the send in progress only and another worker never
    takes a row that is still being sent. One row's failure is logged and retried; the rest go on.
    """
    prog = prog or program()
    if prog.on_call is None:
        return 0
    clock_now: Callable[[], dt.datetime] = (lambda: now) if now is not None else utcnow
    texts = texts or catalogue(prog)
    base = console_base_url if console_base_url is not None else env("STAFF_CONSOLE_BASE_URL")
    sent = 0
    for _ in range(BATCH_SIZE):
        claimed = await asyncio.to_thread(store.outbox.claim_due, clock_now(), 1, LEASE, (TOPIC_PAGE,))
        if not claimed:
            break
        row = claimed[0]
        try:
            sent += await _send(store, twilio, row, clock_now(), prog, texts, base)
        except StorageUnavailable:
            raise
        except Exception as exc:
            log.error("page %s not sent: %s", row.id, type(exc).__name__)
            retry_at = clock_now() + backoff_delay(row.attempts + 1)
            await asyncio.to_thread(store.outbox.mark_failed, row, type(exc).__name__, retry_at)
    unanswered = dt.timedelta(minutes=prog.on_call.acknowledge_within_minutes)
    escalated = await asyncio.to_thread(store.pages.escalate, clock_now(), unanswered, prog.on_call.backup)
    for ref in escalated:
        log.warning("request %s: no acknowledgement in time, paging the backup", ref)
    return sent


async def run_pager(
    store: Store,
    stop_event: asyncio.Event,
    *,
    twilio: Optional[TwilioClient] = None,
    interval: float = 5.0,
) -> None:
    """Run `page_round` every `interval` seconds until `stop_event` is set; failures wait for the next round."""
    twilio = twilio or TwilioClient.from_env()
    log.info("on-call pager started")
    while not stop_event.is_set():
        try:
            await page_round(store, twilio)
        except StorageUnavailable:
            log.warning("on-call pager paused: database unavailable")
        except Exception as exc:
            log.error("on-call pager error: %s", type(exc).__name__)
        try:
            await asyncio.wait_for(stop_event.wait(), timeout=interval)
        except asyncio.TimeoutError:
            pass
    log.info("on-call pager stopped")
