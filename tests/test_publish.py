"""SEMANTICS section 5: what publish claims, dispatch order, contexts, errors, interrupts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import Context, Event, EventStore, Result, StoreClosedError
from tests.conftest import Recorder, numbered


def test_publish_dispatches_pending_in_fifo_order(make_store: Callable[..., EventStore]) -> None:
    seen: list[tuple[str, int]] = []
    dispatcher = {
        "a": lambda ctx, args: seen.append(("a", args["n"])),
        "b": lambda ctx, args: seen.append(("b", args["n"])),
    }
    store = make_store(dispatcher, size=8)
    for n, projection in enumerate("abba"):
        store.subscribe(numbered(n, projection))
    store.publish()
    assert seen == [("a", 0), ("b", 1), ("b", 2), ("a", 3)]
    assert store.metrics() == (4, 4, 0)


def test_empty_publish_is_a_no_op(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    store.publish()
    assert store.stats() == type(store.stats())()


def test_each_event_dispatched_once(make_store: Callable[..., EventStore]) -> None:
    recorder = Recorder()
    store = make_store({"p": recorder})
    store.subscribe(numbered(1))
    store.publish()
    store.publish()
    assert recorder.values() == [1]


def test_claimed_slots_are_free_during_dispatch(make_store: Callable[..., EventStore]) -> None:
    pending_seen: list[int] = []
    store = make_store(size=2)
    store._dispatcher["p"] = lambda ctx, args: pending_seen.append(store.stats().pending)  # type: ignore[index]
    store.subscribe(numbered(0))
    store.subscribe(numbered(1))
    store.publish()
    assert pending_seen == [0, 0]


def test_events_subscribed_by_handlers_wait_for_the_next_publish(
    make_store: Callable[..., EventStore],
) -> None:
    seen: list[int] = []
    store: EventStore

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        seen.append(args["n"])
        if args["n"] < 3:
            store.subscribe(numbered(args["n"] + 10))

    store = make_store({"p": handler})
    store.subscribe_many([numbered(0), numbered(1)])
    store.publish()
    assert seen == [0, 1]
    assert store.stats().pending == 2
    store.publish()
    assert seen == [0, 1, 10, 11]


def test_reentrant_publish_dispatches_only_the_new_events(
    make_store: Callable[..., EventStore],
) -> None:
    seen: list[int] = []
    store: EventStore

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        seen.append(args["n"])
        if args["n"] == 0:
            store.subscribe(numbered(100))
            store.subscribe(numbered(101))
            store.publish()
            seen.append(-1)

    store = make_store({"p": handler})
    store.subscribe_many([numbered(0), numbered(1), numbered(2)])
    store.publish()
    assert seen == [0, 100, 101, -1, 1, 2]
    stats = store.stats()
    assert (stats.processed, stats.pending) == (5, 0)
    assert stats.balanced


def test_dispatcher_is_looked_up_at_dispatch_time(make_store: Callable[..., EventStore]) -> None:
    first, second = Recorder("first"), Recorder("second")
    dispatcher: dict[str, Any] = {}
    store = make_store(dispatcher)
    store.subscribe(numbered(0))
    dispatcher["p"] = first
    store.subscribe(numbered(1))
    store.publish()
    dispatcher["p"] = second
    store.subscribe(numbered(2))
    store.publish()
    assert first.values() == [0, 1]
    assert second.values() == [2]


def test_handler_replaced_by_an_earlier_handler_mid_batch(
    make_store: Callable[..., EventStore],
) -> None:
    later = Recorder("later")
    dispatcher: dict[str, Any] = {}
    store = make_store(dispatcher)

    def replacing(ctx: Context, args: dict[str, Any]) -> None:
        dispatcher["p"] = later

    dispatcher["p"] = replacing
    store.subscribe_many([numbered(0), numbered(1)])
    store.publish()
    assert later.values() == [1]


def test_unhandled_events_are_counted_not_errors(make_store: Callable[..., EventStore]) -> None:
    store = make_store({"known": Recorder()})
    store.subscribe(numbered(0, "unknown"))
    store.subscribe(numbered(1, "known"))
    store.publish()
    stats = store.stats()
    assert (stats.unhandled, stats.processed, stats.errors) == (1, 1, 0)
    assert stats.balanced


def test_handler_errors_are_counted_and_never_propagate(
    make_store: Callable[..., EventStore],
) -> None:
    recorder = Recorder()

    def failing(ctx: Context, args: dict[str, Any]) -> None:
        raise ValueError("nope")

    store = make_store({"bad": failing, "good": recorder})
    store.subscribe(numbered(0, "bad"))
    store.subscribe(numbered(1, "good"))
    store.publish()
    assert store.metrics() == (2, 2, 1)
    assert recorder.values() == [1]


def test_a_failing_dispatcher_lookup_counts_as_an_error(
    make_store: Callable[..., EventStore],
) -> None:
    class Exploding(dict[str, Any]):
        def get(self, key: Any, default: Any = None) -> Any:
            raise LookupError("dispatcher broke")

    errors: list[Exception] = []
    store = make_store(Exploding())
    store.on_error(lambda ctx, event, error: errors.append(error))
    store.subscribe(numbered(0))
    store.publish()
    assert store.metrics() == (1, 1, 1)
    assert [type(error) for error in errors] == [LookupError]


def test_handler_gets_the_callers_args_dict(make_store: Callable[..., EventStore]) -> None:
    received: list[dict[str, Any]] = []

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        received.append(args)
        args["seen"] = True

    store = make_store({"p": handler})
    payload = {"n": 1}
    store.subscribe(Event("1", "p", payload))
    store.subscribe(Event("2", "p", None))
    store.publish()
    assert received[0] is payload
    assert payload["seen"] is True
    assert received[1] == {"seen": True}


def test_context_resolution(make_store: Callable[..., EventStore], recorder: Recorder) -> None:
    store = make_store({"p": recorder})
    subscribed = Context.background().with_value("who", "subscribe")
    override = Context.background().with_value("who", "override")
    store.subscribe(Event("1", "p", {}), subscribed)
    store.subscribe(Event("2", "p", {"__ctx": override}), subscribed)
    store.subscribe(Event("3", "p", {"__ctx": "not a context"}), subscribed)
    store.subscribe(Event("4", "p", {}))
    store.publish()
    assert [ctx.value("who") for ctx in recorder.contexts] == [
        "subscribe",
        "override",
        "subscribe",
        None,
    ]
    assert recorder.contexts[3] is Context.background()


def test_async_def_handlers_are_errors(make_store: Callable[..., EventStore]) -> None:
    errors: list[Exception] = []

    async def handler(ctx: Context, args: dict[str, Any]) -> Result:
        return Result("never")

    store = make_store({"p": handler})
    store.on_error(lambda ctx, event, error: errors.append(error))
    store.subscribe(numbered(0))
    store.publish()  # no "coroutine was never awaited" warning: warnings are errors here
    assert store.metrics() == (1, 1, 1)
    assert len(errors) == 1
    assert isinstance(errors[0], TypeError)
    assert "async" in str(errors[0])


def test_async_def_handler_is_seen_as_raising_by_middleware(
    make_store: Callable[..., EventStore],
) -> None:
    caught: list[BaseException] = []

    async def handler(ctx: Context, args: dict[str, Any]) -> None:
        return None

    def middleware(next_handler: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(ctx: Context, args: dict[str, Any]) -> Any:
            try:
                return next_handler(ctx, args)
            except TypeError as exc:
                caught.append(exc)
                raise

        return wrapped

    store = make_store({"p": handler})
    store.use(middleware)
    store.subscribe(numbered(0))
    store.publish()
    assert len(caught) == 1
    assert store.metrics() == (1, 1, 1)


def test_keyboard_interrupt_leaves_the_rest_pending(make_store: Callable[..., EventStore]) -> None:
    seen: list[int] = []
    after_hook_calls: list[int] = []

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        seen.append(args["n"])
        if args["n"] == 1 and seen.count(1) == 1:
            raise KeyboardInterrupt

    store = make_store({"p": handler}, size=4)
    store.on_after(lambda ctx, event, result, error: after_hook_calls.append(event.args["n"]))
    store.subscribe_many(numbered(n) for n in range(4))
    with pytest.raises(KeyboardInterrupt):
        store.publish()
    stats = store.stats()
    assert (stats.processed, stats.errors, stats.pending) == (2, 0, 2)
    assert stats.balanced
    assert after_hook_calls == [0]
    store.subscribe(numbered(4))
    store.publish()
    assert seen == [0, 1, 2, 3, 4]


def test_interrupted_remainder_can_overfill_then_drop_oldest(
    make_store: Callable[..., EventStore],
) -> None:
    seen: list[int] = []
    store: EventStore

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        seen.append(args["n"])
        if args["n"] == 0:
            store.subscribe(numbered(10))
            store.subscribe(numbered(11))
            raise KeyboardInterrupt

    store = make_store({"p": handler}, size=2)
    store.subscribe_many([numbered(0), numbered(1)])
    with pytest.raises(KeyboardInterrupt):
        store.publish()
    assert store.stats().pending == 3  # the remainder [1] sits ahead of [10, 11]
    store.subscribe(numbered(12))
    stats = store.stats()
    assert (stats.pending, stats.dropped) == (2, 2)
    store.publish()
    assert seen == [0, 11, 12]
    assert store.stats().balanced


def test_system_exit_in_middleware_behaves_like_an_interrupt(
    make_store: Callable[..., EventStore], recorder: Recorder
) -> None:
    def middleware(next_handler: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(ctx: Context, args: dict[str, Any]) -> Any:
            if args["n"] == 0:
                raise SystemExit(3)
            return next_handler(ctx, args)

        return wrapped

    store = make_store({"p": recorder})
    store.use(middleware)
    store.subscribe_many([numbered(0), numbered(1)])
    with pytest.raises(SystemExit):
        store.publish()
    store.publish()
    assert recorder.values() == [1]
    assert store.stats().processed == 2


def test_publish_on_closed_store(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    store.close()
    with pytest.raises(StoreClosedError):
        store.publish()


def test_object_projections(make_store: Callable[..., EventStore]) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class HouseWasSold:
        street: str = ""

    recorder = Recorder()
    store = make_store({HouseWasSold(): recorder, 7: recorder, ("t", 1): recorder})
    store.subscribe(Event("1", HouseWasSold(), {"n": 1}))
    store.subscribe(Event("2", 7, {"n": 2}))
    store.subscribe(Event("3", ("t", 1), {"n": 3}))
    store.subscribe(Event("4", HouseWasSold("elm"), {"n": 4}))
    store.publish()
    assert recorder.values() == [1, 2, 3]
    assert store.stats().unhandled == 1
