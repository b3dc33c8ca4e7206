"""Thread safety: properties checked under 1, 2, 4 and 8 threads sharing one store.

The interpreter's switch interval is shrunk while these run, so thread switches land
inside the store's critical paths, and each property is repeated; every run is bounded
(a hang fails with a message). None of these assert anything about time.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from goeventbus import (
    BufferFullError,
    Context,
    DeadlineExceededError,
    Event,
    OverrunPolicy,
    StoreClosedError,
)
from goeventbus_conformance.helpers import WAIT, Tally, join, run_threads, spawn, within

THREADS = [1, 2, 4, 8]
REPEAT = 3
MakeStore = Callable[..., Any]

pytestmark = pytest.mark.section("3", "4", "5")


@pytest.fixture(autouse=True)
def frequent_switches() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def event(ident: str, **extra: Any) -> Event:
    return Event(ident, "p", {"id": ident, **extra})


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("threads", THREADS)
def test_concurrent_publishers_dispatch_exactly_once(
    make_store: MakeStore, threads: int, round_: int
) -> None:
    tally = Tally()
    store = make_store({"p": tally}, 4096)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(200):
                store.subscribe(event(f"{name}-{n}"))
                if n % 3 == 0:
                    store.publish()

        return work

    run_threads([producer(f"t{i}") for i in range(threads)])
    store.publish()
    assert len(tally.counts) == threads * 200
    assert set(tally.counts.values()) == {1}, "an event was dispatched more than once"
    assert store.stats().dropped == 0


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("threads", THREADS)
def test_reentrant_publish_under_concurrency_is_exactly_once(
    make_store: MakeStore, threads: int, round_: int
) -> None:
    tally = Tally()
    holder: list[Any] = []

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        tally(ctx, args)
        if args.get("spawn"):
            holder[0].subscribe(event(args["id"] + "-child"))
            holder[0].publish()

    store = make_store({"p": handler}, 8192)
    holder.append(store)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(100):
                store.subscribe(event(f"{name}-{n}", spawn=True))
                store.publish()

        return work

    run_threads([producer(f"t{i}") for i in range(threads)])
    store.publish()
    assert len(tally.counts) == threads * 200
    assert set(tally.counts.values()) == {1}


@pytest.mark.parametrize("policy", list(OverrunPolicy))
@pytest.mark.parametrize("threads", THREADS)
def test_never_more_than_size_pending(
    make_store: MakeStore, policy: OverrunPolicy, threads: int
) -> None:
    size = 8
    store = make_store({}, size, policy)
    stop = threading.Event()
    peaks: list[int] = []

    def monitor() -> None:
        while not stop.is_set():
            peaks.append(store.stats().pending)

    def producer() -> None:
        for n in range(300):
            with contextlib.suppress(BufferFullError, DeadlineExceededError):
                store.subscribe(event(str(n)), Context.background().with_timeout(0.001))
            if n % 20 == 0:
                store.publish()

    watcher = spawn(monitor)
    run_threads([producer] * threads)
    stop.set()
    join(watcher)
    assert max(peaks) <= size, f"{max(peaks)} events pending in a store of size {size}"
    stats = store.stats()
    assert stats.published + stats.rejected == threads * 300


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("threads", THREADS)
def test_block_producers_and_a_consumer_lose_nothing(
    make_store: MakeStore, threads: int, round_: int
) -> None:
    tally = Tally()
    store = make_store({"p": tally}, 4, OverrunPolicy.BLOCK)
    done = threading.Event()

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(150):
                store.subscribe(event(f"{name}-{n}"), within())

        return work

    def consumer() -> None:
        deadline = within()
        while not (done.is_set() and store.stats().pending == 0):
            assert not deadline.done(), "the consumer gave up: producers never finished"
            store.publish()

    reader = spawn(consumer, name="consumer")
    run_threads([producer(f"t{i}") for i in range(threads)])
    done.set()
    join(reader)
    assert len(tally.counts) == threads * 150
    assert set(tally.counts.values()) == {1}
    stats = store.stats()
    assert (stats.dropped, stats.rejected) == (0, 0)


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("threads", THREADS)
def test_drop_oldest_accounting_is_exact(make_store: MakeStore, threads: int, round_: int) -> None:
    tally = Tally()
    store = make_store({"p": tally}, 16)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(300):
                store.subscribe(event(f"{name}-{n}"))
                if n % 40 == 0:
                    store.publish()

        return work

    run_threads([producer(f"t{i}") for i in range(threads)])
    store.publish()
    stats = store.stats()
    assert stats.published == threads * 300
    assert stats.processed == len(tally.counts) == stats.published - stats.dropped
    assert set(tally.counts.values()) == {1}


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("threads", THREADS)
def test_async_burst_loses_nothing(make_store: MakeStore, threads: int, round_: int) -> None:
    tally = Tally()
    store = make_store({"p": tally}, 1 << 14, async_mode=True, workers=4)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(200):
                store.subscribe(event(f"{name}-{n}"))
                if n % 10 == 0:
                    store.publish()
            store.publish()

        return work

    run_threads([producer(f"t{i}") for i in range(threads)])
    store.drain(within())
    assert len(tally.counts) == threads * 200
    assert set(tally.counts.values()) == {1}
    stats = store.stats()
    assert stats.in_flight == 0
    assert stats.processed == threads * 200


@pytest.mark.parametrize("async_mode", [False, True])
@pytest.mark.parametrize("threads", THREADS)
def test_drain_and_close_racing_publishers(
    make_store: MakeStore, threads: int, async_mode: bool
) -> None:
    tally = Tally()
    store = make_store({"p": tally}, 1 << 14, async_mode=async_mode, workers=2)
    accepted: Counter[str] = Counter()
    lock = threading.Lock()
    started = threading.Barrier(threads + 1, timeout=WAIT)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            started.wait()
            for n in range(300):
                ident = f"{name}-{n}"
                try:
                    store.subscribe(event(ident))
                    with lock:
                        accepted[ident] += 1
                    if n % 5 == 0:
                        store.publish()
                except StoreClosedError:
                    return

        return work

    def closer() -> None:
        started.wait()
        store.drain(within())
        store.close(within())

    closing = spawn(closer, name="closer")
    run_threads([producer(f"t{i}") for i in range(threads)])
    join(closing)
    assert tally.counts == accepted, "an accepted event was lost or duplicated around close"
    stats = store.stats()
    assert (stats.pending, stats.in_flight) == (0, 0)
