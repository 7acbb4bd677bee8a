"""SMS through Twilio at /webhooks/twilio_sms/webhook: the transport.

Unlike Rasa's built-in Twilio channel, this one accepts only requests signed by Twilio (and none
while TWILIO_AUTH_TOKEN is unset), writes each text to the SMS inbox in our database before Twilio
gets its 200 (bot/store/inbox.py: one row per MessageSid, so a repeated webhook is answered once, by
whichever server saw it first), answers Twilio with empty TwiML and runs the turn in a background
task, one at a time per sender. A text whose server stopped before the reply went out is taken over
from the inbox by any server once its lease runs out, including the same server after a restart.
A phone number never becomes a conversation id or reaches a log line: the sender id is an HMAC of
the number, and the inbox clears the number and the text once the reply is out.

One turn reads top to bottom in `_turn`: an on-call person's ACK of a page (sms/acks.py), carrier
keywords and empty texts (sms/keywords.py, with opt-outs in sms/opt_outs.py), then Rasa, then the reply as numbered GSM-7 parts (sms/format.py),
with an after-hours note before the first reply of a conversation but never before a crisis reply
(sms/conversation.py), sent through Twilio's REST API (bot/clients/twilio_api.py).

Settings come from environment variables only: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
TWILIO_FROM_NUMBER, PUBLIC_BASE_URL, TWILIO_API_BASE, IOP_ID_SECRET.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import weakref
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence, Set, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.clients.twilio_api import DEFAULT_API_BASE, RecipientUnsubscribed, TwilioClient
from bot.phones import normalize_phone
from bot.rasa_server.channels.common import clean_text, failure_reply, is_crisis_reply, limit_request_size
from bot.rasa_server.sms import acks, conversation, keywords
from bot.rasa_server.sms.inbox import MAX_ATTEMPTS, Claim, Inbox
from bot.rasa_server.sms import format as sms
from bot.rasa_server.sms.opt_outs import OptOuts
from bot.rasa_server.tracker_store import conversation_store_available
from bot.settings import Program, env, program
from bot.store import Store, configured_store
from bot.texts import catalogue

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
TURN_TIMEOUT_SECONDS = 60.0
DRAIN_TIMEOUT_SECONDS = 15.0
INBOX_SWEEP_SECONDS = 10.0  # how often each server looks for texts a stopped server left

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


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


@dataclass(frozen=True)
class Inbound:
    """One inbound text; `phone` stays in memory only, to address the reply (kept out of repr)."""

    phone: str = field(repr=False)
    sender_id: str
    body: str = field(repr=False)
    num_media: int = 0
    message_sid: str = ""
    claim: Optional[Claim] = None  # our lease on its inbox row; None when the database could not take it
    attempts: int = 1
    taken_over: bool = False  # from the inbox after its server stopped: Rasa may have handled it already


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
        sweep_seconds: float = INBOX_SWEEP_SECONDS,
    ) -> None:
        self.auth_token = auth_token
        self.public_base_url = public_base_url
        self.twilio = TwilioClient(account_sid, auth_token, from_number, api_base, retry_delay)
        self.opt_outs = OptOuts(store)
        self.inbox = Inbox(store, self.now)
        self._sweep_seconds = sweep_seconds
        self._sweeper: Optional["asyncio.Task[None]"] = None
        self._id_secret = id_secret.encode("utf-8") if id_secret else None
        self._now = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self._program = program_settings or program
        self._tasks: Set["asyncio.Task[None]"] = set()
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()
        self._warned: Set[str] = set()
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
                new, claim = await self.inbox.accept(inbound.message_sid, inbound.phone, inbound.body, inbound.num_media)
                if new:
                    self._spawn(dataclasses.replace(inbound, claim=claim), on_new_message, request.app)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @webhook.listener("after_server_start")
        async def take_over_unfinished(app: Any, *_: Any) -> None:
            self._sweeper = asyncio.ensure_future(self._sweep(on_new_message, app))

        @webhook.listener("before_server_stop")
        async def finish_replies(*_: Any) -> None:
            if self._sweeper is not None:
                self._sweeper.cancel()
            await self.wait_idle(timeout=DRAIN_TIMEOUT_SECONDS)

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

    # --- the inbox ---------------------------------------------------------------------------------
    def _spawn(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> None:
        task = asyncio.ensure_future(self._run_turn(inbound, on_new_message, app))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def take_over_unfinished(self, on_new_message: OnNewMessage, app: Any) -> int:
        """Answer the texts whose server stopped before replying; how many were taken over."""
        taken = await self.inbox.take_over()
        for message in taken:
            self._spawn(Inbound(
                phone=message.phone, sender_id=sender_id_for(message.phone, self._secret()), body=message.body,
                num_media=message.num_media, message_sid=message.message_sid, claim=Claim(message.id, message.token),
                attempts=message.attempts, taken_over=True,
            ), on_new_message, app)
        return len(taken)

    async def _sweep(self, on_new_message: OnNewMessage, app: Any) -> None:
        """At start and then every few seconds: take over what a stopped server left unanswered."""
        while True:
            try:
                await self.take_over_unfinished(on_new_message, app)
            except Exception as exc:  # the sweep must outlive any one failure
                logger.error("taking over unanswered texts failed: %s", type(exc).__name__)
            await asyncio.sleep(self._sweep_seconds)

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
            phone=phone, sender_id=sender_id_for(phone, self._secret()), body=body, num_media=num_media,
            message_sid=(params.get("MessageSid") or "").strip(),
        )

    async def wait_idle(self, timeout: Optional[float] = None) -> None:
        """Wait until every reply in progress has been sent (server shutdown, tests)."""
        while self._tasks:
            done, _ = await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None and not done:
                logger.warning("%d SMS turn(s) still running at shutdown", len(self._tasks))
                return

    # --- one turn --------------------------------------------------------------------------------
    async def _run_turn(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> None:
        """Handle one inbound text; messages from one sender are handled in order.

        Its inbox lease is kept from the start, while it waits behind the sender's earlier texts
        too, and the row is finished only once the reply went out: an unexpected failure or a reply
        Twilio did not take leaves it to be tried again (at most MAX_ATTEMPTS times).
        """
        lease = asyncio.ensure_future(self.inbox.keep_lease(inbound.claim)) if inbound.claim else None
        sent = False
        try:
            lock = self._locks.get(inbound.sender_id)
            if lock is None:
                lock = self._locks[inbound.sender_id] = asyncio.Lock()
            async with lock:
                if inbound.attempts > MAX_ATTEMPTS:
                    sent = await self._give_up(inbound)
                else:
                    try:
                        sent = await self._turn(inbound, on_new_message, app)
                    except Exception as exc:  # last line of defence for a background task
                        logger.error("SMS turn failed unexpectedly: %s", type(exc).__name__)
        finally:
            if lease is not None:
                lease.cancel()
        # Not reached when the task is cancelled (shutdown): the text stays to be taken over.
        if inbound.claim is not None and sent:
            await self.inbox.finish(inbound.claim)

    async def _give_up(self, inbound: Inbound) -> bool:
        """A text that failed MAX_ATTEMPTS times: the reply for when Rasa cannot answer (the crisis
        lines when the text reads as a crisis), then the row is closed whatever Twilio says."""
        logger.error("an inbound SMS failed %d times; answering it without Rasa and closing it", MAX_ATTEMPTS)
        await self._send_without_rasa(inbound)
        return True

    async def _turn(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> bool:
        """One text, start to finish; True once Twilio took the whole reply."""
        prog = self._program()
        if prog.on_call is not None:
            ack = await acks.answer(inbound.phone, inbound.body, self.now(), prog)
            if ack is not None:
                return await self._send(inbound, ack)
        opted_out = await self.opt_outs.is_opted_out(inbound.phone, inbound.sender_id)
        own = keywords.answer(inbound.body, inbound.num_media, opted_out, prog)
        if own is not None:
            if own.opt_out is not None:
                await self.opt_outs.record(inbound.phone, inbound.sender_id, own.opt_out)
            return await self._send(inbound, own.parts)

        if not await conversation_store_available(app):
            logger.error("conversation store unavailable; answering without Rasa")
            return await self._send_without_rasa(inbound)
        now = self.now()
        events = await conversation.recent_events(app, inbound.sender_id)
        if inbound.taken_over:
            earlier = conversation.replies_to(events, inbound.message_sid)
            if earlier is not None:  # Rasa handled it before its server stopped: send what it said
                return await self._send(inbound, sms.compose_sms(earlier or [{"text": failure_reply(inbound.body)}]))
        text = sms.map_numeric_reply(inbound.body, conversation.offered_buttons(events)) or inbound.body
        collector = conversation.SmsCollector()
        message = UserMessage(
            text, collector, inbound.sender_id, input_channel=self.name(), metadata={"channel": "sms"},
            message_id=inbound.message_sid or None,
        )
        try:
            await asyncio.wait_for(on_new_message(message), timeout=TURN_TIMEOUT_SECONDS)
        except Exception as exc:  # tracker store down, action server error, timeout...
            logger.error("SMS turn failed: %s; answering without Rasa", type(exc).__name__)
            # Whatever Rasa said before failing (a crisis reply comes first) still goes out; Rasa's
            # own crisis reply is not repeated, otherwise the rules choose between crisis and trouble.
            said = list(collector.messages)
            last = catalogue(prog).technical_trouble() if is_crisis_reply(said) else failure_reply(inbound.body)
            return await self._send(inbound, sms.compose_sms(said + [{"text": last}]))
        if not collector.messages:
            logger.warning("SMS turn produced no reply; answering without Rasa")
            return await self._send_without_rasa(inbound)

        prefix = ""
        messages = list(collector.messages)
        if conversation.starts_conversation(conversation.last_user_message_at(events), now):
            # The first text of a conversation says what is kept; a crisis reply still comes first.
            note = conversation.privacy_note(prog)
            if is_crisis_reply(collector.messages):
                messages.append({"text": note})
            else:
                prefix = "\n\n".join(p for p in (conversation.after_hours_note(now, prog), note) if p)
        return await self._send(inbound, sms.compose_sms(messages, prefix))

    async def _send_without_rasa(self, inbound: Inbound) -> bool:
        """The reply for when Rasa cannot answer: the crisis lines when the text reads as a crisis."""
        return await self._send(inbound, sms.compose_sms([{"text": failure_reply(inbound.body)}]))

    async def _send(self, inbound: Inbound, parts: Sequence[str]) -> bool:
        """Send the parts in order; True when Twilio took them all. A number Twilio reports as
        unsubscribed is recorded as opted out (nothing more to send: True)."""
        try:
            return await self.twilio.send(inbound.phone, parts)
        except RecipientUnsubscribed:
            await self.opt_outs.record(inbound.phone, inbound.sender_id, True)
            return True
