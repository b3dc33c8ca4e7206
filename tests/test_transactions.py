"""SEMANTICS section 7: all-or-nothing commit, dispatch up to the last event, rollback."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import (
    BufferFullError,
    Context,
    ContextCancelledError,
    EventStore,
    OverrunPolicy,
    StoreClosedError,
)
from tests.conftest import Recorder, blocked, join, numbered, spawn, within


def test_nothing_reaches_the_store_before_commit(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    tx = store.begin_transaction()
    tx.publish(numbered(0))
    tx.publish(numbered(1))
    assert store.stats().published == 0
    tx.commit()
    assert recorder.values() == [0, 1]
    assert store.metrics() == (2, 2, 0)
    assert len(tx) == 0
    tx.commit()  # empty: a no-op
    assert store.metrics() == (2, 2, 0)


def test_commit_dispatches_older_pending_events_first(
    make_store: Callable[..., EventStore],
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    store.subscribe(numbered(0))
    tx = store.begin_transaction()
    tx.publish(numbered(1))
    store.subscribe(numbered(2))
    tx.commit()
    assert recorder.values() == [0, 2, 1]
    assert store.stats().pending == 0


def test_commit_dispatches_in_the_caller_even_in_async_mode(
    make_store: Callable[..., EventStore],
) -> None:
    threads: list[int] = []
    store = make_store(
        {"p": lambda ctx, args: threads.append(threading.get_ident())}, async_mode=True
    )
    tx = store.begin_transaction()
    tx.publish(numbered(0))
    tx.commit()
    assert threads == [threading.get_ident()]


def test_failing_transaction_handler_discards_the_rest(
    make_store: Callable[..., EventStore],
) -> None:
    seen: list[int] = []

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        seen.append(args["n"])
        if args["n"] == 2:
            raise ValueError("tx handler failed")

    store = make_store({"p": handler})
    store.subscribe(numbered(0))
    tx = store.begin_transaction()
    for n in (1, 2, 3, 4):
        tx.publish(numbered(n))
    with pytest.raises(ValueError, match="tx handler failed"):
        tx.commit()
    assert seen == [0, 1, 2]
    stats = store.stats()
    assert (stats.discarded, stats.errors, stats.processed, stats.pending) == (2, 1, 3, 0)
    assert stats.balanced
    assert len(tx) == 0


def test_failures_of_other_events_do_not_stop_a_commit(
    make_store: Callable[..., EventStore],
) -> None:
    recorder = Recorder()

    def failing(ctx: Context, args: dict[str, Any]) -> None:
        raise ValueError("not the transaction's")

    store = make_store({"bad": failing, "p": recorder})
    store.subscribe(numbered(0, "bad"))
    tx = store.begin_transaction()
    tx.publish(numbered(1))
    tx.commit()
    assert recorder.values() == [1]
    assert store.metrics() == (2, 2, 1)


def test_return_error_commit_is_all_or_nothing(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=4, policy=OverrunPolicy.RETURN_ERROR)
    store.subscribe_many(numbered(n) for n in range(2))
    tx = store.begin_transaction()
    for n in range(10, 13):
        tx.publish(numbered(n))
    with pytest.raises(BufferFullError):
        tx.commit()
    stats = store.stats()
    assert (stats.published, stats.pending, stats.rejected) == (2, 2, 3)
    assert len(tx) == 3  # kept for a retry
    store.publish()
    tx.commit()
    assert recorder.values() == [0, 1, 10, 11, 12]


@pytest.mark.parametrize("policy", list(OverrunPolicy))
def test_oversized_transaction_is_refused_under_every_policy(
    make_store: Callable[..., EventStore], policy: OverrunPolicy
) -> None:
    store = make_store({}, size=2, policy=policy)
    tx = store.begin_transaction()
    for n in range(3):
        tx.publish(numbered(n))
    with pytest.raises(BufferFullError, match="cannot fit"):
        tx.commit(within())
    stats = store.stats()
    assert (stats.rejected, stats.published, stats.dropped) == (3, 0, 0)


def test_drop_oldest_commit_makes_room(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=4)
    store.subscribe_many(numbered(n) for n in range(4))
    tx = store.begin_transaction()
    tx.publish(numbered(10))
    tx.publish(numbered(11))
    tx.commit()
    assert recorder.values() == [2, 3, 10, 11]
    assert store.stats().dropped == 2
    assert store.stats().balanced


def test_block_commit_waits_for_room_for_all(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, size=4, policy=OverrunPolicy.BLOCK)
    store.subscribe_many(numbered(n) for n in range(3))
    tx = store.begin_transaction()
    tx.publish(numbered(10))
    tx.publish(numbered(11))
    errors: list[BaseException] = []

    def commit() -> None:
        try:
            tx.commit(within())
        except BaseException as exc:
            errors.append(exc)

    thread = spawn(commit)
    blocked(store)
    store.publish()
    join(thread)
    assert errors == []
    assert recorder.values() == [0, 1, 2, 10, 11]


def test_block_commit_with_ended_context(make_store: Callable[..., EventStore]) -> None:
    store = make_store({}, size=1, policy=OverrunPolicy.BLOCK)
    store.subscribe(numbered(0))
    tx = store.begin_transaction()
    tx.publish(numbered(1))
    ctx, cancel = Context.background().with_cancel()
    cancel()
    with pytest.raises(ContextCancelledError):
        tx.commit(ctx)
    assert len(tx) == 1
    assert store.stats().rejected == 1


def test_rollback_is_local(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    store.subscribe(numbered(0))
    tx = store.begin_transaction()
    tx.publish(numbered(1))
    store.subscribe(numbered(2))
    tx.rollback()
    tx.commit()  # after rollback: a no-op
    assert store.stats().pending == 2
    store.publish()
    assert recorder.values() == [0, 2]


def test_context_manager_commits_or_rolls_back(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    with store.begin_transaction() as tx:
        tx.publish(numbered(0))
    assert recorder.values() == [0]

    def abandon() -> None:
        with store.begin_transaction() as tx:
            tx.publish(numbered(1))
            raise RuntimeError("abandon")

    with pytest.raises(RuntimeError, match="abandon"):
        abandon()
    assert recorder.values() == [0]
    assert store.stats().published == 1


def test_commit_passes_its_ctx(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    tx = store.begin_transaction()
    tx.publish(numbered(0))
    tx.commit(Context.background().with_value("via", "commit"))
    assert recorder.contexts[0].value("via") == "commit"


def test_handler_publishing_into_its_own_transaction(
    make_store: Callable[..., EventStore],
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    tx = store.begin_transaction()

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        recorder(ctx, args)
        if args["n"] == 0:
            tx.publish(numbered(1))

    store._dispatcher["p"] = handler  # type: ignore[index]
    tx.publish(numbered(0))
    tx.commit()
    assert recorder.values() == [0]
    assert len(tx) == 1  # a new buffer, not cleared by the finished commit
    tx.commit()
    assert recorder.values() == [0, 1]


def test_interrupted_commit_leaves_its_remainder_pending(
    make_store: Callable[..., EventStore],
) -> None:
    seen: list[int] = []

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        seen.append(args["n"])
        if args["n"] == 1 and seen.count(1) == 1:
            raise KeyboardInterrupt

    store = make_store({"p": handler})
    tx = store.begin_transaction()
    for n in range(3):
        tx.publish(numbered(n))
    with pytest.raises(KeyboardInterrupt):
        tx.commit()
    assert store.stats().pending == 1
    assert len(tx) == 0
    store.publish()
    assert seen == [0, 1, 2]


def test_commit_on_closed_store_keeps_the_buffer(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    tx = store.begin_transaction()
    tx.publish(numbered(0))
    tx.publish(numbered(1))
    store.close()
    with pytest.raises(StoreClosedError):
        tx.commit()
    assert len(tx) == 2
    assert store.stats().rejected == 2
