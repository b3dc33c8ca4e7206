"""The Redis store beyond the conformance suite: shared handles, recovery, failures.

Every test uses a private redis-server (``RedisServer``) and fresh store names.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from goeventbus import Context, DeadlineExceededError, Event, OverrunPolicy
from goeventbus_variants.redisstore import store as redis_store
from goeventbus_variants.redisstore.server import RedisServer, free_port
from goeventbus_variants.redisstore.store import RedisEventStore, ServerUnavailableError
from tests.conftest import Recorder, join, spawn


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


def handles(server: RedisServer, *recorders: Recorder, size: int = 64) -> list[RedisEventStore]:
    name = uuid.uuid4().hex
    return [RedisEventStore({"p": r}, size, url=server.url, name=name) for r in recorders]


def test_handles_on_one_name_share_the_ring_and_the_counters(server: RedisServer) -> None:
    first, second = Recorder("first"), Recorder("second")
    a, b = handles(server, first, second)
    for n in range(5):
        a.subscribe(Event(str(n), "p", {"n": n}))
    b.publish()
    a.publish()
    assert second.values() == [0, 1, 2, 3, 4]
    assert first.values() == []
    assert a.stats() == b.stats()
    assert a.stats().published == 5
    assert a.stats().processed == 5
    other = handles(server, Recorder())[0]
    assert other.stats().published == 0
    for store in (a, b, other):
        store.close()


def test_a_dead_process_claim_is_recovered_by_another(server: RedisServer) -> None:
    survivor = Recorder()
    a, b = handles(server, Recorder(), survivor)
    for n in range(3):
        a.subscribe(Event(str(n), "p", {"n": n}))
    claim, events = a._claim()  # claimed, then "the process dies" before dispatching
    assert [e.args for e in events] == [{"n": 0}, {"n": 1}, {"n": 2}]
    a._stop_keeping.set()
    a._client.zadd(a._keys.claims, {claim.id: 0})  # its lease has run out
    b.publish()
    assert survivor.values() == [0, 1, 2]
    assert not a._client.exists(a._keys.claim(claim.id))
    b.close()


def test_an_unreachable_server_is_a_clear_error_in_bounded_time() -> None:
    store = RedisEventStore({"p": Recorder()}, 8, url=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    with pytest.raises(ServerUnavailableError, match="unreachable"):
        store.subscribe(Event("1", "p", None))
    assert time.monotonic() - started < redis_store.SOCKET_TIMEOUT * 2


def test_what_cannot_cross_processes_is_refused_and_counted(server: RedisServer) -> None:
    store = handles(server, Recorder())[0]
    with pytest.raises(TypeError, match="cannot cross processes"):
        store.subscribe(Event("1", "p", {"s": {1, 2}}))
    assert store.stats().rejected == 1
    assert store.stats().pending == 0
    store.close()


def test_a_block_deadline_shorter_than_a_millisecond_is_not_a_forever_wait(
    server: RedisServer,
) -> None:
    """Redis reads a BLPOP timeout that rounds to 0 ms as "block forever"."""
    store = RedisEventStore({}, 1, OverrunPolicy.BLOCK, url=server.url, timeout=2.0)
    store.subscribe(Event("full", "p", None))
    for micros in range(50, 1000, 50):
        ctx = Context.background().with_timeout(micros / 1e6)
        outcome: list[BaseException] = []
        join(spawn(_recording_subscribe, store, ctx, outcome))
        assert len(outcome) == 1
        assert isinstance(outcome[0], DeadlineExceededError), outcome
    assert store.stats().pending == 1
    store.close()


def _recording_subscribe(
    store: RedisEventStore, ctx: Context, outcome: list[BaseException]
) -> None:
    try:
        store.subscribe(Event("late", "p", None), ctx)
    except BaseException as exc:
        outcome.append(exc)
