"""Example-based checks of what the state machines cannot easily reach: bad construction,
threads that block, contexts and identities (capabilities), async workers, real time.
"""

from __future__ import annotations

import contextvars
import gc
import logging
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from goeventbus import (
    BufferFullError,
    Context,
    DeadlineExceededError,
    Event,
    ManualClock,
    OverrunPolicy,
    Result,
    StoreClosedError,
)
from goeventbus_conformance import loading
from goeventbus_conformance.helpers import WAIT, Recorder, join, numbered, spawn, within

MakeStore = Callable[..., Any]
request: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="unset")


# -- section 2 ------------------------------------------------------------------------


@pytest.mark.section("2")
@pytest.mark.parametrize(
    ("size", "error"),
    [(0, ValueError), (3, ValueError), (-2, ValueError), (2.0, TypeError), (True, TypeError)],
)
def test_bad_sizes_are_refused(impl: type[Any], size: object, error: type[Exception]) -> None:
    with pytest.raises(error, match=repr(size)):
        impl({}, size)


@pytest.mark.section("2")
@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"dispatcher": None}, TypeError),
        ({"dispatcher": [("p", print)]}, TypeError),
        # The contract names no exception class for these two: either will do.
        ({"policy": "BLOCK"}, (TypeError, ValueError)),
        ({"workers": 0}, (TypeError, ValueError)),
        ({"workers": 1.5}, (TypeError, ValueError)),
    ],
)
def test_bad_construction_is_refused(
    impl: type[Any], arguments: dict[str, Any], error: type[Exception] | tuple[type[Exception], ...]
) -> None:
    options: dict[str, Any] = {"dispatcher": {}, "size": 8, **arguments}
    with pytest.raises(error):
        impl(**options)


@pytest.mark.section("2")
def test_bad_events_enqueue_nothing(make_store: MakeStore) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, 4)
    store.subscribe(numbered(0))
    for bad in ("x", Event(projection={}), Event(projection="p", args=(1,))):  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            store.subscribe(bad)
    store.publish()
    assert recorder.values() == [0]
    stats = store.stats()
    assert (stats.published, stats.rejected) == (1, 3)


# -- section 3 ------------------------------------------------------------------------


@pytest.mark.section("3")
def test_block_is_freed_by_another_threads_publish(make_store: MakeStore) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, 1, OverrunPolicy.BLOCK)
    store.subscribe(numbered(0))
    failures: list[BaseException] = []

    def producer() -> None:
        try:
            store.subscribe(numbered(1), within())
        except BaseException as exc:
            failures.append(exc)

    thread = spawn(producer)
    time.sleep(0.05)  # give the producer time to block (the test holds either way)
    store.publish()
    join(thread)
    assert failures == []
    store.publish()
    assert recorder.values() == [0, 1]


@pytest.mark.section("3", "5a")
def test_close_wakes_block_waiters(make_store: MakeStore) -> None:
    store = make_store({}, 1, OverrunPolicy.BLOCK)
    store.subscribe(numbered(0))
    raised: list[BaseException] = []
    lock = threading.Lock()

    def producer(n: int) -> None:
        try:  # a deadline far beyond the join below: only close may free these waiters
            store.subscribe(numbered(n), within(6 * WAIT))
        except BaseException as exc:
            with lock:
                raised.append(exc)

    threads = [spawn(producer, n) for n in (1, 2)]
    time.sleep(0.05)
    store.close(within())
    for thread in threads:
        join(thread)
    assert [type(exc) for exc in raised] == [StoreClosedError, StoreClosedError]
    assert store.stats().rejected == 2


@pytest.mark.section("3")
def test_block_deadline_is_not_early(make_store: MakeStore) -> None:
    store = make_store({}, 1, OverrunPolicy.BLOCK)
    store.subscribe(numbered(0))
    ctx = Context.background().with_timeout(0.05)
    with pytest.raises(DeadlineExceededError):
        store.subscribe(numbered(1), ctx)
    assert ctx.done(), "DeadlineExceededError raised before the deadline"


