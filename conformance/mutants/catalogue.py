"""The mutants: each is the reference with one seeded bug against one section of SEMANTICS.md.

They subclass the reference and override as little as they can, so each differs from a
correct store by exactly the bug its docstring names. ``MUTANTS`` lists them with the
section they break; the suite must reject every one (``python -m mutants.run``).
"""

from __future__ import annotations

import contextvars
from typing import Any

from goeventbus import (
    BufferFullError,
    Context,
    Event,
    EventStore,
    Metrics,
    OverrunPolicy,
    StoreClosedError,
)
from goeventbus.pipeline import Pipeline, _checked, _run_hook
from goeventbus.ring import Ring
from goeventbus.store import _UNHANDLED
from goeventbus.timer import ScheduledTimer, Timer
from goeventbus.transaction import Transaction
from goeventbus.validation import check_ctx

# -- section 1: public API -------------------------------------------------------------


class NoSubscribeMany(EventStore):
    """subscribe_many is missing."""

    subscribe_many = None  # type: ignore[assignment]


class MetricsOutOfOrder(EventStore):
    """metrics() returns (processed, published, errors)."""

    def metrics(self) -> Metrics:
        published, processed, errors = super().metrics()
        return Metrics(processed, published, errors)


# -- section 2: construction and bad input -----------------------------------------------


class AnySize(EventStore):
    """A size that is not a power of two is rounded up instead of refused."""

    def __init__(self, dispatcher: Any, size: Any = 65536, *args: Any, **kwargs: Any) -> None:
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            size = 1 << (size - 1).bit_length()
        super().__init__(dispatcher, size, *args, **kwargs)


class UnhashableAccepted(EventStore):
    """subscribe checks only that it got an Event: bad projections and args get in."""

    def subscribe(self, event: Event, ctx: Context | None = None) -> None:
        if not isinstance(event, Event):
            raise TypeError("not an Event")
        with self._lock:
            if self._closed or self._returned or not self._ring.offer((event, ctx, None)):  # type: ignore[arg-type]
                self._accept((event, ctx, None), ctx)  # type: ignore[arg-type]
            self._published += 1


# -- section 3: subscribe and the overrun policies ---------------------------------------


class RejectedNotCounted(EventStore):
    """Refused bad input is not counted in rejected."""

    def _count_rejected(self, count: int) -> None:
        pass


class DropsNewest(EventStore):
    """DROP_OLDEST on a full ring throws away the new event instead of the oldest."""

    def _accept(self, record: Any, ctx: Context | None) -> None:
        full = self._pending() >= self._size
        if self._policy is OverrunPolicy.DROP_OLDEST and not self._closed and full:
            self._dropped += 1
            return
        super()._accept(record, ctx)


class ReturnErrorCountsPublished(EventStore):
    """RETURN_ERROR counts the refused event as published before raising."""

    def _make_room(self, needed: int, ctx: Context | None) -> None:
        if self._policy is OverrunPolicy.RETURN_ERROR and self._pending() + needed > self._size:
            self._published += needed
        super()._make_room(needed, ctx)


class BlockRaisesBufferFull(EventStore):
    """BLOCK raises BufferFullError instead of waiting or raising the context's error."""

    def _make_room(self, needed: int, ctx: Context | None) -> None:
        if self._policy is OverrunPolicy.BLOCK and self._pending() + needed > self._size:
            raise BufferFullError("full")
        super()._make_room(needed, ctx)


class ContextCheckedWithRoom(EventStore):
    """BLOCK consults the context even when there is room."""

    def subscribe(self, event: Event, ctx: Context | None = None) -> None:
        if self._policy is OverrunPolicy.BLOCK and ctx is not None and ctx.err() is not None:
            self._count_rejected(1)
            raise ctx.err()  # type: ignore[misc]
        super().subscribe(event, ctx)


class DoubleCapacity(EventStore):
    """Holds twice the events its size says."""

    def __init__(self, dispatcher: Any, size: int = 65536, *args: Any, **kwargs: Any) -> None:
        super().__init__(dispatcher, size, *args, **kwargs)
        self._declared = size
        self._size = size * 2
        self._ring = Ring(size * 2)

    @property
    def size(self) -> int:
        return self._declared


