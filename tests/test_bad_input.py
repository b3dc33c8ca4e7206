"""SEMANTICS section 2: every bad input is refused clearly and leaves no damage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from goeventbus import Context, Event, EventStore, ManualClock, OverrunPolicy, Stats
from tests.conftest import Recorder


@pytest.mark.parametrize(
    ("size", "error"),
    [
        (0, ValueError),
        (3, ValueError),
        (-8, ValueError),
        (1.0, TypeError),
        ("16", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
)
def test_bad_size(size: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="size") as info:
        EventStore({}, size)  # type: ignore[arg-type]
    assert repr(size) in str(info.value)


@pytest.mark.parametrize("size", [1, 2, 1024, 65536])
def test_good_sizes(size: int) -> None:
    assert EventStore({}, size).size == size


@pytest.mark.parametrize("policy", ["block", 1, None])
def test_bad_policy(policy: object) -> None:
    with pytest.raises(TypeError, match="policy"):
        EventStore({}, 4, policy)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("workers", "error"), [(0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_bad_workers(workers: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="workers"):
        EventStore({}, 4, workers=workers)  # type: ignore[arg-type]


@pytest.mark.parametrize("dispatcher", [None, [("p", print)], "p", 42])
def test_dispatcher_must_be_a_mapping(dispatcher: object) -> None:
    with pytest.raises(TypeError, match="dispatcher"):
        EventStore(dispatcher)  # type: ignore[arg-type]


def test_bad_clock_and_flags() -> None:
    with pytest.raises(TypeError, match="clock"):
        EventStore({}, clock=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="async_mode"):
        EventStore({}, async_mode=1)  # type: ignore[arg-type]


def test_read_write_attributes_validate(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    store.policy = OverrunPolicy.BLOCK
    store.async_mode = True
    assert store.policy is OverrunPolicy.BLOCK
    assert store.async_mode is True
    with pytest.raises(TypeError, match="policy"):
        store.policy = "drop"  # type: ignore[assignment]
    with pytest.raises(TypeError, match="async_mode"):
        store.async_mode = "yes"  # type: ignore[assignment]
    assert store.policy is OverrunPolicy.BLOCK
    assert store.async_mode is True
    with pytest.raises(AttributeError):
        store.size = 8  # type: ignore[misc]


BAD_EVENTS: list[tuple[object, str]] = [
    ("not an event", "Event"),
    ({"projection": "p"}, "Event"),
    (Event(projection=["unhashable"]), "hashable"),
    (Event(projection={"a": 1}), "hashable"),
    (Event(projection="p", args=[1, 2]), "args"),  # type: ignore[arg-type]
    (Event(projection="p", args="x"), "args"),  # type: ignore[arg-type]
]


def _calls(store: EventStore, clock: ManualClock) -> dict[str, Callable[[object], object]]:
    return {
        "subscribe": lambda event: store.subscribe(event),  # type: ignore[arg-type]
        "subscribe_many": lambda event: store.subscribe_many([event]),  # type: ignore[list-item]
        "schedule": lambda event: store.schedule(clock.now() + 5, event),  # type: ignore[arg-type]
        "schedule_after": lambda event: store.schedule_after(5, event),  # type: ignore[arg-type]
    }


@pytest.mark.parametrize("call", ["subscribe", "subscribe_many", "schedule", "schedule_after"])
@pytest.mark.parametrize(("event", "needle"), BAD_EVENTS)
def test_bad_events_are_refused_without_damage(
    make_store: Callable[..., EventStore], call: str, event: object, needle: str
) -> None:
    recorder = Recorder()
    clock = ManualClock()
    store = make_store({"p": recorder}, 4, clock=clock)
    store.subscribe(Event("ok", "p", {"n": 1}))
    before = store.stats()
    with pytest.raises(TypeError, match=needle):
        _calls(store, clock)[call](event)
    after = store.stats()
    assert after == Stats(**{**_fields(before), "rejected": before.rejected + 1})
    clock.advance(10)
    store.publish()
    assert recorder.values() == [1]


def _fields(stats: Stats) -> dict[str, Any]:
    return {name: getattr(stats, name) for name in stats.__dataclass_fields__}


def test_bad_ctx_is_refused(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    with pytest.raises(TypeError, match="ctx"):
        store.subscribe(Event(projection="p"), ctx="not a context")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ctx"):
        store.drain("soon")  # type: ignore[arg-type]
    assert store.stats().rejected == 1
    assert store.stats().pending == 0


@pytest.mark.parametrize(
    ("at", "error"), [("tomorrow", TypeError), (None, TypeError), (float("nan"), ValueError)]
)
def test_bad_schedule_times(
    make_store: Callable[..., EventStore], at: object, error: type[Exception]
) -> None:
    store = make_store(clock=ManualClock())
    with pytest.raises(error, match="at"):
        store.schedule(at, Event(projection="p"))
    with pytest.raises(error, match="delay"):
        store.schedule_after(at, Event(projection="p"))
    stats = store.stats()
    assert (stats.rejected, stats.timers_pending, stats.immediate) == (2, 0, 0)


def test_transaction_publish_validates_at_once(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    tx = store.begin_transaction()
    tx.publish(Event(projection="p"))
    with pytest.raises(TypeError, match="hashable"):
        tx.publish(Event(projection=[1]))
    assert len(tx) == 1
    assert store.stats().rejected == 0  # nothing reached the store


@pytest.mark.parametrize("method", ["use", "on_before", "on_after", "on_error"])
def test_hooks_and_middleware_must_be_callable(
    make_store: Callable[..., EventStore], method: str
) -> None:
    store = make_store({"p": Recorder()})
    with pytest.raises(TypeError, match="callable"):
        getattr(store, method)("not callable")
    store.subscribe(Event(projection="p"))
    store.publish()
    assert store.metrics() == (1, 1, 0)


def test_commit_rejects_bad_ctx(make_store: Callable[..., EventStore]) -> None:
    store = make_store()
    tx = store.begin_transaction()
    tx.publish(Event(projection="p"))
    with pytest.raises(TypeError, match="ctx"):
        tx.commit(ctx=Context)  # type: ignore[arg-type]
    assert len(tx) == 1
