"""Clocks (SEMANTICS section 1): ManualClock's exact ordering and SystemClock's one thread."""

from __future__ import annotations

import threading

import pytest

from goeventbus import ManualClock, SystemClock, default_clock
from tests.conftest import WAIT


def test_manual_clock_fires_in_due_order_seeing_its_due_time() -> None:
    clock = ManualClock(start=100.0)
    seen: list[tuple[str, float]] = []
    clock.call_later(3, lambda: seen.append(("c", clock.now())))
    clock.call_later(1, lambda: seen.append(("a", clock.now())))
    clock.call_later(1, lambda: seen.append(("b", clock.now())))
    clock.call_later(9, lambda: seen.append(("late", clock.now())))
    clock.advance(5)
    assert seen == [("a", 101.0), ("b", 101.0), ("c", 103.0)]
    assert clock.now() == 105.0


def test_callbacks_scheduled_during_advance_fire_if_due() -> None:
    clock = ManualClock()
    seen: list[float] = []

    def first() -> None:
        seen.append(clock.now())
        clock.call_later(1, lambda: seen.append(clock.now()))
        clock.call_later(10, lambda: seen.append(clock.now()))

    clock.call_later(1, first)
    clock.advance(3)
    assert seen == [1.0, 2.0]
    clock.advance(8)
    assert seen == [1.0, 2.0, 11.0]


def test_cancel_is_true_only_for_the_call_that_stopped_it() -> None:
    clock = ManualClock()
    fired: list[int] = []
    handle = clock.call_later(1, lambda: fired.append(1))
    assert handle.cancel() is True
    assert handle.cancel() is False
    clock.advance(2)
    assert fired == []
    done = clock.call_later(0, lambda: fired.append(2))
    clock.advance(0)
    assert fired == [2]
    assert done.cancel() is False


def test_advance_runs_every_callback_then_reraises_the_first_error() -> None:
    clock = ManualClock()
    seen: list[str] = []

    def boom() -> None:
        raise RuntimeError("boom")

    clock.call_later(1, boom)
    clock.call_later(2, lambda: seen.append("after"))
    with pytest.raises(RuntimeError, match="boom"):
        clock.advance(5)
    assert seen == ["after"]
    assert clock.now() == 5.0


@pytest.mark.parametrize("bad", [-1, float("nan"), "1"])
def test_advance_refuses_bad_steps(bad: object) -> None:
    clock = ManualClock()
    with pytest.raises((ValueError, TypeError)):
        clock.advance(bad)  # type: ignore[arg-type]
    assert clock.now() == 0.0


def test_system_clock_runs_all_timers_on_one_thread() -> None:
    clock = SystemClock()
    threads: set[int] = set()
    done = threading.Event()
    remaining = [5]
    lock = threading.Lock()

    def tick() -> None:
        threads.add(threading.get_ident())
        with lock:
            remaining[0] -= 1
            if not remaining[0]:
                done.set()

    for delay in (0.03, 0.01, 0.02, 0.0, 0.01):
        clock.call_later(delay, tick)
    cancelled = clock.call_later(0.01, lambda: threads.add(-1))
    assert cancelled.cancel()
    assert done.wait(WAIT), "SystemClock timers did not fire"
    assert len(threads) == 1
    assert -1 not in threads
    assert threading.get_ident() not in threads
    assert abs(clock.now() - __import__("time").time()) < 60


def test_system_clock_survives_a_raising_callback() -> None:
    clock = SystemClock()
    done = threading.Event()
    clock.call_later(0, lambda: 1 / 0)
    clock.call_later(0.001, done.set)
    assert done.wait(WAIT)


def test_default_clock_is_shared() -> None:
    assert default_clock() is default_clock()
