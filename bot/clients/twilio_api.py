"""Sending text messages through Twilio's Messages REST API, without blocking the event loop.

Twilio's own Python client is synchronous; this one posts with aiohttp, with a timeout, retries on
rate limits, server errors and network errors, and no retry where a retry cannot help (bad
credentials, a refused number). Twilio's error messages may quote the phone number, so only the
numeric error code is ever logged.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Optional, Sequence, Set, Union

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.twilio.com"
SEND_TIMEOUT_SECONDS = 10.0
SEND_ATTEMPTS = 3
TWILIO_UNSUBSCRIBED = 21610  # Twilio error: the recipient replied STOP at carrier level.
NOT_SENT = "not sent"
# The account settings in the environment; TWILIO_API_BASE (optional) points elsewhere, e.g. a local fake.
ENV_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")


class RecipientUnsubscribed(Exception):
    """Twilio refused the number because it opted out at carrier level; record it and stop texting."""


class TwilioClient:
    """Sends the parts of one reply, in order, from our Twilio number."""

    def __init__(
        self,
        account_sid: Optional[str],
        auth_token: Optional[str],
        from_number: Optional[str],
        api_base: Optional[str] = DEFAULT_API_BASE,
        retry_delay: float = 0.5,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.api_base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.retry_delay = retry_delay
        self._warned: Set[str] = set()

    @classmethod
    def from_env(cls) -> "TwilioClient":
        """The client for the account in the environment (ENV_SETTINGS, TWILIO_API_BASE)."""
        from bot.settings import env

        sid, token, number = (env(name) for name in ENV_SETTINGS)
        return cls(sid, token, number, env("TWILIO_API_BASE"))

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.from_number)

    async def send(self, to: str, parts: Sequence[str]) -> bool:
        """Send the parts in order; a part that fails after every attempt is logged and skipped.
        True when Twilio accepted every part (the caller may then forget the message).

        Raises RecipientUnsubscribed (and sends nothing more) when Twilio reports error 21610.
        """
        if not parts:
            return True
        if not self.configured:
            if "config" not in self._warned:
                self._warned.add("config")
                logger.warning(
                    "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required to send SMS."
                )
            return False
        all_sent = True
        async with self._session() as session:
            for part in parts:
                outcome = await self._post(session, to, part)
                if outcome == TWILIO_UNSUBSCRIBED:
                    raise RecipientUnsubscribed()
                all_sent = all_sent and outcome is None
        return all_sent

    async def send_one(self, to: str, body: str) -> Optional[str]:
        """Send one message and say how it went: None when Twilio accepted it, else a short reason
        without the number ("not configured", "refused 21211", "unsubscribed", "not sent").

        For callers that keep their own retry schedule (the on-call pager's outbox).
        """
        if not self.configured:
            return "not configured"
        async with self._session() as session:
            outcome = await self._post(session, to, body)
        if outcome is None:
            return None
        if outcome == TWILIO_UNSUBSCRIBED:
            return "unsubscribed"
        return NOT_SENT if outcome == NOT_SENT else f"refused {outcome}"

    def _session(self) -> aiohttp.ClientSession:
        timeout = aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS)
        return aiohttp.ClientSession(timeout=timeout, auth=aiohttp.BasicAuth(str(self.account_sid), str(self.auth_token)))

    async def _post(self, session: aiohttp.ClientSession, to: str, body: str) -> Union[None, int, str]:
        """POST one message, retrying 429, 5xx and network errors: None when accepted, Twilio's error
        code (0 if none) when refused, NOT_SENT after the last failed attempt."""
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        data = {"To": to, "From": str(self.from_number), "Body": body}
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                async with session.post(url, data=data) as resp:
                    if resp.status < 300:
                        return None
                    code = await _error_code(resp)
                    if resp.status != 429 and resp.status < 500:
                        logger.error("Twilio refused an SMS: HTTP %s, error code %s", resp.status, code)
                        return code or 0
                    logger.warning(
                        "Twilio send failed: HTTP %s (attempt %d of %d)", resp.status, attempt, SEND_ATTEMPTS
                    )
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                logger.warning(
                    "Twilio send failed: %s (attempt %d of %d)", type(exc).__name__, attempt, SEND_ATTEMPTS
                )
            if attempt < SEND_ATTEMPTS:
                await asyncio.sleep(self.retry_delay * attempt)
        logger.error("SMS part not sent after %d attempts", SEND_ATTEMPTS)
        return NOT_SENT


async def _error_code(resp: aiohttp.ClientResponse) -> Optional[int]:
    """Twilio's numeric error code only: its error message may quote the phone number."""
    try:
        body = await resp.json(content_type=None)
        code = body.get("code") if isinstance(body, dict) else None
        return int(code) if code is not None else None
    except Exception:
        return None
