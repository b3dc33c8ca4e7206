"""The store cases, by the names of GoEventBus's Go benchmarks.

Each body builds its store outside the timed region, times only the operation, and
closes the store afterwards (close flushes, so nothing is left running). Where the
Go benchmark measures little (an empty ``Publish``, async work timed before it
runs), the Go-shaped case is kept and labelled, and ``honest`` names the case
that measures the same work: per-event dispatch, or async cost including drain.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from goeventbus import Context, Event, OverrunPolicy
from goeventbus_bench.registry import Params, case
from goeventbus_bench.team import across_processes
from goeventbus_bench.timing import parallel, perf_counter
from goeventbus_conformance.loading import resolve

PROJECTION = "p"
BACKGROUND = Context.background()
ARGS: dict[str, Any] = {"k": "v"}
EVENT = Event("id", PROJECTION, ARGS)
REQUEST = {"path": "/events", "body": b'{"k": "v"}'}
#: implementations whose processes can share one store (the others live in one process)
SHARED_ACROSS_PROCESSES = ("redis",)


def handler(ctx: Context, args: dict[str, Any]) -> None:
    return None


def failing(ctx: Context, args: dict[str, Any]) -> None:
    raise ValueError("benchmark handler failure")


def open_store(
    cls: Any,
    params: Params,
    *,
    size: int | None = None,
    policy: OverrunPolicy = OverrunPolicy.DROP_OLDEST,
    async_mode: bool = False,
    handle: Any = handler,
) -> Any:
    return cls({PROJECTION: handle}, size or params.sizes.ring, policy, async_mode=async_mode)


def large_event(params: Params) -> Event:
    return Event("id", PROJECTION, {"payload": bytes(params.sizes.payload)})


def _subscribe_loop(loops: int, cls: Any, params: Params, event: Event) -> float:
    with open_store(cls, params) as store:
        subscribe = store.subscribe
        started = perf_counter()
        for _ in range(loops):
            subscribe(event)
        return perf_counter() - started


def _dispatch_batches(loops: int, cls: Any, params: Params, event: Event, batch: int) -> float:
    """Only ``publish`` is timed: each loop prefills ``batch`` events, then dispatches them."""
    events = [event] * batch
    elapsed = 0.0
    with open_store(cls, params, size=max(params.sizes.ring, batch)) as store:
        publish, subscribe_many = store.publish, store.subscribe_many
        for _ in range(loops):
            subscribe_many(events)
            started = perf_counter()
            publish()
            elapsed += perf_counter() - started
    return elapsed


def _empty_publishes(loops: int, cls: Any, params: Params, prefill: list[Event]) -> float:
    with open_store(cls, params) as store:
        store.subscribe_many(prefill)
        publish = store.publish
        started = perf_counter()
        for _ in range(loops):
            publish()
        return perf_counter() - started


def _sync_round_trips(
    loops: int, cls: Any, params: Params, *, async_mode: bool, drain: bool
) -> float:
    """Go's EventStore_Sync/_Async: build an event with an args map, subscribe, publish."""
    with open_store(cls, params, async_mode=async_mode) as store:
        subscribe, publish = store.subscribe, store.publish
        started = perf_counter()
        for i in range(loops):
            subscribe(Event("id", PROJECTION, {"i": i}))
            publish()
        if drain:
            store.drain()
        return perf_counter() - started


def _serve(store: Any) -> Any:
    """Go's FastHTTP cases: a request handler that subscribes, then publishes, per request."""
    subscribe, publish = store.subscribe, store.publish

    def serve(request: dict[str, Any]) -> None:
        subscribe(Event(request["path"], PROJECTION, {"body": request["body"]}))
        publish()

    return serve


def _requests(loops: int, cls: Any, params: Params, *, async_mode: bool, drain: bool) -> float:
    with open_store(cls, params, async_mode=async_mode) as store:
        serve = _serve(store)
        started = perf_counter()
        for _ in range(loops):
            serve(REQUEST)
        if drain:
            store.drain()
        return perf_counter() - started


