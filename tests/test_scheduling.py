"""SEMANTICS section 6: schedule, schedule_after, timers, through an injected clock."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from goeventbus import (
    BufferFullError,
    Context,
    EventStore,
    ManualClock,
    OverrunPolicy,
    Timer,
)
from tests.conftest import WAIT, Recorder, numbered, within

tag: contextvars.ContextVar[str] = contextvars.ContextVar("tag", default="unset")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=1000.0)


def test_future_timer_subscribes_and_publishes_when_due(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    timer = store.schedule(1002.0, numbered(0))
    assert isinstance(timer, Timer)
    assert not timer.fired
    assert store.stats().timers_pending == 1
    clock.advance(1.5)
    assert recorder.values() == []
    clock.advance(0.5)
    assert recorder.values() == [0]
    assert timer.fired
    assert not timer.cancelled
    stats = store.stats()
    assert (stats.published, stats.processed, stats.timers_pending, stats.immediate) == (1, 1, 0, 0)


@pytest.mark.parametrize("offset", [0.0, -5.0])
def test_due_now_or_past_runs_at_once_in_the_caller(
    make_store: Callable[..., EventStore], clock: ManualClock, offset: float
) -> None:
    threads: list[int] = []
    store = make_store({"p": lambda ctx, args: threads.append(threading.get_ident())}, clock=clock)
    timer = store.schedule(clock.now() + offset, numbered(0))
    assert threads == [threading.get_ident()]
    assert timer.fired
    assert not timer.cancelled
    assert timer.cancel() is False
    stats = store.stats()
    assert (stats.immediate, stats.processed, stats.published) == (1, 1, 0)
    assert stats.balanced


def test_immediate_failures_and_unhandled_are_counted_not_raised(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    errors: list[Exception] = []

    def failing(ctx: Context, args: dict[str, Any]) -> None:
        raise ValueError("no")

    store = make_store({"bad": failing}, clock=clock)
    store.on_error(lambda ctx, event, error: errors.append(error))
    store.schedule_after(0, numbered(0, "bad"))
    store.schedule_after(-1, numbered(1, "nobody"))
    stats = store.stats()
    assert (stats.immediate, stats.processed, stats.errors, stats.unhandled) == (2, 1, 1, 1)
    assert stats.balanced
    assert len(errors) == 1


def test_immediate_runs_even_in_async_mode_synchronously(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    threads: list[int] = []
    store = make_store(
        {"p": lambda ctx, args: threads.append(threading.get_ident())},
        clock=clock,
        async_mode=True,
    )
    store.schedule_after(0, numbered(0))
    assert threads == [threading.get_ident()]


def test_schedule_after_accepts_timedelta(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    store.schedule_after(timedelta(seconds=3), numbered(0))
    store.schedule_after(1.0, numbered(1))
    store.schedule_after(timedelta(0), numbered(2))
    assert recorder.values() == [2]
    clock.advance(5)
    assert recorder.values() == [2, 1, 0]


def test_schedule_accepts_datetimes(make_store: Callable[..., EventStore]) -> None:
    start = datetime(2030, 1, 1, 12, 0, 0).timestamp()
    clock = ManualClock(start=start)
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    store.schedule(datetime(2030, 1, 1, 12, 0, 2), numbered(0))  # naive: local time
    store.schedule(datetime(2029, 12, 31), numbered(1))
    assert recorder.values() == [1]
    clock.advance(2)
    assert recorder.values() == [1, 0]


def test_cancel_before_and_after_firing(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    cancelled = store.schedule_after(1, numbered(0))
    fired = store.schedule_after(1, numbered(1))
    assert cancelled.cancel() is True
    assert cancelled.cancel() is False
    clock.advance(1)
    assert fired.cancel() is False
    assert recorder.values() == [1]
    assert cancelled.cancelled
    assert not cancelled.fired
    stats = store.stats()
    assert (stats.timers_pending, stats.timers_cancelled) == (0, 1)


def test_timer_subscribe_failure_is_rejected_and_reported(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    errors: list[tuple[Any, Exception]] = []
    store = make_store({}, size=1, policy=OverrunPolicy.RETURN_ERROR, clock=clock)
    store.on_error(lambda ctx, event, error: errors.append((ctx.value("k"), error)))
    store.subscribe(numbered(0))
    store.schedule_after(1, numbered(1), Context.background().with_value("k", "v"))
    clock.advance(1)
    assert len(errors) == 1
    assert isinstance(errors[0][1], BufferFullError)
    assert errors[0][0] == "v"
    stats = store.stats()
    assert (stats.rejected, stats.published, stats.pending) == (1, 1, 1)


def test_timer_passes_its_ctx_to_the_handler(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    store.schedule_after(1, numbered(0), Context.background().with_value("who", "timer"))
    clock.advance(1)
    assert recorder.contexts[0].value("who") == "timer"


def test_timer_callbacks_run_in_the_schedulers_contextvars(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    seen: list[str] = []
    store = make_store({"p": lambda ctx, args: seen.append(tag.get())}, clock=clock)
    token = tag.set("scheduled")
    store.schedule_after(1, numbered(0))
    tag.reset(token)
    clock.advance(1)
    assert seen == ["scheduled"]


def test_fired_timer_in_async_mode_goes_through_the_workers(
    make_store: Callable[..., EventStore], clock: ManualClock
) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock, async_mode=True)
    store.schedule_after(1, numbered(0))
    clock.advance(1)
    store.drain(within())
    assert recorder.values() == [0]


def test_default_clock_fires_for_real(make_store: Callable[..., EventStore]) -> None:
    done = threading.Event()
    store = make_store({"p": lambda ctx, args: done.set()})
    timer = store.schedule_after(0.01, numbered(0))
    assert done.wait(WAIT), "timer on the default clock never fired"
    assert timer.fired


def test_cancel_racing_the_clock_registration(make_store: Callable[..., EventStore]) -> None:
    """A timer cancelled before its clock handle exists must still never fire."""

    class SlowClock(ManualClock):
        store: EventStore
        timer_holder: list[Any]

        def call_later(self, delay: float, fn: Callable[[], None]) -> Any:
            (timer,) = self.store._timers
            assert timer.cancel() is True
            return super().call_later(delay, fn)

    clock = SlowClock()
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    clock.store = store
    timer = store.schedule_after(1, numbered(0))
    clock.advance(2)
    assert timer.cancelled
    assert recorder.values() == []