# -- section 5 ------------------------------------------------------------------------


@pytest.mark.section("5")
@pytest.mark.capability("object-identity")
def test_handlers_and_hooks_get_the_callers_objects(make_store: MakeStore) -> None:
    seen_args: list[dict[str, Any]] = []
    seen_events: list[Event] = []
    store = make_store({"p": lambda ctx, args: seen_args.append(args)})
    store.on_before(lambda ctx, event: seen_events.append(event))
    payload: dict[str, Any] = {"n": 1}
    event = Event("1", "p", payload)
    store.subscribe(event)
    store.publish()
    assert seen_args[0] is payload
    assert seen_events[0] is event


@pytest.mark.section("5")
@pytest.mark.capability("object-identity")
def test_middleware_changes_to_args_are_seen_by_the_caller(make_store: MakeStore) -> None:
    def stamping(next_handler: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(ctx: Context, args: dict[str, Any]) -> Any:
            args["stamped"] = True
            return next_handler(ctx, args)

        return wrapped

    store = make_store({"p": lambda ctx, args: None})
    store.use(stamping)
    payload: dict[str, Any] = {}
    store.subscribe(Event("1", "p", payload))
    store.publish()
    assert payload == {"stamped": True}


@pytest.mark.section("5")
def test_none_args_become_an_empty_dict(make_store: MakeStore) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    store.subscribe(Event("1", "p", None))
    store.publish()
    assert recorder.calls == [{}]


@pytest.mark.section("5")
@pytest.mark.capability("context-propagation")
def test_handler_context_resolution(make_store: MakeStore) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    given = Context.background().with_value("via", "subscribe")
    override = Context.background().with_value("via", "__ctx")
    store.subscribe(Event("1", "p", {}), given)
    store.subscribe(Event("2", "p", {"__ctx": override}), given)
    store.subscribe(Event("3", "p", {}))
    tx = store.begin_transaction()
    tx.publish(Event("4", "p", {}))
    store.publish()
    tx.commit(Context.background().with_value("via", "commit"))
    assert [ctx.value("via") for ctx in recorder.contexts] == ["subscribe", "__ctx", None, "commit"]


@pytest.mark.section("5")
def test_handlers_get_a_context_even_without_one(make_store: MakeStore) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    store.subscribe(Event("1", "p", {}))
    store.publish()
    assert isinstance(recorder.contexts[0], Context)
    assert not recorder.contexts[0].done()


@pytest.mark.section("5")
@pytest.mark.capability("object-projections")
def test_any_hashable_projection(make_store: MakeStore) -> None:
    class Token:
        """Hashable by identity."""

    token = Token()
    recorder = Recorder()
    store = make_store({token: recorder, ("t", 1): recorder, frozenset({1}): recorder})
    for n, projection in enumerate([token, ("t", 1), frozenset({1})]):
        store.subscribe(numbered(n, projection))
    store.publish()
    assert recorder.values() == [0, 1, 2]


@dataclass(frozen=True)
class Sold:
    street: str
    number: int


@pytest.mark.section("5")
def test_frozen_dataclass_projections(make_store: MakeStore) -> None:
    recorder = Recorder()
    store = make_store({Sold("elm", 1): recorder, 7: recorder})
    store.subscribe(numbered(0, Sold("elm", 1)))
    store.subscribe(numbered(1, 7))
    store.subscribe(numbered(2, Sold("elm", 2)))
    store.publish()
    assert recorder.values() == [0, 1]
    assert store.stats().unhandled == 1


@pytest.mark.section("5")
def test_async_def_handlers_are_type_errors(make_store: MakeStore) -> None:
    errors: list[Exception] = []

    async def handler(ctx: Context, args: dict[str, Any]) -> Result:
        return Result("never")

    store = make_store({"p": handler})
    store.on_error(lambda ctx, event, error: errors.append(error))
    store.subscribe(numbered(0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.publish()
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)], "coroutine not closed"
    assert store.metrics() == (1, 1, 1)
    assert len(errors) == 1
    assert isinstance(errors[0], TypeError)


@pytest.mark.section("5")
def test_raising_hooks_are_skipped(make_store: MakeStore, caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()

    def broken(*args: Any) -> None:
        raise RuntimeError("hook failed")

    store = make_store({"p": recorder})
    store.on_before(broken)
    store.on_after(broken)
    with caplog.at_level(logging.ERROR, logger="goeventbus"):
        store.subscribe(numbered(0))
        store.publish()
    assert recorder.values() == [0]
    assert store.metrics() == (1, 1, 0)


# -- section 5, async mode --------------------------------------------------------------


@pytest.mark.section("5")
def test_async_handlers_run_off_the_publishing_thread(make_store: MakeStore) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder}, 64, async_mode=True, workers=2)
    store.subscribe_many(numbered(n) for n in range(10))
    store.publish()
    store.drain(within())
    assert sorted(recorder.values()) == list(range(10))
    assert threading.get_ident() not in recorder.threads


