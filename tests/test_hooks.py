"""SEMANTICS section 5: middleware order, hook order and arguments, failing hooks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import Context, Event, EventStore, Result


def tagging(log: list[str], name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def middleware(next_handler: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(ctx: Context, args: dict[str, Any]) -> Any:
            log.append(f"{name}>")
            result = next_handler(ctx, args)
            log.append(f"<{name}")
            return result

        return wrapped

    return middleware


def test_first_middleware_is_outermost(make_store: Callable[..., EventStore]) -> None:
    log: list[str] = []
    store = make_store({"p": lambda ctx, args: log.append("handler")})
    assert store.use(tagging(log, "outer")) is not None
    store.use(tagging(log, "inner"))
    store.subscribe(Event(projection="p"))
    store.publish()
    assert log == ["outer>", "inner>", "handler", "<inner", "<outer"]


def test_decorator_forms_return_what_they_register(make_store: Callable[..., EventStore]) -> None:
    store = make_store()

    def middleware(next_handler: Callable[..., Any]) -> Callable[..., Any]:
        return next_handler

    def before(ctx: Context, event: Event) -> None: ...
    def after(ctx: Context, event: Event, result: Any, error: Exception | None) -> None: ...
    def error(ctx: Context, event: Event, exc: Exception) -> None: ...

    assert store.use(middleware) is middleware
    assert store.on_before(before) is before
    assert store.on_after(after) is after
    assert store.on_error(error) is error


def test_hooks_run_in_order_with_the_callers_objects(
    make_store: Callable[..., EventStore],
) -> None:
    log: list[tuple[Any, ...]] = []
    result = Result("done")
    store = make_store({"p": lambda ctx, args: result})

    @store.on_before
    def before_1(ctx: Context, event: Event) -> None:
        log.append(("before1", event))

    @store.on_before
    def before_2(ctx: Context, event: Event) -> None:
        log.append(("before2", event))

    @store.on_after
    def after(ctx: Context, event: Event, res: Any, error: Exception | None) -> None:
        log.append(("after", event, res, error))

    @store.on_error
    def on_error(ctx: Context, event: Event, error: Exception) -> None:
        log.append(("error", event, error))

    event = Event("1", "p", {"k": "v"})
    store.subscribe(event)
    store.publish()
    assert [entry[0] for entry in log] == ["before1", "before2", "after"]
    assert all(entry[1] is event for entry in log)
    assert log[2][2] is result
    assert log[2][3] is None


def test_error_hooks_follow_after_hooks_on_failure(make_store: Callable[..., EventStore]) -> None:
    log: list[tuple[str, Any, Any]] = []
    problem = RuntimeError("bad")

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        raise problem

    store = make_store({"p": handler})
    store.on_after(lambda ctx, event, result, error: log.append(("after", result, error)))
    store.on_error(lambda ctx, event, error: log.append(("error", None, error)))
    store.subscribe(Event(projection="p"))
    store.publish()
    assert log == [("after", None, problem), ("error", None, problem)]


def test_hooks_receive_the_dispatch_context(make_store: Callable[..., EventStore]) -> None:
    seen: list[Any] = []
    store = make_store({"p": lambda ctx, args: None})
    store.on_before(lambda ctx, event: seen.append(ctx.value("k")))
    store.subscribe(Event(projection="p"), Context.background().with_value("k", "v"))
    store.publish()
    assert seen == ["v"]


def test_no_hooks_for_unhandled_events(make_store: Callable[..., EventStore]) -> None:
    seen: list[str] = []
    store = make_store({})
    store.on_before(lambda ctx, event: seen.append("before"))
    store.on_after(lambda ctx, event, result, error: seen.append("after"))
    store.subscribe(Event(projection="nobody"))
    store.publish()
    assert seen == []
    assert store.stats().unhandled == 1


def test_raising_middleware_counts_like_a_raising_handler(
    make_store: Callable[..., EventStore],
) -> None:
    errors: list[Exception] = []
    calls: list[str] = []

    def broken(next_handler: Callable[..., Any]) -> Callable[..., Any]:
        raise ValueError("middleware factory failed")

    store = make_store({"p": lambda ctx, args: calls.append("handler")})
    store.use(broken)
    store.on_error(lambda ctx, event, error: errors.append(error))
    store.subscribe(Event(projection="p"))
    store.publish()
    assert calls == []
    assert store.metrics() == (1, 1, 1)
    assert [type(error) for error in errors] == [ValueError]


def test_middleware_may_mutate_args_visible_to_the_caller(
    make_store: Callable[..., EventStore],
) -> None:
    def stamping(next_handler: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(ctx: Context, args: dict[str, Any]) -> Any:
            args["stamped"] = True
            return next_handler(ctx, args)

        return wrapped

    store = make_store({"p": lambda ctx, args: args["stamped"]})
    store.use(stamping)
    payload: dict[str, Any] = {}
    store.subscribe(Event("1", "p", payload))
    store.publish()
    assert payload == {"stamped": True}
    assert store.metrics() == (1, 1, 0)


def test_raising_hooks_are_logged_and_skipped(
    make_store: Callable[..., EventStore], caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def bad_hook(*args: Any) -> None:
        raise RuntimeError("hook failure")

    store = make_store({"p": lambda ctx, args: seen.append("handler")})
    store.on_before(bad_hook)
    store.on_before(lambda ctx, event: seen.append("before2"))
    store.on_after(bad_hook)
    store.on_after(lambda ctx, event, result, error: seen.append("after2"))
    with caplog.at_level(logging.ERROR, logger="goeventbus"):
        store.subscribe(Event(projection="p"))
        store.publish()
    assert seen == ["before2", "handler", "after2"]
    assert store.metrics() == (1, 1, 0)
    assert (
        sum("hook failure" in record.exc_text for record in caplog.records if record.exc_text) == 2
    )


def test_hooks_added_mid_batch_apply_to_later_events(
    make_store: Callable[..., EventStore],
) -> None:
    seen: list[int] = []
    store: EventStore

    def handler(ctx: Context, args: dict[str, Any]) -> None:
        if args["n"] == 0:
            store.on_before(lambda ctx, event: seen.append(event.args["n"]))

    store = make_store({"p": handler})
    store.subscribe_many([Event("0", "p", {"n": 0}), Event("1", "p", {"n": 1})])
    store.publish()
    assert seen == [1]
