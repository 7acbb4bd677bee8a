"""Texts from one sender are answered in order, each under its inbox lease (inbox.py), and a text is
closed only once its reply went out; every few seconds, and at start, texts a stopped server left
unanswered are taken over. Turns run as background tasks so Twilio gets its 200 at once.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Awaitable, Callable, Optional, Set

from bot.rasa_server.sms.inbox import Claim, Inbox
from bot.rasa_server.sms.turn import Inbound, OnNewMessage

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 10.0  # how often each server looks for texts a stopped server left

Run = Callable[[Inbound, OnNewMessage, Any], Awaitable[bool]]


class TextQueue:
    """The background turns of one server process."""

    def __init__(self, inbox: Inbox, run: Run, sender_id: Callable[[str], str], sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.inbox = inbox
        self._run = run
        self._sender_id = sender_id
        self._sweep_seconds = sweep_seconds
        self._sweeper: Optional["asyncio.Task[None]"] = None
        self._tasks: Set["asyncio.Task[None]"] = set()
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()

    def spawn(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> None:
        task = asyncio.ensure_future(self._answer(inbound, on_new_message, app))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, inbound: Inbound, on_new_message: OnNewMessage, app: Any) -> None:
        """Its inbox lease is kept from the start, while it waits behind the sender's earlier texts
        too; an unexpected failure or a reply Twilio did not take leaves it to be tried again."""
        lease = asyncio.ensure_future(self.inbox.keep_lease(inbound.claim)) if inbound.claim else None
        sent = False
        try:
            lock = self._locks.get(inbound.sender_id)
            if lock is None:
                lock = self._locks[inbound.sender_id] = asyncio.Lock()
            async with lock:
                try:
                    sent = await self._run(inbound, on_new_message, app)
                except Exception as exc:  # last line of defence for a background task
                    logger.error("SMS turn failed unexpectedly: %s", type(exc).__name__)
        finally:
            if lease is not None:
                lease.cancel()
        # Not reached when the task is cancelled (shutdown): the text stays to be taken over.
        if inbound.claim is not None and sent:
            await self.inbox.finish(inbound.claim)

    async def take_over_unfinished(self, on_new_message: OnNewMessage, app: Any) -> int:
        """Answer the texts whose server stopped before replying; how many were taken over."""
        taken = await self.inbox.take_over()
        for message in taken:
            self.spawn(Inbound(
                phone=message.phone, sender_id=self._sender_id(message.phone), body=message.body,
                num_media=message.num_media, message_sid=message.message_sid, claim=Claim(message.id, message.token),
                attempts=message.attempts, taken_over=True,
            ), on_new_message, app)
        return len(taken)

    def start_sweeping(self, on_new_message: OnNewMessage, app: Any) -> None:
        self._sweeper = asyncio.ensure_future(self._sweep(on_new_message, app))

    async def _sweep(self, on_new_message: OnNewMessage, app: Any) -> None:
        while True:
            try:
                await self.take_over_unfinished(on_new_message, app)
            except Exception as exc:  # the sweep must outlive any one failure
                logger.error("taking over unanswered texts failed: %s", type(exc).__name__)
            await asyncio.sleep(self._sweep_seconds)

    async def stop(self, timeout: float) -> None:
        """Stop sweeping and let the replies in progress go out (server shutdown)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        await self.wait_idle(timeout=timeout)

    async def wait_idle(self, timeout: Optional[float] = None) -> None:
        """Wait until every reply in progress has been sent (server shutdown, tests)."""
        while self._tasks:
            done, _ = await asyncio.wait(set(self._tasks), timeout=timeout)
            if timeout is not None and not done:
                logger.warning("%d SMS turn(s) still running at shutdown", len(self._tasks))
                return
