"""The reference ``EventStore``: GoEventBus's ring-buffer event bus, made exact.

One lock guards the ring and every counter (the hot paths take it as
``locking.py`` explains), and it is never held while user code runs (handlers,
hooks, middleware, a projection's ``__hash__``), so handlers may call back into the
store freely. ``publish`` claims its whole batch in one critical
section, which is what makes dispatch exactly-once under concurrent publishers; a
synchronous batch tallies its outcomes locally and adds them to the counters once.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from types import CoroutineType, TracebackType
from typing import Any, ClassVar, Final

from goeventbus.clock import Clock, default_clock
from goeventbus.context import Context
from goeventbus.errors import BufferFullError, EventBusError, StoreClosedError
from goeventbus.event import Event
from goeventbus.locking import acquire_contended
from goeventbus.pipeline import Handler, Pipeline, Registrations, refuse_coroutine
from goeventbus.policies import OverrunPolicy
from goeventbus.ring import Ring
from goeventbus.stats import Metrics, Stats
from goeventbus.timer import ScheduledTimer, Timer, TimerState
from goeventbus.transaction import Transaction
from goeventbus.validation import (
    check_clock,
    check_ctx,
    check_dispatcher,
    check_event,
    check_flag,
    check_policy,
    check_size,
    check_workers,
    delay_seconds,
    due_time,
)
from goeventbus.waiting import wait_until
from goeventbus.workers import WorkerPool

__all__ = ["EventStore"]

_log = logging.getLogger("goeventbus")
_BACKGROUND: Final = Context.background()
_UNHANDLED: Final = object()
_INTERRUPTED: Final = object()

# What the ring holds per event: the event, the ctx it was enqueued with, and the
# contextvars it was enqueued under (used only by async workers).
_Record = tuple[Event, Context | None, contextvars.Context]


def _raiser(error: Exception) -> Handler:
    """Stands in for a handler whose lookup failed, so the failure is dispatched like any other."""

    def handler(ctx: Context, args: dict[str, Any]) -> Any:
        raise error

    return handler


class EventStore(Registrations):
    """An in-process event bus on a fixed-size ring buffer (see SEMANTICS.md).

    ``subscribe`` enqueues, ``publish`` dispatches what was pending to one handler per
    projection, looked up in ``dispatcher`` at dispatch time.
    """

    unsupported: ClassVar[frozenset[str]] = frozenset()
    #: where pending events wait; a variant may bring its own (``offer``, ``extend``,
    #: ``drop``, ``take_all``, ``len``)
    _ring_type: ClassVar[type[Ring[Any]]] = Ring

    def __init__(
        self,
        dispatcher: Mapping[Any, Handler],
        size: int = 65536,
        policy: OverrunPolicy = OverrunPolicy.DROP_OLDEST,
        *,
        async_mode: bool = False,
        workers: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        check_dispatcher(dispatcher)
        check_size(size)
        check_policy(policy)
        check_flag("async_mode", async_mode)
        workers = check_workers(workers)
        if clock is not None:
            check_clock(clock)
        # The ring and the lock come first: a variant may keep state in them.
        self._ring: Ring[_Record] = self._ring_type(size)
        self._lock = self._new_lock()
        self._dispatcher = dispatcher
        self._size = size
        self._policy = policy
        self._async = async_mode
        self._clock: Clock = clock if clock is not None else default_clock()
        self._lookup = dispatcher.get

        self._room = threading.Condition(self._lock)
        self._idle = threading.Condition(self._lock)
        # Events an interrupted dispatch handed back: older than anything in the ring.
        self._returned: deque[_Record] = deque()
        self._pipeline = Pipeline()
        self._pool = WorkerPool(
            workers or os.cpu_count() or 1, self._run_async, "goeventbus-worker"
        )
        self._timers: set[ScheduledTimer] = set()
        self._room_waiters = 0
        self._closed = False
        self._shut_down = False

        self._published = self._processed = self._errors = 0
        self._dropped = self._unhandled = self._discarded = self._rejected = 0
        self._in_flight = self._immediate = 0
        self._timers_pending = self._timers_cancelled = 0

    def _new_lock(self) -> threading.Lock:
        return threading.Lock()

    # -- attributes ---------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._size

    @property
    def policy(self) -> OverrunPolicy:
        return self._policy

    @policy.setter
    def policy(self, policy: OverrunPolicy) -> None:
        check_policy(policy)
        with self._lock:
            self._policy = policy
            self._room.notify_all()  # BLOCK waiters re-read the policy

    @property
    def async_mode(self) -> bool:
        return self._async

    @async_mode.setter
    def async_mode(self, value: bool) -> None:
        self._async = check_flag("async_mode", value)

    # -- enqueueing ---------------------------------------------------------------

    def subscribe(self, event: Event, ctx: Context | None = None) -> None:
        """Enqueue ``event``; when the ring is full, apply the overrun policy."""
        try:
            check_event(event)
            check_ctx(ctx)
        except Exception:
            self._count_rejected(1)
            raise
        record = (event, ctx, contextvars.copy_context())
        lock = self._lock
        if not lock.acquire(False):  # see locking.py: never queue on the lock
            acquire_contended(lock)
        try:
            if self._closed or self._returned or not self._ring.offer(record):
                self._accept(record, ctx)
            self._published += 1
        except EventBusError:
            self._rejected += 1
            raise
        finally:
            lock.release()

    def subscribe_many(self, events: Iterable[Event], ctx: Context | None = None) -> int:
        """Subscribe each event in order under one lock; return how many were accepted.

        On the first refusal the error is raised with ``accepted`` set to the number
        of events accepted before it; the events after it are never tried.
        """
        batch = list(events)
        refusal: Exception | None = None
        valid = len(batch)
        for index, event in enumerate(batch):
            try:
                check_event(event)
                check_ctx(ctx)
            except Exception as exc:
                refusal, valid = exc, index
                break
        captured = contextvars.copy_context()
        records = [(event, ctx, captured) for event in batch[:valid]]
        accepted = 0
        lock = self._lock
        if not lock.acquire(False):
            acquire_contended(lock)
        try:
            if self._fits_at_once(len(records)):
                self._enqueue_at_once(records)
                accepted = len(records)
            else:
                offer = self._ring.offer
                try:
                    for record in records:
                        if self._closed or self._returned or not offer(record):
                            self._accept(record, ctx)
                        accepted += 1
                        self._published += 1
                except EventBusError as exc:
                    refusal = exc
            if refusal is not None:
                self._rejected += 1
        finally:
            lock.release()
        if refusal is not None:
            refusal.accepted = accepted  # type: ignore[attr-defined]
            raise refusal
        return accepted

    def _fits_at_once(self, count: int) -> bool:
        """Whether ``count`` events can go in at once with the outcome of one at a time.

        True when there is room for all, or under DROP_OLDEST (which then drops the
        same older events one at a time would); never when closed or overfull.
        """
        if self._closed or self._returned or count > self._size:
            return False
        return self._pending() + count <= self._size or self._policy is OverrunPolicy.DROP_OLDEST

    def _enqueue_at_once(self, records: list[_Record]) -> None:
        excess = self._pending() + len(records) - self._size
        if excess > 0:  # _fits_at_once: DROP_OLDEST, and nothing was handed back
            self._ring.drop(excess)
            self._dropped += excess
        self._ring.extend(records)
        self._published += len(records)

    def _accept(self, record: _Record, ctx: Context | None) -> None:
        """The slow path of enqueueing one record (lock held): closed, full or overfull.

        Raises, counting nothing, if the record is refused.
        """
        if self._closed:
            raise StoreClosedError("subscribe on a closed store")
        self._make_room(1, ctx)
        self._ring.offer(record)

    def _pending(self) -> int:
        return len(self._ring) + len(self._returned)

    def _make_room(self, needed: int, ctx: Context | None) -> None:
        """Apply the overrun policy until ``needed`` slots are free (lock held)."""
        while self._pending() + needed > self._size:
            policy = self._policy
            if policy is OverrunPolicy.DROP_OLDEST:
                if self._returned:
                    self._returned.popleft()
                else:
                    self._ring.drop(1)
                self._dropped += 1
            elif policy is OverrunPolicy.RETURN_ERROR:
                raise BufferFullError(
                    f"ring buffer full: {needed} slot(s) needed, size {self._size}"
                )
            else:
                self._room_waiters += 1
                try:
                    wait_until(self._room, self._room_or_release(needed), ctx)
                finally:
                    self._room_waiters -= 1
                if self._closed:
                    raise StoreClosedError("store closed while waiting for room")

    def _room_or_release(self, needed: int) -> Callable[[], bool]:
        def ready() -> bool:
            return (
                self._closed
                or self._policy is not OverrunPolicy.BLOCK
                or self._pending() + needed <= self._size
            )

        return ready

    def _count_rejected(self, count: int) -> None:
        with self._lock:
            self._rejected += count

    # -- dispatching --------------------------------------------------------------

    def publish(self) -> None:
        """Dispatch every event pending at the call, oldest first."""
        lock = self._lock
        if not lock.acquire(False):
            acquire_contended(lock)
        try:
            if self._closed:
                raise StoreClosedError("publish on a closed store")
            batch, handoff = self._take_batch()
        finally:
            lock.release()
        self._run_batch(batch, handoff)

    def _take_batch(self) -> tuple[list[_Record], bool]:
        """Claim every pending event (lock held); those bound for workers count in flight."""
        batch = self._claim()
        handoff = self._async and bool(batch)
        if handoff:
            self._in_flight += len(batch)
        return batch, handoff

    def _run_batch(self, batch: list[_Record], handoff: bool) -> None:
        if handoff:
            self._pool.submit(batch)
        elif batch:
            self._dispatch_sync(batch)

    def _claim(self) -> list[_Record]:
        """Take every pending record out of the store (lock held)."""
        if self._returned:
            batch = [*self._returned, *self._ring.take_all()]
            self._returned.clear()
        else:
            batch = self._ring.take_all()
        if batch and self._room_waiters:
            self._room.notify_all()
        return batch

    def _deliver(self, event: Event, ctx: Context | None) -> object:
        """Run one event; return ``None``, the handler's exception, or ``_UNHANDLED``."""
        try:
            handler = self._lookup(event.projection)
        except Exception as exc:
            handler = _raiser(exc)
        if handler is None:
            return _UNHANDLED
        args = event.args
        if args is None:
            args = {}
        elif "__ctx" in args:
            override = args["__ctx"]
            if isinstance(override, Context):
                ctx = override
        if ctx is None:
            ctx = _BACKGROUND
        pipeline = self._pipeline
        if not pipeline.bare:
            return pipeline.run(handler, ctx, args, event)
        try:  # the same as pipeline.run without hooks or middleware, one call cheaper
            result = handler(ctx, args)
        except Exception as exc:
            return exc
        if type(result) is CoroutineType:
            return refuse_coroutine(result)
        return None

    def _dispatch_sync(self, batch: list[_Record], first_owned: int | None = None) -> None:
        """Dispatch ``batch`` in this thread.

        From index ``first_owned`` on, the events are a transaction's: the first of them
        whose handler raises stops the batch, the rest are discarded and the exception
        is re-raised. A ``BaseException`` (KeyboardInterrupt) hands the rest back to
        the store, ahead of every later event, before propagating.
        """
        owned_from = len(batch) if first_owned is None else first_owned
        processed = errors = unhandled = discarded = 0
        failure: Exception | None = None
        deliver = self._deliver
        try:
            # Each event adds one to processed or unhandled, so their sum is its position.
            for event, ctx, _ in batch:
                outcome = deliver(event, ctx)
                if outcome is None:
                    processed += 1
                elif outcome is _UNHANDLED:
                    unhandled += 1
                else:
                    processed += 1
                    errors += 1
                    if processed + unhandled > owned_from:
                        failure = outcome  # type: ignore[assignment]
                        discarded = len(batch) - processed - unhandled
                        break
        except BaseException:
            interrupted = processed + unhandled
            processed += 1
            with self._lock:
                self._returned.extendleft(reversed(batch[interrupted + 1 :]))
            raise
        finally:
            lock = self._lock
            if not lock.acquire(False):
                acquire_contended(lock)
            try:
                self._processed += processed
                self._errors += errors
                self._unhandled += unhandled
                self._discarded += discarded
            finally:
                lock.release()
        if failure is not None:
            raise failure

    def _run_async(self, record: _Record) -> None:
        """One event on a worker thread, in a copy of the contextvars of its subscribe."""
        event, ctx, captured = record
        outcome: object = _INTERRUPTED
        try:
            outcome = captured.copy().run(self._deliver, event, ctx)
        except BaseException:
            _log.exception("async dispatch of %r was interrupted", event)
        finally:
            lock = self._lock
            if not lock.acquire(False):
                acquire_contended(lock)
            try:
                self._tally(outcome)
                self._in_flight -= 1
                if not self._in_flight:
                    self._idle.notify_all()
            finally:
                lock.release()

    def _tally(self, outcome: object) -> None:
        """Count one event's outcome (lock held); an interrupted event counts as processed."""
        if outcome is _UNHANDLED:
            self._unhandled += 1
        else:
            self._processed += 1
            if outcome is not None and outcome is not _INTERRUPTED:
                self._errors += 1

    def drain(self, ctx: Context | None = None) -> None:
        """Wait until no handed-off async handler is queued or running."""
        check_ctx(ctx)
        self._refuse_on_worker("drain")
        with self._lock:
            wait_until(self._idle, self._quiet, ctx)

    def _quiet(self) -> bool:
        return not self._in_flight

    def _refuse_on_worker(self, what: str) -> None:
        if self._pool.on_worker():
            raise RuntimeError(
                f"{what}() called from this store's own async worker would wait for itself"
            )

    def close(self, ctx: Context | None = None) -> None:
        """Refuse new work, wake BLOCK waiters, cancel timers, flush, drain, stop workers.

        If ``ctx`` ends before the drain completes, the store stays closed and a later
        ``close`` repeats the wait.
        """
        check_ctx(ctx)
        self._refuse_on_worker("close")
        with self._lock:
            if self._shut_down:
                return
            self._closed = True
            self._room.notify_all()
            cancelled = [timer for timer in self._timers if timer.state is TimerState.PENDING]
            for timer in cancelled:
                timer.state = TimerState.CANCELLED
            self._timers.clear()
            self._timers_pending -= len(cancelled)
            self._timers_cancelled += len(cancelled)
            batch, handoff = self._take_batch()
        for timer in cancelled:
            if timer.handle is not None:
                timer.handle.cancel()
        self._run_batch(batch, handoff)
        with self._lock:
            wait_until(self._idle, self._quiet, ctx)
            self._shut_down = True
        self._pool.stop()

    def metrics(self) -> Metrics:
        with self._lock:
            return Metrics(self._published, self._processed, self._errors)

    def stats(self) -> Stats:
        with self._lock:
            return Stats(
                published=self._published,
                processed=self._processed,
                errors=self._errors,
                dropped=self._dropped,
                unhandled=self._unhandled,
                discarded=self._discarded,
                rejected=self._rejected,
                pending=self._pending(),
                in_flight=self._in_flight,
                immediate=self._immediate,
                timers_pending=self._timers_pending,
                timers_cancelled=self._timers_cancelled,
            )

    # -- middleware and hooks -----------------------------------------------------

    def _extend(self, **entry: Any) -> None:
        with self._lock:
            self._pipeline = self._pipeline.adding(**entry)

    # -- scheduling ---------------------------------------------------------------

    def schedule(self, at: Any, event: Event, ctx: Context | None = None) -> Timer:
        """Subscribe and publish ``event`` at clock time ``at`` (float or ``datetime``).

        A due time not in the future runs the event at once, in this thread.
        """
        try:
            due = due_time(at)
            check_event(event)
            check_ctx(ctx)
        except Exception:
            self._count_rejected(1)
            raise
        return self._schedule(due - self._clock.now(), event, ctx)

    def schedule_after(self, delay: Any, event: Event, ctx: Context | None = None) -> Timer:
        """``schedule`` ``delay`` seconds (float or ``timedelta``) from now."""
        try:
            seconds = delay_seconds(delay)
            check_event(event)
            check_ctx(ctx)
        except Exception:
            self._count_rejected(1)
            raise
        return self._schedule(seconds, event, ctx)

    def _schedule(self, delay: float, event: Event, ctx: Context | None) -> Timer:
        with self._lock:
            if self._closed:
                self._rejected += 1
                raise StoreClosedError("schedule on a closed store")
            if delay > 0:
                timer = ScheduledTimer(self)
                self._timers.add(timer)
                self._timers_pending += 1
        if delay <= 0:
            self._run_immediately(event, ctx)
            return ScheduledTimer(None, TimerState.FIRED)
        fire = partial(contextvars.copy_context().run, self._fire, timer, event, ctx)
        timer.arm(self._clock, delay, fire, self._lock)
        return timer

    def _run_immediately(self, event: Event, ctx: Context | None) -> None:
        outcome: object = _INTERRUPTED
        try:
            outcome = self._deliver(event, ctx)
        finally:
            with self._lock:
                self._immediate += 1
                self._tally(outcome)

    def _fire(self, timer: ScheduledTimer, event: Event, ctx: Context | None) -> None:
        with self._lock:
            if timer.state is not TimerState.PENDING:
                return
            timer.state = TimerState.FIRED
            self._timers.discard(timer)
            self._timers_pending -= 1
        try:
            self.subscribe(event, ctx)
        except Exception as exc:
            self._pipeline.report(_BACKGROUND if ctx is None else ctx, event, exc)
            return
        with contextlib.suppress(StoreClosedError):  # close() flushes what was enqueued
            self.publish()

    def _cancel_timer(self, timer: ScheduledTimer) -> bool:
        with self._lock:
            if timer.state is not TimerState.PENDING:
                return False
            timer.state = TimerState.CANCELLED
            self._timers.discard(timer)
            self._timers_pending -= 1
            self._timers_cancelled += 1
            handle = timer.handle
        if handle is not None:
            handle.cancel()
        return True

    # -- transactions -------------------------------------------------------------

    def begin_transaction(self) -> Transaction:
        return Transaction(self)

    def _enqueue_transaction(
        self, events: list[Event], ctx: Context | None
    ) -> tuple[list[_Record], int]:
        """Accept all of ``events`` or none, and claim everything up to the last of them.

        Enqueueing and claiming happen in one critical section, so no concurrent
        publish can take a transaction's events away from its ``commit``.
        Returns the batch and the index of the transaction's first event in it.
        """
        count = len(events)
        captured = contextvars.copy_context()
        with self._lock:
            try:
                if self._closed:
                    raise StoreClosedError("commit on a closed store")
                if count > self._size:
                    raise BufferFullError(
                        f"transaction of {count} events cannot fit a store of size {self._size}"
                    )
                self._make_room(count, ctx)
            except EventBusError:
                self._rejected += count
                raise
            self._published += count
            batch = self._claim()
            first = len(batch)
            batch.extend((event, ctx, captured) for event in events)
        return batch, first

    # -- context manager ----------------------------------------------------------

    def __enter__(self) -> EventStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        mode = "async" if self._async else "sync"
        return f"<EventStore size={self._size} policy={self._policy.name} {mode} {state}>"
