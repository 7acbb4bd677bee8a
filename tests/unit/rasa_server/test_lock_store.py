"""The lock store of the scaled profile (bot/rasa_server/lock_store.py) on a real Redis server:
tickets stay unique when servers take them at once, turns of one conversation never overlap across
servers, and a turn waiting behind one that died with its server goes ahead once that ticket expires,
where Rasa's own RedisLockStore waits until the request times out."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Iterator, List, Tuple

import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server.lock_store import SafeRedisLockStore
from tests.support.stack import TempRedis, new_redis


@pytest.fixture(scope="module")
def redis_server() -> Iterator[TempRedis]:
    server = new_redis()
    yield server
    server.stop()


def _store(server: TempRedis, cls: type = SafeRedisLockStore) -> RedisLockStore:
    return cls(host="127.0.0.1", port=server.port, password=server.password, db=0, key_prefix="test")


def test_rasa_builds_it_from_endpoints(redis_server: TempRedis) -> None:
    config = EndpointConfig(url="127.0.0.1", type="bot.rasa_server.lock_store.SafeRedisLockStore",
                            port=redis_server.port, password=redis_server.password, db=0, key_prefix="iop")
    store = LockStore.create(config)
    assert isinstance(store, SafeRedisLockStore) and store.key_prefix == "iop:lock:"
    assert store.red.ping()


def test_tickets_taken_at_once_by_several_servers_are_unique(redis_server: TempRedis) -> None:
    servers = [_store(redis_server) for _ in range(3)]
    numbers: List[int] = []
    barrier = threading.Barrier(6)

    def take(store: RedisLockStore) -> None:
        barrier.wait()
        for _ in range(30):
            numbers.append(store.issue_ticket("same-conversation", 30))

    threads = [threading.Thread(target=take, args=(servers[i % 3],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 181))
    servers[0].delete_lock("same-conversation")


def test_turns_of_one_conversation_never_overlap_across_servers(redis_server: TempRedis) -> None:
    """Two servers (two threads, each its own event loop and connection), many turns at once."""
    spans: List[Tuple[float, float]] = []
    barrier = threading.Barrier(2)

    async def turn(store: RedisLockStore) -> None:
        async with store.lock("busy-conversation", lock_lifetime=10):
            start = time.monotonic()
            await asyncio.sleep(0.005)
            spans.append((start, time.monotonic()))

    def server() -> None:
        store = _store(redis_server)
        barrier.wait()

        async def main() -> None:
            await asyncio.gather(*(turn(store) for _ in range(15)))

        asyncio.run(main())

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans.sort()
    assert len(spans) == 30
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:]))
    assert _store(redis_server).get_lock("busy-conversation") is None  # the last one out removed the queue


@pytest.mark.parametrize("cls, goes_ahead", [(SafeRedisLockStore, True), (RedisLockStore, False)])
def test_a_turn_behind_a_dead_one_goes_ahead_once_its_ticket_expires(
    redis_server: TempRedis, cls: type, goes_ahead: bool
) -> None:
    """The dead server's ticket and the waiter's expire almost together (the request was retried at once)."""
    store = _store(redis_server, cls)
    conversation = f"after-a-crash-{cls.__name__}"
    store.issue_ticket(conversation, 0.5)  # the turn whose server died

    async def waiter() -> float:
        start = time.monotonic()
        async with store.lock(conversation, lock_lifetime=0.55):
            return time.monotonic() - start

    async def main() -> float:
        return await asyncio.wait_for(waiter(), timeout=4)

    if goes_ahead:
        waited = asyncio.run(main())
        assert 0.4 <= waited < 1.5
    else:  # Rasa's own store: stuck until the request times out
        with pytest.raises(asyncio.TimeoutError):
            asyncio.run(main())
        store.delete_lock(conversation)


def test_a_turn_longer_than_the_lifetime_keeps_its_conversation(redis_server: TempRedis) -> None:
    """Only a dead server's ticket expires: a slow live turn keeps the next one waiting."""
    servers = [_store(redis_server) for _ in range(2)]
    spans: List[Tuple[str, float, float]] = []

    async def turn(store: RedisLockStore, name: str, seconds: float) -> None:
        async with store.lock("slow-conversation", lock_lifetime=0.3):
            start = time.monotonic()
            await asyncio.sleep(seconds)
            spans.append((name, start, time.monotonic()))

    async def main() -> None:
        first = asyncio.ensure_future(turn(servers[0], "slow", 1.2))  # four lifetimes
        await asyncio.sleep(0.1)
        await asyncio.gather(first, turn(servers[1], "next", 0.01))

    asyncio.run(main())
    slow, following = sorted(spans, key=lambda s: s[1])
    assert slow[0] == "slow" and following[1] >= slow[2]


def test_ticket_numbers_never_start_again(redis_server: TempRedis) -> None:
    store = _store(redis_server)
    first = store.issue_ticket("numbered", 10)
    store.cleanup("numbered", first)
    assert store.get_lock("numbered") is None  # the queue is gone...
    assert store.issue_ticket("numbered", 10) == first + 1  # ...the numbering is not
