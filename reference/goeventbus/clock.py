"""Time sources for scheduling: the wall clock, and a manual clock for tests that never sleep.

A store asks its clock only two things, ``now()`` and ``call_later(delay, fn)``, so
any object with those methods (the ``Clock`` protocol) can drive its timers.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Clock", "ClockHandle", "ManualClock", "SystemClock", "default_clock"]

_log = logging.getLogger("goeventbus")

_PENDING, _FIRED, _CANCELLED = 0, 1, 2


class ClockHandle(Protocol):
    def cancel(self) -> bool: ...


class Clock(Protocol):
    def now(self) -> float: ...

    def call_later(self, delay: float, fn: Callable[[], None]) -> ClockHandle: ...


def _delay(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"delay must be a number of seconds, got {value!r}")
    if math.isnan(value):
        raise ValueError("delay must not be NaN")
    return float(value)


class _Handle:
    """One scheduled callback; its state changes once, from pending to fired or cancelled."""

    __slots__ = ("_fn", "_lock", "_state")

    def __init__(self, fn: Callable[[], None], lock: threading.Lock) -> None:
        self._fn = fn
        self._lock = lock
        self._state = _PENDING

    def cancel(self) -> bool:
        """True when this call stopped the callback from running."""
        with self._lock:
            if self._state != _PENDING:
                return False
            self._state = _CANCELLED
            return True

    def _claim(self) -> bool:
        with self._lock:
            if self._state != _PENDING:
                return False
            self._state = _FIRED
            return True


_Entry = tuple[float, int, _Handle]


class _TimerHeap:
    """Due-time order with insertion order breaking ties."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._entries: list[_Entry] = []
        self._sequence = itertools.count()

    def push(self, due: float, fn: Callable[[], None]) -> tuple[_Handle, bool]:
        """Add a callback; also say whether it is now the earliest (caller holds ``lock``)."""
        handle = _Handle(fn, self.lock)
        heapq.heappush(self._entries, (due, next(self._sequence), handle))
        return handle, self._entries[0][2] is handle

    def earliest(self) -> float | None:
        """Due time of the first live callback (caller holds ``lock``)."""
        entries = self._entries
        while entries and entries[0][2]._state == _CANCELLED:
            heapq.heappop(entries)
        return entries[0][0] if entries else None

    def pop(self) -> tuple[float, _Handle]:
        due, _, handle = heapq.heappop(self._entries)
        return due, handle


class SystemClock:
    """Wall-clock time (``time.time()``); every timer runs on one daemon scheduler thread.

    Due times are kept on ``time.monotonic()`` so that a wall-clock step does not
    fire timers early or late. A callback that blocks delays the ones after it, as
    with any single-threaded scheduler.
    """

    def __init__(self) -> None:
        self._heap = _TimerHeap()
        self._wakeup = threading.Condition(self._heap.lock)
        self._thread: threading.Thread | None = None

    def now(self) -> float:
        return time.time()

    def call_later(self, delay: float, fn: Callable[[], None]) -> ClockHandle:
        due = time.monotonic() + _delay(delay)
        with self._wakeup:
            handle, earliest = self._heap.push(due, fn)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="goeventbus-scheduler", daemon=True
                )
                self._thread.start()
            elif earliest:
                self._wakeup.notify()
        return handle

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while True:
                    due = self._heap.earliest()
                    if due is None:
                        self._wakeup.wait()
                        continue
                    remaining = due - time.monotonic()
                    if remaining <= 0:
                        _, handle = self._heap.pop()
                        break
                    self._wakeup.wait(remaining)
            if handle._claim():
                try:
                    handle._fn()
                except BaseException:
                    _log.exception("timer callback %r raised", handle._fn)


_DEFAULT: SystemClock | None = None
_DEFAULT_LOCK = threading.Lock()


def default_clock() -> SystemClock:
    """The process-wide ``SystemClock`` that stores use when given none (one thread in all)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = SystemClock()
        return _DEFAULT


class ManualClock:
    """A clock that moves only when told to, so timer tests are exact and never sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = _delay(start)
        self._heap = _TimerHeap()
        self._advancing = threading.RLock()

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, fn: Callable[[], None]) -> ClockHandle:
        due = self._now + _delay(delay)
        with self._heap.lock:
            handle, _ = self._heap.push(due, fn)
        return handle

    def advance(self, seconds: float) -> None:
        """Move time forward, running every callback due by the target, in due-time order.

        Callbacks run in the calling thread, each seeing ``now()`` equal to its own due
        time, including callbacks they schedule that fall due within the advance. If any
        raise, the rest still run and the first exception is re-raised at the end.
        """
        step = _delay(seconds)
        if step < 0:
            raise ValueError(f"cannot advance a clock backwards (seconds={seconds!r})")
        first_error: BaseException | None = None
        with self._advancing:
            target = self._now + step
            while True:
                with self._heap.lock:
                    due = self._heap.earliest()
                    if due is None or due > target:
                        self._now = target
                        break
                    _, handle = self._heap.pop()
                    self._now = max(self._now, due)
                if handle._claim():
                    try:
                        handle._fn()
                    except BaseException as exc:
                        if first_error is None:
                            first_error = exc
        if first_error is not None:
            raise first_error