@pytest.mark.section("4", "5")
def test_async_unhandled_and_failing_events_are_counted(make_store: MakeStore) -> None:
    def failing(ctx: Context, args: dict[str, Any]) -> None:
        raise ValueError("handler failed")

    store = make_store({"bad": failing}, async_mode=True)
    store.subscribe(numbered(0, "bad"))
    store.subscribe(numbered(1, "nobody"))
    store.publish()
    store.drain(within())
    stats = store.stats()
    assert (stats.processed, stats.errors, stats.unhandled, stats.in_flight) == (1, 1, 1, 0)


@pytest.mark.section("5")
@pytest.mark.capability("contextvars")
def test_async_handlers_see_the_subscribers_contextvars(make_store: MakeStore) -> None:
    seen: list[str] = []
    store = make_store({"p": lambda ctx, args: seen.append(request.get())}, async_mode=True)
    token = request.set("subscriber")
    store.subscribe(numbered(0))
    request.reset(token)
    request.set("publisher")
    store.publish()
    store.drain(within())
    assert seen == ["subscriber"]


@pytest.mark.section("5")
def test_drain_with_a_deadline_leaves_the_store_usable(make_store: MakeStore) -> None:
    gate = threading.Event()
    store = make_store({"p": lambda ctx, args: gate.wait(WAIT)}, async_mode=True, workers=1)
    store.subscribe(numbered(0))
    store.publish()
    with pytest.raises(DeadlineExceededError):
        store.drain(Context.background().with_timeout(0.02))
    assert store.stats().in_flight == 1
    gate.set()
    store.drain(within())
    store.subscribe(numbered(1))
    store.publish()
    store.drain(within())
    assert store.stats().processed == 2


@pytest.mark.section("5")
@pytest.mark.parametrize("method", ["drain", "close"])
def test_drain_and_close_from_a_worker_raise(make_store: MakeStore, method: str) -> None:
    raised: list[BaseException] = []
    holder: list[Any] = []

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        try:
            getattr(holder[0], method)(within(1))
        except RuntimeError as exc:
            raised.append(exc)

    store = make_store({"p": handler}, async_mode=True)
    holder.append(store)
    store.subscribe(numbered(0))
    store.publish()
    store.drain(within())
    assert len(raised) == 1
    store.subscribe(numbered(1))  # not closed: nothing changed


