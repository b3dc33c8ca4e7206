"""SEMANTICS section 5, async mode: worker pool, drain, contextvars, calls from workers."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import Context, DeadlineExceededError, EventStore
from tests.conftest import WAIT, Recorder, numbered, within

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


def test_async_publish_hands_off_and_drain_waits(make_store: Callable[..., EventStore]) -> None:
    release = threading.Event()
    recorder = Recorder()

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        assert release.wait(WAIT)
        recorder(ctx, args)

    store = make_store({"p": handler}, async_mode=True, workers=2)
    store.subscribe_many(numbered(n) for n in range(6))
    store.publish()
    stats = store.stats()
    assert (stats.pending, stats.in_flight) == (0, 6)
    assert stats.balanced
    release.set()
    store.drain(within())
    stats = store.stats()
    assert (stats.in_flight, stats.processed) == (0, 6)
    assert stats.balanced
    assert sorted(recorder.values()) == list(range(6))


def test_handlers_run_on_worker_threads(make_store: Callable[..., EventStore]) -> None:
    names: list[str] = []
    store = make_store(
        {"p": lambda ctx, args: names.append(threading.current_thread().name)},
        async_mode=True,
        workers=3,
    )
    store.subscribe(numbered(0))
    store.publish()
    store.drain(within())
    assert names
    assert names[0].startswith("goeventbus-worker")
    assert threading.current_thread().name not in names


def test_sync_store_starts_no_thread(make_store: Callable[..., EventStore]) -> None:
    before = threading.active_count()
    store = make_store({"p": Recorder()})
    store.subscribe(numbered(0))
    store.publish()
    assert threading.active_count() == before


def test_drain_with_a_deadline_while_a_handler_sleeps(
    make_store: Callable[..., EventStore],
) -> None:
    release = threading.Event()
    store = make_store({"p": lambda ctx, args: release.wait(WAIT)}, async_mode=True, workers=1)
    store.subscribe(numbered(0))
    store.publish()
    ctx = Context.background().with_timeout(0.05)
    with pytest.raises(DeadlineExceededError):
        store.drain(ctx)
    assert ctx.done()
    assert store.stats().in_flight == 1
    release.set()
    store.drain(within())
    store.subscribe(numbered(1))  # still usable after a drain
    store.publish()
    store.drain(within())
    assert store.stats().processed == 2


def test_sync_drain_returns_at_once(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    store.drain(Context.background().with_timeout(-1))  # nothing to wait for: no error


def test_handlers_see_the_subscribers_contextvars(make_store: Callable[..., EventStore]) -> None:
    seen: list[str] = []
    store = make_store({"p": lambda ctx, args: seen.append(request_id.get())}, async_mode=True)
    token = request_id.set("req-1")
    store.subscribe(numbered(0))
    request_id.reset(token)
    store.subscribe(numbered(1))
    store.subscribe_many([numbered(2), numbered(3)])
    request_id.set("req-2")
    store.publish()
    store.drain(within())
    assert sorted(seen) == ["none", "none", "none", "req-1"]


def test_toggling_async_mode(make_store: Callable[..., EventStore]) -> None:
    threads: list[str] = []
    store = make_store({"p": lambda ctx, args: threads.append(threading.current_thread().name)})
    store.subscribe(numbered(0))
    store.publish()
    store.async_mode = True
    store.subscribe(numbered(1))
    store.publish()
    store.drain(within())
    store.async_mode = False
    store.subscribe(numbered(2))
    store.publish()
    main = threading.current_thread().name
    assert threads[0] == main
    assert threads[2] == main
    assert threads[1] != main


def test_async_errors_and_unhandled_are_counted(make_store: Callable[..., EventStore]) -> None:
    def failing(ctx: Context, args: dict[str, Any]) -> None:
        raise ValueError("x")

    store = make_store({"bad": failing}, async_mode=True)
    store.subscribe(numbered(0, "bad"))
    store.subscribe(numbered(1, "missing"))
    store.publish()
    store.drain(within())
    stats = store.stats()
    assert (stats.processed, stats.errors, stats.unhandled) == (1, 1, 1)
    assert stats.balanced


def test_base_exception_on_a_worker_is_logged_and_the_worker_survives(
    make_store: Callable[..., EventStore], caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()

    def interrupting(ctx: Context, args: dict[str, Any]) -> None:
        raise KeyboardInterrupt

    store = make_store({"stop": interrupting, "p": recorder}, async_mode=True, workers=1)
    with caplog.at_level(logging.ERROR, logger="goeventbus"):
        store.subscribe(numbered(0, "stop"))
        store.subscribe(numbered(1))
        store.publish()
        store.drain(within())
    stats = store.stats()
    assert (stats.processed, stats.errors) == (2, 0)
    assert recorder.values() == [1]
    assert any("interrupted" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("method", ["drain", "close"])
def test_drain_and_close_from_a_worker_raise(
    make_store: Callable[..., EventStore], method: str
) -> None:
    raised: list[BaseException] = []
    store: EventStore

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        try:
            getattr(store, method)(within(1))
        except RuntimeError as exc:
            raised.append(exc)

    store = make_store({"p": handler}, async_mode=True)
    store.subscribe(numbered(0))
    store.publish()
    store.drain(within())
    assert len(raised) == 1
    assert "itself" in str(raised[0])
    store.subscribe(numbered(1))  # not closed: nothing changed
    store.publish()
    store.drain(within())


def test_async_handler_may_publish_again(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store: EventStore

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        recorder(ctx, args)
        if args["n"] < 5:
            store.subscribe(numbered(args["n"] + 1))
            store.publish()

    store = make_store({"p": handler}, async_mode=True, workers=2)
    store.subscribe(numbered(0))
    store.publish()
    store.drain(within())  # each handler hands off the next before it finishes
    assert sorted(recorder.values()) == [0, 1, 2, 3, 4, 5]