def _subscribe_publish(
    loops: int,
    cls: Any,
    params: Params,
    *,
    async_mode: bool = False,
    drain: bool = False,
    handle: Any = handler,
) -> float:
    with open_store(cls, params, async_mode=async_mode, handle=handle) as store:
        subscribe, publish = store.subscribe, store.publish
        started = perf_counter()
        for _ in range(loops):
            subscribe(EVENT)
            publish()
        if drain:
            store.drain()
        return perf_counter() - started


def _drains(loops: int, cls: Any, params: Params, *, async_mode: bool) -> float:
    with open_store(cls, params, async_mode=async_mode) as store:
        subscribe, publish, drain = store.subscribe, store.publish, store.drain
        started = perf_counter()
        for _ in range(loops):
            subscribe(EVENT)
            publish()
            drain()
        return perf_counter() - started


def _transactions(loops: int, cls: Any, params: Params, *, async_mode: bool) -> float:
    with open_store(cls, params, async_mode=async_mode) as store:
        begin, size = store.begin_transaction, params.sizes.transaction
        started = perf_counter()
        for _ in range(loops):
            tx = begin()
            for _ in range(size):
                tx.publish(EVENT)
            tx.commit()
        return perf_counter() - started


@case(
    "Subscribe",
    "subscribe call",
    "subscribe one prebuilt event into a DROP_OLDEST ring of Go's default size; "
    "once the ring is full each subscribe drops the oldest event, as in Go",
)
def subscribe(loops: int, cls: Any, params: Params) -> float:
    return _subscribe_loop(loops, cls, params, EVENT)


@case(
    "SubscribeParallel",
    "subscribe call",
    "worker threads subscribing to one shared store; aggregate time per subscribe",
    parallel=True,
)
def subscribe_parallel(loops: int, cls: Any, params: Params) -> float:
    with open_store(cls, params) as store:
        subscribe = store.subscribe

        def work(share: int) -> None:
            for _ in range(share):
                subscribe(EVENT)

        return parallel(params.workers, loops, work)


@case(
    "SubscribeMany",
    "event",
    "subscribe_many of a batch (the batch API, which Go lacks), per event",
    batch=lambda sizes: sizes.many,
)
def subscribe_many(loops: int, cls: Any, params: Params) -> float:
    events = [EVENT] * params.sizes.many
    with open_store(cls, params) as store:
        many = store.subscribe_many
        started = perf_counter()
        for _ in range(loops):
            many(events)
        return perf_counter() - started


@case(
    "Deliver",
    "event",
    "sync dispatch of prefilled events, per event: one event to one handler "
    "(only publish is timed); the baselines and peers do the same work",
    batch=lambda sizes: sizes.batch,
)
def deliver(loops: int, cls: Any, params: Params) -> float:
    return _dispatch_batches(loops, cls, params, EVENT, params.sizes.batch)


@case(
    "EnqueueDispatch",
    "event",
    "subscribe a batch of events, then one publish, per event: enqueue then dispatch",
    batch=lambda sizes: sizes.batch,
)
def enqueue_dispatch(loops: int, cls: Any, params: Params) -> float:
    batch = params.sizes.batch
    with open_store(cls, params, size=max(params.sizes.ring, batch)) as store:
        subscribe, publish = store.subscribe, store.publish
        started = perf_counter()
        for _ in range(loops):
            for _ in range(batch):
                subscribe(EVENT)
            publish()
        return perf_counter() - started


def _shared_store(path: str, name: str, ring: int, batch: int) -> Callable[[int], None]:
    """In a team member: a handle on the shared store ``name``, subscribing then publishing."""
    store = resolve(path).cls({PROJECTION: handler}, ring, name=name)
    subscribe, publish = store.subscribe, store.publish

    def work(loops: int) -> None:
        for _ in range(loops):
            for _ in range(batch):
                subscribe(EVENT)
            publish()

    return work


