"""Staff notifications: deliver the durable outbox to an optional webhook (STAFF_WEBHOOK_URL).

A callback request and its outbox row are written in one transaction (bot.store.outbox), so a
notification exists for every request whatever happens next. This module only delivers: it posts
pending rows to the webhook with a short timeout, signs them, and on failure decides when to try
again (exponential backoff), which the store records in the row itself: a restart or an outage of
the receiver loses nothing. The website's app factory runs `run_outbox_worker`.

Decisions:
- STAFF_WEBHOOK_URL unset: nothing is sent and rows stay pending. The staff console is the
  record of truth either way; if a webhook is configured later, rows still within MAX_AGE are
  sent then, older ones are marked as given up without sending.
- Delivery is at least once; each row is leased before sending, so concurrent workers do not
  send it twice, and in normal operation it is sent exactly once. A crash between the receiver's
  200 and our commit can repeat one message: the X-IOP-Delivery header lets a receiver de-duplicate.
- The body carries the reference, urgency, screening outcome, time and console link only, never
  a name or phone number. With STAFF_WEBHOOK_SECRET set, X-IOP-Signature is
  "t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.' + body>" so a receiver can check it came from us.
- Message bodies also have a "text" field, so chat tools' incoming webhooks show something useful;
  its words are in content/console.yml (webhook_*).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from typing import Any, Dict, Optional

import aiohttp

from bot.links import console_link
from bot.settings import env, program
from bot.store import StorageUnavailable
from bot.store.models import utcnow
from bot.store.outbox import TOPIC_CALLBACK_CREATED, DueMessage, Outbox
from bot.texts import Catalogue, catalogue

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
BASE_BACKOFF = dt.timedelta(seconds=10)
MAX_BACKOFF = dt.timedelta(hours=1)
LEASE = dt.timedelta(seconds=60)
MAX_AGE = dt.timedelta(days=7)
BATCH_SIZE = 50
SIGNATURE_HEADER = "X-IOP-Signature"
DELIVERY_HEADER = "X-IOP-Delivery"
TOPIC_HEADER = "X-IOP-Topic"


def backoff_delay(attempts: int) -> dt.timedelta:
    """Wait after the `attempts`-th failure: 10 s, 20 s, 40 s ... at most an hour."""
    if attempts <= 0:
        return dt.timedelta(0)
    seconds = BASE_BACKOFF.total_seconds() * (2 ** min(attempts - 1, 20))
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, now: Optional[float] = None, tolerance: int = 300) -> bool:
    """Check a signature header (for receivers and tests); rejects stale timestamps."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def build_body(
    message_id: int,
    topic: str,
    payload: str,
    console_base_url: Optional[str] = None,
    texts: Optional[Catalogue] = None,
) -> bytes:
    """The JSON sent for one outbox row; `texts` words it (the deployed program's catalogue by default)."""
    data: Dict[str, Any] = json.loads(payload)
    path = str(data.get("console_path") or "")
    link = console_link(path, console_base_url)
    say = (texts or catalogue(program())).console_text
    if topic == TOPIC_CALLBACK_CREATED:
        key = "webhook_new_urgent" if data.get("urgent") else "webhook_new"
        text = say(key, ref=data.get("ref"), link=link)
    else:
        text = say("webhook_other", topic=topic, ref=data.get("ref", ""), link=link).strip()
    body = {"id": message_id, "topic": topic, **data, "text": text}
    if console_base_url and path:
        body["console_url"] = link
    return json.dumps(body, sort_keys=True).encode("utf-8")


# --- delivery ----------------------------------------------------------------------------------


async def _post(
    http: aiohttp.ClientSession,
    url: str,
    due: DueMessage,
    secret: Optional[str],
    console_base_url: Optional[str],
    timeout: float,
) -> Optional[str]:
    """Send one row; None on success, else a short error description (no URL: it may hold a token)."""
    body = build_body(due.id, due.topic, due.payload, console_base_url)
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: str(due.id),
        TOPIC_HEADER: due.topic,
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, int(time.time()), body)
    try:
        async with http.post(
            url,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            await response.read()
            if 200 <= response.status < 300:
                return None
            return f"HTTP {response.status}"
    except asyncio.TimeoutError:
        return "timeout"
    except aiohttp.ClientError as exc:
        return type(exc).__name__


async def deliver_pending(
    outbox: Outbox,
    url: Optional[str],
    now: Optional[dt.datetime] = None,
    *,
    secret: Optional[str] = None,
    http: Optional[aiohttp.ClientSession] = None,
    timeout: float = DEFAULT_TIMEOUT,
    limit: int = BATCH_SIZE,
    console_base_url: Optional[str] = None,
) -> int:
    """Send due rows of `outbox` to the webhook `url`; returns how many were delivered.

    `secret` and `console_base_url` default to STAFF_WEBHOOK_SECRET and STAFF_CONSOLE_BASE_URL.
    Stops at the first failure: the receiver is probably down, and the rest wait for the next
    attempt. Database steps run in a thread; their failures surface as StorageUnavailable.
    """
    if not url:
        return 0
    now = now or utcnow()
    secret = secret if secret is not None else env("STAFF_WEBHOOK_SECRET")
    console_base_url = console_base_url if console_base_url is not None else env("STAFF_CONSOLE_BASE_URL")
    due = await asyncio.to_thread(outbox.claim_due, now, limit, LEASE)
    if not due:
        return 0
    own = http is None
    client = http or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
    delivered = 0
    try:
        for index, row in enumerate(due):
            if now - row.created_at > MAX_AGE:
                await asyncio.to_thread(outbox.give_up, row.id, "expired before delivery")
                log.warning("outbox message %s expired undelivered", row.id)
                continue
            error = await _post(client, url, row, secret, console_base_url, timeout)
            if error is None:
                await asyncio.to_thread(outbox.mark_delivered, row.id, now)
                delivered += 1
                continue
            retry_at = now + backoff_delay(row.attempts + 1)
            await asyncio.to_thread(outbox.mark_failed, row, error, retry_at)
            log.warning(
                "staff webhook failed (%s) for outbox message %s, attempt %s; retrying at %s",
                error, row.id, row.attempts + 1, retry_at.isoformat(timespec="seconds"),
            )
            await asyncio.to_thread(outbox.release, [r.id for r in due[index + 1:]], retry_at)
            break
    finally:
        if own:
            await client.close()
    if delivered:
        log.info("delivered %s staff notification(s)", delivered)
    return delivered


async def run_outbox_worker(
    outbox: Outbox,
    stop_event: asyncio.Event,
    interval: float = 5.0,
    *,
    webhook_url: Optional[str] = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Deliver `outbox` every `interval` seconds until `stop_event` is set.

    Does nothing when no webhook is configured (STAFF_WEBHOOK_URL). Survives database and
    network failures: they are logged and retried on the next round.
    """
    webhook_url = webhook_url or env("STAFF_WEBHOOK_URL")
    if not webhook_url:
        log.info("STAFF_WEBHOOK_URL is not set: staff notifications stay in the console only")
        return
    log.info("staff notification worker started")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http:
        while not stop_event.is_set():
            delivered = 0
            try:
                delivered = await deliver_pending(outbox, webhook_url, http=http, timeout=timeout)
            except StorageUnavailable:
                log.warning("staff notifications paused: database unavailable")
            except Exception:
                log.exception("staff notification worker error")
            if delivered >= BATCH_SIZE:
                continue  # more may be waiting
            try:
                await asyncio.wait_for(stop_event.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass
    log.info("staff notification worker stopped")