class ClosedStillAccepts(EventStore):
    """subscribe on a closed store is accepted silently."""

    def _accept(self, record: Any, ctx: Context | None) -> None:
        self._make_room(1, ctx)
        self._ring.offer(record)


# -- section 4: accounting -----------------------------------------------------------------


class UnhandledCountedProcessed(EventStore):
    """Events with no handler are counted as processed."""

    def _deliver(self, event: Event, ctx: Context | None) -> object:
        outcome = super()._deliver(event, ctx)
        return None if outcome is _UNHANDLED else outcome


class DroppedNotCounted(EventStore):
    """DROP_OLDEST discards without counting."""

    def _make_room(self, needed: int, ctx: Context | None) -> None:
        before = self._dropped
        super()._make_room(needed, ctx)
        self._dropped = before


class InterruptedNotCounted(EventStore):
    """The event whose handler raised KeyboardInterrupt is counted nowhere."""

    def _dispatch_sync(self, batch: list[Any], first_owned: int | None = None) -> None:
        try:
            super()._dispatch_sync(batch, first_owned)
        except Exception:
            raise
        except BaseException:
            with self._lock:
                self._processed -= 1
            raise


# -- section 5: publish and dispatch ----------------------------------------------------


class LifoDispatch(EventStore):
    """publish dispatches newest first."""

    def _claim(self) -> list[Any]:
        return list(reversed(super()._claim()))


class GreedyPublish(EventStore):
    """publish keeps dispatching until nothing is pending, including events its handlers add."""

    def publish(self) -> None:
        super().publish()
        while self.stats().pending:
            super().publish()


class ErrorsEscapePublish(EventStore):
    """A handler's exception propagates out of publish."""

    def _deliver(self, event: Event, ctx: Context | None) -> object:
        outcome = super()._deliver(event, ctx)
        if isinstance(outcome, Exception):
            with self._lock:
                self._processed += 1
                self._errors += 1
            raise outcome
        return outcome


class MiddlewareReversed(EventStore):
    """The last middleware added is the outermost."""

    def use(self, middleware: Any) -> Any:
        check = super().use(middleware)
        with self._lock:
            chain = self._pipeline.middleware
            self._pipeline = Pipeline(
                tuple(reversed(chain)),
                self._pipeline.before,
                self._pipeline.after,
                self._pipeline.on_error,
            )
        return check


class ErrorHooksFirst(EventStore):
    """Error hooks run before the after-hooks."""

    def _extend(self, **entry: Any) -> None:
        super()._extend(**entry)
        with self._lock:
            pipeline = self._pipeline
            if pipeline.after and pipeline.on_error:
                first, rest = pipeline.on_error, pipeline.after
                self._pipeline = _SwappedHooks(pipeline.middleware, pipeline.before, rest, first)


class _SwappedHooks(Pipeline):
    def run(self, handler: Any, ctx: Context, args: dict[str, Any], event: Event) -> Any:
        for before in self.before:
            _run_hook(before, ctx, event)
        result, error = None, None
        try:
            chain = _checked(handler)
            for middleware in reversed(self.middleware):
                chain = middleware(chain)
            result = chain(ctx, args)
        except Exception as exc:
            error = exc
        if error is not None:
            self.report(ctx, event, error)
        for after in self.after:
            _run_hook(after, ctx, event, result, error)
        return error


class IgnoresContextOverride(EventStore):
    """args['__ctx'] is ignored."""

    def _deliver(self, event: Event, ctx: Context | None) -> object:
        if event.args and "__ctx" in event.args:
            event = Event(event.id, event.projection, {**event.args, "__ctx": None})
        return super()._deliver(event, ctx)


class InterruptDropsRest(EventStore):
    """A KeyboardInterrupt from a handler loses the rest of the batch."""

    def _dispatch_sync(self, batch: list[Any], first_owned: int | None = None) -> None:
        try:
            super()._dispatch_sync(batch, first_owned)
        except Exception:
            raise
        except BaseException:
            with self._lock:
                self._returned.clear()
            raise