@case(
    "EnqueueDispatch/Processes",
    "event",
    "worker processes, each with its own handle on one shared store, each subscribing a "
    "batch then publishing; aggregate time per event (events/s = 1e9 ÷ ns)",
    parallel=True,
    batch=lambda sizes: sizes.batch,
    only=SHARED_ACROSS_PROCESSES,
)
def enqueue_dispatch_processes(loops: int, cls: Any, params: Params) -> float:
    path = f"{cls.__module__}:{cls.__qualname__}"
    ring = max(params.sizes.ring, params.workers * params.sizes.batch)
    factory = partial(_shared_store, path, uuid.uuid4().hex, ring, params.sizes.batch)
    return across_processes(params.workers, loops, path, factory)


@case(
    "Publish",
    "publish call",
    "Go-shaped: one event subscribed, then publish in a loop, so every publish after "
    "the first finds the store empty",
    go_shaped=True,
    honest="Deliver",
)
def publish(loops: int, cls: Any, params: Params) -> float:
    return _empty_publishes(loops, cls, params, [EVENT])


@case(
    "PublishAfterPrefill",
    "publish call",
    "Go-shaped: the ring prefilled, then publish in a loop; only the first one dispatches",
    go_shaped=True,
    honest="PublishAfterPrefill/PerEvent",
)
def publish_after_prefill(loops: int, cls: Any, params: Params) -> float:
    return _empty_publishes(loops, cls, params, [EVENT] * params.sizes.ring)


@case(
    "PublishAfterPrefill/PerEvent",
    "event",
    "a full ring dispatched by one publish, per event (only publish is timed)",
    batch=lambda sizes: sizes.ring,
)
def publish_after_prefill_per_event(loops: int, cls: Any, params: Params) -> float:
    return _dispatch_batches(loops, cls, params, EVENT, params.sizes.ring)


@case(
    "SubscribeLargePayload",
    "subscribe call",
    "Subscribe with a 1 KiB payload in args (Python passes it by reference)",
)
def subscribe_large_payload(loops: int, cls: Any, params: Params) -> float:
    return _subscribe_loop(loops, cls, params, large_event(params))


@case(
    "PublishLargePayload",
    "publish call",
    "Go-shaped: Publish with a 1 KiB payload, in a loop that empties the store at once",
    go_shaped=True,
    honest="PublishLargePayload/PerEvent",
)
def publish_large_payload(loops: int, cls: Any, params: Params) -> float:
    return _empty_publishes(loops, cls, params, [large_event(params)])


@case(
    "PublishLargePayload/PerEvent",
    "event",
    "sync dispatch of prefilled events with a 1 KiB payload, per event",
    batch=lambda sizes: sizes.batch,
)
def publish_large_payload_per_event(loops: int, cls: Any, params: Params) -> float:
    return _dispatch_batches(loops, cls, params, large_event(params), params.sizes.batch)


@case(
    "EventStore_Sync",
    "event",
    "build an event with an args map, subscribe it, publish, in a sync store",
)
def eventstore_sync(loops: int, cls: Any, params: Params) -> float:
    return _sync_round_trips(loops, cls, params, async_mode=False, drain=False)


@case(
    "EventStore_Async",
    "event",
    "Go-shaped: EventStore_Sync in async mode, timed before the handlers finish",
    go_shaped=True,
    honest="EventStore_Async/WithDrain",
)
def eventstore_async(loops: int, cls: Any, params: Params) -> float:
    return _sync_round_trips(loops, cls, params, async_mode=True, drain=False)


@case(
    "EventStore_Async/WithDrain",
    "event",
    "EventStore_Async with a drain at the end timed too: the whole async cost",
)
def eventstore_async_with_drain(loops: int, cls: Any, params: Params) -> float:
    return _sync_round_trips(loops, cls, params, async_mode=True, drain=True)


@case(
    "FastHTTPSync",
    "request",
    "a request handler that builds an event from the request, subscribes it, publishes",
)
def fasthttp_sync(loops: int, cls: Any, params: Params) -> float:
    return _requests(loops, cls, params, async_mode=False, drain=False)


