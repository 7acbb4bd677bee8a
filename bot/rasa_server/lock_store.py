"""Rasa's Redis lock store with repairs, for more than one Rasa server (endpoints: `lock_store`).

Rasa serves one turn at a time per conversation with a queue of numbered tickets. Rasa 3.6's
RedisLockStore has faults that show only with several servers:

- it changes a conversation's queue by reading it, changing it and writing it back, so two servers
  taking a ticket at the same moment can get the same number and run two turns of one conversation
  at once (or one's "done" can erase the other's ticket);
- numbers start again at 0 whenever the queue empties, and tickets expire after a fixed lifetime
  even while their turn is still waiting or running;
- a waiting turn goes ahead only while its own ticket is first in the queue. When the turn ahead
  died with its server, the waiter's own ticket can expire before it looks again (it looks once a
  second); from then on it waits until the web request times out: the person gets an error.

Here every change to a queue is one Redis transaction (WATCH/MULTI, retried on conflict); numbers
come from a counter that never goes back; a live turn keeps its ticket fresh, while it waits and
while it runs, so only a dead server's ticket expires (after TICKET_LOCK_LIFETIME seconds: how long
it holds its conversation up); and a turn goes ahead as soon as no unexpired ticket numbered before
its own is left, looking every 50 ms.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, TypeVar

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05
COUNTER = "counter:"  # key of a conversation's ticket counter, after the store's prefix
COUNTER_SECONDS = 24 * 3600  # an idle conversation's counter goes after a day (its queue is long empty)
T = TypeVar("T")
logger = logging.getLogger(__name__)


def _put(lock: TicketLock, number: int, lifetime: float) -> None:
    """Queue ticket `number` (or renew it) to expire `lifetime` from now; the queue stays in number order."""
    for ticket in list(lock.tickets):
        if ticket.number == number:
            lock.tickets.remove(ticket)
    lock.tickets.append(Ticket(number, time.time() + lifetime))
    lock.tickets = deque(sorted(lock.tickets, key=lambda t: t.number))


class SafeRedisLockStore(RedisLockStore):
    """RedisLockStore whose queue changes are atomic and whose waiters survive a dead turn ahead."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], T], number_next: bool = False) -> T:
        """Apply `change` to the conversation's queue in one transaction; an empty queue is deleted.

        number_next: `change` receives the next ticket number as well, drawn from the counter in the
        same transaction, so a number is never seen in use before every lower one is queued.
        """
        import redis

        key = self.key_prefix + conversation_id
        counter = self.key_prefix + COUNTER + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key, counter)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
                    number = int(pipe.get(counter) or 0) + 1 if number_next else 0
                    result = change(lock, number) if number_next else change(lock)  # type: ignore[call-arg]
                    lock.remove_expired_tickets()
                    pipe.multi()
                    if number_next:
                        pipe.set(counter, number, ex=COUNTER_SECONDS)
                    if lock.tickets:
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the queue meanwhile: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A number no other turn of this conversation has had, queued with `lock_lifetime`."""

        def queue(lock: TicketLock, number: int) -> int:
            _put(lock, number, lock_lifetime)
            return number

        try:
            return self._change(conversation_id, queue, number_next=True)  # type: ignore[arg-type]
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{type(exc).__name__}") from exc

    def refresh(self, conversation_id: Text, ticket_number: int, lock_lifetime: float = LOCK_LIFETIME) -> None:
        """Our turn is alive: its ticket expires `lock_lifetime` from now (queued again if it had)."""
        self._change(conversation_id, lambda lock: _put(lock, ticket_number, lock_lifetime))

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove our ticket; the queue's key goes with its last ticket, in the same transaction."""
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.ensure_future(self._keep_fresh(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, min(wait_time_in_seconds, POLL_SECONDS))
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _keep_fresh(self, conversation_id: Text, ticket: int, lock_lifetime: float) -> None:
        while True:
            await asyncio.sleep(max(0.01, lock_lifetime / 4))
            try:  # in the loop, like Rasa's own calls: a thread could write after the cleanup
                self.refresh(conversation_id, ticket, lock_lifetime)
            except Exception as exc:  # Redis away for a moment: the next round tries again
                logger.error("could not refresh a conversation lock: %s", type(exc).__name__)

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Go ahead once no unexpired ticket numbered before ours is left."""
        while True:
            lock = self.get_lock(conversation_id) or TicketLock(conversation_id)
            if not any(t.number < ticket and not t.has_expired() for t in lock.tickets):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
