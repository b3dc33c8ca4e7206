"""Thread safety: concurrent subscribers and publishers, BLOCK producers, async bursts.

The interpreter's switch interval is shrunk while these run so that thread switches
land inside the store's critical paths, where races would show.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from goeventbus import Context, Event, EventStore, OverrunPolicy, StoreClosedError
from tests.conftest import WAIT, join, spawn, within

THREADS = [1, 2, 4, 8]


@pytest.fixture(autouse=True)
def frequent_switches() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


class Tally:
    """Counts deliveries per event id, from any thread."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, ctx: Context, args: dict[str, Any]) -> None:
        with self._lock:
            self.counts[args["id"]] += 1


def run_all(workers: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [spawn(guarded, work, name=f"worker-{i}") for i, work in enumerate(workers)]
    for thread in threads:
        join(thread)
    assert errors == []


@pytest.mark.parametrize("threads", THREADS)
def test_concurrent_subscribers_and_publishers_dispatch_exactly_once(
    make_store: Callable[..., EventStore], threads: int
) -> None:
    tally = Tally()
    per_thread = 300
    store = make_store({"p": tally}, size=4096)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(per_thread):
                store.subscribe(Event(projection="p", args={"id": f"{name}-{n}"}))
                if n % 7 == 0:
                    store.publish()

        return work

    run_all([producer(f"t{i}") for i in range(threads)])
    store.publish()
    assert len(tally.counts) == threads * per_thread
    assert set(tally.counts.values()) == {1}
    stats = store.stats()
    assert stats.balanced
    assert stats.dropped == 0


@pytest.mark.parametrize("threads", THREADS)
def test_reentrant_publish_under_concurrency_is_exactly_once(
    make_store: Callable[..., EventStore], threads: int
) -> None:
    tally = Tally()
    store: EventStore

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        tally(ctx, args)
        if args.get("spawn"):
            store.subscribe(Event(projection="p", args={"id": args["id"] + "-child"}))
            store.publish()

    store = make_store({"p": handler}, size=8192)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(150):
                store.subscribe(Event(projection="p", args={"id": f"{name}-{n}", "spawn": True}))
                store.publish()

        return work

    run_all([producer(f"t{i}") for i in range(threads)])
    store.publish()
    assert len(tally.counts) == threads * 150 * 2
    assert set(tally.counts.values()) == {1}
    assert store.stats().balanced


@pytest.mark.parametrize("policy", list(OverrunPolicy))
@pytest.mark.parametrize("threads", THREADS)
def test_never_more_than_size_pending(
    make_store: Callable[..., EventStore], policy: OverrunPolicy, threads: int
) -> None:
    size = 8
    store = make_store({}, size=size, policy=policy)
    stop = threading.Event()
    peaks: list[int] = []

    def monitor() -> None:
        while not stop.is_set():
            peaks.append(store.stats().pending)

    def producer() -> None:
        for n in range(200):
            with contextlib.suppress(Exception):
                store.subscribe(Event(projection="p"), Context.background().with_timeout(0.001))
            if n % 16 == 0:
                store.publish()

    watcher = spawn(monitor)
    run_all([producer] * threads)
    stop.set()
    join(watcher)
    assert max(peaks) <= size
    stats = store.stats()
    assert stats.pending <= size
    assert stats.balanced
    assert stats.published + stats.rejected == threads * 200


@pytest.mark.parametrize("threads", THREADS)
def test_block_producers_and_a_consumer_lose_nothing(
    make_store: Callable[..., EventStore], threads: int
) -> None:
    tally = Tally()
    per_thread = 200
    store = make_store({"p": tally}, size=4, policy=OverrunPolicy.BLOCK)
    producers_done = threading.Event()

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(per_thread):
                store.subscribe(Event(projection="p", args={"id": f"{name}-{n}"}), within())

        return work

    def consumer() -> None:
        deadline = within()
        while not (producers_done.is_set() and store.stats().pending == 0):
            assert not deadline.done(), "consumer gave up: producers never finished"
            store.publish()

    reader = spawn(consumer, name="consumer")
    run_all([producer(f"t{i}") for i in range(threads)])
    producers_done.set()
    join(reader)
    assert len(tally.counts) == threads * per_thread
    assert set(tally.counts.values()) == {1}
    stats = store.stats()
    assert (stats.dropped, stats.rejected) == (0, 0)
    assert stats.balanced


@pytest.mark.parametrize("threads", THREADS)
def test_drop_oldest_accounting_is_exact(
    make_store: Callable[..., EventStore], threads: int
) -> None:
    tally = Tally()
    store = make_store({"p": tally}, size=16)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(300):
                store.subscribe(Event(projection="p", args={"id": f"{name}-{n}"}))
                if n % 50 == 0:
                    store.publish()

        return work

    run_all([producer(f"t{i}") for i in range(threads)])
    store.publish()
    stats = store.stats()
    assert stats.published == threads * 300
    assert stats.processed == len(tally.counts) == stats.published - stats.dropped
    assert set(tally.counts.values()) == {1}


@pytest.mark.parametrize("threads", THREADS)
def test_async_burst_loses_nothing(make_store: Callable[..., EventStore], threads: int) -> None:
    tally = Tally()
    store = make_store({"p": tally}, size=1 << 14, async_mode=True, workers=4)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(250):
                store.subscribe(Event(projection="p", args={"id": f"{name}-{n}"}))
                if n % 10 == 0:
                    store.publish()
            store.publish()

        return work

    run_all([producer(f"t{i}") for i in range(threads)])
    store.drain(within())
    assert len(tally.counts) == threads * 250
    assert set(tally.counts.values()) == {1}
    assert store.stats().balanced


@pytest.mark.parametrize("async_mode", [False, True])
@pytest.mark.parametrize("threads", THREADS)
def test_close_racing_publishers_loses_nothing(
    make_store: Callable[..., EventStore], threads: int, async_mode: bool
) -> None:
    tally = Tally()
    store = make_store({"p": tally}, size=1 << 14, async_mode=async_mode, workers=2)
    accepted = Counter[str]()
    lock = threading.Lock()
    started = threading.Barrier(threads + 1, timeout=WAIT)

    def producer(name: str) -> Callable[[], None]:
        def work() -> None:
            started.wait()
            for n in range(400):
                event_id = f"{name}-{n}"
                try:
                    store.subscribe(Event(projection="p", args={"id": event_id}))
                    with lock:
                        accepted[event_id] += 1
                    if n % 5 == 0:
                        store.publish()
                except StoreClosedError:
                    return

        return work

    closer = spawn(lambda: (started.wait(), store.drain(within()), store.close(within())))
    run_all([producer(f"t{i}") for i in range(threads)])
    join(closer)
    assert tally.counts == accepted
    assert store.stats().balanced
    assert store.stats().pending == 0