@case(
    "FastHTTPAsync",
    "request",
    "Go-shaped: FastHTTPSync in async mode, timed before the handlers finish",
    go_shaped=True,
    honest="FastHTTPAsync/WithDrain",
)
def fasthttp_async(loops: int, cls: Any, params: Params) -> float:
    return _requests(loops, cls, params, async_mode=True, drain=False)


@case(
    "FastHTTPAsync/WithDrain",
    "request",
    "FastHTTPAsync with a drain at the end timed too",
)
def fasthttp_async_with_drain(loops: int, cls: Any, params: Params) -> float:
    return _requests(loops, cls, params, async_mode=True, drain=True)


@case(
    "FastHTTPParallel",
    "request",
    "worker threads serving requests against one shared sync store",
    parallel=True,
)
def fasthttp_parallel(loops: int, cls: Any, params: Params) -> float:
    with open_store(cls, params) as store:
        serve = _serve(store)

        def work(share: int) -> None:
            for _ in range(share):
                serve(REQUEST)

        return parallel(params.workers, loops, work)


@case("SubscribePublish/Sync", "event", "subscribe one event, then publish it")
def subscribe_publish_sync(loops: int, cls: Any, params: Params) -> float:
    return _subscribe_publish(loops, cls, params)


@case(
    "SubscribePublish/Async",
    "event",
    "Go-shaped: subscribe then publish in async mode, timed before the handlers finish",
    go_shaped=True,
    honest="SubscribePublish/Async/WithDrain",
)
def subscribe_publish_async(loops: int, cls: Any, params: Params) -> float:
    return _subscribe_publish(loops, cls, params, async_mode=True)


@case(
    "SubscribePublish/Async/WithDrain",
    "event",
    "SubscribePublish/Async with a drain at the end timed too",
)
def subscribe_publish_async_with_drain(loops: int, cls: Any, params: Params) -> float:
    return _subscribe_publish(loops, cls, params, async_mode=True, drain=True)


@case(
    "SubscribeBlockPolicy",
    "subscribe call",
    "subscribe under BLOCK to a small ring, publishing whenever it is full (never waits)",
)
def subscribe_block_policy(loops: int, cls: Any, params: Params) -> float:
    ring = params.sizes.block_ring
    with open_store(cls, params, size=ring, policy=OverrunPolicy.BLOCK) as store:
        subscribe, publish = store.subscribe, store.publish
        started = perf_counter()
        for i in range(loops):
            if i % ring == 0:
                publish()
            subscribe(EVENT)
        return perf_counter() - started


@case(
    "PublishWithErrors",
    "event",
    "subscribe then publish an event whose handler raises (counted, never propagated)",
)
def publish_with_errors(loops: int, cls: Any, params: Params) -> float:
    return _subscribe_publish(loops, cls, params, handle=failing)


@case("DrainSync", "event", "subscribe, publish and drain per event, sync store")
def drain_sync(loops: int, cls: Any, params: Params) -> float:
    return _drains(loops, cls, params, async_mode=False)


@case(
    "DrainAsync",
    "event",
    "subscribe, publish and drain per event, async store: a full round trip to a worker",
)
def drain_async(loops: int, cls: Any, params: Params) -> float:
    return _drains(loops, cls, params, async_mode=True)


@case(
    "Transaction_SyncCommit",
    "event",
    "begin, publish a batch into the transaction, commit (which dispatches), per event",
    batch=lambda sizes: sizes.transaction,
)
def transaction_sync_commit(loops: int, cls: Any, params: Params) -> float:
    return _transactions(loops, cls, params, async_mode=False)


@case(
    "Transaction_AsyncCommit",
    "event",
    "Transaction_SyncCommit on an async store (commit still dispatches in the caller)",
    batch=lambda sizes: sizes.transaction,
)
def transaction_async_commit(loops: int, cls: Any, params: Params) -> float:
    return _transactions(loops, cls, params, async_mode=True)
