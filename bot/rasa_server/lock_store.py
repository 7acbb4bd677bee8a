"""Rasa's Redis lock store with two repairs, for more than one Rasa server (endpoints: `lock_store`).

Rasa serves one turn at a time per conversation with a queue of numbered tickets. Rasa 3.6's
RedisLockStore has two faults that show only with several servers:

- it changes a conversation's queue by reading it, changing it and writing it back, so two servers
  taking a ticket at the same moment can get the same number and run two turns of one conversation
  at once (or one's "done" can erase the other's ticket);
- a waiting turn goes ahead only while its own ticket is first in the queue. When the turn ahead
  died with its server, the waiter's own ticket can expire before it looks again (it looks once a
  second); from then on it waits until the web request times out: the person gets an error.

Here every change to a queue is one Redis transaction (WATCH/MULTI, retried on conflict), and a
waiting turn goes ahead as soon as no unexpired ticket numbered before its own is left, looking
every 50 ms. A ticket still expires after TICKET_LOCK_LIFETIME seconds (how long a server that died
mid-turn holds its conversation up).
"""
from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05
T = TypeVar("T")


class SafeRedisLockStore(RedisLockStore):
    """RedisLockStore whose queue changes are atomic and whose waiters survive a dead turn ahead."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], T]) -> T:
        """Apply `change` to the conversation's queue in one transaction; an empty queue is deleted."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
                    result = change(lock)
                    lock.remove_expired_tickets()
                    pipe.multi()
                    if lock.tickets:
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the queue meanwhile: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{type(exc).__name__}") from exc

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
        try:
            yield await self._acquire_lock(conversation_id, ticket, min(wait_time_in_seconds, POLL_SECONDS))
        finally:
            self.cleanup(conversation_id, ticket)

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Go ahead once no unexpired ticket before ours is left, even if ours has expired meanwhile."""
        while True:
            lock = self.get_lock(conversation_id) or TicketLock(conversation_id)
            if not any(t.number < ticket and not t.has_expired() for t in lock.tickets):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
