"""SMS through Twilio at /webhooks/twilio_sms/webhook.

Rasa's built-in Twilio channel accepts unsigned requests, sends one SMS per button with raw
payloads, fails with HTTP 500 on a picture without text and sends with a blocking client inside
the event loop. This channel instead:
- accepts only requests signed by Twilio (X-Twilio-Signature over PUBLIC_BASE_URL + path + query),
  and rejects everything when TWILIO_AUTH_TOKEN is not set;
- answers Twilio at once with empty TwiML and runs the turn in a background task, sending the
  reply through Twilio's REST API with aiohttp (timeout, retries);
- never lets a phone number become a conversation id or reach a log line: the sender id is an
  HMAC of the number, and the number itself is only held in memory until the reply is sent;
- honours carrier keywords (STOP/START/HELP) before Rasa sees the message, and stays silent to an
  opted-out number until START;
- turns buttons into one numbered line and maps a "2" back to that button's payload, using the
  buttons stored in the conversation tracker (so it survives a restart);
- puts an after-hours note before the first reply of a conversation that starts while the office
  is closed, but never before a crisis reply;
- answers with the technical-trouble text (crisis numbers included) if Rasa fails or says nothing.

Settings come from environment variables only: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
TWILIO_FROM_NUMBER, PUBLIC_BASE_URL, TWILIO_API_BASE, IOP_ID_SECRET.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import unicodedata
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Text, Tuple
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot import hours
from bot.rasa_server.sms import format as sms
from bot.store import storage
from bot.replies import failure_reply, technical_trouble_text
from bot.settings import Program, env, program
from bot.rasa_server.tracker_store import conversation_store_available

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.twilio.com"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
SEND_TIMEOUT_SECONDS = 10.0
SEND_ATTEMPTS = 3
TURN_TIMEOUT_SECONDS = 60.0
DRAIN_TIMEOUT_SECONDS = 15.0
SEEN_MESSAGE_SIDS = 1000
TWILIO_UNSUBSCRIBED = 21610  # Twilio error: the recipient replied STOP at carrier level.
CRISIS_ACTIONS = ("utter_crisis",)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Clock = Callable[[], dt.datetime]


def sender_id_for(phone_e164: str, secret: bytes) -> str:
    """The Rasa conversation id of a phone number: a keyed hash, so ids reveal no number."""
    digest = hmac.new(secret, phone_e164.encode("utf-8"), hashlib.sha256).hexdigest()
    return "sms-" + digest[:32]


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


def clean_body(text: Optional[str]) -> str:
    """Inbound text without control characters (NUL breaks PostgreSQL), capped at 1,600 characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[: sms.MAX_INBOUND_CHARS]


def offered_buttons(events: Iterable[Any]) -> List[Dict[str, Any]]:
    """Buttons of the last bot message with buttons since the user's last message ([] if none).

    Matches what `sms.compose_sms` numbered in that turn, so "2" means what the user saw.
    """
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            data = event.data or {}
            buttons = data.get("buttons") or data.get("quick_replies")
            if buttons:
                return list(buttons)
    return []


def last_user_message_at(events: Iterable[Any]) -> Optional[dt.datetime]:
    """When the user last wrote (UTC), or None for a new conversation."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered) and event.timestamp:
            return dt.datetime.fromtimestamp(event.timestamp, tz=dt.timezone.utc)
    return None


def is_crisis_turn(text: str, bot_messages: Sequence[Mapping[str, Any]]) -> bool:
    """Whether this turn is about a crisis: the safety rules fire on the text, or Rasa answered with one."""
    if any(str(m.get("utter_action") or "").startswith(CRISIS_ACTIONS) for m in bot_messages):
        return True
    try:
        from bot.safety import detect_crisis
    except ImportError:
        return False
    try:
        return detect_crisis(text) is not None
    except Exception as exc:  # a bug in the detector must not cost the user the reply
        logger.error("crisis detection failed: %s", type(exc).__name__)
        return False


class SmsCollector(CollectingOutputChannel):
    """Collects one turn's bot messages; named twilio_sms so Rasa picks the SMS variations."""

    @classmethod
    def name(cls) -> Text:
        return "twilio_sms"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        text = str(message.get("text") or "")
        image = message.get("image")
        if image:
            text = f"{text}\n{image}".strip()
        buttons = list(message.get("buttons") or message.get("quick_replies") or [])
        if text.strip() or buttons:
            self.messages.append(
                {
                    "recipient_id": recipient_id,
                    "text": text,
                    "buttons": buttons,
                    "utter_action": message.get("utter_action"),
                }
            )