class CoroutinesAccepted(EventStore):
    """An async def handler's coroutine is closed and counted as a success."""

    def _deliver(self, event: Event, ctx: Context | None) -> object:
        outcome = super()._deliver(event, ctx)
        if isinstance(outcome, TypeError) and "async" in str(outcome):
            return None
        return outcome


class _HookAborted(BaseException):
    pass


class HookFailureAborts(EventStore):
    """A before-hook that raises aborts the dispatch and propagates out of publish."""

    def on_before(self, hook: Any) -> Any:
        def strict(ctx: Context, event: Event) -> None:
            try:
                hook(ctx, event)
            except Exception as exc:
                raise _HookAborted(exc) from exc

        super().on_before(strict)
        return hook


class DrainReturnsEarly(EventStore):
    """drain returns at once."""

    def drain(self, ctx: Context | None = None) -> None:
        check_ctx(ctx)


class ContextvarsLost(EventStore):
    """Async handlers run in the worker's own contextvars, not the subscriber's."""

    def _run_async(self, record: Any) -> None:
        event, ctx, _ = record
        super()._run_async((event, ctx, contextvars.Context()))


# -- section 5a: close ------------------------------------------------------------------


class CloseDiscardsPending(EventStore):
    """close drops what is pending instead of dispatching it."""

    def close(self, ctx: Context | None = None) -> None:
        with self._lock:
            discarded = self._claim()
            self._dropped += len(discarded)
        super().close(ctx)


class CloseKeepsTimers(EventStore):
    """close leaves unfired timers to fire later."""

    def close(self, ctx: Context | None = None) -> None:
        with self._lock:
            timers = set(self._timers)
            self._timers.clear()
        super().close(ctx)
        with self._lock:
            self._timers |= timers


class CloseForgetsWaiters(EventStore):
    """close does not wake BLOCK waiters."""

    def close(self, ctx: Context | None = None) -> None:
        room, self._room = self._room, _Deaf(self._lock)  # type: ignore[assignment]
        try:
            super().close(ctx)
        finally:
            self._room = room


class _Deaf:
    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def notify_all(self) -> None:
        pass

    def __enter__(self) -> Any:
        return self._lock.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self._lock.__exit__(*exc)


# -- section 6: scheduling ----------------------------------------------------------------


class ImmediateQueued(EventStore):
    """A due time already passed queues the event instead of running it at once."""

    def _run_immediately(self, event: Event, ctx: Context | None) -> None:
        self.subscribe(event, ctx)
        self.publish()


class DueNowIsFuture(EventStore):
    """A due time equal to now waits for the next advance."""

    def _schedule(self, delay: float, event: Event, ctx: Context | None) -> Timer:
        return super()._schedule(1e-9 if delay == 0 else delay, event, ctx)


class CancelAlwaysTrue(EventStore):
    """Timer.cancel() says True even after the timer fired or was cancelled."""

    def _cancel_timer(self, timer: ScheduledTimer) -> bool:
        super()._cancel_timer(timer)
        return True


class TimersIgnoreClock(EventStore):
    """Timers fire at once instead of through the clock."""

    def _schedule(self, delay: float, event: Event, ctx: Context | None) -> Timer:
        timer = super()._schedule(delay, event, ctx)
        if delay > 0 and isinstance(timer, ScheduledTimer) and timer.handle is not None:
            timer.handle.cancel()
            self._fire(timer, event, ctx)
        return timer


# -- section 7: transactions ----------------------------------------------------------------


class PartialCommit(EventStore):
    """A commit that does not fit enqueues what fits, then raises."""

    def _enqueue_transaction(self, events: list[Event], ctx: Context | None) -> Any:
        if self._policy is OverrunPolicy.RETURN_ERROR:
            free = self._size - self._pending()
            if len(events) > free:
                for event in events[:free]:
                    self.subscribe(event, ctx)
        return super()._enqueue_transaction(events, ctx)


class RollbackRewindsStore(EventStore):
    """rollback also discards the store's pending events, as Go's rewinding head does."""

    def begin_transaction(self) -> Transaction:
        store = self

        class Rewinding(Transaction):
            def rollback(self) -> None:
                super().rollback()
                with store._lock:
                    store._claim()

        return Rewinding(self)


