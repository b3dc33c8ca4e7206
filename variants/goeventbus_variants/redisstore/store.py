"""``RedisEventStore``: one logical EventStore shared by many processes through Redis.

The ring, the accounting counters and the claims live on the server and change only
through the Lua scripts of ``scripts.py``; each process keeps its own dispatcher,
hooks, middleware, timers and async workers. A publish claims every pending event
under a lease, dispatches them here, and finishes the claim (adding its counts);
a live process renews its leases while handlers run, and any process recovers the
claims of a dead one, whose events go back in front of the ring.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import itertools
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from types import CoroutineType, TracebackType
from typing import Any, ClassVar, Final

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from goeventbus import (
    BufferFullError,
    Context,
    Event,
    EventBusError,
    Metrics,
    OverrunPolicy,
    Stats,
    StoreClosedError,
    Timer,
)
from goeventbus.clock import Clock, default_clock
from goeventbus.pipeline import Handler, Pipeline, Registrations, refuse_coroutine
from goeventbus.timer import ScheduledTimer, TimerState
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
from goeventbus_variants.redisstore import codec
from goeventbus_variants.redisstore.scripts import (
    ACCEPTED,
    BLOCK,
    DROP_OLDEST,
    FULL,
    REFUSE,
    RETURN_ERROR,
    Due,
    Keys,
    Scripts,
)

__all__ = ["OutcomeUnknownError", "RedisEventStore", "RedisStoreError", "ServerUnavailableError"]

URL_ENV = "GOEVENTBUS_REDIS_URL"
DEFAULT_URL = "redis://localhost:6379/0"
#: a claim not renewed for this long belongs to a dead process (``lease=`` changes it)
LEASE_SECONDS = 10.0
#: how long one server call may take before it counts as lost (``timeout=`` changes it)
SOCKET_TIMEOUT = 5.0
#: BLOCK waiters re-check this often even if no wake-up reaches them
WAIT_SLICE = 1.0
#: the shortest BLPOP: Redis 6.2 turns 0.001 s into 0 ms, which blocks forever (a
#: deadline is checked after the wait, and the server wakes blocked clients every 100 ms)
MIN_BLOCK = 0.01

_BACKGROUND: Final = Context.background()
_POLICIES: Final = {
    OverrunPolicy.DROP_OLDEST: DROP_OLDEST,
    OverrunPolicy.BLOCK: BLOCK,
    OverrunPolicy.RETURN_ERROR: RETURN_ERROR,
}
_UNHANDLED: Final = object()
_COUNTERS: Final = (
    "published", "processed", "errors", "dropped", "unhandled", "discarded",
    "rejected", "in_flight", "immediate", "timers_pending", "timers_cancelled",
)  # fmt: skip


class RedisStoreError(EventBusError):
    """The Redis server could not be used."""


class ServerUnavailableError(RedisStoreError):
    """The server could not be reached: the call had no effect."""


class OutcomeUnknownError(RedisStoreError):
    """The call reached the server but its reply was lost: it may or may not have taken effect.

    A ``subscribe`` that raises this is safe to retry with the same event only through
    the store (its deduplication id is per call); the event may already be pending.
    """


def _server_call(what: str) -> Any:
    """Translate redis-py's errors into the store's, by whether the call may have landed."""

    @contextlib.contextmanager
    def translated() -> Any:
        try:
            yield
        except redis.TimeoutError as exc:
            raise OutcomeUnknownError(f"{what}: no reply from the server in time ({exc})") from exc
        except redis.ConnectionError as exc:
            if "connecting" in str(exc):
                raise ServerUnavailableError(f"{what}: server unreachable ({exc})") from exc
            raise OutcomeUnknownError(f"{what}: connection lost ({exc})") from exc

    return translated()


def _blpop_timeout(remaining: float, most: float) -> float:
    """Redis truncates BLPOP timeouts to whole milliseconds and reads 0 as "forever"."""
    return max(MIN_BLOCK, min(remaining, most))


class _Claim:
    """Events this process claimed and has not finished; counted locally, added at the end."""

    def __init__(self, claim_id: str, size: int) -> None:
        self.id = claim_id
        self.left = size
        self.processed = self.errors = self.unhandled = self.discarded = 0


class RedisEventStore(Registrations):
    """The EventStore contract with its ring, counters and claims on a Redis server."""

    unsupported: ClassVar[frozenset[str]] = frozenset(
        {"object-identity", "object-projections", "context-propagation", "contextvars"}
    )

    def __init__(
        self,
        dispatcher: Mapping[Any, Handler],
        size: int = 65536,
        policy: OverrunPolicy = OverrunPolicy.DROP_OLDEST,
        *,
        async_mode: bool = False,
        workers: int | None = None,
        clock: Clock | None = None,
        url: str | None = None,
        name: str | None = None,
        lease: float = LEASE_SECONDS,
        timeout: float = SOCKET_TIMEOUT,
    ) -> None:
        check_dispatcher(dispatcher)
        check_size(size)
        check_policy(policy)
        check_flag("async_mode", async_mode)
        workers = check_workers(workers)
        if clock is not None:
            check_clock(clock)
        self._dispatcher = dispatcher
        self._lookup = dispatcher.get
        self._size = size
        self._policy = policy
        self._async = async_mode
        self._clock: Clock = clock if clock is not None else default_clock()
        for what, seconds in (("lease", lease), ("timeout", timeout)):
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
                raise ValueError(f"{what} must be a positive number of seconds, got {seconds!r}")
        # redis-py would retry every failed call (ten times, by default), which makes the
        # time to fail unbounded and repeats calls that may have landed; the store retries
        # only what the server deduplicates, and reports the rest (OutcomeUnknownError).
        self._client = redis.Redis.from_url(
            url or os.environ.get(URL_ENV) or DEFAULT_URL,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._wait_slice = min(WAIT_SLICE, timeout / 2)
        self._keys = Keys(name or uuid.uuid4().hex)
        self._lease = lease
        self._lease_ms = max(1, int(lease * 1000))
        self._scripts = Scripts(self._client, self._keys)
        self._me = uuid.uuid4().hex
        self._sequence = itertools.count()
        self._serial = itertools.count()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pipeline = Pipeline()
        self._pool: WorkerPool[tuple[_Claim, Event, Context | None]] = WorkerPool(
            workers or os.cpu_count() or 1, self._run_async, "goeventbus-redis-worker"
        )
        self._claims: dict[str, _Claim] = {}
        self._timers: dict[ScheduledTimer, str] = {}
        self._wake_keys: set[str] = set()
        self._in_flight = 0
        #: calls between their closed check and the server's answer; close waits for them
        self._entering = 0
        self._closed = False
        self._shut_down = False
        self._keeper: threading.Thread | None = None
        self._stop_keeping = threading.Event()
        # Its sockets and its keeper thread end with the store, even one never closed.
        weakref.finalize(self, self._client.close)
        weakref.finalize(self, self._stop_keeping.set)
        self._commits = threading.local()
        self._known: dict[str, type] = {}
        self._learn(*dispatcher.keys())

    # -- attributes ---------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._size

    @property
    def policy(self) -> OverrunPolicy:
        return self._policy

    @policy.setter
    def policy(self, policy: OverrunPolicy) -> None:
        self._policy = check_policy(policy)

    @property
    def async_mode(self) -> bool:
        return self._async

    @async_mode.setter
    def async_mode(self, value: bool) -> None:
        self._async = check_flag("async_mode", value)

    @property
    def name(self) -> str:
        return self._keys.name

    def _unique(self) -> str:
        """An id no other call, in this process or any other, ever gets (cheaper than uuid4)."""
        return f"{self._me}-{next(self._serial)}"

    # -- the server ---------------------------------------------------------------

    def _count(self, counter: str, amount: int = 1) -> None:
        with _server_call(f"counting {counter}"):
            self._client.hincrby(self._keys.stats, counter, amount)

    def _send(self, encoded: list[str], policy: int) -> int:
        """One SUBSCRIBE of ``encoded``; returns ACCEPTED, DUPLICATE or FULL.

        A reply lost to a timeout is retried once with the same sequence number, which
        the server deduplicates; if that fails too the outcome is unknown.
        """
        client = f"{self._me}:{threading.get_ident()}"
        sequence = next(self._sequence)
        try:
            with _server_call("subscribe"):
                return self._scripts.subscribe(self._size, policy, client, sequence, encoded)
        except OutcomeUnknownError as lost:
            try:
                with _server_call("subscribe (retried)"):
                    return self._scripts.subscribe(self._size, policy, client, sequence, encoded)
            except ServerUnavailableError as exc:  # the first attempt may still have landed
                raise OutcomeUnknownError(f"{lost}; then {exc}") from exc

    # -- enqueueing ---------------------------------------------------------------

    @contextlib.contextmanager
    def _entered(self, what: str) -> Any:
        """Refuse ``what`` on a closed handle; let ``close`` wait for it otherwise."""
        with self._lock:
            if self._closed:
                raise StoreClosedError(f"{what} on a closed store")
            self._entering += 1
        try:
            yield
        finally:
            with self._lock:
                self._entering -= 1
                if not self._entering:
                    self._idle.notify_all()

    def subscribe(self, event: Event, ctx: Context | None = None) -> None:
        """Enqueue ``event`` in the shared ring; when it is full, apply the overrun policy."""
        try:
            check_event(event)
            check_ctx(ctx)
            encoded = codec.encode(event, self._unique())
            self._learn(event.projection)
            with self._entered("subscribe"):
                self._enqueue(partial(self._send, [encoded]), ctx)
        except Exception as exc:
            if not isinstance(exc, RedisStoreError):
                with contextlib.suppress(RedisStoreError):
                    self._count("rejected")
            raise

    def _enqueue(self, send: Callable[[int], int], ctx: Context | None) -> int:
        """``send(policy)`` until the server takes it; ``send`` answers FULL or anything else."""
        while True:
            policy = _POLICIES[self._policy]
            status = send(policy)
            if status != FULL:
                return status
            if policy == RETURN_ERROR:
                raise BufferFullError(f"ring buffer full: size {self._size}")
            if policy == BLOCK:
                self._wait_for_room(ctx)

    def _wait_for_room(self, ctx: Context | None) -> None:
        """Block until a claim may have freed room, ``ctx`` ends or this store closes."""
        ctx = ctx or _BACKGROUND
        wake = self._keys.key(f"wake:{uuid.uuid4().hex}")

        def wake_up() -> None:
            with contextlib.suppress(redis.RedisError):
                self._client.rpush(wake, 1)

        with self._lock:
            self._wake_keys.add(wake)
        remove = ctx._on_cancel(wake_up)
        try:  # the script that answered FULL counted this thread a waiter
            try:
                if ctx.err() is None and not self._closed:
                    deadline = ctx.deadline
                    remaining = (
                        self._wait_slice if deadline is None else deadline - time.monotonic()
                    )
                    if remaining > 0:
                        with _server_call("waiting for room"):
                            self._client.blpop(
                                [self._keys.room, wake],
                                timeout=_blpop_timeout(remaining, self._wait_slice),
                            )
            finally:
                self._count("waiters", -1)
        finally:
            remove()
            with self._lock:
                self._wake_keys.discard(wake)
            self._client.delete(wake)
        err = ctx.err()
        if err is not None:
            raise err
        if self._closed:
            raise StoreClosedError("store closed while waiting for room")

    def subscribe_many(self, events: Iterable[Event], ctx: Context | None = None) -> int:
        """Subscribe each event in order; all in one call when the outcome is the same."""
        batch = list(events)
        accepted = 0
        encoded: list[str] = []
        try:
            check_ctx(ctx)
            for event in batch:
                check_event(event)
                encoded.append(codec.encode(event, self._unique()))
                self._learn(event.projection)
        except Exception as exc:
            refusal: Exception | None = exc
        else:
            refusal = None
        try:
            if encoded:
                with self._entered("subscribe"):
                    all_at_once = len(encoded) <= self._size
                    if all_at_once and self._send(encoded, _POLICIES[self._policy]) != FULL:
                        accepted = len(encoded)
                        encoded = []
                    for one in encoded:
                        if self._closed:
                            raise StoreClosedError("subscribe on a closed store")
                        self._enqueue(partial(self._send, [one]), ctx)
                        accepted += 1
        except EventBusError as exc:
            refusal = exc
        if refusal is not None:
            if not isinstance(refusal, RedisStoreError):
                with contextlib.suppress(RedisStoreError):
                    self._count("rejected")
            refusal.accepted = accepted  # type: ignore[attr-defined]
            raise refusal
        return accepted

    # -- dispatching --------------------------------------------------------------

    def publish(self) -> None:
        """Claim every pending event of the shared store and dispatch them here."""
        if self._closed:
            raise StoreClosedError("publish on a closed store")
        self._publish()

    def _publish(self) -> None:
        claim, events = self._claim()
        if not events:
            return
        if self._async:
            with self._lock:
                self._in_flight += len(events)
            self._count("in_flight", len(events))
            self._pool.submit((claim, event, None) for event in events)
        else:
            self._dispatch_sync([(event, None) for event in events], claim=claim)

    def _claim(self) -> tuple[_Claim, list[Event]]:
        claim = _Claim(self._unique(), 0)
        with _server_call("publish"):
            raw = self._scripts.claim(claim.id, self._lease_ms)
        self._start_keeping()
        events = [self._decode(text) for text in raw]
        claim.left = len(events)
        if events:
            with self._lock:
                self._claims[claim.id] = claim
        return claim, events

    def _decode(self, text: bytes) -> Event:
        event = codec.decode(text, self._known)[1]
        if isinstance(event.projection, codec.Foreign):
            self._learn(*self._dispatcher.keys())
            event = codec.decode(text, self._known)[1]
        return event

    def _learn(self, *projections: object) -> None:
        """Remember the dataclass projections this process may rebuild from the server."""
        for projection in projections:
            if dataclasses.is_dataclass(projection) and not isinstance(projection, type):
                self._known[codec.type_name(type(projection))] = type(projection)

    def _finish(self, claim: _Claim) -> None:
        with self._lock:
            self._claims.pop(claim.id, None)
        with _server_call("finishing a publish"):
            self._scripts.finish(
                claim.id, claim.processed, claim.errors, claim.unhandled, claim.discarded
            )

    def _start_keeping(self) -> None:
        with self._lock:
            if self._keeper is not None or self._stop_keeping.is_set():
                return
            self._keeper = threading.Thread(
                target=_keep,
                args=(weakref.ref(self), self._stop_keeping, self._lease / 3),
                name="goeventbus-redis-keeper",
                daemon=True,
            )
            self._keeper.start()

    def _keep_alive(self) -> None:
        """Renew this handle's leases; recover dead handles' claims and adopt their timers."""
        with self._lock:
            claim_ids = list(self._claims)
        self._scripts.keep_alive(self._me, claim_ids, self._lease_ms)
        for due in self._scripts.adopt(self._me, self._lease_ms):
            self._arm_adopted(due)

    def _arm_adopted(self, due: Due) -> None:
        """Fire a dead handle's timer from here, at its due time on this store's clock."""
        event = self._decode(due.event)
        timer = ScheduledTimer(self)
        with self._lock:
            if self._closed:
                return
            self._timers[timer] = due.id
        fire = partial(self._fire, timer, event, None)
        timer.arm(self._clock, max(0.0, due.due - self._clock.now()), fire, self._lock)

    def _deliver(self, event: Event, ctx: Context | None) -> object:
        """Run one event; return ``None``, the handler's exception, or ``_UNHANDLED``."""
        try:
            handler = self._lookup(event.projection)
        except Exception as exc:
            return exc
        if handler is None:
            return _UNHANDLED
        args = event.args if event.args is not None else {}
        ctx = ctx or _BACKGROUND
        pipeline = self._pipeline
        if not pipeline.bare:
            return pipeline.run(handler, ctx, args, event)
        try:
            result = handler(ctx, args)
        except Exception as exc:
            return exc
        if type(result) is CoroutineType:
            return refuse_coroutine(result)
        return None

    def _dispatch_sync(
        self,
        batch: list[tuple[Event, Context | None]],
        first_owned: int | None = None,
        claim: _Claim | None = None,
    ) -> None:
        """Dispatch ``batch`` here; events from ``first_owned`` on are a transaction's."""
        if claim is None:  # a transaction's batch, claimed by _enqueue_transaction
            claim = self._commits.claim
        owned_from = len(batch) if first_owned is None else first_owned
        failure: Exception | None = None
        position = 0
        try:
            for position, (event, ctx) in enumerate(batch):
                outcome = self._deliver(event, ctx)
                if outcome is _UNHANDLED:
                    claim.unhandled += 1
                    continue
                claim.processed += 1
                if outcome is not None:
                    claim.errors += 1
                    if position >= owned_from:
                        failure = outcome  # type: ignore[assignment]
                        claim.discarded = len(batch) - position - 1
                        break
        except BaseException:
            claim.processed += 1
            self._hand_back([event for event, _ in batch[position + 1 :]])
            raise
        finally:
            self._finish(claim)
        if failure is not None:
            raise failure

    def _hand_back(self, events: list[Event]) -> None:
        """An interrupted batch's rest goes back in front of everything pending."""
        if events:
            encoded = [codec.encode(event, self._unique()) for event in events]
            with _server_call("handing back an interrupted batch"):
                self._client.lpush(self._keys.ring, *reversed(encoded))

    def _run_async(self, item: tuple[_Claim, Event, Context | None]) -> None:
        claim, event, ctx = item
        try:
            outcome = self._deliver(event, ctx)
        except BaseException:
            outcome = None  # logged by nobody else: an interrupted event counts as processed
        with self._lock:
            if outcome is _UNHANDLED:
                claim.unhandled += 1
            else:
                claim.processed += 1
                if outcome is not None:
                    claim.errors += 1
            claim.left -= 1
            done = claim.left == 0
        if done:
            with contextlib.suppress(RedisStoreError):
                self._count("in_flight", -(claim.processed + claim.unhandled))
                self._finish(claim)
        with self._lock:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.notify_all()

    def drain(self, ctx: Context | None = None) -> None:
        """Wait until no event this process handed to its workers is queued or running."""
        check_ctx(ctx)
        self._refuse_on_worker("drain")
        with self._lock:
            wait_until(self._idle, lambda: not self._in_flight, ctx)

    def _refuse_on_worker(self, what: str) -> None:
        if self._pool.on_worker():
            raise RuntimeError(
                f"{what}() called from this store's own async worker would wait for itself"
            )

    def close(self, ctx: Context | None = None) -> None:
        """Close this handle: refuse new work, wake its BLOCK waiters, cancel its timers,
        dispatch what the shared store still holds, drain, stop its threads."""
        check_ctx(ctx)
        self._refuse_on_worker("close")
        with self._lock:
            if self._shut_down:
                return
            first = not self._closed
            self._closed = True
            wakes = list(self._wake_keys)
            timers = [t for t in self._timers if t.state is TimerState.PENDING]
        for wake in wakes:
            with contextlib.suppress(redis.RedisError):
                self._client.rpush(wake, 1)
        for timer in timers:
            self._cancel_timer(timer)
        with self._lock:
            wait_until(self._idle, lambda: not self._entering, None)
        if first:
            self._publish()
        with self._lock:
            wait_until(self._idle, lambda: not self._in_flight, ctx)
            self._shut_down = True
        self._pool.stop()
        self._stop_keeping.set()

    def metrics(self) -> Metrics:
        stats = self.stats()
        return Metrics(stats.published, stats.processed, stats.errors)

    def stats(self) -> Stats:
        """One consistent snapshot of the shared store (one MULTI/EXEC round trip)."""
        with _server_call("stats"), self._client.pipeline(transaction=True) as pipe:
            pipe.hgetall(self._keys.stats)
            pipe.llen(self._keys.ring)
            counters, pending = pipe.execute()
        values = {name: int(counters.get(name.encode(), 0)) for name in _COUNTERS}
        return Stats(
            published=values["published"],
            processed=values["processed"],
            errors=values["errors"],
            dropped=values["dropped"],
            unhandled=values["unhandled"],
            discarded=values["discarded"],
            rejected=values["rejected"],
            pending=int(pending),
            in_flight=values["in_flight"],
            immediate=values["immediate"],
            timers_pending=values["timers_pending"],
            timers_cancelled=values["timers_cancelled"],
        )

    # -- middleware and hooks -------------------------------------------------------

    def _extend(self, **entry: Any) -> None:
        with self._lock:
            self._pipeline = self._pipeline.adding(**entry)

    # -- scheduling ---------------------------------------------------------------

    def schedule(self, at: Any, event: Event, ctx: Context | None = None) -> Timer:
        return self._schedule(lambda: due_time(at) - self._clock.now(), event, ctx)

    def schedule_after(self, delay: Any, event: Event, ctx: Context | None = None) -> Timer:
        return self._schedule(lambda: delay_seconds(delay), event, ctx)

    def _schedule(self, delay_of: Callable[[], float], event: Event, ctx: Context | None) -> Timer:
        """A timer on this process's clock, and on the server in case this process dies.

        ``delay_of`` checks the due time or delay as it computes it; any refusal is counted.
        """
        try:
            delay = delay_of()
            check_event(event)
            check_ctx(ctx)
            encoded = codec.encode(event, "")
        except Exception:
            self._count("rejected")
            raise
        if self._closed:
            self._count("rejected")
            raise StoreClosedError("schedule on a closed store")
        if delay <= 0:
            self._run_immediately(event, ctx)
            return ScheduledTimer(None, TimerState.FIRED)
        timer = ScheduledTimer(self)
        timer_id = self._unique()
        with _server_call("schedule"):
            self._scripts.schedule(
                timer_id, self._clock.now() + delay, self._me, self._lease_ms, encoded
            )
        with self._lock:
            self._timers[timer] = timer_id
        self._start_keeping()
        fire = partial(contextvars.copy_context().run, self._fire, timer, event, ctx)
        timer.arm(self._clock, delay, fire, self._lock)
        return timer

    def _run_immediately(self, event: Event, ctx: Context | None) -> None:
        outcome: object = None
        try:
            outcome = self._deliver(event, ctx)
        finally:
            counts = {"immediate": 1}
            if outcome is _UNHANDLED:
                counts["unhandled"] = 1
            else:
                counts["processed"] = 1
                if outcome is not None:
                    counts["errors"] = 1
            with _server_call("counting"), self._client.pipeline(transaction=True) as pipe:
                for counter, amount in counts.items():
                    pipe.hincrby(self._keys.stats, counter, amount)
                pipe.execute()

    def _fire(self, timer: ScheduledTimer, event: Event, ctx: Context | None) -> None:
        """Move the timer's event from the server's schedule to its ring, then publish."""
        with self._lock:
            if timer.state is not TimerState.PENDING:
                return
            timer.state = TimerState.FIRED
            timer_id = self._timers.pop(timer)
            closed = self._closed

        def send(policy: int) -> int:
            with _server_call("firing a timer"):
                return self._scripts.fire(self._size, policy, timer_id, self._me)

        try:
            if closed:
                send(REFUSE)
                raise StoreClosedError("timer fired on a closed store")
            status = self._enqueue(send, ctx)
        except Exception as exc:
            if not isinstance(exc, RedisStoreError):
                with contextlib.suppress(RedisStoreError):
                    self._count("rejected")
            self._pipeline.report(ctx or _BACKGROUND, event, exc)
            return
        if status == ACCEPTED:
            with contextlib.suppress(StoreClosedError):
                self.publish()

    def _cancel_timer(self, timer: ScheduledTimer) -> bool:
        with self._lock:
            if timer.state is not TimerState.PENDING:
                return False
            timer.state = TimerState.CANCELLED
            timer_id = self._timers.pop(timer)
            handle = timer.handle
        if handle is not None:
            handle.cancel()
        with _server_call("cancelling a timer"):
            if self._scripts.cancel(timer_id, self._me):
                return True
        timer.state = TimerState.FIRED  # another process took it over and fired it
        return False

    # -- transactions -------------------------------------------------------------

    def begin_transaction(self) -> Transaction:
        return Transaction(self)  # type: ignore[arg-type]

    def _enqueue_transaction(
        self, events: list[Event], ctx: Context | None
    ) -> tuple[list[tuple[Event, Context | None]], int]:
        """Enqueue all of ``events`` or none, and claim everything up to the last of them.

        One script does both, so no other process's events can come in between.
        """
        count = len(events)
        try:
            with self._entered("commit"):
                if count > self._size:
                    raise BufferFullError(
                        f"transaction of {count} events cannot fit a store of size {self._size}"
                    )
                encoded = [codec.encode(event, self._unique()) for event in events]
                claim, reply = self._commit_all(encoded, ctx)
        except EventBusError as exc:
            if not isinstance(exc, RedisStoreError):
                with contextlib.suppress(RedisStoreError):
                    self._count("rejected", count)
            raise
        claimed = [self._decode(text) for text in reply]
        claim.left = len(claimed)
        with self._lock:
            self._claims[claim.id] = claim
        self._commits.claim = claim
        return [(event, None) for event in claimed], len(claimed) - len(events)

    def _commit_all(self, encoded: list[str], ctx: Context | None) -> tuple[_Claim, list[bytes]]:
        while True:
            claim = _Claim(self._unique(), 0)
            client = f"{self._me}:{threading.get_ident()}"
            policy, sequence = _POLICIES[self._policy], next(self._sequence)
            with _server_call("commit"):
                reply = self._scripts.commit(
                    self._size, policy, client, sequence, claim.id, self._lease_ms, encoded
                )
            if reply is not None:
                self._start_keeping()
                return claim, reply
            if self._policy is not OverrunPolicy.BLOCK:
                raise BufferFullError(f"no room for a transaction of {len(encoded)} events")
            self._wait_for_room(ctx)

    # -- context manager ----------------------------------------------------------

    def __enter__(self) -> RedisEventStore:
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
        return f"<RedisEventStore {self.name} size={self._size} {state}>"


def _keep(store: weakref.ref[RedisEventStore], stop: threading.Event, period: float) -> None:
    """The keeper thread: holds its store only weakly, so an unclosed store still goes away."""
    while not stop.wait(period):
        live = store()
        if live is None:
            return
        with contextlib.suppress(redis.RedisError, EventBusError):
            live._keep_alive()
        del live