@dataclass(frozen=True)
class Inbound:
    """One inbound text; `phone` stays in memory only, to address the reply (kept out of repr)."""

    phone: str = field(repr=False)
    sender_id: str
    body: str = field(repr=False)
    num_media: int = 0


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
        now: Optional[Clock] = None,
        program_settings: Optional[Callable[[], Program]] = None,
        retry_delay: float = 0.5,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.public_base_url = public_base_url
        self.api_base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self._id_secret = id_secret.encode("utf-8") if id_secret else None
        self._now = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self._program = program_settings or program
        self.retry_delay = retry_delay
        self._tasks: Set["asyncio.Task[None]"] = set()
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()
        self._seen: "OrderedDict[str, None]" = OrderedDict()
        self._local_opt_outs: Set[str] = set()  # sender ids, for when the database is down
        self._warned: Set[str] = set()

    # --- helpers ---------------------------------------------------------------------------------
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

    def _is_valid(self, request: Request, params: RequestParameters) -> bool:
        if not self.auth_token:
            self._warn_once(
                "auth_token", "TWILIO_AUTH_TOKEN is not set: rejecting every SMS webhook request."
            )
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

    def _first_time(self, message_sid: str) -> bool:
        """False for a MessageSid seen recently (Twilio retried the webhook)."""
        if not message_sid:
            return True
        if message_sid in self._seen:
            return False
        self._seen[message_sid] = None
        while len(self._seen) > SEEN_MESSAGE_SIDS:
            self._seen.popitem(last=False)
        return True

    def _parse(self, params: RequestParameters) -> Optional[Inbound]:
        raw_from = (params.get("From") or "").strip()
        if not raw_from:
            return None
        try:
            phone = storage.normalize_phone(raw_from) or raw_from
        except Exception as exc:  # Twilio sends E.164 already; normalising is a safeguard
            logger.error("could not normalise the sender number: %s", type(exc).__name__)
            phone = raw_from
        try:
            num_media = int(params.get("NumMedia") or 0)
        except ValueError:
            num_media = 0
        return Inbound(
            phone=phone,
            sender_id=sender_id_for(phone, self._secret()),
            body=clean_body(params.get("Body")),
            num_media=num_media,
        )

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self, timeout: Optional[float] = None) -> None:
        """Wait until every reply in progress has been sent (server shutdown, tests)."""
        while self._tasks:
            done, _ = await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None and not done:
                logger.warning("%d SMS turn(s) still running at shutdown", len(self._tasks))
                return

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
            elif self._first_time(params.get("MessageSid") or ""):
                self._spawn(self._run_turn(inbound, on_new_message, request.app))
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @webhook.listener("before_server_stop")
        async def finish_replies(*_: Any) -> None:
            await self.wait_idle(timeout=DRAIN_TIMEOUT_SECONDS)

        return webhook

    # --- one turn --------------------------------------------------------------------------------
    async def _run_turn(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> None:
        """Handle one inbound text; messages from one sender are handled in order."""
        lock = self._locks.get(inbound.sender_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[inbound.sender_id] = lock
        async with lock:
            try:
                await self._turn(inbound, on_new_message, app)
            except Exception as exc:  # last line of defence for a background task
                logger.error("SMS turn failed unexpectedly: %s", type(exc).__name__)

    async def _turn(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> None:
        prog = self._program()
        keyword = sms.classify_keyword(inbound.body)
        if keyword == "stop":
            if await self._opted_out(inbound):
                return
            await self._set_opt_out(inbound, True)
            await self._send(inbound, [sms.to_gsm7(sms.stop_confirmation(prog))])
            return
        if keyword == "start":
            await self._set_opt_out(inbound, False)
            await self._send(inbound, [sms.to_gsm7(sms.start_confirmation(prog))])
            return
        if await self._opted_out(inbound):
            logger.info("message from an opted-out number: not answered")
            return
        if keyword == "help":
            await self._send(inbound, sms.split_message(sms.to_gsm7(sms.help_text(prog))))
            return
        if not inbound.body:
            text = sms.media_only_text(prog) if inbound.num_media > 0 else sms.empty_message_text(prog)
            await self._send(inbound, sms.split_message(sms.to_gsm7(text)))
            return

        if not await conversation_store_available(app):
            logger.error("conversation store unavailable; answering without Rasa")
            await self._send(inbound, sms.compose_sms([{"text": failure_reply(inbound.body)}]))
            return
        now = self.now()
        events = await self._tracker_events(app, inbound.sender_id)
        text = sms.map_numeric_reply(inbound.body, offered_buttons(events)) or inbound.body
        new_conversation = sms.starts_conversation(last_user_message_at(events), now)

        collector = SmsCollector()
        try:
            await asyncio.wait_for(
                on_new_message(
                    UserMessage(
                        text,
                        collector,
                        inbound.sender_id,
                        input_channel=self.name(),
                        metadata={"channel": "sms"},
                    )
                ),
                timeout=TURN_TIMEOUT_SECONDS,
            )
        except Exception as exc:  # tracker store down, action server error, timeout...
            logger.error("SMS turn failed: %s; sending the technical-trouble message", type(exc).__name__)
            # Whatever Rasa said before failing (a crisis reply comes first) still goes out.
            trouble = list(collector.messages) + [{"text": technical_trouble_text()}]
            await self._send(inbound, sms.compose_sms(trouble))
            return
        if not collector.messages:
            logger.warning("SMS turn produced no reply; sending the technical-trouble message")
            await self._send(inbound, sms.compose_sms([{"text": technical_trouble_text()}]))
            return

        prefix = ""
        if new_conversation and not is_crisis_turn(inbound.body, collector.messages):
            prefix = self._after_hours_prefix(now, prog)
        await self._send(inbound, sms.compose_sms(collector.messages, prefix))

    def _after_hours_prefix(self, now: dt.datetime, prog: Program) -> str:
        """The after-hours note if the office is closed now; '' when open or unknown."""
        try:
            if hours.is_open(now, prog):
                return ""
            return sms.after_hours_prefix(hours.next_opening(now, prog), now, prog)
        except Exception as exc:  # never lose a reply over a courtesy note
            logger.error("after-hours check failed: %s", type(exc).__name__)
            return ""

    async def _tracker_events(self, app: Any, sender_id: str) -> List[Any]:
        """Events of the current conversation session, or [] if there is none or the store fails."""
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return []
        try:
            tracker = await store.retrieve(sender_id)
        except Exception as exc:
            logger.error("could not read the conversation: %s", type(exc).__name__)
            return []
        return list(tracker.events) if tracker is not None else []

    # --- opt-out -----------------------------------------------------------------------------------
    async def _opted_out(self, inbound: Inbound) -> bool:
        """Stored opt-out status. If the database is down we answer (Twilio itself blocks numbers
        that sent STOP), unless this process saw the STOP itself."""
        if inbound.sender_id in self._local_opt_outs:
            return True
        try:
            return bool(await asyncio.to_thread(storage.is_sms_opted_out, inbound.phone))
        except Exception as exc:
            logger.error("opt-out status unavailable (%s); answering", type(exc).__name__)
            return False

    async def _set_opt_out(self, inbound: Inbound, opted_out: bool) -> None:
        """Record STOP/START; remembered in memory too, so a database outage can't undo a STOP."""
        if opted_out:
            self._local_opt_outs.add(inbound.sender_id)
        else:
            self._local_opt_outs.discard(inbound.sender_id)
        try:
            await asyncio.to_thread(storage.set_sms_opt_out, inbound.phone, opted_out)
        except Exception as exc:
            logger.error("could not store SMS opt-%s: %s", "out" if opted_out else "in", type(exc).__name__)
        logger.info("SMS opt-%s recorded", "out" if opted_out else "in")

    # --- sending -----------------------------------------------------------------------------------
    async def _send(self, inbound: Inbound, parts: Sequence[str]) -> None:
        """Send the parts in order through Twilio's Messages API."""
        if not parts:
            return
        if not (self.account_sid and self.auth_token and self.from_number):
            self._warn_once(
                "send_config",
                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are required to send SMS.",
            )
            return
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        timeout = aiohttp.ClientTimeout(total=SEND_TIMEOUT_SECONDS)
        auth = aiohttp.BasicAuth(self.account_sid, self.auth_token)
        async with aiohttp.ClientSession(timeout=timeout, auth=auth) as session:
            for part in parts:
                sent, error_code = await self._post(
                    session, url, {"To": inbound.phone, "From": self.from_number, "Body": part}
                )
                if error_code == TWILIO_UNSUBSCRIBED:
                    # The carrier already blocks this number; record it so we stop trying.
                    await self._set_opt_out(inbound, True)
                    return

    async def _post(
        self, session: aiohttp.ClientSession, url: str, data: Dict[str, str]
    ) -> Tuple[bool, Optional[int]]:
        """POST one message with retries on 429/5xx/network errors; (sent, Twilio error code)."""
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                async with session.post(url, data=data) as resp:
                    if resp.status < 300:
                        return True, None
                    code = await _error_code(resp)
                    if resp.status != 429 and resp.status < 500:
                        logger.error("Twilio refused an SMS: HTTP %s, error code %s", resp.status, code)
                        return False, code
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
        return False, None


async def _error_code(resp: aiohttp.ClientResponse) -> Optional[int]:
    """Twilio's numeric error code only: its error message may quote the phone number."""
    try:
        body = await resp.json(content_type=None)
        code = body.get("code") if isinstance(body, dict) else None
        return int(code) if code is not None else None
    except Exception:
        return None