@pytest.mark.section("5")
def test_base_exception_on_a_worker_leaves_it_running(
    make_store: MakeStore, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()

    def interrupting(ctx: Context, args: dict[str, Any]) -> None:
        raise KeyboardInterrupt

    store = make_store({"stop": interrupting, "p": recorder}, async_mode=True, workers=1)
    with caplog.at_level(logging.CRITICAL, logger="goeventbus"):
        store.subscribe(numbered(0, "stop"))
        store.subscribe(numbered(1))
        store.publish()
        store.drain(within())
    assert recorder.values() == [1]
    stats = store.stats()
    assert (stats.processed, stats.errors) == (2, 0)


# -- section 5a -----------------------------------------------------------------------


@pytest.mark.section("5a")
def test_close_with_a_deadline_can_be_repeated(make_store: MakeStore) -> None:
    gate = threading.Event()
    store = make_store({"p": lambda ctx, args: gate.wait(WAIT)}, async_mode=True, workers=1)
    store.subscribe(numbered(0))
    with pytest.raises(DeadlineExceededError):
        store.close(Context.background().with_timeout(0.02))
    with pytest.raises(StoreClosedError):
        store.subscribe(numbered(1))
    gate.set()
    store.close(within())
    assert store.stats().processed == 1


@pytest.mark.section("5a")
def test_context_manager_closes(impl: type[Any]) -> None:
    recorder = Recorder()
    with impl({"p": recorder}, 4) as store:
        store.subscribe(numbered(0))
    assert recorder.values() == [0]
    with pytest.raises(StoreClosedError):
        store.publish()


# -- section 6 ------------------------------------------------------------------------


@pytest.mark.section("6")
@pytest.mark.capability("contextvars")
def test_timers_run_in_the_schedulers_contextvars(make_store: MakeStore) -> None:
    clock = ManualClock()
    seen: list[str] = []
    store = make_store({"p": lambda ctx, args: seen.append(request.get())}, clock=clock)
    token = request.set("scheduler")
    store.schedule_after(1, numbered(0))
    request.reset(token)
    clock.advance(1)
    assert seen == ["scheduler"]


@pytest.mark.section("6")
@pytest.mark.capability("context-propagation")
def test_timers_pass_their_context(make_store: MakeStore) -> None:
    clock = ManualClock()
    recorder = Recorder()
    store = make_store({"p": recorder}, clock=clock)
    store.schedule_after(1, numbered(0), Context.background().with_value("via", "timer"))
    store.schedule_after(0, numbered(1), Context.background().with_value("via", "now"))
    clock.advance(1)
    assert [ctx.value("via") for ctx in recorder.contexts] == ["now", "timer"]


@pytest.mark.section("6")
def test_the_default_clock_fires(make_store: MakeStore) -> None:
    fired = threading.Event()
    store = make_store({"p": lambda ctx, args: fired.set()})
    timer = store.schedule_after(0.01, numbered(0))
    assert fired.wait(WAIT), "a timer on the default clock never fired"
    assert timer.fired


@pytest.mark.section("6")
def test_schedule_bad_times_are_refused(make_store: MakeStore) -> None:
    store = make_store(clock=ManualClock())
    with pytest.raises((TypeError, ValueError)):
        store.schedule("soon", numbered(0))
    with pytest.raises((TypeError, ValueError)):
        store.schedule_after("soon", numbered(0))
    assert store.stats().rejected == 2


# -- section 7 ------------------------------------------------------------------------


@pytest.mark.section("7")
def test_oversized_transaction_refused_under_every_policy(make_store: MakeStore) -> None:
    for policy in OverrunPolicy:
        store = make_store({}, 2, policy)
        tx = store.begin_transaction()
        for n in range(3):
            tx.publish(numbered(n))
        with pytest.raises(BufferFullError):
            tx.commit(within())
        assert store.stats().rejected == 3


# -- section 8 ------------------------------------------------------------------------


@pytest.mark.section("8")
def test_registered_names_resolve() -> None:
    names = loading.registered()
    assert "reference" in names
    target = loading.resolve("reference")
    assert target.path == names["reference"]
    with pytest.raises(loading.ImplementationError, match="registered"):
        loading.resolve("no-such-implementation")
