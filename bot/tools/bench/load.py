"""Load generation: the scripted conversations and the asyncio + aiohttp client that drives them.

The script is what a person considering the program does (greeting, FAQ questions, the fit check by
button payloads, a callback request), so the numbers are for the paths that matter. aiohttp is imported
only when load is generated, so the profiling child can reuse the script without it.
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from bot.tools.bench.stats import latency_summary

LOOPBACK = "127.0.0.1"

FAQ_QUESTIONS = [
    "what is iop",
    "how much does it cost",
    "do you take my insurance",
    "what are the hours",
    "how long does the program last",
    "can my family be involved",
    "can i keep working while i do this",
    "do i need detox first",
    "is there drug testing",
    "can i attend online",
]

# (kind, value): "say" sends the text; "click" sends the payload of the first button whose title
# contains the value (as the widget does), or the value itself when no such button was offered.
Step = Tuple[str, str]


def conversation_script(index: int) -> List[Step]:
    """A conversation: greeting, three FAQ questions, the full fit check, a callback request."""
    faqs = [FAQ_QUESTIONS[(index + k) % len(FAQ_QUESTIONS)] for k in range(3)]
    steps: List[Step] = [("say", "hi")]
    steps += [("say", q) for q in faqs]
    steps += [("say", "/start_screening"), ("click", "Myself")]
    # concern, self_harm, overdose, daily_use, medical, psychosis_mania, home, readiness -> IOP fits
    steps += [("click", a) for a in ("Alcohol", "No", "No", "No", "No", "No", "Yes", "Yes")]
    steps += [("click", "callback"), ("click", "Yes"), ("say", "Robin"), ("say", "(410) 555-0177")]
    steps += [("click", "Evening"), ("click", "Yes"), ("click", "No"), ("click", "Yes")]
    return steps


def pick_payload(replies: List[Dict[str, Any]], title_part: str) -> Tuple[str, bool]:
    """(payload, found) for a button whose title contains title_part (exact title preferred)."""
    buttons = [b for m in replies for b in (m.get("buttons") or [])]
    wanted = title_part.lower()
    for button in buttons:
        if str(button.get("title", "")).lower() == wanted:
            return str(button.get("payload", "")), True
    for button in buttons:
        if wanted in str(button.get("title", "")).lower():
            return str(button.get("payload", "")), True
    return title_part, False


@dataclass
class LoadResult:
    """Raw outcome of one load level for one model."""

    users: int
    conversations: int
    latencies_s: List[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Dict[str, int] = field(default_factory=dict)
    off_script: int = 0
    completed: int = 0
    completed_senders: List[str] = field(default_factory=list)
    wall_s: float = 0.0

    def add_error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def summary(self) -> Dict[str, Any]:
        data = latency_summary(self.latencies_s, self.wall_s, len(self.latencies_s), self.errors)
        data.update({
            "users": self.users, "conversations": self.conversations, "completed": self.completed,
            "off_script": self.off_script, "error_kinds": dict(self.error_kinds),
        })
        return data


async def run_load(
    rasa_url: str,
    users: int,
    conversations: int,
    sender_prefix: str,
    trouble_text: str = "",
    request_timeout: float = 60.0,
    level_timeout: float = 900.0,
    think_time: float = 0.0,
    duration_s: float = 0.0,
) -> LoadResult:
    """`conversations` scripted conversations through the REST channel, `users` at a time.

    Every message counts once in the latency list (failed ones too, with their time until failure)
    and is an error when the status is not 200, the reply is empty or is the technical-trouble text.
    think_time > 0: a pause before each message, uniform in [0.5, 1.5] x think_time (seeded per
    conversation), as a person reading and typing; the pauses are not part of any latency.
    duration_s > 0: users start new conversations (up to `conversations`) only until then; each
    finishes the one it is in. `conversations` then counts those started.
    """
    import aiohttp

    if not rasa_url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"benchmark traffic goes to {LOOPBACK} only, not {rasa_url}")
    url = f"{rasa_url}/webhooks/rest/webhook"
    result = LoadResult(users=users, conversations=conversations)
    queue: "asyncio.Queue[int]" = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(i)

    async def send(session: "aiohttp.ClientSession", sender: str, text: str) -> List[Dict[str, Any]]:
        start = time.perf_counter()
        replies: List[Dict[str, Any]] = []
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as resp:
                body = await resp.read()
                status = resp.status
            if status != 200:
                result.add_error(f"http_{status}")
            else:
                parsed = json.loads(body)
                replies = parsed if isinstance(parsed, list) else []
                if not replies:
                    result.add_error("empty_reply")
                elif trouble_text and any(trouble_text in (m.get("text") or "") for m in replies):
                    result.add_error("technical_trouble")
        except asyncio.TimeoutError:
            result.add_error("timeout")
        except (aiohttp.ClientError, ValueError) as exc:
            result.add_error(type(exc).__name__)
        finally:
            result.latencies_s.append(time.perf_counter() - start)
        return replies

    async def converse(session: "aiohttp.ClientSession", index: int) -> None:
        sender = f"{sender_prefix}-{index}"
        pacing = random.Random(index)
        replies: List[Dict[str, Any]] = []
        for kind, value in conversation_script(index):
            if think_time > 0:
                await asyncio.sleep(think_time * pacing.uniform(0.5, 1.5))
            text = value
            if kind == "click":
                text, found = pick_payload(replies, value)
                result.off_script += not found
            replies = await send(session, sender, text)
        if any("reference" in (m.get("text") or "").lower() for m in replies):
            result.completed += 1
            result.completed_senders.append(sender)

    async def user(session: "aiohttp.ClientSession") -> None:
        while not stop_at or time.perf_counter() < stop_at:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await converse(session, index)

    timeout = aiohttp.ClientTimeout(total=request_timeout)
    connector = aiohttp.TCPConnector(limit=users, force_close=False)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        start = time.perf_counter()
        stop_at = start + duration_s if duration_s > 0 else 0.0
        tasks = [asyncio.create_task(user(session)) for _ in range(users)]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=level_timeout)
        except asyncio.TimeoutError:
            unsent = queue.qsize()
            result.add_error("level_timeout")
            result.error_kinds["conversations_not_started"] = unsent
        result.wall_s = time.perf_counter() - start
    if stop_at:
        result.conversations = conversations - queue.qsize()
    return result


def messages_per_conversation() -> int:
    """Messages one scripted conversation sends (all scripts have the same length)."""
    return len(conversation_script(0))
