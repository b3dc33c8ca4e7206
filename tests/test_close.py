"""SEMANTICS section 5a: close refuses, wakes, cancels, flushes, drains; idempotent."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import (
    Context,
    DeadlineExceededError,
    EventStore,
    ManualClock,
    OverrunPolicy,
    StoreClosedError,
)
from tests.conftest import WAIT, Recorder, blocked, join, numbered, spawn, within


def test_close_flushes_pending_events(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    store.subscribe_many(numbered(n) for n in range(3))
    store.close()
    assert recorder.values() == [0, 1, 2]
    stats = store.stats()
    assert (stats.pending, stats.processed) == (3 - 3, 3)
    assert stats.balanced


def test_close_flushes_through_async_workers(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=32, async_mode=True, workers=2)
    store.subscribe_many(numbered(n) for n in range(20))
    store.close(within())
    assert sorted(recorder.values()) == list(range(20))
    assert store.stats().in_flight == 0


def test_everything_refuses_after_close(make_store: Callable[..., EventStore]) -> None:
    store = make_store(clock=ManualClock())
    tx = store.begin_transaction()
    tx.publish(numbered(0))
    store.close()
    calls: list[Callable[[], Any]] = [
        lambda: store.subscribe(numbered(1)),
        lambda: store.subscribe_many([numbered(2)]),
        store.publish,
        lambda: store.schedule(5, numbered(3)),
        lambda: store.schedule_after(5, numbered(4)),
        lambda: store.schedule(-5, numbered(5)),
        tx.commit,
    ]
    for call in calls:
        with pytest.raises(StoreClosedError):
            call()
    stats = store.stats()
    assert stats.rejected == 6  # one per refused event (publish refuses none)
    assert stats.immediate == 0
    assert stats.published == 0
    assert len(tx) == 1  # a refused commit keeps its buffer


def test_close_is_idempotent_and_context_manager_closes(recorder: Recorder) -> None:
    with EventStore({"p": recorder}, 4) as store:
        store.subscribe(numbered(0))
    assert recorder.values() == [0]
    store.close()
    store.close(Context.background().with_timeout(-1))  # no-op: nothing to wait for
    with pytest.raises(StoreClosedError):
        store.subscribe(numbered(1))


def test_close_wakes_block_waiters(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=1, policy=OverrunPolicy.BLOCK)
    store.subscribe(numbered(0))
    raised: list[BaseException] = []
    lock = threading.Lock()

    def producer(n: int) -> None:
        try:
            store.subscribe(numbered(n), within())
        except BaseException as exc:
            with lock:
                raised.append(exc)

    threads = [spawn(producer, n, name=f"producer-{n}") for n in (1, 2, 3)]
    blocked(store, 3)
    store.close(within())
    for thread in threads:
        join(thread)
    assert [type(exc) for exc in raised] == [StoreClosedError] * 3
    stats = store.stats()
    assert (stats.rejected, stats.processed) == (3, 1)
    assert recorder.values() == [0]


def test_close_cancels_unfired_timers(make_store: Callable[..., EventStore]) -> None:
    clock = ManualClock()
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    timers = [store.schedule_after(n + 1, numbered(n)) for n in range(3)]
    clock.advance(1)
    store.close()
    clock.advance(10)
    assert recorder.values() == [0]
    assert [timer.fired for timer in timers] == [True, False, False]
    assert [timer.cancelled for timer in timers] == [False, True, True]
    assert all(timer.cancel() is False for timer in timers)
    stats = store.stats()
    assert (stats.timers_pending, stats.timers_cancelled) == (0, 2)


def test_close_with_a_deadline_stays_closed_and_can_be_repeated(
    make_store: Callable[..., EventStore],
) -> None:
    release = threading.Event()
    store = make_store({"p": lambda ctx, args: release.wait(WAIT)}, async_mode=True, workers=1)
    store.subscribe(numbered(0))
    with pytest.raises(DeadlineExceededError):
        store.close(Context.background().with_timeout(0.05))
    with pytest.raises(StoreClosedError):
        store.subscribe(numbered(1))
    release.set()
    store.close(within())
    assert store.stats().processed == 1


def test_close_from_a_sync_handler(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store: EventStore
    raised: list[BaseException] = []

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        recorder(ctx, args)
        if args["n"] == 0:
            store.subscribe(numbered(10))
            store.close(within())
            try:
                store.subscribe(numbered(11))
            except StoreClosedError as exc:
                raised.append(exc)

    store = make_store({"p": handler})
    store.subscribe_many([numbered(0), numbered(1)])
    store.publish()
    assert recorder.values() == [0, 10, 1]
    assert len(raised) == 1


def test_never_closed_store_does_not_block_exit(tmp_path: Any) -> None:
    import subprocess
    import sys

    script = tmp_path / "leave_open.py"
    script.write_text(
        "from goeventbus import EventStore, Event\n"
        "import threading\n"
        "gate = threading.Event()\n"
        "store = EventStore({'p': lambda ctx, args: gate.wait()}, async_mode=True)\n"
        "store.schedule_after(3600, Event(projection='p'))\n"
        "store.subscribe(Event(projection='p'))\n"
        "store.publish()\n"
        "print('leaving')\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "leaving"
