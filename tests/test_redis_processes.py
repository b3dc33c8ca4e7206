"""The Redis store across real processes: exactly once, and the accounting law, store-wide.

4 processes subscribe and 2 publish on one store; every handler records the event it
ran in a Redis list, so the test sees what every process dispatched.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from goeventbus import Event, OverrunPolicy
from goeventbus_variants.redisstore.server import RedisServer
from goeventbus_variants.redisstore.store import RedisEventStore

SUBSCRIBERS, PUBLISHERS, EACH = 4, 2, 200
WAIT = 60.0


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


def recording(url: str, log: str) -> dict[str, Any]:
    client = redis.Redis.from_url(url)

    def handler(ctx: Any, args: dict[str, Any]) -> None:
        client.rpush(log, args["id"])

    return {"p": handler}


def subscriber(url: str, name: str, log: str, who: int, size: int, policy: str) -> None:
    with RedisEventStore(
        recording(url, log), size, OverrunPolicy[policy], url=url, name=name
    ) as store:
        for n in range(EACH):
            store.subscribe(Event(f"{who}-{n}", "p", {"id": f"{who}-{n}"}))


def publisher(url: str, name: str, log: str, size: int, stop: Any) -> None:
    store = RedisEventStore(recording(url, log), size, url=url, name=name)
    while not stop.is_set():
        store.publish()
    store.publish()


def run(server: RedisServer, size: int, policy: str) -> tuple[Counter[str], RedisEventStore]:
    name, log = uuid.uuid4().hex, f"log:{uuid.uuid4().hex}"
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    publishers = [
        spawn.Process(target=publisher, args=(server.url, name, log, size, stop))
        for _ in range(PUBLISHERS)
    ]
    subscribers = [
        spawn.Process(target=subscriber, args=(server.url, name, log, who, size, policy))
        for who in range(SUBSCRIBERS)
    ]
    for process in publishers + subscribers:
        process.start()
    for process in subscribers:
        process.join(WAIT)
        assert process.exitcode == 0, f"subscriber exited with {process.exitcode} (or hung)"
    stop.set()
    for process in publishers:
        process.join(WAIT)
        assert process.exitcode == 0, f"publisher exited with {process.exitcode} (or hung)"
    store = RedisEventStore({}, size, url=server.url, name=name)
    ran = Counter(item.decode() for item in redis.Redis.from_url(server.url).lrange(log, 0, -1))
    return ran, store


def test_many_processes_dispatch_each_event_exactly_once(server: RedisServer) -> None:
    ran, store = run(server, 1 << 12, "DROP_OLDEST")
    sent = {f"{who}-{n}" for who in range(SUBSCRIBERS) for n in range(EACH)}
    stats = store.stats()
    assert stats.dropped == 0
    assert set(ran) == sent
    assert set(ran.values()) == {1}, "an event ran more than once"
    assert stats.published == stats.processed == len(sent)
    assert stats.balanced


def test_block_producers_against_slow_consumers_lose_nothing(server: RedisServer) -> None:
    ran, store = run(server, 8, "BLOCK")
    assert sum(ran.values()) == SUBSCRIBERS * EACH
    assert set(ran.values()) == {1}
    stats = store.stats()
    assert (stats.dropped, stats.rejected, stats.pending) == (0, 0, 0)
    assert stats.balanced


def stuck_publisher(url: str, name: str, signal_key: str) -> None:
    """Claims the pending events, then hangs in the first handler until it is killed."""
    client = redis.Redis.from_url(url)

    def hang(ctx: Any, args: dict[str, Any]) -> None:
        client.rpush(signal_key, args["id"])
        threading.Event().wait()

    RedisEventStore({"p": hang}, 64, url=url, name=name, lease=1.0).publish()


def test_a_publisher_killed_mid_dispatch_leaves_its_events_to_another(server: RedisServer) -> None:
    name, signal_key = uuid.uuid4().hex, f"in-handler:{uuid.uuid4().hex}"
    ran: list[str] = []
    survivor = RedisEventStore({"p": lambda ctx, args: ran.append(args["id"])}, 64,
                               url=server.url, name=name)  # fmt: skip
    for n in range(5):
        survivor.subscribe(Event(str(n), "p", {"id": str(n)}))
    victim = multiprocessing.get_context("spawn").Process(
        target=stuck_publisher, args=(server.url, name, signal_key)
    )
    victim.start()
    client = redis.Redis.from_url(server.url)
    assert client.blpop([signal_key], timeout=WAIT) is not None, "the victim never dispatched"
    assert survivor.stats().pending == 0  # the victim holds every event
    os.kill(victim.pid, signal.SIGKILL)  # type: ignore[arg-type]
    victim.join(WAIT)
    deadline = time.monotonic() + WAIT
    while len(ran) < 5:  # the victim's lease (1 s) runs out, then a publish recovers
        assert time.monotonic() < deadline, f"only {ran} recovered"
        survivor.publish()
        time.sleep(0.05)
    assert ran == ["0", "1", "2", "3", "4"]  # at least once: all of them, in order
    stats = survivor.stats()
    assert stats.processed == 5
    assert stats.balanced
    survivor.close()
    client.close()


def scheduling_victim(url: str, name: str, ready_key: str) -> None:
    """Schedules an event two seconds ahead, then dies before it is due (killed by the test)."""
    store = RedisEventStore({}, 64, url=url, name=name, lease=1.0)
    store.schedule_after(2.0, Event("t", "p", {"id": "t"}))
    redis.Redis.from_url(url).rpush(ready_key, 1)
    threading.Event().wait()


def test_a_timer_of_a_killed_process_fires_in_another(server: RedisServer) -> None:
    name, ready_key = uuid.uuid4().hex, f"scheduled:{uuid.uuid4().hex}"
    ran: list[str] = []
    survivor = RedisEventStore({"p": lambda ctx, args: ran.append(args["id"])}, 64,
                               url=server.url, name=name, lease=1.0)  # fmt: skip
    survivor.publish()  # a handle that publishes watches for dead handles' timers
    victim = multiprocessing.get_context("spawn").Process(
        target=scheduling_victim, args=(server.url, name, ready_key)
    )
    victim.start()
    client = redis.Redis.from_url(server.url)
    assert client.blpop([ready_key], timeout=WAIT) is not None, "the victim never scheduled"
    assert survivor.stats().timers_pending == 1
    os.kill(victim.pid, signal.SIGKILL)  # type: ignore[arg-type]
    victim.join(WAIT)
    deadline = time.monotonic() + WAIT
    while not ran:  # the victim's lease (1 s) runs out, the survivor adopts, then it is due
        assert time.monotonic() < deadline, "the dead process's timer never fired"
        time.sleep(0.05)
    time.sleep(0.2)
    assert ran == ["t"]
    stats = survivor.stats()
    assert (stats.timers_pending, stats.published, stats.processed) == (0, 1, 1)
    assert stats.balanced
    survivor.close()
    client.close()
