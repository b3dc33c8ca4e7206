"""``fast``: the reference with its hot paths rewritten for the fewest interpreter steps.

``subscribe``, ``subscribe_many``, ``publish`` and synchronous dispatch are inlined:
exact-type checks instead of validation calls, the ring's slots written directly, a
whole ``subscribe_many`` batch in at most two slice assignments, one lock acquisition
per call taken without a convoy (``goeventbus.locking``), and a dispatch loop without
the hook and middleware machinery while none is registered. Everything unusual (bad
input, a full ring under BLOCK or RETURN_ERROR, a closed store, a batch handed back
by an interrupt, hooks, transactions) goes to the reference code, unchanged: the fast
paths only ever decide that nothing unusual is happening.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import copy_context
from types import CoroutineType
from typing import Any, Final

from goeventbus import Context, Event, EventStore, OverrunPolicy, StoreClosedError
from goeventbus.locking import acquire_contended
from goeventbus.pipeline import refuse_coroutine
from goeventbus.store import _UNHANDLED

__all__ = ["FastEventStore"]

_BACKGROUND: Final = Context.background()
_DROP_OLDEST: Final = OverrunPolicy.DROP_OLDEST


def plain_batch(batch: Sequence[Any], ctx: object) -> bool:
    """Whether every event is one the fast paths take: exact types, hashable projection."""
    if ctx is not None and type(ctx) is not Context:
        return False
    for event in batch:
        if type(event) is not Event or (event.args is not None and type(event.args) is not dict):
            return False
        if type(event.projection) is not str:
            try:
                hash(event.projection)
            except TypeError:
                return False
    return True


def plain_records(batch: Sequence[Any], ctx: Context | None) -> list[Any] | None:
    """The ring records of ``batch``, or None if an event needs the reference's checks."""
    if not plain_batch(batch, ctx):
        return None
    captured = copy_context()
    return [(event, ctx, captured) for event in batch]


class FastEventStore(EventStore):
    """The reference ``EventStore`` with inlined hot paths; the same behaviour."""

    def subscribe(self, event: Event, ctx: Context | None = None) -> None:
        if (
            type(event) is not Event
            or (ctx is not None and type(ctx) is not Context)
            or (event.args is not None and type(event.args) is not dict)
        ):
            return super().subscribe(event, ctx)
        projection = event.projection
        if type(projection) is not str:
            try:
                hash(projection)  # user code: outside the lock
            except TypeError:
                return super().subscribe(event, ctx)
        record = (event, ctx, copy_context())
        lock = self._lock
        if not lock.acquire(False):
            acquire_contended(lock)
        ring = self._ring
        head = ring._head
        full = head - ring._tail == ring.capacity
        if self._closed or self._returned or (full and self._policy is not _DROP_OLDEST):
            lock.release()
            return super().subscribe(event, ctx)
        slots = ring._slots
        index = head & ring._mask
        dropped = slots[index]  # kept alive until the lock is released: its __del__ is user code
        slots[index] = record
        ring._head = head + 1
        if full:
            ring._tail += 1
            self._dropped += 1
        self._published += 1
        lock.release()
        del dropped
        return None

    def subscribe_many(self, events: Iterable[Event], ctx: Context | None = None) -> int:
        batch = list(events)
        records = plain_records(batch, ctx)
        if records is None:
            return super().subscribe_many(batch, ctx)
        count = len(records)
        lock = self._lock
        if not lock.acquire(False):
            acquire_contended(lock)
        ring = self._ring
        capacity = ring.capacity
        head, tail = ring._head, ring._tail
        overflow = head - tail + count - capacity
        if (
            self._closed
            or self._returned
            or count > capacity
            or (overflow > 0 and self._policy is not _DROP_OLDEST)
        ):
            lock.release()
            return super().subscribe_many(batch, ctx)
        slots = ring._slots
        start = head & ring._mask
        end = start + count
        # A DROP_OLDEST overflow's dropped slots are exactly those overwritten here.
        if end <= capacity:
            dropped = slots[start:end]
            slots[start:end] = records
        else:
            dropped = slots[start:] + slots[: end - capacity]
            slots[start:] = records[: capacity - start]
            slots[: end - capacity] = records[capacity - start :]
        ring._head = head + count
        if overflow > 0:
            ring._tail = tail + overflow
            self._dropped += overflow
        self._published += count
        lock.release()
        del dropped
        return count

    def publish(self) -> None:
        lock = self._lock
        if not lock.acquire(False):
            acquire_contended(lock)
        try:
            if self._closed:
                raise StoreClosedError("publish on a closed store")
            ring = self._ring
            if ring._head == ring._tail and not self._returned:
                return
            batch, handoff = self._take_batch()
        finally:
            lock.release()
        if handoff:
            self._pool.submit(batch)
        else:
            self._dispatch_sync(batch)

    def _dispatch_sync(self, batch: list[Any], first_owned: int | None = None) -> None:
        if first_owned is not None:
            return super()._dispatch_sync(batch, first_owned)
        lookup, deliver = self._lookup, self._deliver
        processed = errors = unhandled = 0
        try:
            for event, ctx, _ in batch:
                processed += 1  # first, so that an interrupt always finds its event counted
                if not self._pipeline.bare:  # a hook or middleware was registered
                    outcome = deliver(event, ctx)
                    if outcome is _UNHANDLED:
                        processed -= 1
                        unhandled += 1
                    elif outcome is not None:
                        errors += 1
                    continue
                try:
                    handler = lookup(event.projection)
                except Exception:
                    errors += 1
                    continue
                if handler is None:
                    processed -= 1
                    unhandled += 1
                    continue
                args = event.args
                if args is None:
                    args = {}
                elif "__ctx" in args and isinstance(args["__ctx"], Context):
                    ctx = args["__ctx"]
                try:
                    result = handler(_BACKGROUND if ctx is None else ctx, args)
                except Exception:
                    errors += 1
                    continue
                if type(result) is CoroutineType:
                    refuse_coroutine(result)
                    errors += 1
        except BaseException:
            rest = batch[processed + unhandled :]
            with self._lock:
                self._returned.extendleft(reversed(rest))
            raise
        finally:
            lock = self._lock
            if not lock.acquire(False):
                acquire_contended(lock)
            self._processed += processed
            self._errors += errors
            self._unhandled += unhandled
            lock.release()
        return None