class FailingTransactionContinues(EventStore):
    """After a transaction's handler fails, commit goes on with the rest and succeeds."""

    def _dispatch_sync(self, batch: list[Any], first_owned: int | None = None) -> None:
        super()._dispatch_sync(batch, None)


class CommitKeepsBuffer(EventStore):
    """A successful commit leaves the events buffered, so the next commit sends them again."""

    def begin_transaction(self) -> Transaction:
        class Sticky(Transaction):
            def commit(self, ctx: Context | None = None) -> None:
                kept = list(self._events)
                super().commit(ctx)
                self._events = kept

        return Sticky(self)


# -- concurrency ----------------------------------------------------------------------------


class RacyPublish(EventStore):
    """publish reads the pending events, dispatches them, and only then removes them."""

    def publish(self) -> None:
        with self._lock:
            if self._closed:
                raise StoreClosedError("closed")
            ring = self._ring
            count = len(ring)
            batch = [ring._slots[(ring._tail + i) & ring._mask] for i in range(count)]
        self._run_batch(batch, False)  # type: ignore[arg-type]
        with self._lock:
            for _ in range(min(count, len(self._ring))):
                self._ring.pop_oldest()


class RacyCounters(EventStore):
    """Async workers update processed outside the lock."""

    def _tally(self, outcome: object) -> None:
        if outcome is _UNHANDLED or self._async is False:
            super()._tally(outcome)
            return
        self._lock.release()
        try:
            processed = self._processed
            self._processed = processed + 1
        finally:
            self._lock.acquire()


class RacySubscribe(EventStore):
    """subscribe checks for room, releases the lock, then adds (Go's check-then-add)."""

    def subscribe(self, event: Event, ctx: Context | None = None) -> None:
        record = (event, ctx, contextvars.copy_context())
        with self._lock:
            if self._closed:
                self._rejected += 1
                raise StoreClosedError("closed")
            full = self._pending() >= self._size
            if full:
                try:
                    self._make_room(1, ctx)
                except Exception:
                    self._rejected += 1
                    raise
        with self._lock:
            if not self._ring.offer(record):
                self._returned.append(record)
            self._published += 1


#: Every mutant and the SEMANTICS.md section it breaks.
MUTANTS: list[tuple[type[EventStore], str]] = [
    (NoSubscribeMany, "1"),
    (MetricsOutOfOrder, "1"),
    (AnySize, "2"),
    (UnhashableAccepted, "2"),
    (RejectedNotCounted, "3"),
    (DropsNewest, "3"),
    (ReturnErrorCountsPublished, "3"),
    (BlockRaisesBufferFull, "3"),
    (ContextCheckedWithRoom, "3"),
    (DoubleCapacity, "3"),
    (ClosedStillAccepts, "3"),
    (UnhandledCountedProcessed, "4"),
    (DroppedNotCounted, "4"),
    (InterruptedNotCounted, "4"),
    (LifoDispatch, "5"),
    (GreedyPublish, "5"),
    (ErrorsEscapePublish, "5"),
    (MiddlewareReversed, "5"),
    (ErrorHooksFirst, "5"),
    (IgnoresContextOverride, "5"),
    (InterruptDropsRest, "5"),
    (CoroutinesAccepted, "5"),
    (HookFailureAborts, "5"),
    (DrainReturnsEarly, "5"),
    (ContextvarsLost, "5"),
    (CloseDiscardsPending, "5a"),
    (CloseKeepsTimers, "5a"),
    (CloseForgetsWaiters, "5a"),
    (ImmediateQueued, "6"),
    (DueNowIsFuture, "6"),
    (CancelAlwaysTrue, "6"),
    (TimersIgnoreClock, "6"),
    (PartialCommit, "7"),
    (RollbackRewindsStore, "7"),
    (FailingTransactionContinues, "7"),
    (CommitKeepsBuffer, "7"),
    (RacyPublish, "5 (threads)"),
    (RacyCounters, "4 (threads)"),
    (RacySubscribe, "3 (threads)"),
]
