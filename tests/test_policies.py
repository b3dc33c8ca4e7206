"""SEMANTICS section 3: subscribe, capacity and the three overrun policies."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from goeventbus import (
    BufferFullError,
    Context,
    ContextCancelledError,
    DeadlineExceededError,
    EventStore,
    OverrunPolicy,
    StoreClosedError,
)
from tests.conftest import WAIT, Recorder, blocked, join, numbered, spawn, within


def fill(store: EventStore, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        store.subscribe(numbered(n))


def test_accepted_events_count_published(make_store: Callable[..., EventStore]) -> None:
    store = make_store(size=4)
    fill(store, 3)
    stats = store.stats()
    assert (stats.published, stats.pending) == (3, 3)


def test_drop_oldest_discards_exactly_the_oldest(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=4)
    fill(store, 7)
    stats = store.stats()
    assert (stats.published, stats.dropped, stats.pending) == (7, 3, 4)
    store.publish()
    assert recorder.values() == [3, 4, 5, 6]
    assert store.stats().balanced


def test_size_one_ring(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=1)
    fill(store, 3)
    store.publish()
    assert recorder.values() == [2]
    assert store.stats().dropped == 2


def test_return_error_refuses_and_changes_nothing(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=2, policy=OverrunPolicy.RETURN_ERROR)
    fill(store, 2)
    before = store.stats()
    with pytest.raises(BufferFullError):
        store.subscribe(numbered(99))
    after = store.stats()
    assert after.rejected == before.rejected + 1
    assert (after.published, after.pending, after.dropped) == (2, 2, 0)
    store.publish()
    assert recorder.values() == [0, 1]
    store.subscribe(numbered(2))  # room again


def test_block_with_expired_or_cancelled_context_raises_its_error(
    make_store: Callable[..., EventStore],
) -> None:
    store = make_store(size=1, policy=OverrunPolicy.BLOCK)
    fill(store, 1)
    with pytest.raises(DeadlineExceededError):
        store.subscribe(numbered(1), Context.background().with_timeout(0))
    cancelled, cancel = Context.background().with_cancel()
    cancel()
    with pytest.raises(ContextCancelledError):
        store.subscribe(numbered(2), cancelled)
    stats = store.stats()
    assert (stats.rejected, stats.pending, stats.published) == (2, 1, 1)


def test_block_ignores_the_context_while_there_is_room(
    make_store: Callable[..., EventStore],
) -> None:
    store = make_store(size=2, policy=OverrunPolicy.BLOCK)
    expired = Context.background().with_timeout(-1)
    store.subscribe(numbered(0), expired)
    assert store.stats().pending == 1


def test_block_waits_for_another_threads_publish(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=2, policy=OverrunPolicy.BLOCK)
    fill(store, 2)
    entered = threading.Event()
    errors: list[BaseException] = []

    def producer() -> None:
        entered.set()
        try:
            store.subscribe(numbered(2), within())
        except BaseException as exc:
            errors.append(exc)

    thread = spawn(producer)
    assert entered.wait(WAIT)
    store.publish()
    join(thread)
    assert errors == []
    store.publish()
    assert recorder.values() == [0, 1, 2]
    assert store.stats().dropped == 0


def test_block_deadline_is_honoured_no_earlier(make_store: Callable[..., EventStore]) -> None:
    store = make_store(size=1, policy=OverrunPolicy.BLOCK)
    fill(store, 1)
    ctx = Context.background().with_timeout(0.05)
    with pytest.raises(DeadlineExceededError):
        store.subscribe(numbered(1), ctx)
    assert ctx.deadline is not None
    assert ctx.done(), "raised before the deadline"
    assert store.stats().rejected == 1


def test_block_waiter_is_woken_by_cancel(make_store: Callable[..., EventStore]) -> None:
    store = make_store(size=1, policy=OverrunPolicy.BLOCK)
    fill(store, 1)
    ctx, cancel = Context.background().with_cancel()
    ctx = ctx.with_timeout(WAIT)
    raised: list[BaseException] = []

    def producer() -> None:
        try:
            store.subscribe(numbered(1), ctx)
        except BaseException as exc:
            raised.append(exc)

    thread = spawn(producer)
    blocked(store)
    cancel()
    join(thread)
    assert len(raised) == 1
    assert isinstance(raised[0], ContextCancelledError)


def test_switching_a_blocked_store_to_drop_oldest_releases_waiters(
    make_store: Callable[..., EventStore],
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=1, policy=OverrunPolicy.BLOCK)
    fill(store, 1)
    thread = spawn(lambda: store.subscribe(numbered(1), within()))
    blocked(store)
    store.policy = OverrunPolicy.DROP_OLDEST
    join(thread)
    store.publish()
    assert recorder.values() == [1]
    assert store.stats().dropped == 1


def test_subscribe_on_closed_store(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    store.close()
    with pytest.raises(StoreClosedError):
        store.subscribe(numbered(0))
    assert store.stats().rejected == 1


def test_subscribe_many_returns_count(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=8)
    assert store.subscribe_many(numbered(n) for n in range(5)) == 5
    assert store.subscribe_many([]) == 0
    store.publish()
    assert recorder.values() == [0, 1, 2, 3, 4]


def test_subscribe_many_stops_at_first_refusal(make_store: Callable[..., EventStore]) -> None:
    store = make_store(size=4, policy=OverrunPolicy.RETURN_ERROR)
    fill(store, 1)
    with pytest.raises(BufferFullError) as info:
        store.subscribe_many(numbered(n) for n in range(10))
    assert info.value.accepted == 3
    stats = store.stats()
    assert (stats.published, stats.pending, stats.rejected) == (4, 4, 1)


def test_subscribe_many_bad_event_keeps_those_before(
    make_store: Callable[..., EventStore],
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=8)
    with pytest.raises(TypeError) as info:
        store.subscribe_many([numbered(0), numbered(1), "junk", numbered(3)])  # type: ignore[list-item]
    assert info.value.accepted == 2  # type: ignore[attr-defined]
    assert store.stats().rejected == 1
    store.publish()
    assert recorder.values() == [0, 1]


def test_subscribe_many_drop_oldest_and_block(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=2)
    assert store.subscribe_many(numbered(n) for n in range(5)) == 5
    assert store.stats().dropped == 3
    blocking = make_store({"p": recorder}, size=2, policy=OverrunPolicy.BLOCK)
    with pytest.raises(DeadlineExceededError) as info:
        blocking.subscribe_many(
            [numbered(n) for n in range(3)], Context.background().with_timeout(0)
        )
    assert info.value.accepted == 2
    closed = make_store()
    closed.close()
    with pytest.raises(StoreClosedError) as closed_info:
        closed.subscribe_many([numbered(0)])
    assert closed_info.value.accepted == 0
