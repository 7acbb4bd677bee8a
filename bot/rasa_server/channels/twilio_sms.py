"""SMS through Twilio at /webhooks/twilio_sms/webhook: the transport.

Unlike Rasa's built-in Twilio channel, this one accepts only requests signed by Twilio (and none
while TWILIO_AUTH_TOKEN is unset), writes each text to the SMS inbox in our database before Twilio
gets its 200 (bot/store/inbox.py: one row per MessageSid, so a repeated webhook is answered once, by
whichever server saw it first), answers Twilio with empty TwiML and runs the turn in a background
task, one at a time per sender. A text whose server stopped before the reply went out is taken over
from the inbox by any server once its lease runs out, including the same server after a restart.
A phone number never becomes a conversation id or reaches a log line: the sender id is an HMAC of
the number, and the inbox clears the number and the text once the reply is out.

One text's turn is in sms/turn.py and the order and leases of texts in sms/queue.py.

Settings come from environment variables only: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
TWILIO_FROM_NUMBER, PUBLIC_BASE_URL, TWILIO_API_BASE, IOP_ID_SECRET.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Any, Callable, Dict, Optional, Set, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.clients.twilio_api import DEFAULT_API_BASE, TwilioClient
from bot.phones import normalize_phone
from bot.rasa_server.channels.common import clean_text, limit_request_size
from bot.rasa_server.sms import format as sms
from bot.rasa_server.sms.inbox import Inbox
from bot.rasa_server.sms.opt_outs import OptOuts
from bot.rasa_server.sms.queue import SWEEP_SECONDS, TextQueue
from bot.rasa_server.sms.turn import Inbound, OnNewMessage, Turns
from bot.settings import Program, env, program
from bot.store import Store, configured_store
from bot.texts import catalogue

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
DRAIN_TIMEOUT_SECONDS = 15.0


def sender_id_for(phone_e164: str, secret: bytes) -> str:
    """The Rasa conversation id of a phone number: a keyed hash, so ids reveal no number."""
    return "sms-" + hmac.new(secret, phone_e164.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def signed_url(public_base_url: Optional[str], request_url: str, path: str, query_string: str) -> str:
    """The URL Twilio signed: our public base URL + path (+ query); Sanic's own URL as a last resort.

    Behind a TLS-terminating proxy Sanic sees http://internal-host, which Twilio never signed, so
    PUBLIC_BASE_URL must be set in production; without it, validation there fails (closed).
    """
    if not public_base_url:
        return request_url
    url = public_base_url.rstrip("/") + path
    return f"{url}?{query_string}" if query_string else url


def form_params(request: Request) -> RequestParameters:
    """The POSTed form, keeping empty fields: Twilio signs "Body=" of a picture-only message, and
    Sanic's `request.form` drops blank values, which would make every such signature fail."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return RequestParameters()
    try:
        return RequestParameters(parse_qs(request.body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return RequestParameters()


class TwilioSmsInput(InputChannel):
    """Twilio SMS webhook with signature check, opt-out handling and asynchronous replies."""

    @classmethod
    def name(cls) -> Text:
        return "twilio_sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TwilioSmsInput":
        """Settings from the environment; credentials.yml carries no secrets for this channel."""
        return cls(
            account_sid=env("TWILIO_ACCOUNT_SID"),
            auth_token=env("TWILIO_AUTH_TOKEN"),
            from_number=env("TWILIO_FROM_NUMBER"),
            public_base_url=env("PUBLIC_BASE_URL"),
            api_base=env("TWILIO_API_BASE", DEFAULT_API_BASE),
            id_secret=env("IOP_ID_SECRET"),
        )

    def __init__(
        self,
        account_sid: Optional[str] = None,
        auth_token: Optional[str] = None,
        from_number: Optional[str] = None,
        public_base_url: Optional[str] = None,
        api_base: Optional[str] = DEFAULT_API_BASE,
        id_secret: Optional[str] = None,
        now: Optional[Callable[[], dt.datetime]] = None,
        program_settings: Optional[Callable[[], Program]] = None,
        retry_delay: float = 0.5,
        store: Callable[[], Store] = configured_store,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.auth_token = auth_token
        self.public_base_url = public_base_url
        self.twilio = TwilioClient(account_sid, auth_token, from_number, api_base, retry_delay)
        self._id_secret = id_secret.encode("utf-8") if id_secret else None
        self._now = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self._program = program_settings or program
        self._warned: Set[str] = set()
        self.turns = Turns(self.twilio, OptOuts(store), self._program, self.now, self.name())
        self.queue = TextQueue(Inbox(store, self.now), self.turns.run, self._sender_id, sweep_seconds)
        catalogue(self._program())  # broken content stops the server at start, not in a reply

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning(message)

    def _secret(self) -> bytes:
        """HMAC key for sender ids; a per-process random key if IOP_ID_SECRET is missing."""
        if self._id_secret is None:
            self._warn_once(
                "id_secret",
                "IOP_ID_SECRET is not set: SMS conversations get a temporary id and will not "
                "continue after a restart. Set IOP_ID_SECRET to a long random value.",
            )
            self._id_secret = secrets.token_bytes(32)
        return self._id_secret

    def _sender_id(self, phone_e164: str) -> str:
        return sender_id_for(phone_e164, self._secret())

    def now(self) -> dt.datetime:
        """Current time, timezone-aware (the clock is injectable for tests)."""
        current = self._now()
        return current if current.tzinfo else current.replace(tzinfo=dt.timezone.utc)

    # --- webhook ---------------------------------------------------------------------------------
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("twilio_sms_webhook")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = form_params(request)
            if not self._is_valid(request, params):
                logger.warning("rejected an SMS webhook request without a valid Twilio signature")
                return response.text("Forbidden", status=403)
            inbound = self._parse(params)
            if inbound is None:
                logger.warning("SMS webhook request without a sender; ignored")
            else:
                new, claim = await self.queue.inbox.accept(inbound.message_sid, inbound.phone, inbound.body, inbound.num_media)
                if new:
                    self.queue.spawn(dataclasses.replace(inbound, claim=claim), on_new_message, request.app)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @webhook.listener("after_server_start")
        async def take_over_unfinished(app: Any, *_: Any) -> None:
            self.queue.start_sweeping(on_new_message, app)

        @webhook.listener("before_server_stop")
        async def finish_replies(*_: Any) -> None:
            await self.queue.stop(timeout=DRAIN_TIMEOUT_SECONDS)

        return limit_request_size(webhook)

    def _is_valid(self, request: Request, params: RequestParameters) -> bool:
        if not self.auth_token:
            self._warn_once("auth_token", "TWILIO_AUTH_TOKEN is not set: rejecting every SMS webhook request.")
            return False
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            return False
        if not self.public_base_url:
            self._warn_once(
                "base_url",
                "PUBLIC_BASE_URL is not set: validating Twilio signatures against the URL this "
                "server sees, which fails behind a proxy.",
            )
        url = signed_url(self.public_base_url, request.url, request.path, request.query_string)
        try:
            return RequestValidator(self.auth_token).validate(url, params, signature)
        except Exception as exc:  # malformed input must be a 403, not a 500
            logger.warning("Twilio signature check failed: %s", type(exc).__name__)
            return False

    def _parse(self, params: RequestParameters) -> Optional[Inbound]:
        raw_from = (params.get("From") or "").strip()
        if not raw_from:
            return None
        try:
            phone = normalize_phone(raw_from) or raw_from
        except Exception as exc:  # Twilio sends E.164 already; normalising is a safeguard
            logger.error("could not normalise the sender number: %s", type(exc).__name__)
            phone = raw_from
        try:
            num_media = int(params.get("NumMedia") or 0)
        except ValueError:
            num_media = 0
        body = clean_text(params.get("Body"), sms.MAX_INBOUND_CHARS)
        return Inbound(
            phone=phone, sender_id=self._sender_id(phone), body=body, num_media=num_media,
            message_sid=(params.get("MessageSid") or "").strip(),
        )

    async def wait_idle(self, timeout: Optional[float] = None) -> None:
        """Wait until every reply in progress has been sent (server shutdown, tests)."""
        await self.queue.wait_idle(timeout)
